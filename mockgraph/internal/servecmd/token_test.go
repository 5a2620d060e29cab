package servecmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dicomreg/dicomreg/mockgraph"
)

func TestTokenCommandMintsBothShapes(t *testing.T) {
	srv := mockgraph.Start(t)
	var out bytes.Buffer
	o := tokenOptions{kind: "github", subject: "octo/imaging", environment: "prod", url: srv.URL(), controlToken: srv.ControlToken()}
	if err := runToken(context.Background(), o, srv.Client(), &out); err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(out.String()), claims); err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "repo:octo/imaging:environment:prod" || claims["iss"] != srv.GitHubIssuer() || claims["aud"] != "api://AzureADTokenExchange" {
		t.Errorf("github claims: %v", claims)
	}
	file := filepath.Join(t.TempDir(), "token")
	o = tokenOptions{kind: "k8s", subject: "imaging/uploader", url: srv.URL(), controlToken: srv.ControlToken(), out: file}
	if err := runToken(context.Background(), o, srv.Client(), &out); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	for _, bad := range []tokenOptions{
		{kind: "k8s", subject: "no-slash", url: srv.URL(), controlToken: srv.ControlToken()},
		{kind: "k8s", subject: "Bad_NS/sa", url: srv.URL(), controlToken: srv.ControlToken()},
		{kind: "github", subject: "octo/imaging", url: srv.URL(), controlToken: srv.ControlToken()}, // no branch, tag, environment or PR
		{kind: "github", subject: "not a repo", branch: "main", url: srv.URL(), controlToken: srv.ControlToken()},
	} {
		if err := runToken(context.Background(), bad, srv.Client(), &out); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestTokenCommandUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"token", "gitlab", "x"}, &out, &errOut); code != exitUsage {
		t.Errorf("exit %d", code)
	}
}
