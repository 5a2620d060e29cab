package keys

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// fixture is the process key every test here shares: generating one per test costs more than
// the tests.
func fixture(testing.TB) *Keys { return Shared() }

const aud = "https://dicom.healthcareapis.azure.com"
const iss = "https://sts.windows.net/t/"

func claimsAt(now time.Time) map[string]any {
	return map[string]any{"aud": aud, "iss": iss, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "oid": "o"}
}

func reason(err error) string {
	var ite *InvalidTokenError
	if errors.As(err, &ite) {
		return ite.Reason
	}
	return "not an InvalidTokenError: " + errString(err)
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestValidateAcceptsOwnTokenAndJWKSVerifies(t *testing.T) {
	k := fixture(t)
	now := time.Now()
	tok, err := k.Sign(claimsAt(now))
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Validate(tok, Expect{Audiences: []string{aud}, Issuers: []string{iss}, Now: now})
	if err != nil || got["oid"] != "o" {
		t.Fatalf("Validate = %v, %v", got, err)
	}
	var set struct {
		Keys []struct {
			Kid string   `json:"kid"`
			X5c []string `json:"x5c"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(k.JWKS(), &set); err != nil || len(set.Keys) != 1 || set.Keys[0].Kid != k.KeyID() {
		t.Fatalf("JWKS: %s %v", k.JWKS(), err)
	}
	der, _ := base64.StdEncoding.DecodeString(set.Keys[0].X5c[0])
	cert, err := x509.ParseCertificate(der)
	if err != nil || !cert.PublicKey.(*rsa.PublicKey).Equal(k.Public()) {
		t.Fatalf("x5c does not carry the signing key: %v", err)
	}
}

func TestValidateRefusals(t *testing.T) {
	k := fixture(t)
	now := time.Now()
	good, _ := k.Sign(claimsAt(now))
	parts := strings.Split(good, ".")
	b64 := base64.RawURLEncoding.EncodeToString

	noneTok := b64([]byte(`{"alg":"none","typ":"JWT","kid":"`+k.KeyID()+`"}`)) + "." + parts[1] + "."
	hsHeader := b64([]byte(`{"alg":"HS256","typ":"JWT","kid":"` + k.KeyID() + `"}`))
	pubDER, _ := x509.MarshalPKIXPublicKey(k.Public())
	mac := hmac.New(sha256.New, pubDER)
	mac.Write([]byte(hsHeader + "." + parts[1]))
	hsTok := hsHeader + "." + parts[1] + "." + b64(mac.Sum(nil))
	unknownKid := b64([]byte(`{"alg":"RS256","typ":"JWT","kid":"nope"}`)) + "." + parts[1] + "." + parts[2]
	tampered := parts[0] + "." + b64([]byte(`{"aud":"`+aud+`","iss":"`+iss+`","exp":`+jsonInt(now.Add(time.Hour).Unix())+`,"oid":"evil"}`)) + "." + parts[2]

	sign := func(mut func(map[string]any)) string {
		c := claimsAt(now)
		mut(c)
		s, _ := k.Sign(c)
		return s
	}
	cases := []struct {
		name, token, want string
	}{
		{"garbage", "abc", ReasonMalformed},
		{"alg none", noneTok, ReasonAlgorithm},
		{"HS256 with public key", hsTok, ReasonAlgorithm},
		{"unknown kid", unknownKid, ReasonKeyID},
		{"tampered payload", tampered, ReasonSignature},
		{"expired", sign(func(c map[string]any) { c["exp"] = now.Add(-10 * time.Minute).Unix() }), ReasonExpired},
		{"not yet valid", sign(func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() }), ReasonNotYet},
		{"audience with trailing slash", sign(func(c map[string]any) { c["aud"] = aud + "/" }), ReasonAudience},
		{"wrong issuer", sign(func(c map[string]any) { c["iss"] = "https://sts.windows.net/other/" }), ReasonIssuer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := k.Validate(tc.token, Expect{Audiences: []string{aud}, Issuers: []string{iss}, Now: now})
			if got := reason(err); got != tc.want {
				t.Fatalf("reason = %s, want %s (%v)", got, tc.want, err)
			}
		})
	}
	// Within the skew an expired token still passes, as Microsoft's validation allows.
	if _, err := k.Validate(sign(func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }), Expect{Audiences: []string{aud}, Now: now}); err != nil {
		t.Fatalf("token within skew refused: %v", err)
	}
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

func FuzzValidate(f *testing.F) {
	k := Shared()
	good, _ := k.Sign(claimsAt(time.Now()))
	f.Add(good)
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, tok string) {
		claims, err := k.Validate(tok, Expect{Audiences: []string{aud}, Now: time.Now()})
		if err == nil && claims["aud"] != aud {
			t.Fatalf("accepted a token for %v", claims["aud"])
		}
	})
}

func TestSmallKeysAreRefused(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(small); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Fatalf("a 1024-bit key: %v", err)
	}
}
