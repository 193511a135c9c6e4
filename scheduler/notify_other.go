//go:build !unix

package scheduler

import "os/exec"

// killProcessGroup: without Unix process groups, cancelling kills the
// shell only (exec's default).
func killProcessGroup(*exec.Cmd) {}
