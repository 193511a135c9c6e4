package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestWatchContract(t *testing.T) {
	e := newCLIEnv(t)
	day := testToday.AddDays(1)
	full := e.classAt(testBox, day, "12:00") // BARBELL, 2/2
	fullID := strconv.FormatInt(full.ID, 10)

	// Without a session: exit 3, nothing created.
	if r := e.run("", "watch", "add", fullID, "--day", day.String()); r.code != exitNoSession {
		t.Fatalf("watch add without a session: %v", r)
	}
	e.login()

	r := e.mustRun("", "watch", "add", fullID, "--day", day.String(), "--book")
	if !strings.Contains(r.stdout, "Watching #1: BARBELL on "+day.String()+" at 12:00") || !strings.Contains(r.stdout, "ahtui books it") {
		t.Errorf("watch add: %v", r)
	}
	// The same class again is refused.
	if r := e.run("", "watch", "add", fullID, "--day", day.String()); r.code != exitFailed || !strings.Contains(r.stderr, "already watched") {
		t.Errorf("a second watch: %v", r)
	}
	// A class with free places: book it now.
	open := e.classAt(testBox, day, "18:00")
	r = e.run("", "watch", "add", strconv.FormatInt(open.ID, 10), "--day", day.String())
	if r.code != exitFailed || !strings.Contains(r.stderr, "free places") || !strings.Contains(r.stderr, "ahtui book "+strconv.FormatInt(open.ID, 10)) {
		t.Errorf("watching a class with places: %v", r)
	}
	// A past class.
	past := e.classAt(testBox, testToday, "07:00")
	if r := e.run("", "watch", "add", strconv.FormatInt(past.ID, 10), "--day", testToday.String()); r.code != exitFailed || !strings.Contains(r.stderr, "already started") {
		t.Errorf("watching a past class: %v", r)
	}

	// A class whose window has not opened: prebook it instead.
	e.mustRun("", "config", "box."+testBox+".window", "4d")
	later := testToday.AddDays(6)
	notOpen := e.classAt(testBox, later, "12:00")
	if r := e.run("", "watch", "add", strconv.FormatInt(notOpen.ID, 10), "--day", later.String()); r.code != exitFailed || !strings.Contains(r.stderr, "ahtui prebook add") {
		t.Errorf("watching a class not open yet: %v", r)
	}
	// A class the member is in.
	e.mustRun("", "book", strconv.FormatInt(open.ID, 10), "--day", day.String())
	if r := e.run("", "watch", "add", strconv.FormatInt(open.ID, 10), "--day", day.String()); r.code != exitFailed || !strings.Contains(r.stderr, "already booked in") {
		t.Errorf("watching a class the member is in: %v", r)
	}

	r = e.mustRun("", "watch", "list", "--json")
	var raw []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || len(raw) != 1 {
		t.Fatalf("watch list --json: %v (%v)", r, err)
	}
	keys := make([]string, 0, len(raw[0]))
	for k := range raw[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"book", "box", "class_id", "day", "id", "name", "start", "state"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("watch fields %v, want %v", keys, want)
	}
	want := map[string]any{"id": 1.0, "box": testBox, "class_id": float64(full.ID), "day": day.String(),
		"name": "BARBELL", "start": "12:00", "book": true, "state": "watching"}
	if !reflect.DeepEqual(raw[0], want) {
		t.Errorf("watch list --json: %v, want %v", raw[0], want)
	}
	if r := e.mustRun("", "watch", "list"); !strings.Contains(r.stdout, "BARBELL") || !strings.Contains(r.stdout, "book it") {
		t.Errorf("watch list: %v", r)
	}

	if r := e.mustRun("", "watch", "rm", "1"); !strings.Contains(r.stdout, "Removed watch #1: BARBELL") {
		t.Errorf("watch rm: %v", r)
	}
	if r := e.run("", "watch", "rm", "1"); r.code != exitFailed || !strings.Contains(r.stderr, "no watch #1") {
		t.Errorf("watch rm of nothing: %v", r)
	}
	if r := e.mustRun("", "watch", "list", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("empty watch list --json: %q", r.stdout)
	}
}

func TestWatchUsageErrors(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	for _, args := range [][]string{
		{"watch"},
		{"watch", "add"},
		{"watch", "add", "123"}, // no --day
		{"watch", "add", "abc", "--day", "2026-11-26"}, // not an id
		{"watch", "add", "123", "--day", "26/11/2026"},
		{"watch", "add", "123", "--day", "2026-11-26", "--waitlist"},
		{"watch", "list", "extra"},
		{"watch", "rm"},
		{"watch", "rm", "x"},
	} {
		if r := e.run("", args...); r.code != exitUsage {
			t.Errorf("ahtui %s: %v, want exit %d", strings.Join(args, " "), r, exitUsage)
		}
	}
}
