package cli

import (
	"context"
	"runtime"

	"github.com/spf13/pflag"
)

type versionInfo struct {
	Version   string `json:"version"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

func newCmdVersion(f *Factory) *Command {
	return &Command{
		Name:    "version",
		Short:   "Show the dicomreg version",
		Example: "dicomreg version -o tsv --query version",
		Flags:   func(*pflag.FlagSet) {},
		Run: func(context.Context, []string) error {
			return f.Print(versionInfo{Version: Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH})
		},
	}
}
