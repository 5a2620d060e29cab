package tenant

// DeleteDicomInstance removes a stored instance and records the deletion in the change feed, as
// the DICOM service does (the Create row becomes "Deleted" and a Delete row is appended).
func (d *Directory) DeleteDicomInstance(service, sopUID string, at ChangeFeedEntry) bool {
	k := instanceKey(service, sopUID)
	in := d.instances.get(k)
	if in == nil {
		return false
	}
	for i := range d.changeFeed {
		e := &d.changeFeed[i]
		if key(e.Service) == key(service) && e.SOPInstanceUID == sopUID && e.State == "Current" {
			e.State = "Deleted"
		}
	}
	d.unindexInstance(k, in)
	d.instances.del(k)
	at.Sequence = int64(len(d.changeFeed)) + 1
	at.Service, at.Action, at.State = in.Service, "Delete", "Deleted"
	at.StudyInstanceUID, at.SeriesInstanceUID, at.SOPInstanceUID = in.StudyInstanceUID, in.SeriesInstanceUID, in.SOPInstanceUID
	d.changeFeed = append(d.changeFeed, at)
	return true
}

// LatestChange returns the newest change feed row of a service, if any.
func (d *Directory) LatestChange(service string) (ChangeFeedEntry, bool) {
	for i := len(d.changeFeed) - 1; i >= 0; i-- {
		if key(d.changeFeed[i].Service) == key(service) {
			return d.changeFeed[i], true
		}
	}
	return ChangeFeedEntry{}, false
}
