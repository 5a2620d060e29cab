package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestDecodeToken(t *testing.T) {
	good := seg(`{"alg":"RS256","kid":"k1"}`) + "." + seg(`{"aud":"https://dicom.healthcareapis.azure.com","exp":1700000000,"tid":"t"}`) + ".sig"
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"good", good, ""},
		{"bearer prefix and whitespace", "  Bearer " + good + "\n", ""},
		{"padded segments", seg(`{"alg":"RS256"}`) + "==." + seg(`{"a":1}`) + ".x", ""},
		{"empty", "", "no token given"},
		{"two parts", "a.b", "want 3 dot-separated parts, got 2"},
		{"bad base64", "!!!." + seg("{}") + ".x", "header is not base64url"},
		{"header not JSON", seg("hello") + "." + seg("{}") + ".x", "header is not a JSON object"},
		{"claims an array", seg("{}") + "." + seg("[1]") + ".x", "claims is not a JSON object"},
		{"claims null", seg("{}") + "." + seg("null") + ".x", "claims is not a JSON object"},
		{"trailing data", seg("{}") + "." + seg(`{} {}`) + ".x", "data after its JSON object"},
		{"too large", strings.Repeat("a", maxTokenSize+1), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := DecodeToken(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Header == nil || tok.Claims == nil {
				t.Fatal("nil header or claims")
			}
		})
	}
	tok, err := DecodeToken(good)
	if err != nil {
		t.Fatal(err)
	}
	if exp, ok := tok.Unix("exp"); !ok || exp != 1700000000 {
		t.Errorf("exp = %d %v", exp, ok)
	}
	if _, ok := tok.Unix("nbf"); ok {
		t.Error("absent nbf reported present")
	}
	if got := tok.Audiences(); len(got) != 1 || got[0] != "https://dicom.healthcareapis.azure.com" {
		t.Errorf("Audiences = %v", got)
	}
	if tok.String("tid") != "t" || tok.String("exp") != "" {
		t.Error("String() wrong")
	}
}

func TestAudiencesArray(t *testing.T) {
	tok, err := DecodeToken(seg("{}") + "." + seg(`{"aud":["a",1,"b"]}`) + ".")
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Audiences(); strings.Join(got, ",") != "a,b" {
		t.Errorf("Audiences = %v", got)
	}
}

func FuzzDecodeToken(f *testing.F) {
	f.Add(seg(`{"alg":"RS256"}`) + "." + seg(`{"exp":1.5e9,"aud":["x"]}`) + ".sig")
	f.Add("Bearer a.b.c")
	f.Add("..")
	f.Add(seg(`{"alg":"none"}`) + "." + seg(`{"exp":"soon","nbf":99999999999999999999}`) + ".")
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := DecodeToken(in)
		if err != nil {
			return
		}
		tok.Unix("exp")
		tok.Unix("nbf")
		tok.Audiences()
		tok.String("iss")
	})
}

func BenchmarkDecodeToken(b *testing.B) {
	raw := seg(`{"alg":"RS256","typ":"JWT","kid":"k1","x5t":"k1"}`) + "." +
		seg(`{"aud":"https://dicom.healthcareapis.azure.com","iss":"https://sts.windows.net/t/","iat":1,"nbf":1,"exp":2,"appid":"a","appidacr":"1","oid":"o","tid":"t","ver":"1.0"}`) +
		"." + strings.Repeat("s", 342)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeToken(raw); err != nil {
			b.Fatal(err)
		}
	}
}
