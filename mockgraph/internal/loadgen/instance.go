package loadgen

import "github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"

// makeInstance builds the small valid Part 10 file each store operation sends.
func makeInstance(studyUID, seriesUID, sopUID string) []byte {
	return part10.Build(part10.Instance{StudyInstanceUID: studyUID, SeriesInstanceUID: seriesUID, SOPInstanceUID: sopUID,
		PatientID: "LOAD", PatientName: "Load^Test", Modality: "OT", StudyDate: "20260101"})
}
