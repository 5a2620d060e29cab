package servecmd

import (
	"net"
	"slices"
	"strings"
	"testing"
)

// TestStartupLineNamesEveryAddress: listening on all addresses, the start-up line names them
// all, not only the loopback URL.
func TestStartupLineNamesEveryAddress(t *testing.T) {
	got := servedURLs(&net.TCPAddr{IP: net.IPv4zero, Port: 8443}, "https://127.0.0.1:8443")
	if !slices.Contains(got, "https://127.0.0.1:8443") {
		t.Fatalf("loopback missing: %v", got)
	}
	ifaddrs, _ := net.InterfaceAddrs()
	for _, a := range ifaddrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() && !slices.ContainsFunc(got, func(u string) bool { return strings.Contains(u, ipn.IP.String()) }) {
			t.Errorf("%s missing from %v", ipn.IP, got)
		}
	}
	if got := servedURLs(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, "https://127.0.0.1:1"); len(got) != 1 {
		t.Errorf("loopback only: %v", got)
	}
}
