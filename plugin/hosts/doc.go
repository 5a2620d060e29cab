// Package hosts makes dicomreg a plugin of the CLIs its users already have — az, azd, gh and
// kubectl — each installed the way that host installs extensions: an az extension wheel, an azd
// registry source, a gh extension folder, kubectl plugin executables on PATH, and a krew manifest
// for release. It also tells which host ran the binary, so help shows the name the user typed.
//
// The rules each file follows, and their sources, are in FIDELITY.md ("Plugin hosts").
package hosts
