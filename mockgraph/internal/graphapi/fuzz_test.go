package graphapi

import (
	"errors"
	"slices"
	"testing"

	"github.com/dicomreg/dicomreg/mockgraph/internal/rng"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// FuzzDecodeApplication: any create or patch body either decodes and validates, or fails with
// a Graph 4xx error; never a panic, and never a shared pointer into the stored object.
func FuzzDecodeApplication(f *testing.F) {
	for _, s := range []string{
		`{"displayName":"viewer","@odata.type":"#microsoft.graph.application"}`,
		`{"displayName":"x","signInAudience":"AzureADMyOrg","publicClient":{"redirectUris":["http://localhost"]},"isFallbackPublicClient":true}`,
		`{"displayName":"x","requiredResourceAccess":[{"resourceAppId":"75e725bf-66ce-4cea-9b9a-5c4caae57f33","resourceAccess":[{"id":"e69ab058-b8ae-4c0f-b687-5d97888ddccb","type":"Scope"}]}]}`,
		`{"keyCredentials":[{"type":"AsymmetricX509Cert","usage":"Verify","key":"AAAA"}]}`,
		`{"web":{"redirectUris":["https://x"],"implicitGrantSettings":{"enableIdTokenIssuance":true},"homePageUrl@odata.type":"x"}}`,
		`{"uniqueName":"u","id":"x"}`, `{"displayName":7}`, `[]`, `{`, `null`, `{"passwordCredentials":[]}`,
	} {
		f.Add([]byte(s))
	}
	a := &API{cfg: Config{Rand: rng.New(1)}}
	f.Fuzz(func(t *testing.T, body []byte) {
		stored := &tenant.Application{ID: "1", AppID: "2", DisplayName: "orig", UniqueName: ptr("keep")}
		app, err := detached(stored)
		if err != nil {
			t.Fatal(err)
		}
		set, err := decodeObject(body, resApplication, appWritable, appReadOnly, app)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status < 400 || ae.status > 499 {
				t.Fatalf("error %v is not a Graph 4xx", err)
			}
			return
		}
		if stored.DisplayName != "orig" || *stored.UniqueName != "keep" {
			t.Fatal("decoding a patch changed the stored object")
		}
		if slices.Contains(set, "keyCredentials") {
			if _, err := a.checkKeyCredentials(app.KeyCredentials); err != nil {
				var ae *apiError
				if !errors.As(err, &ae) || ae.status != 400 {
					t.Fatalf("certificate error %v is not a Graph 400", err)
				}
			}
		}
	})
}

// FuzzDecodeServicePrincipal covers the other body shape clients send most.
func FuzzDecodeServicePrincipal(f *testing.F) {
	for _, s := range []string{`{"appId":"x","accountEnabled":true}`, `{"appId":1}`, `{"tags":["a"],"@odata.type":"x"}`, `{"id":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var sp tenant.ServicePrincipal
		if _, err := decodeObject(body, resServicePrincipal, spWritable, spReadOnly, &sp); err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != 400 {
				t.Fatalf("error %v is not a Graph 400", err)
			}
		}
	})
}

func ptr(s string) *string { return &s }

// FuzzGetByIDs: any getByIds body gives ids within Graph's limit, or a Graph 400; never a panic.
func FuzzGetByIDs(f *testing.F) {
	for _, s := range []string{`{"ids":["a","b"],"types":["user","servicePrincipal"]}`, `{"ids":["a"],"types":["#microsoft.graph.User"]}`,
		`{"ids":[]}`, `{"ids":["a"],"types":["x"]}`, `{"ids":[1]}`, `{"types":null}`, `{`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ids, wants, err := parseGetByIDs(body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != 400 {
				t.Fatalf("error %v is not a Graph 400", err)
			}
			return
		}
		if len(ids) == 0 || len(ids) > maxGetByIDs || wants == nil {
			t.Fatalf("%d ids accepted", len(ids))
		}
		_ = wants("user")
	})
}
