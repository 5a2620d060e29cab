package dicomweb

import (
	"strings"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
)

var tagManufacturerModel = part10.Tag{Group: 0x0008, Element: 0x1090}

// The QIDO-RS tables of the conformance statements: which attributes each search path can match
// on, and which each level returns by default and with includefield=all.

// searchPath is one QIDO-RS resource (the statement's columns).
type searchPath int

const (
	allStudies searchPath = iota
	allSeries
	allInstances
	studysSeries
	studysInstances
	studySeriesInstances
)

func pathOf(level string, ids resourceIDs) searchPath {
	switch {
	case level == levelStudy:
		return allStudies
	case level == levelSeries && ids.study == "":
		return allSeries
	case level == levelSeries:
		return studysSeries
	case ids.series != "":
		return studySeriesInstances
	case ids.study != "":
		return studysInstances
	}
	return allInstances
}

var (
	studyQueryV1  = []string{"StudyInstanceUID", "PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "ReferringPhysicianName", "StudyDate", "StudyDescription"}
	seriesQueryV1 = []string{"SeriesInstanceUID", "Modality", "PerformedProcedureStepStartDate"}
	studyQueryV2  = append(append([]string{}, studyQueryV1...), "ModalitiesInStudy")
	seriesQueryV2 = append(append([]string{}, seriesQueryV1...), "ManufacturerModelName")
	instanceQuery = []string{"SOPInstanceUID"}
)

// queryable lists the attributes a search path matches on.
func queryable(p searchPath, v2 bool) []string {
	study, series := studyQueryV1, seriesQueryV1
	if v2 {
		study, series = studyQueryV2, seriesQueryV2
	}
	cat := func(ls ...[]string) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l...)
		}
		return out
	}
	switch p {
	case allStudies:
		return study
	case allSeries:
		return cat(study, series)
	case allInstances:
		return cat(study, series, instanceQuery)
	case studysSeries:
		return series
	case studysInstances:
		return cat(series, instanceQuery)
	}
	return instanceQuery
}

// Returned attributes per level: the default set and the rest that includefield=all adds.
type levelTags struct{ defaults, others []string }

var returnedV2 = map[string]levelTags{
	levelStudy: {
		defaults: []string{"StudyDate", "AccessionNumber", "StudyDescription", "ReferringPhysicianName", "PatientName", "PatientID", "PatientBirthDate", "StudyInstanceUID"},
		others: []string{"SpecificCharacterSet", "StudyTime", "InstanceAvailability", "TimezoneOffsetFromUTC", "AnatomicRegionsInStudyCodeSequence",
			"ProcedureCodeSequence", "NameOfPhysiciansReadingStudy", "AdmittingDiagnosesDescription", "ReferencedStudySequence", "PatientAge",
			"PatientSize", "PatientWeight", "Occupation", "AdditionalPatientHistory", "PatientSex", "StudyID"},
	},
	levelSeries: {
		defaults: []string{"Modality", "ManufacturerModelName", "SeriesInstanceUID", "PerformedProcedureStepStartDate"},
		others: []string{"SpecificCharacterSet", "TimezoneOffsetFromUTC", "SeriesNumber", "Laterality", "SeriesDate", "SeriesTime",
			"SeriesDescription", "PerformedProcedureStepStartTime", "RequestAttributesSequence"},
	},
	levelInstance: {
		defaults: []string{"SOPInstanceUID"},
		others: []string{"SpecificCharacterSet", "SOPClassUID", "InstanceAvailability", "TimezoneOffsetFromUTC", "InstanceNumber",
			"Rows", "Columns", "BitsAllocated", "NumberOfFrames"},
	},
}

