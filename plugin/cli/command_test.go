package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/spf13/cobra"

	"github.com/dicomreg/dicomreg/plugin/auth"
	"github.com/dicomreg/dicomreg/plugin/converge"
	"github.com/dicomreg/dicomreg/plugin/iostreams"
	"github.com/dicomreg/dicomreg/plugin/output"
)

// testFactory is a factory with buffers for streams and an empty environment.
func testFactory(env map[string]string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	io, _, out, errOut := iostreams.Test()
	f := NewFactory(io)
	f.Getenv = func(k string) string { return env[k] }
	f.Now = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	f.Sleep = func(context.Context, time.Duration) error { return nil }
	return f, out, errOut
}

func TestHelpRendersForEveryCommand(t *testing.T) {
	f, _, _ := testFactory(nil)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		t.Run(c.CommandPath(), func(t *testing.T) {
			f, out, _ := testFactory(nil)
			args := append(strings.Fields(c.CommandPath())[1:], "--help")
			if code := run(context.Background(), f, args); code != ExitOK {
				t.Fatalf("exit %d", code)
			}
			help := out.String()
			for _, want := range []string{"Usage:\n  " + c.CommandPath(), "Global Flags:", "--output"} {
				if !strings.Contains(help, want) {
					t.Errorf("help lacks %q:\n%s", want, help)
				}
			}
			if c.Short == "" {
				t.Error("no Short description")
			}
			if !c.HasSubCommands() && c.Example == "" {
				t.Error("a runnable command without examples")
			}
		})
		for _, ch := range c.Commands() {
			walk(ch)
		}
	}
	walk(NewCmdRoot(f))
}

func TestDisplayNameShowsInHelpAndErrors(t *testing.T) {
	f, out, errOut := testFactory(nil)
	f.DisplayName = "kubectl dicomreg"
	if code := run(context.Background(), f, []string{"app", "secret", "--help"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Usage:\n  kubectl dicomreg app secret <command>", "Use 'kubectl dicomreg app secret <command> --help'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	f, out, _ = testFactory(nil)
	f.DisplayName = "kubectl dicomreg"
	run(context.Background(), f, []string{"register", "--help"})
	if !strings.Contains(out.String(), "\n  kubectl dicomreg register -f registration.yaml\n") {
		t.Errorf("examples do not use the display name:\n%s", out)
	}
	f, _, errOut = testFactory(nil)
	f.DisplayName = "kubectl dicomreg"
	if code := run(context.Background(), f, []string{"app", "nope"}); code != ExitUsage ||
		!strings.Contains(errOut.String(), "'app nope' is not a kubectl dicomreg command. See 'kubectl dicomreg app --help'.") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestDispatchAndUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string
		err  string
	}{
		{[]string{"version", "-o", "tsv", "--query", "version"}, ExitOK, "dev\n", ""},
		{[]string{"-o", "tsv", "version", "--query", "version"}, ExitOK, "dev\n", ""},
		{[]string{"--output=tsv", "version", "--query=goVersion"}, ExitOK, "go", ""},
		{[]string{"nope"}, ExitUsage, "", "'nope' is not a dicomreg command"},
		{[]string{"version", "--bogus"}, ExitUsage, "", "unknown flag: --bogus"},
		{[]string{"version", "extra"}, ExitUsage, "", "expected at most 0 argument(s)"},
		{[]string{"version", "-o", "xml"}, ExitUsage, "", `--output "xml"`},
		{[]string{"version", "--query", "[?"}, ExitUsage, "", "--query"},
		{[]string{"completion"}, ExitUsage, "", "expected 1 argument(s)"},
		{[]string{"completion", "tcsh"}, ExitUsage, "", "unknown shell"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f, out, errOut := testFactory(nil)
			if code := run(context.Background(), f, tc.args); code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, errOut.String())
			}
			if !strings.HasPrefix(out.String(), tc.out) {
				t.Errorf("stdout %q, want prefix %q", out.String(), tc.out)
			}
			if !strings.Contains(errOut.String(), tc.err) {
				t.Errorf("stderr %q, want %q", errOut.String(), tc.err)
			}
		})
	}
}

