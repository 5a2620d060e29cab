package auth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/dicomreg/dicomreg/mockgraph"
)

var (
	formPattern   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// browse plays the user's browser: open the sign-in URL, fill the sign-in form, accept consent,
// and follow the redirect to the app's loopback listener, as a browser would. It returns the
// loopback listener's answer status. It runs beside the test, so it reports instead of failing.
func browse(client *http.Client, signInURL, username, password string) (int, error) {
	resp, err := client.Get(signInURL)
	for step := 0; step < 5; step++ {
		if err != nil {
			return 0, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Request.URL.Hostname() == "localhost" {
			return resp.StatusCode, nil
		}
		m := formPattern.FindSubmatch(body)
		if m == nil {
			return 0, fmt.Errorf("page without a form (status %d): %.400s", resp.StatusCode, body)
		}
		action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
		if err != nil {
			return 0, err
		}
		form := url.Values{}
		for _, h := range hiddenPattern.FindAllSubmatch(m[2], -1) {
			form.Set(html.UnescapeString(string(h[1])), html.UnescapeString(string(h[2])))
		}
		switch {
		case strings.Contains(string(m[2]), `name="passwd"`):
			form.Set("login", username)
			form.Set("passwd", password)
		case strings.Contains(string(m[2]), `name="accept"`):
			form.Set("accept", "yes")
		}
		resp, err = client.PostForm(action.String(), form)
	}
	return 0, errors.New("too many pages")
}

func TestAuthCodeFlowNoBrowser(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(2))
	seeded := srv.Seeded()
	app := addApp(t, srv, clientApp{publicRedirects: []string{"http://localhost"}, dicomConsent: true})

	w, lines := newLineWriter(t)
	cred, err := New(Settings{Flow: FlowAuthCode, TenantID: srv.TenantID(), AuthorityHost: srv.AuthorityHost(),
		ClientID: app, NoBrowser: true}, Interaction{Transport: srv.Client(), Prompt: w})
	if err != nil {
		t.Fatal(err)
	}
	status := make(chan int, 1)
	go func() {
		for line := range lines {
			if strings.HasPrefix(line, "https://") {
				code, err := browse(srv.Client(), line, seeded.TestUsername, seeded.TestPassword)
				if err != nil {
					t.Errorf("browser: %v", err)
				}
				status <- code
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{dicomDelegated}})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-status; got != http.StatusOK {
		t.Errorf("loopback listener answered %d", got)
	}
	checkDICOMToken(t, tok.Token, srv.TenantID(), "0", true)
}

// TestAuthCodeRedirectHintWorks: without a registered loopback redirect, Entra shows AADSTS50011
// on the sign-in page and the program would wait in silence; it says what it waits for and the
// command that fixes it, and after that fix the same sign-in succeeds.
func TestAuthCodeRedirectHintWorks(t *testing.T) {
	srv := mockgraph.Start(t, mockgraph.WithSeed(6))
	seeded := srv.Seeded()
	app := addApp(t, srv, clientApp{public: true, dicomConsent: true})
	signIn := func(timeout time.Duration) (prompt []string, pageErr error, err error) {
		w, lines := newLineWriter(t)
		cred, err := New(Settings{Flow: FlowAuthCode, TenantID: srv.TenantID(), AuthorityHost: srv.AuthorityHost(),
			ClientID: app, NoBrowser: true}, Interaction{Transport: srv.Client(), Prompt: w})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		browsed := make(chan error, 1)
		seen := make(chan []string, 1)
		go func() {
			var got []string
			for line := range lines {
				got = append(got, line)
				if strings.HasPrefix(line, "https://") {
					_, err := browse(srv.Client(), line, seeded.TestUsername, seeded.TestPassword)
					if err != nil {
						// The page the user sees: does it name AADSTS50011?
						if resp, gerr := srv.Client().Get(line); gerr == nil {
							body, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if strings.Contains(string(body), "AADSTS50011") {
								err = errors.New("the sign-in page shows AADSTS50011")
							}
						}
					}
					browsed <- err
				}
				if strings.HasPrefix(line, "Waiting for the sign-in") {
					seen <- got
					return
				}
			}
		}()
		_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{dicomDelegated}})
		return <-seen, <-browsed, err
	}
	prompt, pageErr, err := signIn(2 * time.Second)
	if err == nil || pageErr == nil || !strings.Contains(pageErr.Error(), "AADSTS50011") {
		t.Fatalf("want the page to show AADSTS50011 and the wait to end unanswered: page %v, token %v", pageErr, err)
	}
	fix := "dicomreg app redirect add --app " + app + " --redirect-uri http://localhost --platform mobile"
	if last := prompt[len(prompt)-1]; !strings.Contains(last, "AADSTS50011") || !strings.Contains(last, fix) {
		t.Fatalf("the wait is not explained: %q", prompt)
	}
	// What the hint's command does (the CLI's own test runs it): a Mobile and desktop redirect URI.
	patchApp(t, srv, app, map[string]any{"publicClient": map[string]any{"redirectUris": []string{"http://localhost"}}})
	if _, pageErr, err := signIn(30 * time.Second); err != nil || pageErr != nil {
		t.Fatalf("after following the hint: page %v, token %v", pageErr, err)
	}
}
