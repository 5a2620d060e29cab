package conformance_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/conformance"
)

// Live tenant variables; the package documentation describes each.
const (
	liveTenantID      = "DICOMREG_LIVE_TENANT_ID"
	liveClientID      = "DICOMREG_LIVE_CLIENT_ID"
	liveClientSecret  = "DICOMREG_LIVE_CLIENT_SECRET"
	liveDICOMURL      = "DICOMREG_LIVE_DICOM_URL"
	liveDICOMService  = "DICOMREG_LIVE_DICOM_SERVICE_ID"
	liveUsername      = "DICOMREG_LIVE_USERNAME"
	livePassword      = "DICOMREG_LIVE_PASSWORD"
	liveAuthorityHost = "DICOMREG_LIVE_AUTHORITY_HOST"
	liveGraphURL      = "DICOMREG_LIVE_GRAPH_URL"
	liveARMURL        = "DICOMREG_LIVE_ARM_URL"
	livePropagation   = "DICOMREG_LIVE_PROPAGATION"
)

// liveTarget reads a real tenant from the environment; ok is false when a required variable is
// missing, with the names of the missing ones.
func liveTarget(getenv func(string) string) (t *conformance.Target, missing []string, err error) {
	for _, name := range []string{liveTenantID, liveClientID, liveClientSecret, liveDICOMURL} {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, missing, nil
	}
	or := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	propagation, err := time.ParseDuration(or(livePropagation, "5m"))
	if err != nil {
		return nil, nil, err
	}
	return &conformance.Target{
		Name:              "live tenant " + getenv(liveTenantID),
		AuthorityHost:     strings.TrimSuffix(or(liveAuthorityHost, "https://login.microsoftonline.com/"), "/") + "/",
		TenantID:          getenv(liveTenantID),
		GraphURL:          or(liveGraphURL, "https://graph.microsoft.com/v1.0"),
		ARMURL:            or(liveARMURL, "https://management.azure.com"),
		DICOMURL:          getenv(liveDICOMURL),
		DICOMServiceID:    getenv(liveDICOMService),
		AdminClientID:     getenv(liveClientID),
		AdminClientSecret: getenv(liveClientSecret),
		Username:          getenv(liveUsername),
		Password:          getenv(livePassword),
		Dicomreg:          dicomregPath,
		DicomregError:     dicomregErr,
		Propagation:       propagation,
	}, nil, nil
}

// TestLive runs the suite against a real tenant when DICOMREG_LIVE_* say which.
func TestLive(t *testing.T) {
	target, missing, err := liveTarget(os.Getenv)
	if err != nil {
		t.Fatalf("live tenant settings: %v", err)
	}
	if target == nil {
		t.Skipf("no live tenant: set %s to run the suite against a real tenant (see the package documentation)", strings.Join(missing, ", "))
	}
	conformance.Run(t, target)
}

func TestLiveTargetFromEnvironment(t *testing.T) {
	env := map[string]string{
		liveTenantID: "00000000-0000-0000-0000-0000000000aa", liveClientID: "id", liveClientSecret: "secret",
		liveDICOMURL: "https://ws-svc.dicom.azurehealthcareapis.com",
	}
	target, missing, err := liveTarget(func(n string) string { return env[n] })
	if err != nil || target == nil || len(missing) != 0 {
		t.Fatalf("complete settings: target %v, missing %v, err %v", target, missing, err)
	}
	if target.AuthorityHost != "https://login.microsoftonline.com/" || target.Propagation != 5*time.Minute || target.SignInForm || target.AdvanceClock != nil {
		t.Errorf("defaults: %+v", target)
	}
	delete(env, liveDICOMURL)
	if target, missing, _ := liveTarget(func(n string) string { return env[n] }); target != nil || len(missing) != 1 || missing[0] != liveDICOMURL {
		t.Errorf("without %s: target %v, missing %v", liveDICOMURL, target, missing)
	}
	env[liveDICOMURL], env[livePropagation] = "https://x", "soon"
	if _, _, err := liveTarget(func(n string) string { return env[n] }); err == nil {
		t.Errorf("a bad %s was accepted", livePropagation)
	}
}