func TestCompletionScriptsCallBackIntoDicomreg(t *testing.T) {
	for _, shell := range completionShells {
		f, out, _ := testFactory(nil)
		if code := run(context.Background(), f, []string{"completion", shell}); code != ExitOK {
			t.Fatalf("%s: exit %d", shell, code)
		}
		if !strings.Contains(out.String(), "__complete") || !strings.Contains(out.String(), "dicomreg") {
			t.Errorf("%s completion does not ask dicomreg __complete:\n%.300s", shell, out)
		}
	}
}

// TestCompleteProtocol drives the protocol the shell scripts and kubectl's plugin completion
// (kubectl_complete-dicomreg) use: `dicomreg __complete WORDS… PARTIAL` lists candidates, one a
// line, then ":<directive>".
func TestCompleteProtocol(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", ""}, []string{"app\t", "register\t", "version\t", "completion\t"}},
		{[]string{"__complete", "app", "se"}, []string{"secret\t"}},
		{[]string{"__complete", "app", "secret", "add", "--"}, []string{"--app\t", "--secret-out\t", "--output\t"}},
		{[]string{"__complete", "-o", "table", "app", "cert", ""}, []string{"create\t", "upload\t"}},
		{[]string{"__complete", "completion", ""}, []string{"bash", "powershell"}},
		{[]string{"__complete", "version", "-o", ""}, output.Formats},
	}
	for _, tc := range cases {
		f, out, _ := testFactory(nil)
		if code := run(context.Background(), f, tc.args); code != ExitOK {
			t.Fatalf("%v: exit %d", tc.args, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: lacks %q:\n%s", tc.args, w, out)
			}
		}
		if !strings.Contains(out.String(), "\n:") {
			t.Errorf("%v: no directive line:\n%s", tc.args, out)
		}
	}
}

type statusErr struct{ code int }

func (e statusErr) Error() string   { return fmt.Sprintf("status %d", e.code) }
func (e statusErr) HTTPStatus() int { return e.code }

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitError},
		{usageErrorf("bad"), ExitUsage},
		{&output.Error{Msg: "bad -o"}, ExitUsage},
		{&auth.ConfigError{Msg: "no creds"}, ExitUsage},
		{notFoundf("no app"), ExitNotFound},
		{fmt.Errorf("wrapped: %w", notFoundf("no app")), ExitNotFound},
		{&azcore.ResponseError{StatusCode: http.StatusNotFound}, ExitNotFound},
		{&azcore.ResponseError{StatusCode: http.StatusForbidden}, ExitError},
		{statusErr{404}, ExitNotFound},
		{&converge.ConflictError{Msg: "two apps"}, ExitError},
		{converge.Invalidf("bad manifest"), ExitUsage},
		{&SilentError{Code: 1}, 1},
	}
	for _, tc := range cases {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
	cases := map[string]string{
		"client_id=abc&client_secret=s3cr3t&grant_type=client_credentials": "client_secret=REDACTED",
		`{"secretText":"abc~def","keyId":"k"}`:                             `"secretText":"REDACTED"`,
		`{"access_token":"` + jwt + `"}`:                                   `"access_token":"REDACTED"`,
		"Bearer " + jwt:                                                    "Bearer REDACTED",
		"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----":     "REDACTED PRIVATE KEY",
		"code=abc&code_verifier=xyz":                                       "code=REDACTED&code_verifier=REDACTED",
		`{"error":{"code":"Request_ResourceNotFound"}}`:                    `"code":"Request_ResourceNotFound"`,
	}
	for in, want := range cases {
		got := redact(in)
		if !strings.Contains(got, want) || strings.Contains(got, "s3cr3t") || strings.Contains(got, jwt) {
			t.Errorf("redact(%q) = %q, want it to contain %q", in, got, want)
		}
	}
}

// bindOnly runs a command on args with a runF that only records its options: flag binding
// tested without I/O.
func bindOnly(t *testing.T, cmd *cobra.Command, args ...string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name(), args, err)
	}
}
