package secretfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.env")
	if err := Write(path, []byte("a"), Options{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != Mode {
		t.Errorf("mode %o, want %o", m, Mode)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// Item 2 of issue 14: an existing file with unrelated lines is not overwritten without --force.
func TestWriteRefusesToWipeAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.env")
	os.WriteFile(path, []byte("DATABASE_URL=postgres://x\n"), 0o644)
	err := Write(path, []byte("new"), Options{Ours: OursFor("app-1", "AZURE_CLIENT_ID")})
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExistsError", err)
	}
	if got := read(t, path); got != "DATABASE_URL=postgres://x\n" {
		t.Errorf("file changed: %q", got)
	}
	if err := Write(path, []byte("new"), Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "new" || mode(t, path) != Mode {
		t.Errorf("forced: %q mode %o", got, mode(t, path))
	}
}

func TestOursReplacesOwnFileOnly(t *testing.T) {
	names := []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"}
	own := Dotenv([]string{"dicomreg: client secret for app-1"}, []Var{{"AZURE_TENANT_ID", "t"}, {"AZURE_CLIENT_ID", "app-1"}, {"AZURE_CLIENT_SECRET", "s"}})
	for name, tt := range map[string]struct {
		content string
		ours    bool
	}{
		"own file":            {string(own), true},
		"legacy, no export":   {"AZURE_TENANT_ID=t\nAZURE_CLIENT_ID=app-1\nAZURE_CLIENT_SECRET=s\n", true},
		"another app's":       {"AZURE_CLIENT_ID=app-2\nAZURE_CLIENT_SECRET=s\n", false},
		"a user's line added": {string(own) + "export MY_VAR=1\n", false},
		"a user's comment":    {"# mine\n" + string(own), false},
		"not dotenv":          {"-----BEGIN PRIVATE KEY-----\n", false},
		"empty":               {"", false},
	} {
		if got := OursFor("app-1", names...)([]byte(tt.content)); got != tt.ours {
			t.Errorf("%s: ours = %v, want %v", name, got, tt.ours)
		}
	}
}

// Item 1 of issue 14: a file that cannot be written is found out before the remote write.
func TestReserveFailsBeforeTheRemoteWrite(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing directory": filepath.Join(dir, "nodir", "sub", "x.env"),
		"a directory":       dir,
		"empty name":        "",
	} {
		if _, err := Reserve(path, []byte("# pending\n"), Options{}); err == nil {
			t.Errorf("%s: Reserve succeeded", name)
		}
	}
}

func TestReserveCommitCancel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.env")
	r, err := Reserve(path, []byte("# pending\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "# pending\n" || mode(t, path) != Mode {
		t.Fatalf("announced %q mode %o", got, mode(t, path))
	}
	if err := r.Commit([]byte("secret")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "secret" {
		t.Fatalf("committed %q", got)
	}
	// Cancel puts back the previous file, or removes the announcement.
	r, err = Reserve(path, []byte("# pending 2\n"), Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Cancel(); err != nil || read(t, path) != "secret" {
		t.Fatalf("cancel: %v %q", err, read(t, path))
	}
	fresh := filepath.Join(dir, "y.env")
	r, err = Reserve(fresh, []byte("# pending\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Cancel(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("announcement left after Cancel: %v", err)
	}
	if err := r.Commit([]byte("x")); err == nil {
		t.Error("Commit after Cancel succeeded")
	}
}

func TestDotenvRoundTrip(t *testing.T) {
	vars := []Var{{"AZURE_CLIENT_SECRET", "abc8Q~d.e-f_g"}, {"ODD", "it's $HOME"}, {"EMPTY", ""}, {"TILDE", "~x"}}
	data := Dotenv([]string{"dicomreg: test"}, vars)
	want := "# dicomreg: test\nexport AZURE_CLIENT_SECRET=abc8Q~d.e-f_g\nexport ODD='it'\\''s $HOME'\nexport EMPTY=''\nexport TILDE='~x'\n"
	if string(data) != want {
		t.Errorf("Dotenv:\n%s\nwant\n%s", data, want)
	}
	comments, got, err := ParseDotenv(data)
	if err != nil || !slices.Equal(got, vars) || !slices.Equal(comments, []string{"dicomreg: test"}) {
		t.Errorf("ParseDotenv: %q %v %v", comments, got, err)
	}
	if _, _, err := ParseDotenv([]byte("A=1\nnot an assignment\n")); err == nil || err.Error() != "line 2 is not NAME=value" {
		t.Errorf("bad line: %v", err)
	}
}

func FuzzParseDotenv(f *testing.F) {
	f.Add([]byte("# dicomreg: x\nexport A='b'\\''c'\nB=\"d\\\"e\"\n"))
	f.Add([]byte("A=1\n\nB=~x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		comments, vars, err := ParseDotenv(data)
		if err != nil {
			return
		}
		// What parses, written back by Dotenv, parses to the same variables.
		c2, v2, err := ParseDotenv(Dotenv(comments, vars))
		if err != nil || !slices.Equal(v2, vars) || len(c2) != len(comments) {
			t.Fatalf("round trip: %q → %q %v", vars, v2, err)
		}
	})
}
