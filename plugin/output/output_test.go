package output

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

type app struct {
	AppID       string   `json:"appId"`
	DisplayName string   `json:"displayName"`
	Public      bool     `json:"isFallbackPublicClient"`
	Secrets     int      `json:"secrets"`
	Redirects   []string `json:"redirectUris"`
	Notes       *string  `json:"notes"`
}

var sample = []app{
	{AppID: "11111111-1111-1111-1111-111111111111", DisplayName: "viewer", Secrets: 2, Redirects: []string{"https://www.getpostman.com/oauth2/callback"}},
	{AppID: "22222222-2222-2222-2222-222222222222", DisplayName: "uploader, batch", Public: true},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestGoldenFormats(t *testing.T) {
	for _, f := range []string{Table, TSV, YAML, JSON, Env} {
		t.Run(f, func(t *testing.T) {
			var b bytes.Buffer
			v := any(sample)
			if f == Env {
				v = sample[0]
			}
			if err := Write(&b, v, Options{Format: f}); err != nil {
				t.Fatal(err)
			}
			golden(t, "apps."+f, b.Bytes())
		})
	}
}

func TestQueryBeforeFormatting(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample, Options{Format: TSV, Query: "[?isFallbackPublicClient].appId"}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "22222222-2222-2222-2222-222222222222\n" {
		t.Fatalf("tsv of query: %q", got)
	}
	b.Reset()
	if err := Write(&b, sample[0], Options{Format: TSV, Query: "appId"}); err != nil || b.String() != "11111111-1111-1111-1111-111111111111\n" {
		t.Fatalf("scalar query: %q %v", b.String(), err)
	}
}

func TestBadOptionsAreUsageErrors(t *testing.T) {
	for _, o := range []Options{{Format: "xml"}, {Format: JSON, Query: "[?"}} {
		err := Write(&bytes.Buffer{}, sample, o)
		var oe *Error
		if err == nil || !asError(err, &oe) {
			t.Errorf("%+v: err = %v, want *output.Error", o, err)
		}
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

func TestNoneWritesNothingAndJSONCColours(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample, Options{Format: None}); err != nil || b.Len() != 0 {
		t.Fatalf("none: %q %v", b.String(), err)
	}
	if err := Write(&b, sample[0], Options{Format: JSONC, Color: true}); err != nil || !strings.Contains(b.String(), colorKey+`"appId"`+colorReset) {
		t.Fatalf("jsonc: %q %v", b.String(), err)
	}
}

func FuzzQuery(f *testing.F) {
	f.Add("appId")
	f.Add("[?isFallbackPublicClient].appId | [0]")
	f.Add("[")
	f.Fuzz(func(t *testing.T, q string) {
		_ = Write(&bytes.Buffer{}, sample, Options{Format: JSON, Query: q})
	})
}
