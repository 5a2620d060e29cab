package graphapi

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

func tenantUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	u, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// sdkErrorCode is the Graph error code inside an SDK error, or "".
func sdkErrorCode(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil && oe.GetErrorEscaped().GetCode() != nil {
		return *oe.GetErrorEscaped().GetCode()
	}
	return ""
}

// describeSDKError makes an SDK error readable in a test failure.
func describeSDKError(err error) string {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) && oe.GetErrorEscaped() != nil {
		m := oe.GetErrorEscaped()
		return fmt.Sprintf("%d %v: %v", oe.ResponseStatusCode, deref(m.GetCode()), deref(m.GetMessage()))
	}
	return fmt.Sprint(err)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
