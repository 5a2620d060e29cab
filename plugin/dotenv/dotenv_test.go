package dotenv

import (
	"strings"
	"testing"
)

func TestEachCredentialAndTheAuthority(t *testing.T) {
	base := App{TenantID: "t", ClientID: "c", DICOMURL: "https://ws-svc.dicom.azurehealthcareapis.com", DICOMScope: "https://dicom.healthcareapis.azure.com/.default"}
	cases := []struct {
		app  App
		want string
		not  string
	}{
		{func() App { a := base; a.ClientSecret = "it's~secret"; return a }(), ClientSecret, FederatedToken},
		{func() App { a := base; a.CertificatePath = "/c.pem"; return a }(), ClientCertificate, ClientSecret},
		{func() App { a := base; a.FederatedTokenFile = "/var/run/token"; return a }(), FederatedToken, ClientSecret},
		{func() App { a := base; a.AuthorityHost = "https://login.microsoftonline.com"; return a }(), DICOMScope, AuthorityHost},
		{func() App { a := base; a.AuthorityHost = "https://127.0.0.1:8443/"; return a }(), AuthorityHost, ClientSecret},
	}
	for _, c := range cases {
		vars, err := Vars(c.app)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{Shell(vars), GitHub(vars)} {
			got, err := Parse(text)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			if _, ok := got[c.want]; !ok {
				t.Errorf("%s missing in %q", c.want, text)
			}
			if _, ok := got[c.not]; ok {
				t.Errorf("%s present in %q", c.not, text)
			}
			if got[TenantID] != "t" || got[ClientID] != "c" || got[DICOMURL] != base.DICOMURL {
				t.Errorf("round trip: %v", got)
			}
			if c.app.ClientSecret != "" && got[ClientSecret] != c.app.ClientSecret {
				t.Errorf("secret round trip: %q", got[ClientSecret])
			}
		}
	}
}

func TestGitHubEnvFormat(t *testing.T) {
	vars, _ := Vars(App{TenantID: "t", ClientID: "c", ClientSecret: "a=b"})
	text := GitHub(vars)
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.HasPrefix(line, "export ") || strings.HasPrefix(line, "#") || strings.Contains(line, "'") {
			t.Errorf("$GITHUB_ENV line %q", line)
		}
	}
	if !strings.Contains(text, "AZURE_CLIENT_SECRET=a=b\n") {
		t.Errorf("value with '=': %q", text)
	}
}

func TestRefusals(t *testing.T) {
	for _, a := range []App{
		{ClientID: "c"},
		{TenantID: "t", ClientID: "c", ClientSecret: "s", FederatedTokenFile: "/f"},
		{TenantID: "t", ClientID: "c", ClientSecret: "multi\nline"},
	} {
		if _, err := Vars(a); err == nil {
			t.Errorf("%+v: no error", a)
		}
	}
	for _, bad := range []string{"export 1X=y", "NOEQUALS", "export A='unterminated", "1X=y"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	// $GITHUB_ENV's form has no quoting: a quote is part of the value.
	if got, err := Parse("A='unterminated\n"); err != nil || got["A"] != "'unterminated" {
		t.Errorf("GitHub form: %v %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("export A='x'\nB=y\n# c\n")
	f.Add("A='it'\\''s'")
	f.Fuzz(func(t *testing.T, text string) {
		got, err := Parse(text)
		if err != nil {
			return
		}
		// what parses renders back to the same variables
		var vars []Var
		for k, v := range got {
			if strings.ContainsAny(v, "\n\r") {
				return
			}
			vars = append(vars, Var{Name: k, Value: v})
		}
		again, err := Parse(Shell(vars))
		if err != nil || len(again) != len(got) {
			t.Fatalf("re-parse: %v %v", again, err)
		}
	})
}
