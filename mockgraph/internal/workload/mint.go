package workload

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
)

// AzureADTokenExchange is the audience Entra expects in an exchanged token, and what
// azure/login and the Azure workload identity webhook request.
const AzureADTokenExchange = "api://AzureADTokenExchange"

// GitHub's token lifetime and not-before offset, as in the example token of GitHub's "About
// security hardening with OpenID Connect" (iat−600 s … iat+300 s).
const (
	githubLifetime  = 5 * time.Minute
	githubNotBefore = 10 * time.Minute
)

// GitHubRequest is what a job's token says about it. Exactly one of Branch, Tag, Environment
// and PullRequest picks the subject (Environment wins over the ref, as GitHub does).
type GitHubRequest struct {
	Repository  string `json:"repository"` // OWNER/REPO
	Branch      string `json:"branch,omitempty"`
	Tag         string `json:"tag,omitempty"`
	Environment string `json:"environment,omitempty"`
	PullRequest bool   `json:"pullRequest,omitempty"`
	Audience    string `json:"audience,omitempty"` // default api://AzureADTokenExchange
	Actor       string `json:"actor,omitempty"`
	Workflow    string `json:"workflow,omitempty"`
}

// githubClaimNames are the claims the GitHub-shaped token carries (discovery's claims_supported).
var githubClaimNames = []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository", "repository_id",
	"repository_owner", "repository_owner_id", "run_id", "run_number", "run_attempt", "actor", "actor_id", "workflow",
	"workflow_ref", "head_ref", "base_ref", "event_name", "ref_type", "environment", "job_workflow_ref",
	"repository_visibility", "runner_environment"}

var repoPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)

// GitHubSubject is the sub claim GitHub sets for the request (GitHub docs: "Example subject claims").
func GitHubSubject(q GitHubRequest) (string, error) {
	if !repoPattern.MatchString(q.Repository) {
		return "", badRequest("repository %q is not OWNER/REPO", q.Repository)
	}
	n := 0
	for _, set := range []bool{q.Branch != "", q.Tag != "", q.PullRequest} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "", badRequest("give one of branch, tag and pullRequest")
	}
	prefix := "repo:" + q.Repository + ":"
	switch {
	case q.Environment != "":
		return prefix + "environment:" + q.Environment, nil
	case q.PullRequest:
		return prefix + "pull_request", nil
	case q.Tag != "":
		return prefix + "ref:refs/tags/" + q.Tag, nil
	case q.Branch != "":
		return prefix + "ref:refs/heads/" + q.Branch, nil
	}
	return "", badRequest("give one of branch, tag, environment and pullRequest")
}

// MintGitHub mints a GitHub-Actions-shaped token from the issuer on base.
func MintGitHub(base string, q GitHubRequest, now time.Time, r *rng.Source) (string, error) {
	sub, err := GitHubSubject(q)
	if err != nil {
		return "", err
	}
	owner, _, _ := strings.Cut(q.Repository, "/")
	aud := q.Audience
	if aud == "" {
		aud = AzureADTokenExchange
	}
	actor := q.Actor
	if actor == "" {
		actor = owner
	}
	workflow := q.Workflow
	if workflow == "" {
		workflow = "ci"
	}
	ref, refType, event := "refs/heads/"+q.Branch, "branch", "push"
	switch {
	case q.Tag != "":
		ref, refType = "refs/tags/"+q.Tag, "tag"
	case q.PullRequest:
		ref, refType, event = "refs/pull/1/merge", "", "pull_request"
	case q.Branch == "":
		ref = "refs/heads/main"
	}
	c := map[string]any{
		"iss": IssuerURL(base, GitHub), "aud": aud, "sub": sub, "jti": r.GUID(),
		"iat": now.Unix(), "nbf": now.Add(-githubNotBefore).Unix(), "exp": now.Add(githubLifetime).Unix(),
		"ref": ref, "ref_type": refType, "sha": r.Token(40), "event_name": event,
		"repository": q.Repository, "repository_owner": owner,
		"repository_id": strconv.Itoa(100000 + r.Intn(900000)), "repository_owner_id": strconv.Itoa(1000 + r.Intn(9000)),
		"repository_visibility": "private", "runner_environment": "github-hosted",
		"run_id": strconv.Itoa(1000000 + r.Intn(9000000)), "run_number": "1", "run_attempt": "1",
		"actor": actor, "actor_id": strconv.Itoa(1000 + r.Intn(9000)), "workflow": workflow,
		"workflow_ref":     q.Repository + "/.github/workflows/" + workflow + ".yml@" + ref,
		"job_workflow_ref": q.Repository + "/.github/workflows/" + workflow + ".yml@" + ref,
		"head_ref":         "", "base_ref": "",
	}
	if q.Environment != "" {
		c["environment"] = q.Environment
	}
	return sign(GitHub, c)
}

// Kubernetes limits (TokenRequest: expirationSeconds at least 600; the Azure workload identity
// webhook projects tokens of 3600 s by default).
const (
	k8sDefaultLifetime = time.Hour
	k8sMinLifetime     = 10 * time.Minute
	k8sMaxLifetime     = 48 * time.Hour
)

// KubernetesRequest is a service account token request.
type KubernetesRequest struct {
	Namespace         string `json:"namespace"`
	ServiceAccount    string `json:"serviceAccount"`
	Audience          string `json:"audience,omitempty"` // default api://AzureADTokenExchange
	ExpirationSeconds int64  `json:"expirationSeconds,omitempty"`
	Pod               string `json:"pod,omitempty"`
}

// dns1123 is a Kubernetes namespace or service account name.
var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// KubernetesSubject is system:serviceaccount:NAMESPACE:NAME.
func KubernetesSubject(namespace, serviceAccount string) (string, error) {
	if len(namespace) > 63 || !dns1123.MatchString(namespace) {
		return "", badRequest("namespace %q is not a DNS-1123 label", namespace)
	}
	if len(serviceAccount) > 253 || !dns1123.MatchString(strings.ReplaceAll(serviceAccount, ".", "-")) {
		return "", badRequest("service account %q is not a DNS-1123 subdomain", serviceAccount)
	}
	return "system:serviceaccount:" + namespace + ":" + serviceAccount, nil
}

// MintKubernetes mints a projected service account token from the issuer on base.
func MintKubernetes(base string, q KubernetesRequest, now time.Time, r *rng.Source) (string, time.Time, error) {
	sub, err := KubernetesSubject(q.Namespace, q.ServiceAccount)
	if err != nil {
		return "", time.Time{}, err
	}
	life := k8sDefaultLifetime
	if q.ExpirationSeconds != 0 {
		life = time.Duration(q.ExpirationSeconds) * time.Second
		if life < k8sMinLifetime || life > k8sMaxLifetime {
			return "", time.Time{}, badRequest("expirationSeconds must be between %d and %d", int(k8sMinLifetime.Seconds()), int(k8sMaxLifetime.Seconds()))
		}
	}
	aud := q.Audience
	if aud == "" {
		aud = AzureADTokenExchange
	}
	pod := q.Pod
	if pod == "" {
		pod = q.ServiceAccount + "-" + strings.ToLower(r.Token(5))
	}
	exp := now.Add(life)
	tok, err := sign(Kubernetes, map[string]any{
		"iss": IssuerURL(base, Kubernetes), "aud": []string{aud}, "sub": sub,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"kubernetes.io": map[string]any{
			"namespace":      q.Namespace,
			"pod":            map[string]string{"name": pod, "uid": r.GUID()},
			"serviceaccount": map[string]string{"name": q.ServiceAccount, "uid": r.GUID()},
		},
	})
	return tok, exp, err
}
