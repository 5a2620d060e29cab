package servecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

const tokenUsage = `Usage:
  mockgraph token github OWNER/REPO [--branch B | --tag T | --environment E | --pull-request] [flags]
  mockgraph token k8s NAMESPACE/SERVICEACCOUNT [--expiration-seconds N] [flags]

Asks a running mock's GitHub-Actions- or Kubernetes-shaped OIDC issuer for a workload token, for
a federated identity credential exchange (AZURE_FEDERATED_TOKEN_FILE). The mock is found by
--url, else MOCKGRAPH_URL, else AZURE_AUTHORITY_HOST (the env file sets it); its CA by SSL_CERT_FILE.
`

// tokenOptions are the flags of `mockgraph token`.
type tokenOptions struct {
	kind         string
	subject      string
	url          string
	out          string
	audience     string
	branch       string
	tag          string
	environment  string
	pullRequest  bool
	expiration   int64
	controlToken string
}

func bindTokenFlags(fs *pflag.FlagSet, o *tokenOptions) {
	fs.StringVar(&o.url, "url", "", "base URL of the running mock (default: $MOCKGRAPH_URL, else $AZURE_AUTHORITY_HOST)")
	fs.StringVar(&o.out, "out", "", "write the token to this file (mode 0600) instead of stdout")
	fs.StringVar(&o.audience, "audience", "", "aud claim (default api://AzureADTokenExchange)")
	fs.StringVar(&o.branch, "branch", "", "github: the job runs on this branch (sub …:ref:refs/heads/B)")
	fs.StringVar(&o.tag, "tag", "", "github: the job runs for this tag (sub …:ref:refs/tags/T)")
	fs.StringVar(&o.environment, "environment", "", "github: the job targets this environment (sub …:environment:E)")
	fs.BoolVar(&o.pullRequest, "pull-request", false, "github: the job runs for a pull request (sub …:pull_request)")
	fs.Int64Var(&o.expiration, "expiration-seconds", 0, "k8s: token lifetime (600–172800; default 3600)")
	fs.StringVar(&o.controlToken, "control-token", os.Getenv("MOCKGRAPH_CONTROL_TOKEN"), "bearer token of the mock's control API, if it requires one")
}

func runTokenCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o tokenOptions
	fs := pflag.NewFlagSet("mockgraph token", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	bindTokenFlags(fs, &o)
	fs.Usage = func() { fmt.Fprintf(stderr, "%s\nFlags:\n%s", tokenUsage, fs.FlagUsages()) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "mockgraph token: %v\n", err)
		return exitUsage
	}
	if fs.NArg() != 2 || (fs.Arg(0) != "github" && fs.Arg(0) != "k8s") {
		fmt.Fprint(stderr, tokenUsage)
		return exitUsage
	}
	o.kind, o.subject = fs.Arg(0), fs.Arg(1)
	if err := runToken(ctx, o, http.DefaultClient, stdout); err != nil {
		fmt.Fprintf(stderr, "mockgraph token: %v\n", err)
		return exitError
	}
	return exitOK
}

// tokenRequestBody is what the control API takes for the kind.
func (o tokenOptions) requestBody() (map[string]any, error) {
	if o.kind == "github" {
		return map[string]any{"repository": o.subject, "branch": o.branch, "tag": o.tag, "environment": o.environment,
			"pullRequest": o.pullRequest, "audience": o.audience}, nil
	}
	ns, sa, ok := strings.Cut(o.subject, "/")
	if !ok {
		return nil, fmt.Errorf("k8s: give NAMESPACE/SERVICEACCOUNT, not %q", o.subject)
	}
	return map[string]any{"namespace": ns, "serviceAccount": sa, "audience": o.audience, "expirationSeconds": o.expiration}, nil
}

func (o tokenOptions) baseURL() (string, error) {
	for _, u := range []string{o.url, os.Getenv("MOCKGRAPH_URL"), os.Getenv("AZURE_AUTHORITY_HOST")} {
		if u != "" {
			return strings.TrimSuffix(u, "/"), nil
		}
	}
	return "", errors.New("no mock URL: pass --url or source the mock's env file")
}

func runToken(ctx context.Context, o tokenOptions, client *http.Client, stdout io.Writer) error {
	body, err := o.requestBody()
	if err != nil {
		return err
	}
	base, err := o.baseURL()
	if err != nil {
		return err
	}
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/mock/oidc/"+o.kind+"/token", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if o.controlToken != "" {
		req.Header.Set("Authorization", "Bearer "+o.controlToken)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var ans struct {
		Value string `json:"value"`
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &ans) != nil || resp.StatusCode != http.StatusOK || ans.Value == "" {
		if ans.Error != "" {
			return fmt.Errorf("%s: %s", resp.Status, ans.Error)
		}
		return fmt.Errorf("%s from %s", resp.Status, base)
	}
	if o.out != "" {
		return os.WriteFile(o.out, []byte(ans.Value), 0o600)
	}
	_, err = fmt.Fprintln(stdout, ans.Value)
	return err
}
