// Command postman-export writes the Postman environment and DICOMweb collection that
// plugin/postman builds for an app registration, plus a sample DICOM file for the store request,
// into a folder for `make check-postman` (newman). The registration comes from the environment
// (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST, DICOMREG_DICOM_URL).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dicomreg/dicomreg/mockgraph/dicomweb/part10"
	"github.com/dicomreg/dicomreg/plugin/postman"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: postman-export DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "postman-export:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	reg := postman.Registration{Name: "check-postman", TenantID: os.Getenv("AZURE_TENANT_ID"), ClientID: os.Getenv("AZURE_CLIENT_ID"),
		ClientSecret: os.Getenv("AZURE_CLIENT_SECRET"), AuthorityHost: os.Getenv("AZURE_AUTHORITY_HOST"), DICOMURL: os.Getenv("DICOMREG_DICOM_URL")}
	env, err := postman.Environment(reg, true)
	if err != nil {
		return err
	}
	col, err := postman.Collection(reg)
	if err != nil {
		return err
	}
	sample := part10.Build(part10.Instance{StudyInstanceUID: "1.2.826.0.1.3680043.10.1", SeriesInstanceUID: "1.2.826.0.1.3680043.10.1.1",
		SOPInstanceUID: "1.2.826.0.1.3680043.10.1.1.1", PatientID: "POSTMAN-1", PatientName: "Check^Postman", StudyDate: "20260601", Modality: "OT"})
	for name, f := range map[string]struct {
		data []byte
		mode os.FileMode
	}{"environment.json": {env, 0o600}, "collection.json": {col, 0o644}, postman.SampleFile: {sample, 0o644}} {
		if err := os.WriteFile(filepath.Join(dir, name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}
