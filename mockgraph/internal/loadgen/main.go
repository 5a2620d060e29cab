package loadgen

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Main is the mockload command line; it returns the exit code (1 when the run was not clean).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "ready" {
		return readyMain(ctx, args[1:], stdout, stderr)
	}
	fs := pflag.NewFlagSet("mockload", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	envFile := fs.String("env-file", "", "a mockgraph env file: tenant, admin credentials, URLs and CA")
	tokenURL := fs.String("token-url", "", "token endpoint (default: from the env file)")
	caFile := fs.String("ca-file", "", "CA certificate to trust (default: SSL_CERT_FILE of the env file)")
	clientID := fs.String("client-id", "", "client id (default: AZURE_CLIENT_ID of the env file)")
	secret := fs.String("client-secret", "", "client secret (default: AZURE_CLIENT_SECRET of the env file)")
	scope := fs.String("scope", "", "token scope (default: the DICOM .default scope)")
	mix := fs.String("mix", MixToken, "token (client_credentials only) or full (tokens, Graph, DICOM)")
	workers := fs.Int("clients", 16, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to run")
	maxReq := fs.Int64("max-requests", 0, "stop after this many requests (0: only the duration bounds the run)")
	pid := fs.Int("server-pid", 0, "report the peak RSS of this process")
	allowDup := fs.Bool("allow-duplicate-tokens", false, "report identical tokens but do not fail on them (for servers that issue them, like oauth2-mock-server)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	env := map[string]string{}
	if *envFile != "" {
		var err error
		if env, err = readEnvFile(*envFile); err != nil {
			fmt.Fprintln(stderr, "mockload:", err)
			return 2
		}
	}
	or := func(v, key string) string {
		if v != "" {
			return v
		}
		return env[key]
	}
	cfg := Config{
		TokenURL: *tokenURL, GraphURL: env["DICOMREG_GRAPH_URL"], ARMURL: env["DICOMREG_ARM_URL"], DICOMURL: env["DICOMREG_DICOM_URL"],
		DICOMService: env["DICOMREG_DICOM_SERVICE_ID"], ClientID: or(*clientID, "AZURE_CLIENT_ID"), ClientSecret: or(*secret, "AZURE_CLIENT_SECRET"),
		Scope: *scope, Workers: *workers, Duration: *duration, MaxRequests: *maxReq, Mix: *mix, MakeInstance: makeInstance,
	}
	if cfg.TokenURL == "" && env["AZURE_AUTHORITY_HOST"] != "" {
		cfg.TokenURL = strings.TrimSuffix(env["AZURE_AUTHORITY_HOST"], "/") + "/" + env["AZURE_TENANT_ID"] + "/oauth2/v2.0/token"
	}
	if cfg.TokenURL == "" {
		fmt.Fprintln(stderr, "mockload: no token URL (give --env-file or --token-url)")
		return 2
	}
	if err := LoopbackOnly(cfg.TokenURL, cfg.GraphURL, cfg.DICOMURL, cfg.ARMURL); err != nil {
		fmt.Fprintln(stderr, "mockload:", err)
		return 2
	}
	client, err := HTTPClient(or(*caFile, "SSL_CERT_FILE"), *workers)
	if err != nil {
		fmt.Fprintln(stderr, "mockload:", err)
		return 2
	}
	cfg.Client = client
	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "mockload:", err)
		return 1
	}
	fmt.Fprintf(stdout, "mix %s, %d clients, %s\n", cfg.Mix, cfg.Workers, res.Elapsed.Round(time.Millisecond))
	WriteTable(stdout, res.Rows, res.Total, res.Elapsed)
	fmt.Fprintf(stdout, "duplicate tokens: %d; lost writes: %d\n", res.DuplicateTokens, len(res.Lost))
	if *pid > 0 {
		if rss, err := peakRSS(*pid); err == nil {
			fmt.Fprintf(stdout, "server peak RSS: %.1f MB\n", float64(rss)/1024)
		}
	}
	for _, f := range res.Total.Failures {
		fmt.Fprintln(stdout, "unexpected:", f)
	}
	for _, l := range res.Lost {
		fmt.Fprintln(stdout, "lost:", l)
	}
	if !res.OK() && (res.Total.Unexpected > 0 || len(res.Lost) > 0 || !*allowDup) {
		return 1
	}
	return 0
}

// LoopbackOnly refuses any target that is not this machine: a load run must never leave it.
func LoopbackOnly(urls ...string) error {
	for _, raw := range urls {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%s is not a loopback address; load runs only drive servers on this machine", raw)
		}
	}
	return nil
}

// HTTPClient is the load runs' client: the mock's CA when given, keep-alive sized for workers
// (HTTP/1.1 with a plain http:// peer such as Orthanc, which speaks no HTTP/2).
func HTTPClient(caFile string, workers int) (*http.Client, error) {
	tlsConf := &tls.Config{}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no certificate", caFile)
		}
		tlsConf.RootCAs = pool
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: tlsConf, MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2, IdleConnTimeout: time.Minute,
	}}, nil
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		env[k] = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
	}
	return env, sc.Err()
}

func peakRSS(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				return strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmHWM")
}

// readyMain is `mockload ready --url U [--runs N] -- CMD ARGS…`: exec→ready time of a server.
func readyMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("mockload ready", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	u := fs.String("url", "", "URL that answers 200 once the server is ready")
	runs := fs.Int("runs", 5, "how many starts to measure")
	if err := fs.Parse(args); err != nil || *u == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: mockload ready --url URL [--runs N] -- COMMAND [ARGS…]")
		return 2
	}
	if err := LoopbackOnly(*u); err != nil {
		fmt.Fprintln(stderr, "mockload:", err)
		return 2
	}
	median, all, err := MedianExecToReady(ctx, fs.Args(), *u, *runs)
	if err != nil {
		fmt.Fprintln(stderr, "mockload:", err)
		return 1
	}
	fmt.Fprintf(stdout, "exec→ready median %.1f ms over %d runs %v\n", float64(median.Microseconds())/1000, len(all), all)
	return 0
}
