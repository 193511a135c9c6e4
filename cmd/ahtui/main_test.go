package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// childArgsEnv makes the test binary act as the ahtui binary: it runs the
// command line given as a JSON array and exits with its status. Tests use
// it for what needs another OS process (another user, a process to kill).
const childArgsEnv = "AHTUI_TEST_CHILD_ARGS"

// asAhtuiEnv makes the test binary the ahtui binary with its own command
// line: what it starts of itself (os.Executable, as the background
// `ahtui run` a quitting TUI leaves) is ahtui too.
const asAhtuiEnv = "AHTUI_TEST_AS_AHTUI"

func TestMain(m *testing.M) {
	if os.Getenv(asAhtuiEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if raw := os.Getenv(childArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, "bad", childArgsEnv, err)
			os.Exit(exitUsage)
		}
		os.Exit(run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
