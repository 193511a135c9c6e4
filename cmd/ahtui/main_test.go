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

func TestMain(m *testing.M) {
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
