package hosts

import "testing"

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		exe, envHost string
		want         Invocation
		display      string
	}{
		{"/usr/local/bin/dicomreg", "", Invocation{}, "dicomreg"},
		{"/home/u/.local/bin/kubectl-dicomreg", "", Invocation{Host: Kubectl}, "kubectl dicomreg"},
		{"/home/u/.krew/bin/kubectl-dicomreg", "", Invocation{Host: Kubectl}, "kubectl dicomreg"},
		{"/home/u/.local/bin/kubectl_complete-dicomreg", "", Invocation{Host: Kubectl, Complete: true}, "kubectl dicomreg"},
		{`C:\Users\u\bin\kubectl-dicomreg.exe`, "", Invocation{Host: Kubectl}, "kubectl dicomreg"},
		{"/home/u/.local/share/gh/extensions/gh-dicomreg/gh-dicomreg", "", Invocation{Host: Gh}, "gh dicomreg"},
		{"/home/u/.azd/extensions/dicomreg.cli/dicomreg", "", Invocation{Host: Azd}, "azd dicomreg"},
		{"/usr/local/bin/dicomreg", "az", Invocation{Host: Az}, "az dicomreg"},
		{"/usr/local/bin/dicomreg", "something-else", Invocation{}, "dicomreg"},
		{"kubectl-dicomreg", "az", Invocation{Host: Kubectl}, "kubectl dicomreg"}, // the file name wins
	} {
		got := Detect(tt.exe, func(n string) string {
			if n == EnvHost {
				return tt.envHost
			}
			return ""
		})
		if got != tt.want || got.DisplayName() != tt.display {
			t.Errorf("Detect(%q, %s=%q) = %+v %q, want %+v %q", tt.exe, EnvHost, tt.envHost, got, got.DisplayName(), tt.want, tt.display)
		}
	}
}
