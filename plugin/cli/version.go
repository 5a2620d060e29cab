package cli

import (
	"context"
	"runtime"

	"github.com/spf13/cobra"
)

// VersionOptions are `version`'s.
type VersionOptions struct {
	IO Console
}

type versionInfo struct {
	Version   string `json:"version"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// NewCmdVersion is `version`.
func NewCmdVersion(f *Factory, runF func(context.Context, *VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f}
	return &cobra.Command{
		Use:     "version",
		Short:   "Show the dicomreg version",
		Example: "dicomreg version -o tsv --query version",
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	return opts.IO.Print(versionInfo{Version: Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH})
}
