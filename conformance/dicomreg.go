package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Environment the dicomreg binary reads (DESIGN.md): the same command runs against Azure or the
// mock with nothing but these.
const (
	envAuthorityHost = "AZURE_AUTHORITY_HOST"
	envTenantID      = "AZURE_TENANT_ID"
	envClientID      = "AZURE_CLIENT_ID"
	envClientSecret  = "AZURE_CLIENT_SECRET"
	envGraphURL      = "DICOMREG_GRAPH_URL"
	envARMURL        = "DICOMREG_ARM_URL"
	envSSLCertFile   = "SSL_CERT_FILE"
)

// run is one finished dicomreg invocation.
type run struct {
	Args           []string
	Code           int
	Stdout, Stderr string
}

func (r run) String() string {
	return "dicomreg " + strings.Join(r.Args, " ") + ": exit " + strconv.Itoa(r.Code) + "\nstdout: " + r.Stdout + "\nstderr: " + r.Stderr
}

// pluginEnv is the binary's whole environment: the target and the admin, a private HOME (so no
// Azure CLI login of the machine leaks in), and PATH.
func (c *Case) pluginEnv() []string {
	t := c.tgt()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.t.TempDir(),
		envAuthorityHost + "=" + t.AuthorityHost,
		envTenantID + "=" + t.TenantID,
		envClientID + "=" + t.AdminClientID,
		envClientSecret + "=" + t.AdminClientSecret,
		envGraphURL + "=" + t.GraphURL,
		envARMURL + "=" + t.ARMURL,
	}
	if t.CAFile != "" {
		env = append(env, envSSLCertFile+"="+t.CAFile)
	}
	return append(env, t.DicomregEnv...)
}

// dicomreg runs the binary with args and returns what it did; it fails the behaviour only when
// the binary cannot run at all.
func (c *Case) dicomreg(args ...string) run {
	c.t.Helper()
	t := c.tgt()
	if t.Dicomreg == "" {
		c.Fatalf("the dicomreg binary is not available: %v", t.DicomregError)
	}
	cmd := exec.CommandContext(c.ctx, t.Dicomreg, args...)
	cmd.Env = c.pluginEnv()
	cmd.Dir = c.t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if c.movesClock() {
		cmd.Stderr = io.MultiWriter(&stderr, &waitLines{onWait: c.passBinaryWait})
	}
	err := cmd.Run()
	r := run{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		c.Fatalf("run %s: %v", filepath.Base(t.Dicomreg), err)
	}
	return r
}

// mustDicomreg runs the binary and requires exit code 0.
func (c *Case) mustDicomreg(args ...string) run {
	c.t.Helper()
	r := c.dicomreg(args...)
	if r.Code != 0 {
		c.Fatalf("%s", r)
	}
	return r
}

// jsonOut decodes a run's stdout (it ran with -o json) as an object.
func (c *Case) jsonOut(r run) map[string]any {
	c.t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &m); err != nil {
		c.Fatalf("stdout of `dicomreg %s` is not a JSON object: %v\n%s", strings.Join(r.Args, " "), err, r)
	}
	return m
}

// lookup finds a value in plugin output by any of its likely names, case-insensitively.
func lookup(m map[string]any, names ...string) (any, bool) {
	for _, n := range names {
		for k, v := range m {
			if strings.EqualFold(k, n) {
				return v, true
			}
		}
	}
	return nil, false
}

// stringField is field for a string value.
func stringField(m map[string]any, names ...string) string {
	v, _ := lookup(m, names...)
	s, _ := v.(string)
	return s
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// binaryWaitScale is how much target-clock time passes for each second the binary says it waits:
// the binary sleeps in real time (it cannot move the target's clock), and its first one-second
// wait for replication must let the target's 30 s directory delays pass.
const binaryWaitScale = 30

// movesClock says the suite passes the target's delays by moving its clock.
func (c *Case) movesClock() bool { return c.tgt().AdvanceClock != nil && c.tgt().Propagation > 0 }

// passBinaryWait moves the target's clock on by binaryWaitScale times a wait the binary announced;
// the time counts as waited, and goes back with the rest when the behaviour ends.
func (c *Case) passBinaryWait(d time.Duration) {
	d *= binaryWaitScale
	c.waited += d // on exec's stderr goroutine, while the behaviour's own waits in cmd.Run
	c.moveClock(d)
}

// waitLines reads the binary's stderr as it comes, a line at a time, and reports each wait it
// announces: the progress line "Waiting <duration>: <why>" (plugin/progress).
type waitLines struct {
	onWait  func(time.Duration)
	partial []byte
}

func (w *waitLines) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		if d, ok := announcedWait(string(w.partial[:i])); ok {
			w.onWait(d)
		}
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func announcedWait(line string) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(line, "Waiting ")
	if !ok {
		return 0, false
	}
	word, _, ok := strings.Cut(rest, ": ")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(word)
	return d, err == nil && d > 0
}
