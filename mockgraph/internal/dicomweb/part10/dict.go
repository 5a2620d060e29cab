// Package part10 reads and writes DICOM Part 10 files in the uncompressed transfer syntaxes
// (implicit and explicit VR little endian, explicit VR big endian), as much as the mock DICOM
// service needs: every element, sequences and their items, encapsulated pixel data kept as
// fragments, transcoding between the uncompressed syntaxes, frames, and the DICOM JSON model.
// Every malformed input is an error; lengths are checked against what is left, so no input can
// make it allocate more than it was given, loop forever or panic.
package part10

import (
	"fmt"
	"strconv"
)

// Transfer syntaxes.
const (
	ImplicitVRLittleEndian = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLE   = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndian    = "1.2.840.10008.1.2.2"
	JPEG2000Lossless       = "1.2.840.10008.1.2.4.90"
)

// Uncompressed reports whether ts stores pixel data natively (not encapsulated).
func Uncompressed(ts string) bool {
	return ts == ImplicitVRLittleEndian || ts == ExplicitVRLittleEndian || ts == ExplicitVRBigEndian
}

// Tag is a DICOM attribute tag.
type Tag struct{ Group, Element uint16 }

func (t Tag) String() string { return fmt.Sprintf("(%04X,%04X)", t.Group, t.Element) }

// Hex is the tag as DICOM JSON writes it, e.g. "0020000D".
func (t Tag) Hex() string { return fmt.Sprintf("%04X%04X", t.Group, t.Element) }

// Private reports whether the tag is in an odd (private) group.
func (t Tag) Private() bool { return t.Group%2 == 1 }

// ParseTag reads "0020000D" (eight hex digits).
func ParseTag(s string) (Tag, bool) {
	if len(s) != 8 {
		return Tag{}, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return Tag{}, false
	}
	return Tag{uint16(v >> 16), uint16(v)}, true
}

// Entry is a data dictionary row.
type Entry struct{ Keyword, VR string }

// Tags the mock reads by name.
var (
	TagTransferSyntax       = Tag{0x0002, 0x0010}
	TagSpecificCharacterSet = Tag{0x0008, 0x0005}
	TagSOPClassUID          = Tag{0x0008, 0x0016}
	TagSOPInstanceUID       = Tag{0x0008, 0x0018}
	TagStudyDate            = Tag{0x0008, 0x0020}
	TagAccessionNumber      = Tag{0x0008, 0x0050}
	TagModality             = Tag{0x0008, 0x0060}
	TagStudyDesc            = Tag{0x0008, 0x1030}
	TagPatientName          = Tag{0x0010, 0x0010}
	TagPatientID            = Tag{0x0010, 0x0020}
	TagStudyUID             = Tag{0x0020, 0x000D}
	TagSeriesUID            = Tag{0x0020, 0x000E}
	TagSamplesPerPixel      = Tag{0x0028, 0x0002}
	TagPhotometric          = Tag{0x0028, 0x0004}
	TagPlanarConfiguration  = Tag{0x0028, 0x0006}
	TagNumberOfFrames       = Tag{0x0028, 0x0008}
	TagRows                 = Tag{0x0028, 0x0010}
	TagColumns              = Tag{0x0028, 0x0011}
	TagBitsAllocated        = Tag{0x0028, 0x0100}
	TagBitsStored           = Tag{0x0028, 0x0101}
	TagHighBit              = Tag{0x0028, 0x0102}
	TagPixelRepresentation  = Tag{0x0028, 0x0103}
	TagWindowCenter         = Tag{0x0028, 0x1050}
	TagWindowWidth          = Tag{0x0028, 0x1051}
	TagRescaleIntercept     = Tag{0x0028, 0x1052}
	TagRescaleSlope         = Tag{0x0028, 0x1053}
	TagPixelData            = Tag{0x7FE0, 0x0010}
	tagItem                 = Tag{0xFFFE, 0xE000}
	tagItemDelim            = Tag{0xFFFE, 0xE00D}
	tagSequenceDelim        = Tag{0xFFFE, 0xE0DD}
)

