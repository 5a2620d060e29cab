package conformance_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dicomreg/dicomreg/conformance"
	"github.com/dicomreg/dicomreg/mockgraph"
)

// mockTarget points the suite at a fresh bundled mock started with opts.
func mockTarget(t *testing.T, name string, opts ...mockgraph.Option) *conformance.Target {
	srv := mockgraph.Start(t, opts...)
	seeded := srv.Seeded()
	target := &conformance.Target{
		Name:              name,
		AuthorityHost:     srv.AuthorityHost(),
		TenantID:          srv.TenantID(),
		GraphURL:          srv.GraphURL(),
		ARMURL:            srv.ARMURL(),
		DICOMURL:          srv.DICOMURL(),
		DICOMServiceID:    seeded.DicomServiceID,
		AdminClientID:     seeded.AdminAppID,
		AdminClientSecret: seeded.AdminSecret,
		Username:          seeded.TestUsername,
		Password:          seeded.TestPassword,
		HTTPClient:        srv.Client(),
		CAFile:            srv.CAFile(),
		Dicomreg:          dicomregPath,
		DicomregError:     dicomregErr,
		SignInForm:        true,
		ApproveDeviceCode: func(_ context.Context, userCode string) error {
			return srv.ApproveDeviceCode(userCode, seeded.TestUsername)
		},
		AdvanceClock: srv.Clock().Advance,
		MintWorkloadToken: func(_ context.Context, kind, subject string) (string, string, string, error) {
			if kind == "github" {
				tok, err := srv.MintGitHubToken(mockgraph.GitHubJob{Repository: subject, Branch: "main"})
				return srv.GitHubIssuer(), "repo:" + subject + ":ref:refs/heads/main", tok, err
			}
			ns, sa, _ := strings.Cut(subject, "/")
			tok, err := srv.MintKubernetesToken(mockgraph.KubernetesWorkload{Namespace: ns, ServiceAccount: sa})
			return srv.KubernetesIssuer(), "system:serviceaccount:" + ns + ":" + sa, tok, err
		},
		ManagedIdentityEndpoint:    srv.ManagedIdentityEndpoint(),
		ManagedIdentityHeader:      srv.IdentityHeader(),
		ManagedIdentityPrincipalID: seeded.UserIdentityPrincipalID,
		RotateSigningKey: func(_ context.Context, grace time.Duration) error {
			_, err := srv.RotateKeys(grace)
			return err
		},
		GraphWrites: func() int { return srv.Requests().Writes },
		PauseFaults: func() func() {
			f := srv.Faults()
			srv.SetFaults(mockgraph.Faults{})
			return func() { srv.SetFaults(f) }
		},
	}
	if d := srv.Propagation(); d.Longest() > 0 {
		// Waits move the mock's clock, so the documented delays pass at once; the bound leaves
		// room for the retry backoff's last step.
		target.Propagation, target.Realistic = d.Longest()+time.Minute, true
	}
	return target
}

// TestMock runs the whole suite on the bundled mock, where every behaviour must run.
func TestMock(t *testing.T) {
	checkMockReport(t, conformance.Run(t, mockTarget(t, "mock")), "")
}

// TestMockRealistic runs it again on the mock with --realistic: every propagation delay at its
// documented magnitude and throttling on. A behaviour that must wait moves the mock's clock, so
// the run stays fast; the report says which behaviours waited, and how long.
func TestMockRealistic(t *testing.T) {
	checkMockReport(t, conformance.Run(t, mockTarget(t, "mock --realistic", mockgraph.WithRealistic())), ".realistic")
}

// checkMockReport writes the report where make test asks (suffix before the extension) and
// requires every behaviour to have run.
func checkMockReport(t *testing.T, rep *conformance.Report, suffix string) {
	t.Helper()
	// go test hides a passing package's output; make test asks for the report in a file.
	if path := os.Getenv("DICOMREG_CONFORMANCE_REPORT"); path != "" {
		if suffix != "" {
			path = strings.TrimSuffix(path, ".txt") + suffix + ".txt"
		}
		if err := os.WriteFile(path, []byte(rep.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if n := rep.Count(conformance.Skipped); n != 0 {
		t.Errorf("%d behaviours skipped on the bundled mock; every one must run there", n)
	}
	if len(rep.Results) != len(conformance.Names()) {
		t.Errorf("report has %d results for %d behaviours", len(rep.Results), len(conformance.Names()))
	}
}
