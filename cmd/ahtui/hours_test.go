package main

import (
	"strings"
	"testing"
)

// An hours rule shows with the counting ahtui assumes, in `boxes` and
// `config`, and how to choose the other.
func TestHoursRuleSaysWhichCounting(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.mustRun("", "config", "box."+testBox+".window", "48h")
	elapsed := "48 h, counting elapsed hours (across a DST change the opening moves by an hour on the clock); set 48h-wall for clock hours"
	if out := e.mustRun("", "boxes").stdout; !strings.Contains(out, testBox+": booking opens "+elapsed+".") {
		t.Errorf("boxes under 48h:\n%s", out)
	}
	if out := e.mustRun("", "config").stdout; !strings.Contains(out, "set by you; "+elapsed) {
		t.Errorf("config under 48h:\n%s", out)
	}
	e.mustRun("", "config", "box."+testBox+".window", "48h-wall")
	if out := e.mustRun("", "boxes").stdout; !strings.Contains(out, "48 h, counting clock hours") || !strings.Contains(out, "set 48h for elapsed hours") {
		t.Errorf("boxes under 48h-wall:\n%s", out)
	}
	e.mustRun("", "config", "box."+testBox+".window", "2d")
	if out := e.mustRun("", "boxes").stdout; strings.Contains(out, "counting") {
		t.Errorf("boxes under 2d speaks of hours:\n%s", out)
	}
}
