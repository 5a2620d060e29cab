package postman

import (
	"encoding/json"
	"strings"
	"testing"
)

var reg = Registration{Name: "viewer", TenantID: "11111111-1111-1111-1111-111111111111", ClientID: "22222222-2222-2222-2222-222222222222",
	AuthorityHost: "https://login.microsoftonline.com", DICOMURL: "https://ws-svc.dicom.azurehealthcareapis.com/v2/", ClientSecret: "s3cret~value"}

func envValues(t *testing.T, b []byte) map[string]envValue {
	t.Helper()
	var env struct {
		Values []envValue `json:"values"`
		Scope  string     `json:"_postman_variable_scope"`
	}
	if err := json.Unmarshal(b, &env); err != nil || env.Scope != "environment" {
		t.Fatalf("environment: %v %s", err, b)
	}
	out := map[string]envValue{}
	for _, v := range env.Values {
		out[v.Key] = v
	}
	return out
}

func TestEnvironmentCarriesTheRegistration(t *testing.T) {
	b, err := Environment(reg, false)
	if err != nil {
		t.Fatal(err)
	}
	v := envValues(t, b)
	want := map[string]string{
		VarAuthURL:     "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/oauth2/v2.0/authorize",
		VarTokenURL:    "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token",
		VarClientID:    reg.ClientID,
		VarScope:       DICOMScope,
		VarCallbackURL: CallbackURL,
		VarDICOMURL:    "https://ws-svc.dicom.azurehealthcareapis.com",
	}
	for k, w := range want {
		if v[k].Value != w {
			t.Errorf("%s = %q, want %q", k, v[k].Value, w)
		}
	}
	if strings.Contains(string(b), reg.ClientSecret) || v[VarClientSecret].Value != "" || v[VarClientSecret].Type != "secret" {
		t.Errorf("secret not asked for, but: %+v", v[VarClientSecret])
	}
	with, err := Environment(reg, true)
	if err != nil || envValues(t, with)[VarClientSecret].Value != reg.ClientSecret || !HasSecret(reg, true) {
		t.Errorf("secret asked for: %v %s", err, with)
	}
	again, _ := Environment(reg, false)
	if string(again) != string(b) {
		t.Error("two exports differ")
	}
}

func TestBadRegistrationsAreRefused(t *testing.T) {
	noSecret := reg
	noSecret.ClientSecret = ""
	if _, err := Environment(noSecret, true); err == nil {
		t.Error("a secret was asked for with none to give")
	}
	for _, r := range []Registration{
		{Name: "x"},
		{Name: "x", TenantID: "t", ClientID: "c", AuthorityHost: "http://login", DICOMURL: "https://d"},
		{Name: "x", TenantID: "t", ClientID: "c", AuthorityHost: "https://login", DICOMURL: "not a url"},
	} {
		if _, err := Collection(r); err == nil {
			t.Errorf("%+v: no error", r)
		}
	}
}

func TestCollectionIsOAuth2AndTestsEveryResponse(t *testing.T) {
	b, err := Collection(reg)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Info struct {
			Schema string `json:"schema"`
		} `json:"info"`
		Auth struct {
			Type   string `json:"type"`
			OAuth2 []kv   `json:"oauth2"`
		} `json:"auth"`
		Item []struct {
			Name    string `json:"name"`
			Event   []script
			Request struct {
				Method string `json:"method"`
				URL    string `json:"url"`
			} `json:"request"`
		} `json:"item"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c.Info.Schema != collectionSchema || c.Auth.Type != "oauth2" {
		t.Fatalf("collection head: %+v %+v", c.Info, c.Auth.Type)
	}
	auth := map[string]string{}
	for _, p := range c.Auth.OAuth2 {
		auth[p.Key] = p.Value
	}
	for k, want := range map[string]string{"authUrl": "{{authUrl}}", "accessTokenUrl": "{{tokenUrl}}", "clientId": "{{clientId}}", "scope": "{{scope}}",
		"redirect_uri": "{{callbackUrl}}", "grant_type": "authorization_code_with_pkce", "accessToken": "{{accessToken}}"} {
		if auth[k] != want {
			t.Errorf("oauth2 %s = %q, want %q", k, auth[k], want)
		}
	}
	if strings.Contains(string(b), reg.ClientSecret) {
		t.Error("the collection holds the secret")
	}
	seen := map[string]bool{}
	for _, it := range c.Item {
		if len(it.Event) == 0 || len(it.Event[0].Script.Exec) == 0 {
			t.Errorf("%s checks nothing", it.Name)
		}
		seen[it.Request.Method+" "+it.Request.URL] = true
	}
	for _, want := range []string{"POST {{dicomUrl}}/v2/studies", "GET {{dicomUrl}}/v2/studies?StudyInstanceUID={{studyUid}}",
		"GET {{dicomUrl}}/v2/studies/{{studyUid}}/series/{{seriesUid}}/instances/{{instanceUid}}", "GET {{dicomUrl}}/v2/studies/{{studyUid}}/metadata"} {
		if !seen[want] {
			t.Errorf("no request %s in %v", want, seen)
		}
	}
}

func TestOursRecognisesOnlyItsOwnFilesForTheApp(t *testing.T) {
	withSecret := reg
	withSecret.ClientSecret = "s3cr3t"
	plain, _ := Environment(reg, false)
	secret, _ := Environment(withSecret, true)
	col, _ := Collection(reg)
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"environment, same app", EnvironmentOurs(plain, "viewer", false), true},
		{"environment, another app", EnvironmentOurs(plain, "other", false), false},
		{"environment with a secret, by one without", EnvironmentOurs(secret, "viewer", false), false},
		{"environment with a secret, by one with", EnvironmentOurs(secret, "viewer", true), true},
		{"someone else's environment", EnvironmentOurs([]byte(`{"name":"viewer (dicomreg)","values":[]}`), "viewer", true), false},
		{"not JSON", EnvironmentOurs([]byte("export A=b\n"), "viewer", true), false},
		{"a collection as environment", EnvironmentOurs(col, "viewer", true), false},
		{"collection, same app", CollectionOurs(col, "viewer"), true},
		{"collection, another app", CollectionOurs(col, "other"), false},
		{"an environment as collection", CollectionOurs(plain, "viewer"), false},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}
