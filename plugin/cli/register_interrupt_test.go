package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
)

var errKilled = errors.New("process killed")

// dyingTransport stands for a process killed right after its n-th Graph/ARM write reached the
// server: that write is applied, its answer never read, and nothing is sent after it.
type dyingTransport struct {
	next   policy.Transporter
	n      int
	mu     sync.Mutex
	writes int
}

func (d *dyingTransport) Do(req *http.Request) (*http.Response, error) {
	d.mu.Lock()
	dead := d.writes >= d.n
	d.mu.Unlock()
	if dead {
		return nil, errKilled
	}
	resp, err := d.next.Do(req)
	if req.Method == http.MethodGet || strings.Contains(req.URL.Path, "/oauth2/") {
		return resp, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.writes++; d.writes >= d.n {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, errKilled
	}
	return resp, err
}

// TestInterruptedRegisterIsCompletedByTheNextRun kills register after each of its writes in turn
// (app, secret, service principal, consent, role); the next run must converge to one complete
// registration whose only secret is the one in the file.
func TestInterruptedRegisterIsCompletedByTheNextRun(t *testing.T) {
	for killAfter := 1; killAfter <= 5; killAfter++ {
		t.Run(fmt.Sprint("killed after write ", killAfter), func(t *testing.T) {
			srv := mockgraph.Start(t, mockgraph.WithSeed(uint64(60+killAfter)))
			secretFile := filepath.Join(t.TempDir(), "client.env")
			args := registerArgs(srv, "interrupted", "--secret", "--secret-out", secretFile)

			f, _, _ := registerFactory(srv)
			f.Retry.MaxRetries = 1
			f.BaseTransport = &dyingTransport{next: srv.Client(), n: killAfter}
			if code := run(context.Background(), f, args); code == ExitOK {
				t.Fatal("the killed run succeeded")
			}
			f, _, errOut := registerFactory(srv)
			if code := run(context.Background(), f, args); code != ExitOK {
				t.Fatalf("the next run: exit %d: %s", code, errOut)
			}

			apps := appsNamed(t, srv, "interrupted")
			if len(apps) != 1 {
				t.Fatalf("%d apps", len(apps))
			}
			app := apps[0]
			data, err := os.ReadFile(secretFile)
			if err != nil {
				t.Fatal(err)
			}
			secret := secretFileVar(t, secretFile, "AZURE_CLIENT_SECRET")
			if len(app.Secrets) != 1 || secret == "" || !strings.HasPrefix(secret, app.Secrets[0].Hint) {
				t.Fatalf("want the app's only secret in the file: %d secrets, file %q", len(app.Secrets), strings.SplitN(string(data), "\n", 2)[0])
			}
			sps := srv.ServicePrincipals(app.AppID)
			if len(sps) != 1 {
				t.Fatalf("%d service principals", len(sps))
			}
			if grants := srv.Grants(sps[0].ID); len(grants) != 1 || !strings.Contains(grants[0].Scope, "Dicom.ReadWrite") {
				t.Errorf("consent: %+v", grants)
			}
			if roles := srv.RoleAssignments(sps[0].ID); len(roles) != 1 {
				t.Errorf("%d role assignments", len(roles))
			}
		})
	}
}
