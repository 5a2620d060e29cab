package loadgen

// makeInstance is set from the DICOM engineer's Part 10 builder once it exists.
var makeInstance func(studyUID, seriesUID, sopUID string) []byte
