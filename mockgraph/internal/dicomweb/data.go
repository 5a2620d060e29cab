package dicomweb

import (
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// This file is the DICOM surface's only use of the tenant store: every read and write of
// instances and the change feed goes through these few functions.

// instancesIn returns the stored instances a path names (a study, a series or one instance), in
// the order they were stored; a study-pinned path reads the study index instead of scanning.
func (a *API) instancesIn(service string, ids resourceIDs) []*tenant.DicomInstance {
	var out []*tenant.DicomInstance
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		if ids.sop != "" {
			if in := d.DicomInstance(service, ids.sop); in != nil && (ids.study == "" || in.StudyInstanceUID == ids.study) &&
				(ids.series == "" || in.SeriesInstanceUID == ids.series) {
				out = append(out, in)
			}
			return nil
		}
		var all []*tenant.DicomInstance
		if ids.study != "" {
			all = d.DicomInstancesOfStudy(service, ids.study)
		} else {
			all = d.DicomInstances(service)
		}
		for _, in := range all {
			if ids.series == "" || in.SeriesInstanceUID == ids.series {
				out = append(out, in)
			}
		}
		return nil
	})
	return out
}

// instanceBytes is the stored Part 10 file of an instance.
func instanceBytes(in *tenant.DicomInstance) []byte { return in.Data }

// storeOutcome is what happened to one instance of a store request.
type storeOutcome int

const (
	outcomeStored storeOutcome = iota
	outcomeExists
)

// putInstances stores the new instances in one write, skipping those whose SOP instance UID is
// already stored. A failed write stores none of them (the error is returned).
func (a *API) putInstances(ins []*tenant.DicomInstance) ([]storeOutcome, error) {
	out := make([]storeOutcome, len(ins))
	err := a.cfg.Store.Update(func(d *tenant.Directory) error {
		for i, in := range ins {
			if d.DicomInstance(in.Service, in.SOPInstanceUID) != nil {
				out[i] = outcomeExists
				continue
			}
			d.PutDicomInstance(in)
		}
		return nil
	})
	return out, err
}

// deleteInstances removes instances and records the deletions in the change feed.
func (a *API) deleteInstances(ins []*tenant.DicomInstance, at tenant.ChangeFeedEntry) error {
	return a.cfg.Store.Update(func(d *tenant.Directory) error {
		for _, in := range ins {
			d.DeleteDicomInstance(in.Service, in.SOPInstanceUID, at)
		}
		return nil
	})
}

// changesOf returns a service's change feed rows after sequence offset, at most limit (all when
// limit < 0), and the newest row.
func (a *API) changesOf(service string, offset int64, limit int) (rows []tenant.ChangeFeedEntry, latest tenant.ChangeFeedEntry, any bool) {
	_ = a.cfg.Store.View(func(d *tenant.Directory) error {
		rows = d.ChangeFeed(service, offset, limit)
		latest, any = d.LatestChange(service)
		return nil
	})
	return rows, latest, any
}

// currentInstance returns the stored instance with this SOP instance UID, or nil.
func (a *API) currentInstance(service, sop string) *tenant.DicomInstance {
	var in *tenant.DicomInstance
	_ = a.cfg.Store.View(func(d *tenant.Directory) error { in = d.DicomInstance(service, sop); return nil })
	return in
}
