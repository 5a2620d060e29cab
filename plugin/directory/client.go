// Package directory is dicomreg's typed client for the dozen Microsoft Graph and Azure Resource
// Manager calls it makes, on azcore's pipeline: retries with Retry-After on 429/503, bearer
// tokens for the right audience, and errors decoded into *Error. No Graph SDK: the plugin stays
// a small binary.
package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Token scopes: the audience is the real service's even when the base URL points elsewhere (a
// sovereign cloud's Graph is configured through --graph-url and its own authority).
const (
	GraphScope = "https://graph.microsoft.com/.default"
	ARMScope   = "https://management.azure.com/.default"

	armAPIVersion   = "2022-04-01"
	dicomAPIVersion = "2024-03-31"
)

// Options tune the client; the zero value is right for real use.
type Options struct {
	Transport policy.Transporter
	// Sleep takes every wait between tries (throttling and replication lag); nil sleeps for
	// real. Tests advance a clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Retry tunes the retries of 429/503/5xx: azcore's retry policy decides whether to retry, the
	// client waits as Retry-After asks (fractional seconds too) or backs off exponentially.
	Retry policy.RetryOptions
	// LagBudget bounds how long replication-lag retries may wait in all; default 90 s.
	LagBudget time.Duration
	// Observer is told of each wait and request (progress lines, --verbose); nil: none.
	Observer Observer
	// Now is the clock requests are timed by; nil: time.Now.
	Now func() time.Time
}

// Client calls Graph and ARM.
type Client struct {
	graphURL, armURL string
	graph, arm       runtime.Pipeline
	sleep            func(ctx context.Context, d time.Duration) error
	observer         Observer
	lagBudget        time.Duration
	requests         atomic.Int64
}

// Default retry settings, azcore's documented ones except the number of retries.
const (
	defaultMaxRetries    = 6
	defaultRetryDelay    = 800 * time.Millisecond
	defaultMaxRetryDelay = 60 * time.Second
)

// New returns a client for the Graph base URL (…/v1.0) and the ARM base URL.
func New(graphURL, armURL string, cred azcore.TokenCredential, o Options) *Client {
	if o.Retry.MaxRetries == 0 {
		o.Retry.MaxRetries = defaultMaxRetries
	}
	if o.Retry.RetryDelay <= 0 {
		o.Retry.RetryDelay = defaultRetryDelay
	}
	if o.Retry.MaxRetryDelay <= 0 {
		o.Retry.MaxRetryDelay = defaultMaxRetryDelay
	}
	if o.Retry.StatusCodes == nil {
		o.Retry.StatusCodes = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LagBudget == 0 {
		o.LagBudget = 90 * time.Second
	}
	c := &Client{graphURL: strings.TrimSuffix(graphURL, "/"), armURL: strings.TrimSuffix(armURL, "/"), sleep: o.Sleep,
		observer: o.Observer, lagBudget: o.LagBudget}
	pipeline := func(scope, service string) runtime.Pipeline {
		wait := &waitPolicy{service: service, retry: o.Retry, sleep: o.Sleep, observer: o.Observer, now: o.Now}
		return runtime.NewPipeline("dicomreg", "v1", runtime.PipelineOptions{
			PerCall:  []policy.Policy{triesPolicy{}},
			PerRetry: []policy.Policy{wait, runtime.NewBearerTokenPolicy(cred, []string{scope}, nil), countingPolicy{&c.requests}},
		}, &policy.ClientOptions{Transport: o.Transport, Retry: o.Retry})
	}
	c.graph, c.arm = pipeline(GraphScope, "Microsoft Graph"), pipeline(ARMScope, "Azure Resource Manager")
	return c
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// countingPolicy counts the HTTP requests sent (retries included), for --verbose and tests.
type countingPolicy struct{ n *atomic.Int64 }

func (p countingPolicy) Do(req *policy.Request) (*http.Response, error) {
	p.n.Add(1)
	return req.Next()
}

// Requests is how many HTTP requests (Graph and ARM) this client has sent.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Error is a Graph or ARM error answer.
type Error struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	Details   []string // inner codes, e.g. NoBackingApplicationObject
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
	if e.RequestID != "" {
		msg += " request-id " + e.RequestID
	}
	return msg
}

// HTTPStatus lets the CLI map 404 to exit code 3.
func (e *Error) HTTPStatus() int { return e.Status }

// detail is the most specific code the error carries: its first inner code, else its code.
func (e *Error) detail() string {
	if len(e.Details) > 0 {
		return e.Details[0]
	}
	return e.Code
}

// Has reports whether the error carries code, at the top or in its details.
func (e *Error) Has(code string) bool {
	if strings.EqualFold(e.Code, code) {
		return true
	}
	for _, d := range e.Details {
		if strings.EqualFold(d, code) {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err is a 404 from Graph or ARM.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

func decodeError(resp *http.Response, body []byte) error {
	var env struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
			} `json:"innerError"`
			Details []struct {
				Code string `json:"code"`
			} `json:"details"`
		} `json:"error"`
	}
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("request-id")}
	if json.Unmarshal(body, &env) == nil && env.Error.Code != "" {
		e.Code, e.Message = env.Error.Code, env.Error.Message
		if e.RequestID == "" {
			e.RequestID = env.Error.InnerError.RequestID
		}
		for _, d := range env.Error.Details {
			e.Details = append(e.Details, d.Code)
		}
	} else {
		e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(body))
	}
	return e
}

