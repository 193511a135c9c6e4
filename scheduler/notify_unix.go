//go:build unix

package scheduler

import (
	"os/exec"
	"syscall"
)

// killProcessGroup runs the command in a process group of its own and
// makes cancelling it kill the whole group: `sh -c 'curl …'` leaves the
// shell's children running when only the shell is killed.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
