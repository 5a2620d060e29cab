package federated

import (
	"strings"
	"testing"
)

func TestPresets(t *testing.T) {
	cases := []struct {
		spec    Spec
		issuer  string
		subject string
	}{
		{Spec{Value: "github:octo/imaging", Branch: "main"}, GitHubIssuer, "repo:octo/imaging:ref:refs/heads/main"},
		{Spec{Value: "github:octo/imaging", Environment: "prod"}, GitHubIssuer, "repo:octo/imaging:environment:prod"},
		{Spec{Value: "github:octo/imaging", Tag: "v1.2"}, GitHubIssuer, "repo:octo/imaging:ref:refs/tags/v1.2"},
		{Spec{Value: "github:octo/imaging", PullRequest: true}, GitHubIssuer, "repo:octo/imaging:pull_request"},
		{Spec{Value: "github:octo/imaging", Branch: "main", Issuer: "https://127.0.0.1:8443/oidc/github"}, "https://127.0.0.1:8443/oidc/github", "repo:octo/imaging:ref:refs/heads/main"},
		{Spec{Value: "k8s:https://oidc.prod-aks.azure.com/abc/", K8sServiceAccount: "imaging/uploader"}, "https://oidc.prod-aks.azure.com/abc/", "system:serviceaccount:imaging:uploader"},
		{Spec{Value: "https://gitlab.example.com", Subject: "project_path:g/p:ref_type:branch:ref:main"}, "https://gitlab.example.com", "project_path:g/p:ref_type:branch:ref:main"},
	}
	for _, c := range cases {
		got, err := Parse(c.spec)
		if err != nil {
			t.Errorf("%+v: %v", c.spec, err)
			continue
		}
		if got.Issuer != c.issuer || got.Subject != c.subject || len(got.Audiences) != 1 || got.Audiences[0] != Audience || !validName(got.Name) {
			t.Errorf("%+v: %+v", c.spec, got)
		}
		again, _ := Parse(c.spec)
		if again.Name != got.Name {
			t.Errorf("name not stable: %s %s", got.Name, again.Name)
		}
	}
}

func TestBadSpecs(t *testing.T) {
	for _, s := range []Spec{
		{Value: "github:octo", Branch: "main"},
		{Value: "github:octo/imaging"},
		{Value: "github:octo/imaging", Branch: "main", Tag: "v1"},
		{Value: "k8s:http://insecure", K8sServiceAccount: "a/b"},
		{Value: "k8s:https://issuer", K8sServiceAccount: "no-slash"},
		{Value: "k8s:https://issuer", K8sServiceAccount: "Bad_NS/sa"},
		{Value: "https://issuer"},
		{Value: "gitlab:x"},
		{Value: "github:octo/imaging", Branch: "main", Name: "a b"},
		{Value: "github:octo/imaging", Branch: "main", Issuer: "ftp://x"},
	} {
		if _, err := Parse(s); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}

func TestNameForIsValidAndDistinct(t *testing.T) {
	long := NameFor(GitHubIssuer, "repo:"+strings.Repeat("x", 300)+"/r:ref:refs/heads/main")
	if !validName(long) {
		t.Errorf("long: %q", long)
	}
	if NameFor(GitHubIssuer, "repo:a/b:pull_request") == NameFor("https://other", "repo:a/b:pull_request") {
		t.Error("two issuers, one name")
	}
	if n := NameFor(GitHubIssuer, "::::"); !validName(n) {
		t.Errorf("punctuation only: %q", n)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("github:octo/imaging", "main", "a/b", "sub")
	f.Add("k8s:https://i/", "", "ns/sa", "")
	f.Add("https://x", "", "", "s")
	f.Fuzz(func(t *testing.T, value, branch, sa, subject string) {
		c, err := Parse(Spec{Value: value, Branch: branch, K8sServiceAccount: sa, Subject: subject})
		if err == nil && (!validName(c.Name) || c.Issuer == "" || c.Subject == "" || len(c.Audiences) != 1) {
			t.Fatalf("accepted an invalid credential %+v", c)
		}
	})
}
