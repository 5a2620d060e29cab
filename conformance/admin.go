package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Resources the admin calls, by the scope its tokens ask for.
const (
	graphScope = "https://graph.microsoft.com/.default"
	armScope   = "https://management.azure.com/.default"
	dicomScope = DICOMResource + "/.default"
	// dicomDelegatedScope is what a user's client asks for.
	dicomDelegatedScope = DICOMResource + "/Dicom.ReadWrite"
)

// maxResponse bounds what the suite reads of any answer.
const maxResponse = 4 << 20

// suite is what every behaviour of one Run shares: the target and the admin's credential.
type suite struct {
	tgt *Target

	mu    sync.Mutex
	admin azcore.TokenCredential
}

func newSuite(t *Target) *suite { return &suite{tgt: t} }

// clientOptions point an azidentity credential at the target.
func (t *Target) clientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: t.AuthorityHost, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}},
		Transport: t.client(),
		Retry:     policy.RetryOptions{MaxRetries: -1}, // a refusal is an answer to check, not to retry
	}
}

// adminCredential is the admin's client-secret credential; it is rebuilt after the target's clock
// moves, since azidentity judges its cached token by the wall clock.
func (s *suite) adminCredential() (azcore.TokenCredential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin == nil {
		cred, err := azidentity.NewClientSecretCredential(s.tgt.TenantID, s.tgt.AdminClientID, s.tgt.AdminClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: s.tgt.clientOptions(), DisableInstanceDiscovery: true})
		if err != nil {
			return nil, err
		}
		s.admin = cred
	}
	return s.admin, nil
}

// advance moves the target's clock forward until the behaviour ends, so the behaviours after it
// see the target's clock agree with their own again (client assertions carry wall-clock times).
func (c *Case) advance(d time.Duration) {
	c.moveClock(d)
	c.Cleanup("clock", func(context.Context) error { c.moveClock(-d); return nil })
}

// moveClock moves the target's clock and forgets the admin's token, which azidentity would
// otherwise keep using by the wall clock.
func (c *Case) moveClock(d time.Duration) {
	c.tgt().AdvanceClock(d)
	c.forgetAdmin()
}

// forgetAdmin drops the admin's cached credential after the target's clock moved: its tokens
// were minted on the clock before.
func (c *Case) forgetAdmin() {
	c.s.mu.Lock()
	c.s.admin = nil
	c.s.mu.Unlock()
}

// apiError is a Graph or ARM error answer.
type apiError struct {
	Method, URL string
	Status      int
	Code        string
	Message     string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.URL, e.Status, e.Code, e.Message)
}

// odataError is Graph's and ARM's error body.
type odataError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call sends in as JSON with the admin's token for scope and decodes a 2xx answer into out.
func (c *Case) call(ctx context.Context, scope, method, url string, in, out any) error {
	cred, err := c.s.adminCredential()
	if err != nil {
		return err
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return fmt.Errorf("admin token for %s: %w", scope, err)
	}
	var payload []byte
	if in != nil {
		if payload, err = json.Marshal(in); err != nil {
			return err
		}
	}
	var resp *http.Response
	var data []byte
	// Throttled answers are retried after their Retry-After, as every Azure SDK does; on a target
	// whose clock the suite moves, the wait moves it.
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if resp, err = c.tgt().client().Do(req); err != nil {
			return err
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		resp.Body.Close()
		if err != nil {
			return err
		}
		wait, throttled := retryAfter(resp)
		if !throttled || attempt == maxThrottleRetries {
			break
		}
		if err := c.waiter()(ctx, wait); err != nil {
			return err
		}
		if c.tgt().AdvanceClock != nil {
			c.waited += wait // the clock moved: it goes back when the behaviour ends
		}
	}
	c.answered = resp.Header
	if resp.StatusCode/100 != 2 {
		e := &apiError{Method: method, URL: url, Status: resp.StatusCode}
		var oe odataError
		if json.Unmarshal(data, &oe) == nil && oe.Error.Code != "" {
			e.Code, e.Message = oe.Error.Code, oe.Error.Message
		} else {
			e.Message = string(data)
		}
		return e
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

// maxThrottleRetries bounds the retries of a throttled call.
const maxThrottleRetries = 3

// retryAfter is how long a 429 or 503 asks the client to wait (whole seconds, at most a minute).
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n < 0 {
		n = 1
	}
	return min(time.Duration(n)*time.Second, time.Minute), true
}

// graph calls Graph at path (below …/v1.0) as the admin.
func (c *Case) graph(method, path string, in, out any) error {
	return c.call(c.ctx, graphScope, method, c.tgt().GraphURL+path, in, out)
}

// arm calls ARM at path with api-version as the admin.
func (c *Case) arm(ctx context.Context, method, path, apiVersion string, in, out any) error {
	return c.call(ctx, armScope, method, c.tgt().ARMURL+path+"?api-version="+apiVersion, in, out)
}
