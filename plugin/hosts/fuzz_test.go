package hosts

import (
	"strings"
	"testing"
)

// FuzzParseSemver: whatever parses prints back as itself, and yields a PEP 440 version az's wheel
// file-name pattern can read (no '-').
func FuzzParseSemver(f *testing.F) {
	for _, s := range []string{"1.2.3", "0.0.0-dev.46+gf0282dc", "1.0.0-beta.1+build.001", "01.0.0", "1.0.0-", "v1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSemver(s)
		if err != nil {
			return
		}
		if v.String() != s {
			t.Fatalf("%q parses and prints as %q", s, v.String())
		}
		if p := v.PEP440(); strings.Contains(p, "-") || !wheelName.MatchString(WheelFileName(v)) {
			t.Fatalf("%q: PEP 440 %q, wheel %q", s, p, WheelFileName(v))
		}
	})
}

// FuzzVersionFromGit: any describe output gives an error or a strict semver.
func FuzzVersionFromGit(f *testing.F) {
	for _, s := range []string{"v1.2.3-4-g1a2b3c4-dirty", "f0282dc", "v2.0.0-rc.1-2-gabc", "x-1-gz"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, describe string, commits int) {
		if commits < 0 {
			commits = -commits
		}
		v, err := VersionFromGit(describe, commits)
		if err != nil {
			return
		}
		if _, err := ParseSemver(v.String()); err != nil {
			t.Fatalf("%q gave %q: %v", describe, v, err)
		}
	})
}
