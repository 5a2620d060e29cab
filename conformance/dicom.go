package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// DICOMweb paths and media types (the Azure DICOM service answers only versioned paths).
const (
	pathStudies       = "/v2/studies"
	mediaDICOM        = "application/dicom"
	mediaDICOMJSON    = "application/dicom+json"
	tagStudyUID       = "0020000D"
	dicomProbeMessage = "QIDO search " + pathStudies
)

// dicomAnswer is a DICOMweb answer.
type dicomAnswer struct {
	Status    int
	Challenge string // WWW-Authenticate
	Header    http.Header
	Body      []byte
}

// dicom calls the target's DICOM service with token (none when empty).
func (c *Case) dicom(method, path, contentType string, body []byte, token string) dicomAnswer {
	c.t.Helper()
	a, err := c.tgt().doDICOM(c.ctx, method, path, contentType, body, token)
	c.must(err, "DICOM request")
	return a
}

func (t *Target) doDICOM(ctx context.Context, method, path, contentType string, body []byte, token string) (dicomAnswer, error) {
	h := http.Header{"Accept": {mediaDICOMJSON}}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return t.doDICOMWith(ctx, method, path, h, body, token)
}

// doDICOMWith sends a DICOMweb request with the given headers.
func (t *Target) doDICOMWith(ctx context.Context, method, path string, h http.Header, body []byte, token string) (dicomAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(t.DICOMURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return dicomAnswer{}, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := t.client().Do(req)
	if err != nil {
		return dicomAnswer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	return dicomAnswer{Status: resp.StatusCode, Challenge: resp.Header.Get("WWW-Authenticate"), Header: resp.Header, Body: data}, err
}

// search is a QIDO-RS study search.
func (c *Case) search(token string) dicomAnswer {
	return c.dicom(http.MethodGet, pathStudies, "", nil, token)
}

// wantDICOMAccess checks that token may search the DICOM service (200, or 204 when empty);
// a role assignment may take a while to reach a real service.
func (c *Case) wantDICOMAccess(token string) {
	c.t.Helper()
	c.eventually(dicomProbeMessage+" with a DICOM data role", func() error {
		if a := c.search(token); a.Status != http.StatusOK && a.Status != http.StatusNoContent {
			return fmt.Errorf("got %d %s", a.Status, a.Body)
		}
		return nil
	})
}

// wantForbidden checks that a valid token without a DICOM data role gets 403.
func (c *Case) wantForbidden(token string) {
	c.t.Helper()
	if a := c.search(token); a.Status != http.StatusForbidden {
		c.Errorf("%s without a DICOM data role: got %d, want 403: %s", dicomProbeMessage, a.Status, a.Body)
	}
}

// wantUnauthorized checks the DICOM service's answer to a bad token: 401 with a Bearer
// challenge naming the tenant's authority and the DICOM audience.
func (c *Case) wantUnauthorized(token, what string) {
	c.t.Helper()
	a := c.search(token)
	if a.Status != http.StatusUnauthorized {
		c.Errorf("%s: got %d, want 401: %s", what, a.Status, a.Body)
		return
	}
	scheme, params, err := parseChallenge(a.Challenge)
	if err != nil || !strings.EqualFold(scheme, "Bearer") {
		c.Errorf("%s: WWW-Authenticate %q is not a Bearer challenge (%v)", what, a.Challenge, err)
		return
	}
	if !strings.HasSuffix(strings.TrimSuffix(params["authorization_uri"], "/"), c.tgt().TenantID) {
		c.Errorf("%s: authorization_uri %q does not name the tenant %s", what, params["authorization_uri"], c.tgt().TenantID)
	}
	if strings.TrimSuffix(params["resource_id"], "/") != DICOMResource {
		c.Errorf("%s: resource_id %q, want %s", what, params["resource_id"], DICOMResource)
	}
}

// parseChallenge reads one RFC 7235 challenge: a scheme, then name=value or name="value"
// parameters separated by commas.
func parseChallenge(h string) (string, map[string]string, error) {
	h = strings.TrimSpace(h)
	scheme, rest, _ := strings.Cut(h, " ")
	if scheme == "" || strings.ContainsAny(scheme, "=,\"") {
		return "", nil, errors.New("no auth scheme")
	}
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimLeft(rest, ", ") {
		name, after, ok := strings.Cut(rest, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" || strings.ContainsAny(name, " ,\"") {
			return "", nil, fmt.Errorf("bad parameter near %q", rest)
		}
		var value string
		if strings.HasPrefix(after, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(after) && after[i] != '"'; i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
				}
				b.WriteByte(after[i])
			}
			if i >= len(after) {
				return "", nil, fmt.Errorf("unterminated quoted value for %s", name)
			}
			value, rest = b.String(), after[i+1:]
		} else {
			value, rest, _ = strings.Cut(after, ",")
			value = strings.TrimSpace(value)
		}
		params[name] = value
	}
	return scheme, params, nil
}

// store sends one Part 10 file with STOW-RS.
func (c *Case) store(token string, part10 []byte) dicomAnswer {
	c.t.Helper()
	return c.storeAt(token, pathStudies, part10)
}

// storeAt sends one Part 10 file with STOW-RS to path (a version's /studies[/{study}]).
func (c *Case) storeAt(token, path string, part10 []byte) dicomAnswer {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {mediaDICOM}})
	c.must(err, "multipart")
	_, _ = pw.Write(part10)
	c.must(mw.Close(), "multipart")
	ct := fmt.Sprintf(`multipart/related; type="%s"; boundary=%s`, mediaDICOM, mw.Boundary())
	return c.dicom(http.MethodPost, path, ct, body.Bytes(), token)
}

// findStudy searches for a study by its UID and reports whether it is there.
func (c *Case) findStudy(token, studyUID string) (bool, error) {
	a := c.dicom(http.MethodGet, pathStudies+"?StudyInstanceUID="+url.QueryEscape(studyUID), "", nil, token)
	switch a.Status {
	case http.StatusNoContent:
		return false, nil
	case http.StatusOK:
	default:
		return false, fmt.Errorf("QIDO search: %d %s", a.Status, a.Body)
	}
	var found []map[string]struct {
		Value []any `json:"Value"`
	}
	if err := json.Unmarshal(a.Body, &found); err != nil {
		return false, fmt.Errorf("QIDO answer is not DICOM JSON: %v", err)
	}
	for _, study := range found {
		for _, v := range study[tagStudyUID].Value {
			if v == studyUID {
				return true, nil
			}
		}
	}
	return false, nil
}
