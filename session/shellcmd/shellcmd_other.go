//go:build !unix

package shellcmd

import (
	"context"
	"os/exec"
	"runtime"
)

func shellCommand(ctx context.Context, command string) *exec.Cmd {
	if runtime.GOOS == "windows" {
		return exec.CommandContext(ctx, "cmd", "/C", command)
	}
	return exec.CommandContext(ctx, "sh", "-c", command)
}

// ownProcessGroup: without Unix process groups, cancelling kills the
// shell only (exec's default); WaitDelay still bounds the wait.
func ownProcessGroup(*exec.Cmd) {}
