package hosts

import (
	"context"
	"io"
	"os/exec"
)

// ExecRunner runs host commands as processes, their output to Out (dicomreg's stderr: progress).
type ExecRunner struct {
	Out io.Writer
}

// LookPath finds a host's CLI on PATH.
func (ExecRunner) LookPath(name string) (string, error) { return exec.LookPath(name) }

// Run runs the command and waits for it.
func (r ExecRunner) Run(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = r.Out, r.Out
	return cmd.Run()
}
