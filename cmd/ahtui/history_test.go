package main

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// A book and a cancel from the command line land in the history the TUI
// shows under H, in the shape the TUI recorded them: one line each.
func TestCLIBookAndCancelAreInTheHistory(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(1)
	class := e.classAt(testBox, day, "18:00")
	id := strconv.FormatInt(class.ID, 10)
	e.mustRun("", "classes", "--day", day.String()) // the member lists the day first, as usual
	e.mustRun("", "book", id, "--day", day.String())
	e.mustRun("", "cancel", id, "--day", day.String())
	full := e.classAt(testBox, day, "12:00")
	if r := e.run("", "book", strconv.FormatInt(full.ID, 10), "--day", day.String()); r.code != exitFailed {
		t.Fatalf("booking a full class: %v", r)
	}

	a := e.open(e.clock.Now)
	events, err := a.store.History(context.Background(), session.HistoryQuery{
		Kinds: []session.EventKind{account.EventBook, account.EventCancel}})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("history has %d book/cancel lines, want 3: %+v", len(events), events)
	}
	type want struct {
		kind    session.EventKind
		class   int64
		name    string
		outcome string
	}
	// Newest first.
	for i, w := range []want{
		{account.EventBook, full.ID, "BARBELL", "failed"},
		{account.EventCancel, class.ID, "TEAM WOD", "cancelled"},
		{account.EventBook, class.ID, "TEAM WOD", "booked"},
	} {
		ev := events[i]
		var d account.ActionDetails
		if err := json.Unmarshal(ev.Details, &d); err != nil {
			t.Fatalf("line %d details %s: %v", i, ev.Details, err)
		}
		if ev.Kind != w.kind || ev.ClassID != w.class || ev.Day != day || ev.BoxID == 0 || d.Class != w.name ||
			d.Outcome != w.outcome || !d.Start.Equal(e.classAt(testBox, day, d.Start.In(class.Start.Location()).Format("15:04")).Start) {
			t.Errorf("line %d: %+v %+v, want %+v", i, ev, d, w)
		}
	}
	var refused account.ActionDetails
	if json.Unmarshal(events[0].Details, &refused) != nil || refused.Code == "" {
		t.Errorf("the refusal keeps no reason: %s", events[0].Details)
	}
}
