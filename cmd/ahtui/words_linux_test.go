package main

import (
	"strings"
	"testing"
)

// A file the kernel makes up is not taken for a new database.
func TestSystemFileAsDatabase(t *testing.T) {
	e := newCLIEnv(t)
	e.db = "/proc/version"
	for _, args := range [][]string{{"status"}, {"config", "refresh_after", "20m"}} {
		r := e.run("", args...)
		e.expectFailure(r, "/proc/version is not an ahtui database", "Point --db or AHTUI_DB at another path")
		if strings.Contains(r.stderr, "WAL") {
			t.Errorf("%v speaks of WAL: %s", args, r.stderr)
		}
	}
}
