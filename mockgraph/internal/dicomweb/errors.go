package dicomweb

import (
	"fmt"
	"net/http"
)

// Texts of the Azure DICOM service's answers (microsoft/dicom-server, branch archived:
// src/Microsoft.Health.Dicom.Core/DicomCoreResource.resx), by resource name.
const (
	msgForbidden              = "Authorization failed."
	msgDataStoreFailed        = "The data store operation failed."
	msgNotAcceptable          = "The request headers are not acceptable"
	msgUnsupportedTranscoding = "The specified transcoding is not supported."
	msgStudyNotFound          = "The specified study cannot be found."
	msgSeriesNotFound         = "The specified series cannot be found."
	msgInstanceNotFound       = "The specified instance cannot be found."
	msgFrameNotFound          = "The specified frame cannot be found."
	msgInvalidFrames          = "The specified frames value is not valid. At least one frame must be present, and all requested frames must have value greater than 0."
	msgUnsupportedContentType = "The specified content type '%s' is not supported."
	msgInvalidIdentifier      = "DICOM Identifier '%s' value '%s' is invalid. Value length should not exceed the maximum length of 64 characters. Value should contain characters in '0'-'9' and '.'. Each component must start with non-zero number."
	msgUnknownQueryParameter  = "Invalid QIDO-RS query. Unknown query parameter '%s'. If the parameter is an attribute keyword, check the casing as they are case-sensitive. The conformance statement has a list of supported query parameters, attributes and the levels."
	msgNotQueryable           = "Invalid QIDO-RS query. AttributeId %s is not queryable.  If the parameter is an attribute keyword, check the casing as they are case-sensitive. The conformance statement has a list of supported query parameters, attributes and the levels."
	msgEmptyValue             = "Invalid QIDO-RS query. AttributeId '%s' has empty string value that is not supported."
	msgDuplicateParam         = "Invalid QIDO-RS query. Duplicate AttributeId '%s', Each attribute is allowed to be specified once."
	msgIncludeFieldUnknown    = "Invalid QIDO-RS query. IncludeField has unknown attribute '%s'."
	msgInvalidLimit           = "Invalid QIDO-RS query. Specified limit value '%s' is not a valid integer."
	msgLimitRange             = "Invalid QIDO-RS query.  Specified limit value %d is outside the allowed range of %d..%d."
	msgInvalidOffset          = "Invalid QIDO-RS query. Specified offset value '%s' is not a valid integer."
	msgInvalidFuzzy           = "Invalid QIDO-RS query. Specified fuzzymatch value '%s' is not a valid boolean"
	msgInvalidDate            = "Invalid QIDO-RS query. Specified Date value '%s' is invalid for parameter '%s'. Date should be valid and formatted as yyyyMMdd."
	msgInvalidDateRange       = "Invalid QIDO-RS query. Specified date range '%s' is invalid.\nThe first part date %s should be lesser than or equal to the second part date %s."
	msgInvalidQueryValue      = "The following query parameter is invalid: %s."
)

// writeError answers as the service's exception middleware does: the message as the body of a
// ContentResult, which ASP.NET Core sends as text/plain (ExceptionHandlingMiddleware.cs).
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	h := w.Header()
	h.Del("ETag")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}
