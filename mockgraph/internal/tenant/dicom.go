package tenant

import "encoding/binary"

// DeleteDicomInstance removes a stored instance and records the deletion in the change feed, as
// the DICOM service does (the Create row becomes "Deleted" and a Delete row is appended).
func (d *Directory) DeleteDicomInstance(service, sopUID string, at ChangeFeedEntry) bool {
	k := instanceKey(service, sopUID)
	in := d.instances.get(k)
	if in == nil {
		return false
	}
	d.setChangeState(service, sopUID, "Deleted")
	d.instances.del(k)
	at.Service, at.Action, at.State = in.Service, "Delete", "Deleted"
	at.StudyInstanceUID, at.SeriesInstanceUID, at.SOPInstanceUID = in.StudyInstanceUID, in.SeriesInstanceUID, in.SOPInstanceUID
	d.appendChange(at)
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

// setChangeState moves the instance's Current change feed rows to state, through the journal.
func (d *Directory) setChangeState(service, sopUID, state string) {
	for i := range d.changeFeed {
		e := &d.changeFeed[i]
		if key(e.Service) == key(service) && e.SOPInstanceUID == sopUID && e.State == "Current" {
			old := *e
			e.State = state
			d.j.touched(bucketChangeFeed, changeKey(e.Sequence), func() { d.changeFeed[i] = old })
		}
	}
}

// appendChange adds a row to the change feed with the next sequence number.
func (d *Directory) appendChange(e ChangeFeedEntry) ChangeFeedEntry {
	n := len(d.changeFeed)
	e.Sequence = int64(n) + 1
	d.changeFeed = append(d.changeFeed, e)
	d.j.touched(bucketChangeFeed, changeKey(e.Sequence), func() { d.changeFeed = d.changeFeed[:n] })
	return e
}

// changeKey is a change feed row's key in the state store: big-endian, so keys sort by sequence.
func changeKey(seq int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	return string(b[:])
}
