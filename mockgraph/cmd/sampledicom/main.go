// Command sampledicom writes a small valid DICOM Part 10 file (an 8×8 secondary capture) to the
// path given, for scripts that store an instance: `make check-postman` sends it with the
// collection's store request.
package main

import (
	"fmt"
	"os"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sampledicom FILE")
		os.Exit(2)
	}
	file := part10.Build(part10.Instance{StudyInstanceUID: "1.2.826.0.1.3680043.10.1", SeriesInstanceUID: "1.2.826.0.1.3680043.10.1.1",
		SOPInstanceUID: "1.2.826.0.1.3680043.10.1.1.1", PatientID: "POSTMAN-1", PatientName: "Check^Postman", StudyDate: "20260601", Modality: "OT"})
	if err := os.WriteFile(os.Args[1], file, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "sampledicom:", err)
		os.Exit(1)
	}
}
