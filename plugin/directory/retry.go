package directory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Observer hears what the client waits for and sends; progress.Reporter is one. nil hears nothing.
type Observer interface {
	// Waiting is told before each wait between tries, with its length and reason; the returned
	// function is called when the wait is over.
	Waiting(d time.Duration, why string) (done func())
	// Request is told of each HTTP request sent (retries included): status 0 when none came back.
	Request(method, url string, status int, took time.Duration)
}

// retryAfterMSHeader is the header azcore's retry policy reads first, in milliseconds.
const retryAfterMSHeader = "retry-after-ms"

// waitPolicy sits under azcore's retry policy (PerRetry) and takes the waits between tries:
// azcore still decides whether to retry (status codes, tries left, rewinding the body, the
// context), while this policy decides how long to wait, says so, and waits with the injected
// sleeper — then tells azcore to wait 1 ms more. That way fractional Retry-After values ("0.2",
// which Graph may send and azcore reads as no value at all) are honoured, the person is told
// what is happening, and tests do not wait for real.
type waitPolicy struct {
	service  string // "Microsoft Graph" or "Azure Resource Manager", for messages
	retry    policy.RetryOptions
	sleep    func(ctx context.Context, d time.Duration) error
	observer Observer
	now      func() time.Time
}

// tries counts the tries of one logical request; triesPolicy (PerCall) puts it on the request.
type tries struct{ n int }

type triesPolicy struct{}

func (triesPolicy) Do(req *policy.Request) (*http.Response, error) {
	req.SetOperationValue(&tries{})
	return req.Next()
}

func (p *waitPolicy) Do(req *policy.Request) (*http.Response, error) {
	var t *tries
	if !req.OperationValue(&t) || t == nil {
		t = &tries{}
	}
	t.n++
	start := p.now()
	resp, err := req.Next()
	if p.observer != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		p.observer.Request(req.Raw().Method, req.Raw().URL.String(), status, p.now().Sub(start))
	}
	if err != nil || !slices.Contains(p.retry.StatusCodes, resp.StatusCode) || t.n > int(p.retry.MaxRetries) {
		// Not retried (or a connection error, which azcore backs off from by itself).
		if err != nil && willRetry(req, err) && t.n <= int(p.retry.MaxRetries) && p.observer != nil {
			p.observer.Waiting(0, fmt.Sprintf("%s did not answer (%v); retrying, try %d of %d", p.service, err, t.n+1, p.retry.MaxRetries+1))()
		}
		return resp, err
	}
	delay, asked := retryAfter(resp.Header)
	if !asked {
		delay = backoff(p.retry, t.n)
	}
	if delay > p.retry.MaxRetryDelay {
		// azcore gives up on a Retry-After beyond MaxRetryDelay; say why.
		if p.observer != nil {
			p.observer.Waiting(0, fmt.Sprintf("%s answered %s and asks to wait %s, more than the %s dicomreg waits: giving up",
				p.service, statusText(resp), delay, p.retry.MaxRetryDelay))()
		}
		return resp, nil
	}
	why := fmt.Sprintf("%s answered %s", p.service, statusText(resp))
	if asked {
		why += " with Retry-After " + strings.TrimSpace(firstNonEmpty(resp.Header.Get("Retry-After"), resp.Header.Get(retryAfterMSHeader)+"ms"))
	}
	why += fmt.Sprintf("; then try %d of %d", t.n+1, p.retry.MaxRetries+1)
	done := func() {}
	if p.observer != nil {
		done = p.observer.Waiting(delay, why)
	}
	serr := p.sleep(req.Raw().Context(), delay)
	done()
	if serr != nil {
		resp.Body.Close()
		return nil, serr
	}
	resp.Header.Set(retryAfterMSHeader, "1")
	return resp, nil
}

// retryAfter reads the wait an answer asks for: retry-after-ms / x-ms-retry-after-ms in
// milliseconds, or Retry-After in seconds — fractional ones too, as Graph's throttling docs allow
// — or as an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	for _, name := range []string{retryAfterMSHeader, "x-ms-retry-after-ms"} {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(h.Get(name)), 64); err == nil && ms >= 0 && ms < math.MaxInt32 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && s < math.MaxInt32 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// backoff is azcore's exponential delay for a try without Retry-After, (2^try − 1) × RetryDelay,
// capped at MaxRetryDelay, without its random jitter (one dicomreg process makes one request at
// a time, so there is no herd to spread).
func backoff(o policy.RetryOptions, try int) time.Duration {
	if try >= 30 {
		return o.MaxRetryDelay
	}
	return min(time.Duration(1<<try-1)*o.RetryDelay, o.MaxRetryDelay)
}

func statusText(resp *http.Response) string {
	return fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// willRetry is whether azcore's retry policy tries again after err: not once the context is
// done, nor for an error marked non-retriable — a credential's, which the bearer token policy
// marks so (azcore runtime/policy_retry.go and policy_bearer_token.go). Saying "retrying" then
// would be wrong.
func willRetry(req *policy.Request, err error) bool {
	var nonRetriable interface {
		error
		NonRetriable()
	}
	return req.Raw().Context().Err() == nil && !errors.As(err, &nonRetriable)
}
