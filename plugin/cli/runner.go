package cli

import (
	"context"

	"github.com/spf13/cobra"
)

// runner is a command's RunE: runF when a test gives one (to see the options the flags made,
// without I/O), else the command's own run.
func runner[T any](opts *T, runF, run func(context.Context, *T) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, _ []string) error {
		if runF != nil {
			return runF(c.Context(), opts)
		}
		return run(c.Context(), opts)
	}
}