var returnedV1 = map[string]levelTags{
	levelStudy: {
		defaults: []string{"SpecificCharacterSet", "StudyDate", "StudyTime", "AccessionNumber", "InstanceAvailability", "ReferringPhysicianName",
			"TimezoneOffsetFromUTC", "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyID", "StudyInstanceUID"},
		others: []string{"StudyDescription", "AnatomicRegionsInStudyCodeSequence", "ProcedureCodeSequence", "NameOfPhysiciansReadingStudy",
			"AdmittingDiagnosesDescription", "ReferencedStudySequence", "PatientAge", "PatientSize", "PatientWeight", "Occupation", "AdditionalPatientHistory"},
	},
	levelSeries: {
		defaults: []string{"SpecificCharacterSet", "Modality", "TimezoneOffsetFromUTC", "SeriesDescription", "SeriesInstanceUID",
			"PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime", "RequestAttributesSequence"},
		others: []string{"SeriesNumber", "Laterality", "SeriesDate", "SeriesTime"},
	},
	levelInstance: {
		defaults: []string{"SpecificCharacterSet", "SOPClassUID", "SOPInstanceUID", "InstanceAvailability", "TimezoneOffsetFromUTC",
			"InstanceNumber", "Rows", "Columns", "BitsAllocated", "NumberOfFrames"},
	},
}

// levelsReturned: a search returns its own level, plus the study level for all series, the
// study and series levels for all instances, the series level for a study's instances.
func levelsReturned(p searchPath) []string {
	switch p {
	case allStudies:
		return []string{levelStudy}
	case allSeries:
		return []string{levelStudy, levelSeries}
	case studysSeries:
		return []string{levelSeries}
	case allInstances:
		return []string{levelStudy, levelSeries, levelInstance}
	case studysInstances:
		return []string{levelSeries, levelInstance}
	}
	return []string{levelInstance}
}

// indexed are the attributes kept beside each stored instance: everything any search matches on
// or returns, except sequences (read from the file when asked for).
var indexed = func() []part10.Tag {
	seen := map[string]bool{}
	var out []part10.Tag
	add := func(ks []string) {
		for _, k := range ks {
			t, ok := part10.TagOf(k)
			if ok && !seen[k] && part10.VROf(t) != "SQ" && k != "ModalitiesInStudy" && k != "InstanceAvailability" {
				seen[k] = true
				out = append(out, t)
			}
		}
	}
	add(studyQueryV2)
	add(seriesQueryV2)
	add(instanceQuery)
	for _, m := range []map[string]levelTags{returnedV1, returnedV2} {
		for _, lt := range m {
			add(lt.defaults)
			add(lt.others)
		}
	}
	return out
}()

// isIndexed reports whether t is kept beside each instance (the search answer reads it there).
func isIndexed(t part10.Tag) bool { return indexedSet[t] }

var indexedSet = func() map[part10.Tag]bool {
	m := map[part10.Tag]bool{}
	for _, t := range indexed {
		m[t] = true
	}
	return m
}()

// searchable reports whether t is matched on by some search (v1 fails a store on these).
func isSearchable(t part10.Tag) bool {
	k := part10.Keyword(t)
	for _, l := range [][]string{studyQueryV1, seriesQueryV1, instanceQuery} {
		for _, x := range l {
			if x == k {
				return true
			}
		}
	}
	return false
}

// indexAttributes reads the indexed attributes of a file (NUL and space padding trimmed),
// leaving out the invalid ones, and its transfer syntax.
func indexAttributes(f *part10.File, invalid map[part10.Tag]bool) map[string]string {
	out := map[string]string{attrTransferSyntax: f.TransferSyntax}
	for _, t := range indexed {
		if el := f.Get(t); el != nil && !invalid[t] {
			switch el.VR {
			case "US", "UL", "SS", "SL":
				if v, ok := f.Int(t); ok {
					out[part10.Keyword(t)] = itoa(v)
				}
			default:
				v := f.String(t)
				if isSearchable(t) || t == tagManufacturerModel {
					// "Only the first value is indexed of a single valued data element that
					// incorrectly has multiple values" (CS2, Search notes).
					v, _, _ = strings.Cut(v, `\`)
				}
				out[part10.Keyword(t)] = v
			}
		}
	}
	return out
}