// Dictionary is the part of the DICOM data dictionary (PS3.6) the mock knows: the file meta group,
// the identifying, searchable and search-answer attributes of the Azure DICOM service's
// conformance statement, and the image pixel module. Implicit VR files take their VRs from it; a
// tag it does not know is UN.
var Dictionary = map[Tag]Entry{
	{0x0002, 0x0000}:        {"FileMetaInformationGroupLength", "UL"},
	{0x0002, 0x0001}:        {"FileMetaInformationVersion", "OB"},
	{0x0002, 0x0002}:        {"MediaStorageSOPClassUID", "UI"},
	{0x0002, 0x0003}:        {"MediaStorageSOPInstanceUID", "UI"},
	TagTransferSyntax:       {"TransferSyntaxUID", "UI"},
	{0x0002, 0x0012}:        {"ImplementationClassUID", "UI"},
	{0x0002, 0x0013}:        {"ImplementationVersionName", "SH"},
	{0x0002, 0x0016}:        {"SourceApplicationEntityTitle", "AE"},
	TagSpecificCharacterSet: {"SpecificCharacterSet", "CS"},
	{0x0008, 0x0008}:        {"ImageType", "CS"},
	{0x0008, 0x0012}:        {"InstanceCreationDate", "DA"},
	{0x0008, 0x0013}:        {"InstanceCreationTime", "TM"},
	TagSOPClassUID:          {"SOPClassUID", "UI"},
	TagSOPInstanceUID:       {"SOPInstanceUID", "UI"},
	TagStudyDate:            {"StudyDate", "DA"},
	{0x0008, 0x0021}:        {"SeriesDate", "DA"},
	{0x0008, 0x0022}:        {"AcquisitionDate", "DA"},
	{0x0008, 0x0023}:        {"ContentDate", "DA"},
	{0x0008, 0x002A}:        {"AcquisitionDateTime", "DT"},
	{0x0008, 0x0030}:        {"StudyTime", "TM"},
	{0x0008, 0x0031}:        {"SeriesTime", "TM"},
	{0x0008, 0x0033}:        {"ContentTime", "TM"},
	TagAccessionNumber:      {"AccessionNumber", "SH"},
	{0x0008, 0x0056}:        {"InstanceAvailability", "CS"},
	TagModality:             {"Modality", "CS"},
	{0x0008, 0x0061}:        {"ModalitiesInStudy", "CS"},
	{0x0008, 0x0063}:        {"AnatomicRegionsInStudyCodeSequence", "SQ"},
	{0x0008, 0x0064}:        {"ConversionType", "CS"},
	{0x0008, 0x0070}:        {"Manufacturer", "LO"},
	{0x0008, 0x0080}:        {"InstitutionName", "LO"},
	{0x0008, 0x0090}:        {"ReferringPhysicianName", "PN"},
	{0x0008, 0x0201}:        {"TimezoneOffsetFromUTC", "SH"},
	TagStudyDesc:            {"StudyDescription", "LO"},
	{0x0008, 0x1032}:        {"ProcedureCodeSequence", "SQ"},
	{0x0008, 0x103E}:        {"SeriesDescription", "LO"},
	{0x0008, 0x1060}:        {"NameOfPhysiciansReadingStudy", "PN"},
	{0x0008, 0x1080}:        {"AdmittingDiagnosesDescription", "LO"},
	{0x0008, 0x1090}:        {"ManufacturerModelName", "LO"},
	{0x0008, 0x1110}:        {"ReferencedStudySequence", "SQ"},
	{0x0008, 0x1115}:        {"ReferencedSeriesSequence", "SQ"},
	{0x0008, 0x1150}:        {"ReferencedSOPClassUID", "UI"},
	{0x0008, 0x1155}:        {"ReferencedSOPInstanceUID", "UI"},
	{0x0008, 0x1190}:        {"RetrieveURL", "UR"},
	{0x0008, 0x1196}:        {"WarningReason", "US"},
	{0x0008, 0x1197}:        {"FailureReason", "US"},
	{0x0008, 0x1198}:        {"FailedSOPSequence", "SQ"},
	{0x0008, 0x1199}:        {"ReferencedSOPSequence", "SQ"},
	TagPatientName:          {"PatientName", "PN"},
	TagPatientID:            {"PatientID", "LO"},
	{0x0010, 0x0030}:        {"PatientBirthDate", "DA"},
	{0x0010, 0x0040}:        {"PatientSex", "CS"},
	{0x0010, 0x1010}:        {"PatientAge", "AS"},
	{0x0010, 0x1020}:        {"PatientSize", "DS"},
	{0x0010, 0x1030}:        {"PatientWeight", "DS"},
	{0x0010, 0x2180}:        {"Occupation", "SH"},
	{0x0010, 0x21B0}:        {"AdditionalPatientHistory", "LT"},
	{0x0018, 0x0015}:        {"BodyPartExamined", "CS"},
	{0x0018, 0x0050}:        {"SliceThickness", "DS"},
	TagStudyUID:             {"StudyInstanceUID", "UI"},
	TagSeriesUID:            {"SeriesInstanceUID", "UI"},
	{0x0020, 0x0010}:        {"StudyID", "SH"},
	{0x0020, 0x0011}:        {"SeriesNumber", "IS"},
	{0x0020, 0x0013}:        {"InstanceNumber", "IS"},
	{0x0020, 0x0020}:        {"PatientOrientation", "CS"},
	{0x0020, 0x0032}:        {"ImagePositionPatient", "DS"},
	{0x0020, 0x0037}:        {"ImageOrientationPatient", "DS"},
	{0x0020, 0x0052}:        {"FrameOfReferenceUID", "UI"},
	{0x0020, 0x0060}:        {"Laterality", "CS"},
	{0x0020, 0x1208}:        {"NumberOfStudyRelatedInstances", "IS"},
	{0x0020, 0x1209}:        {"NumberOfSeriesRelatedInstances", "IS"},
	TagSamplesPerPixel:      {"SamplesPerPixel", "US"},
	TagPhotometric:          {"PhotometricInterpretation", "CS"},
	TagPlanarConfiguration:  {"PlanarConfiguration", "US"},
	TagNumberOfFrames:       {"NumberOfFrames", "IS"},
	TagRows:                 {"Rows", "US"},
	TagColumns:              {"Columns", "US"},
	{0x0028, 0x0030}:        {"PixelSpacing", "DS"},
	TagBitsAllocated:        {"BitsAllocated", "US"},
	TagBitsStored:           {"BitsStored", "US"},
	TagHighBit:              {"HighBit", "US"},
	TagPixelRepresentation:  {"PixelRepresentation", "US"},
	TagWindowCenter:         {"WindowCenter", "DS"},
	TagWindowWidth:          {"WindowWidth", "DS"},
	TagRescaleIntercept:     {"RescaleIntercept", "DS"},
	TagRescaleSlope:         {"RescaleSlope", "DS"},
	{0x0028, 0x2110}:        {"LossyImageCompression", "CS"},
	{0x0040, 0x0244}:        {"PerformedProcedureStepStartDate", "DA"},
	{0x0040, 0x0245}:        {"PerformedProcedureStepStartTime", "TM"},
	{0x0040, 0x0275}:        {"RequestAttributesSequence", "SQ"},
	{0x0074, 0x1048}:        {"FailedAttributesSequence", "SQ"},
	{0x0000, 0x0902}:        {"ErrorComment", "LO"},
	TagPixelData:            {"PixelData", "OW"},
}

// keywordIndex maps keywords back to tags.
var keywordIndex = func() map[string]Tag {
	m := make(map[string]Tag, len(Dictionary))
	for t, e := range Dictionary {
		m[e.Keyword] = t
	}
	return m
}()

// TagOf returns the tag of a dictionary keyword (case-sensitive, as the service matches them).
func TagOf(keyword string) (Tag, bool) {
	t, ok := keywordIndex[keyword]
	return t, ok
}

// VROf is the dictionary VR of t: UL for group lengths, UN for a tag the dictionary lacks.
func VROf(t Tag) string {
	if e, ok := Dictionary[t]; ok {
		return e.VR
	}
	if t.Element == 0 {
		return "UL"
	}
	return "UN"
}

// Keyword is t's dictionary keyword, or "".
func Keyword(t Tag) string { return Dictionary[t].Keyword }
