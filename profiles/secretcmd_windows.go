//go:build windows

package profiles

import (
	"context"
	"os/exec"
)

// shellCommand runs command with cmd /C.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	return exec.CommandContext(ctx, "cmd", "/C", command)
}
