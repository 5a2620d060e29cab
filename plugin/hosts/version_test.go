package hosts

import "testing"

// The cases azd's own test holds its schema and runtime to (registry_semver_schema_test.go).
func TestParseSemverStrict(t *testing.T) {
	for _, tt := range []struct {
		in    string
		valid bool
	}{
		{"0.0.0", true}, {"1.0.47-beta", true}, {"1.0.0-beta.1", true}, {"1.0.0-0", true},
		{"1.0.0-alpha.0", true}, {"1.0.0-01a", true}, {"1.0.0-00-01", true}, {"1.0.0+01.001", true},
		{"1.0.0-beta.1+build.001", true},
		{"01.0.0", false}, {"1.01.0", false}, {"1.0.01", false}, {"1.0.0-01", false},
		{"1.0.0-alpha.01", false}, {"1.0.0-00", false}, {"1.0.0-", false}, {"1.0.0+", false},
		{"1.0.0-alpha..1", false}, {"v1.0.0", false}, {"1.0", false}, {"nightly", false}, {"dev", false},
	} {
		v, err := ParseSemver(tt.in)
		if (err == nil) != tt.valid {
			t.Errorf("ParseSemver(%q) error = %v, want valid=%v", tt.in, err, tt.valid)
		}
		if err == nil && v.String() != tt.in {
			t.Errorf("ParseSemver(%q).String() = %q", tt.in, v.String())
		}
	}
}

func TestPEP440(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3":                  "1.2.3",
		"1.2.3-rc.1":             "1.2.3rc1",
		"1.2.3-alpha.2":          "1.2.3a2",
		"1.2.3-beta":             "1.2.3b0",
		"0.0.0-dev.46+gf0282dc":  "0.0.0.dev46+gf0282dc",
		"1.2.4-dev.3+gabc.dirty": "1.2.4.dev3+gabc.dirty",
		"1.0.0+build-7":          "1.0.0+build7",
	} {
		v, err := ParseSemver(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.PEP440(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

func TestVersionFromGit(t *testing.T) {
	for _, tt := range []struct {
		describe string
		commits  int
		want     string
	}{
		{"v1.2.3-0-g1a2b3c4", 9, "1.2.3"},
		{"v1.2.3-0-g1a2b3c4-dirty", 9, "1.2.3+dirty"},
		{"v1.2.3-4-g1a2b3c4", 9, "1.2.4-dev.4+g1a2b3c4"},
		{"v2.0.0-rc.1-2-g1a2b3c4", 9, "2.0.0-rc.1.dev.2+g1a2b3c4"},
		{"f0282dc", 46, "0.0.0-dev.46+gf0282dc"},
		{"f0282dc-dirty", 46, "0.0.0-dev.46+gf0282dc.dirty"},
	} {
		v, err := VersionFromGit(tt.describe, tt.commits)
		if err != nil {
			t.Errorf("VersionFromGit(%q): %v", tt.describe, err)
			continue
		}
		if v.String() != tt.want {
			t.Errorf("VersionFromGit(%q) = %s, want %s", tt.describe, v, tt.want)
		}
	}
	for _, bad := range []string{"", "release-1-gzzz", "v1.2-3-g1a2b3c4", "v1.2.3-01-0-gabc"} {
		if v, err := VersionFromGit(bad, 1); err == nil {
			t.Errorf("VersionFromGit(%q) = %s, want an error", bad, v)
		}
	}
}
