//go:build !windows

package profiles

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs command with sh -c in a process group of its own, so that a timeout kills the
// shell and everything it started (a password manager's helpers).
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	c := exec.CommandContext(ctx, "sh", "-c", command)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error {
		if c.Process == nil {
			return nil
		}
		return syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
	return c
}
