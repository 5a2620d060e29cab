package hosts

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// semverPattern is SemVer 2.0.0's own regular expression (semver.org, "Is there a suggested
// regular expression"): no leading zeros, dot-separated pre-release and build identifiers.
// azd parses extension versions strictly (Masterminds/semver StrictNewVersion) and its
// registry.schema.json enforces the same grammar.
var semverPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
		`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
		`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
})

// Semver is a parsed SemVer 2.0.0 version.
type Semver struct {
	Major, Minor, Patch int
	Pre                 []string // pre-release identifiers
	Build               []string // build metadata identifiers
}

// ParseSemver parses a version strictly: "v1.2.3", "1.2" and "01.2.3" are refused, as azd refuses
// them.
func ParseSemver(s string) (Semver, error) {
	m := semverPattern().FindStringSubmatch(s)
	if m == nil {
		return Semver{}, fmt.Errorf("version %q is not semver (MAJOR.MINOR.PATCH with optional -pre-release and +build)", s)
	}
	var v Semver
	var err error
	for i, p := range []*int{&v.Major, &v.Minor, &v.Patch} {
		if *p, err = strconv.Atoi(m[i+1]); err != nil {
			return Semver{}, fmt.Errorf("version %q: %v", s, err)
		}
	}
	if m[4] != "" {
		v.Pre = strings.Split(m[4], ".")
	}
	if m[5] != "" {
		v.Build = strings.Split(m[5], ".")
	}
	return v, nil
}

func (v Semver) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	if len(v.Build) > 0 {
		s += "+" + strings.Join(v.Build, ".")
	}
	return s
}

// PEP440 is the version a Python wheel carries (PEP 440; wheel file names may not hold '-'):
// 1.2.3 → 1.2.3; 1.2.3-rc.1 → 1.2.3rc1; 1.2.3-alpha.2 → 1.2.3a2; 1.2.3-beta → 1.2.3b0;
// any other pre-release → 1.2.3.devN (N its first number); build metadata → a local version
// label (+g1a2b3c.dirty).
func (v Semver) PEP440() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		n := 0
		for _, id := range v.Pre {
			if d, err := strconv.Atoi(id); err == nil {
				n = d
				break
			}
		}
		switch strings.ToLower(v.Pre[0]) {
		case "a", "alpha":
			s += fmt.Sprintf("a%d", n)
		case "b", "beta":
			s += fmt.Sprintf("b%d", n)
		case "rc":
			s += fmt.Sprintf("rc%d", n)
		default:
			s += fmt.Sprintf(".dev%d", n)
		}
	}
	var local []string
	for _, id := range v.Build {
		// PEP 440 local labels are ASCII letters and digits only.
		if id = strings.ReplaceAll(id, "-", ""); id != "" {
			local = append(local, strings.ToLower(id))
		}
	}
	if len(local) > 0 {
		s += "+" + strings.Join(local, ".")
	}
	return s
}

// describePattern reads `git describe --tags --long --always --dirty`: TAG-N-gSHA[-dirty], or
// just SHA[-dirty] when no tag is reachable.
var describePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:(.+)-(\d+)-g([0-9a-f]+)|([0-9a-f]+))(-dirty)?$`) })

// VersionFromGit turns `git describe --tags --long --always --dirty` (and the commit count, for
// untagged history) into a release version. A commit tagged vX.Y.Z is X.Y.Z; N commits past it is
// the next patch's pre-release X.Y.(Z+1)-dev.N+gSHA, which sorts after X.Y.Z and before
// X.Y.(Z+1); with no tag at all, 0.0.0-dev.COUNT+gSHA; a dirty tree adds ".dirty" to the build.
func VersionFromGit(describe string, commits int) (Semver, error) {
	m := describePattern().FindStringSubmatch(strings.TrimSpace(describe))
	if m == nil {
		return Semver{}, fmt.Errorf("cannot read git describe output %q", describe)
	}
	var v Semver
	var build []string
	switch {
	case m[1] != "":
		tag, err := ParseSemver(strings.TrimPrefix(m[1], "v"))
		if err != nil {
			return Semver{}, fmt.Errorf("tag %s: %w", m[1], err)
		}
		v = Semver{Major: tag.Major, Minor: tag.Minor, Patch: tag.Patch, Pre: tag.Pre}
		if m[2] != "0" {
			if len(v.Pre) == 0 {
				v.Patch++
				v.Pre = []string{"dev", m[2]}
			} else {
				v.Pre = append(v.Pre, "dev", m[2])
			}
			build = append(build, "g"+m[3])
		}
	default:
		v = Semver{Pre: []string{"dev", strconv.Itoa(commits)}}
		build = append(build, "g"+m[4])
	}
	if m[5] != "" {
		build = append(build, "dirty")
	}
	v.Build = build
	// Round-trip through the parser: a tag like v1.2.3-01 must not yield an invalid version.
	return ParseSemver(v.String())
}
