package servecmd

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// When the test binary is re-run with this variable set it becomes `mockgraph serve`, so the
// restart test can SIGKILL a real server process without building a separate binary.
const reexecVar = "MOCKGRAPH_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(reexecVar) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type liveServer struct {
	cmd    *exec.Cmd
	exited chan error // receives cmd.Wait's result once; wait puts it back
	env    map[string]string
	cli    *http.Client
}

func startServe(t *testing.T, dir string) *liveServer {
	t.Helper()
	envFile := filepath.Join(dir, "env")
	os.Remove(envFile)
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--env-file", envFile,
		"--state", filepath.Join(dir, "state.json"), "--seed", "11")
	cmd.Env = append(os.Environ(), reexecVar+"=1")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	srv := &liveServer{cmd: cmd, exited: exited}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		srv.wait()
	})
	for i := 0; ; i++ {
		if fi, err := os.Stat(envFile); err == nil && fi.Size() > 0 {
			break
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("server exited before it was ready (%v): %s", err, stderr.String())
		default:
		}
		if i > 6000 {
			t.Fatalf("server did not become ready in a minute: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond) // waiting for a process to start, not asserting a time
	}
	env := readEnv(t, envFile)
	pem, err := os.ReadFile(env["SSL_CERT_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	srv.env = env
	srv.cli = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return srv
}

// wait returns once the server process has exited.
func (s *liveServer) wait() {
	err := <-s.exited
	s.exited <- err
}

// lockedBuffer is the server's stderr, written by exec's copying goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func readEnv(t *testing.T, path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if ok && !strings.HasPrefix(k, "#") {
			env[k] = strings.Trim(v, "'")
		}
	}
	return env
}

func (s *liveServer) graphToken(t *testing.T) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.env["AZURE_CLIENT_ID"]},
		"client_secret": {s.env["AZURE_CLIENT_SECRET"]}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := s.cli.PostForm(strings.TrimSuffix(s.env["AZURE_AUTHORITY_HOST"], "/")+"/"+s.env["AZURE_TENANT_ID"]+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func (s *liveServer) do(method, path, token, body string) (int, []byte, error) {
	req, _ := http.NewRequest(method, s.env["DICOMREG_GRAPH_URL"]+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cli.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestKillDuringWritesLosesNoAcknowledgedWrite: rounds of concurrent Graph writes, each ended by
// SIGKILL after a random number of acknowledged writes; after every restart the state file loads
// (never torn) and every write the server acknowledged (201) is there.
func TestKillDuringWritesLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns server processes")
	}
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(7, 7))
	var acknowledged []string
	for round := 0; round < 4; round++ {
		srv := startServe(t, dir)
		token := srv.graphToken(t)
		for _, id := range acknowledged {
			if code, body, err := srv.do(http.MethodGet, "/applications/"+id, token, ""); err != nil || code != http.StatusOK {
				t.Fatalf("round %d: acknowledged app %s lost after kill -9: %d %s %v", round, id, code, body, err)
			}
		}
		killAfter := 5 + rnd.IntN(30)
		var (
			mu     sync.Mutex
			wg     sync.WaitGroup
			killed bool
		)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for n := 0; ; n++ {
					code, body, err := srv.do(http.MethodPost, "/applications", token, fmt.Sprintf(`{"displayName":"restart-%d-%d-%d"}`, round, w, n))
					if err != nil {
						return // the server is gone
					}
					if code != http.StatusCreated {
						t.Errorf("round %d: create answered %d %s", round, code, body)
						return
					}
					var app struct{ ID string }
					_ = json.Unmarshal(body, &app)
					mu.Lock()
					acknowledged = append(acknowledged, app.ID)
					if len(acknowledged) >= killAfter*(round+1) && !killed {
						killed = true
						_ = srv.cmd.Process.Signal(syscall.SIGKILL)
					}
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		srv.wait()
	}
	if len(acknowledged) < 20 {
		t.Fatalf("only %d writes acknowledged; the test did not exercise much", len(acknowledged))
	}
	final := startServe(t, dir)
	token := final.graphToken(t)
	for _, id := range acknowledged {
		if code, _, err := final.do(http.MethodGet, "/applications/"+id, token, ""); err != nil || code != http.StatusOK {
			t.Fatalf("acknowledged app %s lost: %d %v", id, code, err)
		}
	}
}
