package dicom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// probePath is a cheap authorized read: an empty QIDO search answers 204, a match 200.
const (
	probePath      = "/studies"
	probeQuery     = "limit=1"
	defaultVersion = "v2"
	acceptDICOM    = "application/dicom+json"
	maxProbeBody   = 16 << 10
)

// ProbeURL is the URL a probe GETs for a DICOM service URL given with or without its /v1 or /v2
// version segment (the service itself refuses unversioned paths).
func ProbeURL(serviceURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(serviceURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("DICOM URL %q is not an http(s) URL; want https://<workspace>-<service>.dicom.azurehealthcareapis.com", serviceURL)
	}
	path := strings.TrimRight(u.Path, "/")
	version := defaultVersion
	if i := strings.LastIndex(path, "/"); i >= 0 {
		if last := path[i+1:]; last == "v1" || last == "v2" {
			version, path = last, path[:i]
		}
	}
	u.Path = path + "/" + version + probePath
	u.RawPath = ""
	u.RawQuery = probeQuery
	u.Fragment = ""
	return u.String(), nil
}

// ProbeResult is the DICOM service's answer to a probe.
type ProbeResult struct {
	URL       string     // what was requested
	Status    int        // HTTP status
	Challenge *Challenge // parsed WWW-Authenticate of a 401, if any
	Message   string     // the error body's message, if any (trimmed, bounded)
}

// OK reports a 2xx: the token and the principal's role were accepted.
func (r *ProbeResult) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Doer sends a request: an *http.Client or an azcore policy.Transporter.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Probe calls GET {service}/v2/studies?limit=1 with the token and reports the answer; a nil client
// is http.DefaultClient.
func Probe(ctx context.Context, client Doer, serviceURL, token string) (*ProbeResult, error) {
	target, err := ProbeURL(serviceURL)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, errors.New("no token to probe with")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", acceptDICOM)
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// url.Error carries the URL only; the token is in a header and never in the message.
		return nil, fmt.Errorf("calling the DICOM service: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxProbeBody))
	res := &ProbeResult{URL: target, Status: resp.StatusCode}
	if !res.OK() {
		res.Message = errorMessage(body)
	}
	if h := resp.Header.Get("WWW-Authenticate"); h != "" {
		if c, err := ParseChallenge(h); err == nil {
			res.Challenge = c
		}
	}
	return res, nil
}
