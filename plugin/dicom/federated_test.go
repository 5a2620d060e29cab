package dicom

import (
	"strings"
	"testing"
	"time"
)

func TestFederatedFindings(t *testing.T) {
	r := Registration{Now: time.Now(), App: App{AppID: "a", Federated: []Federated{
		{Name: "ok", Issuer: githubIssuer, Subject: "repo:o/r:ref:refs/heads/main", Audiences: []string{exchangeAudience}},
		{Name: "aud", Issuer: githubIssuer, Subject: "repo:o/r:pull_request", Audiences: []string{"api://other"}},
		{Name: "sub", Issuer: githubIssuer, Subject: "repo:o/r:branch:main", Audiences: []string{exchangeAudience}},
		{Name: "http", Issuer: "http://issuer", Subject: "x", Audiences: []string{exchangeAudience}},
	}}}
	want := map[string]Severity{"ok": OK, "aud": Warn, "sub": Warn, "http": Error}
	got := map[string]Severity{}
	for _, f := range Diagnose(r) {
		if f.Check == CheckFederated {
			for name := range want {
				if strings.Contains(f.Message, `"`+name+`"`) {
					got[name] = f.Severity
				}
			}
		}
	}
	for name, sev := range want {
		if got[name] != sev {
			t.Errorf("%s: %v, want %v", name, got[name], sev)
		}
	}
}
