// Package federated turns what a user types (--federated SPEC with its preset flags) into the
// federated identity credential Entra needs: issuer, subject, audience and a stable name. It is
// pure: no I/O, so the same SPEC always gives the same credential and `register` converges.
package federated

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// The issuers and audience of the presets (GitHub: "Configuring OpenID Connect in Azure";
// Entra: workload-identity-federation-create-trust.md).
const (
	GitHubIssuer = "https://token.actions.githubusercontent.com"
	Audience     = "api://AzureADTokenExchange"
	// maxName is Graph's limit on a credential's name.
	maxName = 120
)

// Credential is a federated identity credential as Graph takes it.
type Credential struct {
	Name      string   `json:"name"`
	Issuer    string   `json:"issuer"`
	Subject   string   `json:"subject"`
	Audiences []string `json:"audiences"`
}

// Spec is a parsed --federated value and its preset flags.
type Spec struct {
	Value string // github:OWNER/REPO, k8s:ISSUER_URL, or ISSUER_URL (generic)
	// GitHub preset: one of these picks the subject.
	Branch, Environment, Tag string
	PullRequest              bool
	// K8sServiceAccount is NAMESPACE/SERVICEACCOUNT for the k8s preset.
	K8sServiceAccount string
	// Subject is the generic preset's subject.
	Subject string
	// Issuer overrides a preset's issuer (the mock serves GitHub-shaped tokens under its own URL).
	Issuer   string
	Audience string // default api://AzureADTokenExchange
	Name     string // default: derived from the subject, stable
}

var (
	ownerRepo = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)
	})
	dns1123 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) })
)

// Parse builds the credential a Spec describes, or says what is wrong with it.
func Parse(s Spec) (Credential, error) {
	kind, rest, _ := strings.Cut(s.Value, ":")
	var c Credential
	switch {
	case kind == "github":
		sub, err := gitHubSubject(rest, s)
		if err != nil {
			return c, err
		}
		c.Issuer, c.Subject = GitHubIssuer, sub
	case kind == "k8s":
		if err := checkIssuer(rest); err != nil {
			return c, fmt.Errorf("k8s:ISSUER_URL: %w", err)
		}
		ns, sa, ok := strings.Cut(s.K8sServiceAccount, "/")
		if !ok || len(ns) > 63 || !dns1123().MatchString(ns) || sa == "" || len(sa) > 253 || !dns1123().MatchString(strings.ReplaceAll(sa, ".", "-")) {
			return c, fmt.Errorf("k8s needs NAMESPACE/SERVICEACCOUNT (DNS names), not %q", s.K8sServiceAccount)
		}
		c.Issuer, c.Subject = rest, "system:serviceaccount:"+ns+":"+sa
	case strings.HasPrefix(s.Value, "https://"):
		if err := checkIssuer(s.Value); err != nil {
			return c, err
		}
		if strings.TrimSpace(s.Subject) == "" {
			return c, errors.New("a generic issuer needs --subject")
		}
		c.Issuer, c.Subject = s.Value, s.Subject
	default:
		return c, fmt.Errorf("--federated %q: use github:OWNER/REPO, k8s:ISSUER_URL or an https issuer URL", s.Value)
	}
	if s.Issuer != "" {
		if err := checkIssuer(s.Issuer); err != nil {
			return c, err
		}
		c.Issuer = s.Issuer
	}
	aud := s.Audience
	if aud == "" {
		aud = Audience
	}
	c.Audiences = []string{aud}
	c.Name = s.Name
	if c.Name == "" {
		c.Name = NameFor(c.Issuer, c.Subject)
	}
	if !validName(c.Name) {
		return c, fmt.Errorf("credential name %q: 3–120 letters, digits, '-' or '_', starting with a letter or digit", c.Name)
	}
	if len(c.Subject) > 600 || len(c.Issuer) > 600 || len(aud) > 600 {
		return c, errors.New("issuer, subject and audience are at most 600 characters each")
	}
	return c, nil
}

func gitHubSubject(repo string, s Spec) (string, error) {
	if !ownerRepo().MatchString(repo) {
		return "", fmt.Errorf("github:OWNER/REPO: %q is not OWNER/REPO", repo)
	}
	picked := 0
	for _, set := range []bool{s.Branch != "", s.Environment != "", s.Tag != "", s.PullRequest} {
		if set {
			picked++
		}
	}
	if picked != 1 {
		return "", errors.New("github: give exactly one of --branch, --environment, --tag and --pull-request")
	}
	p := "repo:" + repo + ":"
	switch {
	case s.Environment != "":
		return p + "environment:" + s.Environment, nil
	case s.Tag != "":
		return p + "ref:refs/tags/" + s.Tag, nil
	case s.PullRequest:
		return p + "pull_request", nil
	}
	return p + "ref:refs/heads/" + s.Branch, nil
}

func checkIssuer(u string) error {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" {
		return fmt.Errorf("issuer %q is not an https URL", u)
	}
	return nil
}

// NameFor is the name dicomreg gives a credential: readable from the subject, made unique and
// stable by a hash of issuer and subject, within Graph's rules.
func NameFor(issuer, subject string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(subject) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	sum := sha256.Sum256([]byte(issuer + "\n" + subject))
	stem := strings.Trim(b.String(), "-")
	if stem == "" {
		stem = "fic"
	}
	const hashLen = 8
	if len(stem) > maxName-hashLen-1 {
		stem = stem[:maxName-hashLen-1]
	}
	return stem + "-" + hex.EncodeToString(sum[:])[:hashLen]
}

func validName(n string) bool {
	if len(n) < 3 || len(n) > maxName {
		return false
	}
	for i, r := range n {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || r != '-' && r != '_') {
			return false
		}
	}
	return true
}

// Same reports whether two credentials trust the same tokens (Graph: issuer and subject unique
// per app); register converges on this, never on the name.
func Same(a, b Credential) bool { return a.Issuer == b.Issuer && a.Subject == b.Subject }