// do sends one request and decodes a JSON answer into out (if non-nil).
func (c *Client) do(ctx context.Context, p runtime.Pipeline, method, u string, in, out any, headers map[string]string) error {
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Raw().Header.Set(k, v)
	}
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return err
		}
		if err := req.SetBody(streaming(body), "application/json"); err != nil {
			return err
		}
	}
	resp, err := p.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return decodeError(resp, body)
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s %s: undecodable answer: %w", method, u, err)
		}
	}
	return nil
}

// retryLag retries fn while the directory has not yet replicated an object this run created:
// Graph 404 Request_ResourceNotFound, 400 NoBackingApplicationObject, ARM 400 PrincipalNotFound.
func (c *Client) retryLag(ctx context.Context, fn func() error) error {
	wait, waited := time.Second, time.Duration(0)
	for {
		err := fn()
		var e *Error
		if err == nil || !errors.As(err, &e) || !(e.Has("Request_ResourceNotFound") || e.Has("NoBackingApplicationObject") || e.Has("PrincipalNotFound")) {
			return err
		}
		if waited+wait > c.lagBudget {
			return fmt.Errorf("gave up after %s of directory replication lag: %w", waited, err)
		}
		done := func() {}
		if c.observer != nil {
			done = c.observer.Waiting(wait, fmt.Sprintf("the directory has not replicated what this run created yet (%d %s); %s of %s spent",
				e.Status, firstNonEmpty(e.detail(), e.Code), waited, c.lagBudget))
		}
		serr := c.sleep(ctx, wait)
		done()
		if serr != nil {
			return serr
		}
		waited += wait
		wait = min(wait*2, 8*time.Second)
	}
}

func (c *Client) graphGet(ctx context.Context, path string, q url.Values, out any) error {
	u := c.graphURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.do(ctx, c.graph, http.MethodGet, u, nil, out, nil)
}

// graphList follows @odata.nextLink to the end.
func graphList[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	var all []T
	u := c.graphURL + path + "?" + q.Encode()
	for u != "" {
		var page struct {
			Value    []T    `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := c.do(ctx, c.graph, http.MethodGet, u, nil, &page, nil); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		u = page.NextLink
	}
	return all, nil
}

// quote escapes a string literal for an OData $filter.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func streaming(b []byte) io.ReadSeekCloser { return nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
