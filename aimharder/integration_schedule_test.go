package aimharder_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// TestIntegrationDay reads one day of the sharing box: times in the box's
// zone, counts, names and the member's own rows.
func TestIntegrationDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	wod := e.classOn(creds, norte, d1, "07:00", "WOD")
	booked := e.mustBook(creds, norte, wod)
	full := e.classOn(creds, norte, d1, "08:00", "WOD")
	waiting, err := e.book(creds, norte, full, aimharder.BookOptions{Insist: true})
	if err != nil || waiting.State != aimharder.StateWaitlisted || waiting.ReservationID <= 0 {
		t.Fatalf("insist on a full class: %+v, %v", waiting, err)
	}

	day := e.mustDay(creds, norte, d1)
	if day.Date != d1 || day.Label != "Miércoles, 14 de Octubre de 2026" || len(day.Warnings) != 0 || len(day.Notices) != 0 || !day.MemberData {
		t.Fatalf("day %s %q warnings %v notices %v member %v", day.Date, day.Label, day.Warnings, day.Notices, day.MemberData)
	}
	var starts []string
	for _, c := range day.Classes {
		starts = append(starts, c.Start.Format("15:04")+" "+c.Name)
		if c.Start.Location().String() != "Europe/Madrid" || c.Date != d1 || c.ID <= 0 || c.TypeID <= 0 || !c.Enabled || !c.Included {
			t.Errorf("class %+v", c)
		}
	}
	want := []string{"07:00 WOD", "08:00 WOD", "09:30 OPEN BOX", "12:00 BARBELL", "18:00 WOD", "18:00 YOGA", "19:00 WOD", "20:00 CONDITIONING"}
	if !slices.Equal(starts, want) {
		t.Fatalf("classes %v, want %v", starts, want)
	}

	wod = e.class(day, "07:00", "WOD")
	if !wod.Start.Equal(time.Date(2026, 10, 14, 5, 0, 0, 0, time.UTC)) || wod.End.Sub(wod.Start) != time.Hour ||
		wod.Coach != "Carlos Ruiz" || wod.Occupancy != 4 || wod.Capacity != 10 || wod.Full() ||
		wod.State != aimharder.StateBooked || wod.ReservationID != booked.ReservationID {
		t.Errorf("booked class %+v", wod)
	}
	full = e.class(day, "08:00", "WOD")
	if full.State != aimharder.StateWaitlisted || full.ReservationID != waiting.ReservationID || !full.Full() ||
		full.Waitlist != 2 || full.Occupancy != 2 {
		t.Errorf("waitlisted class %+v", full)
	}
	if open := e.class(day, "09:30", "OPEN BOX"); open.End.Sub(open.Start) != 90*time.Minute || open.Occupancy != 0 || open.State != aimharder.StateNone || open.Coach != "" {
		t.Errorf("empty class %+v", open)
	}
	// The fake agrees on ids, times and counts.
	for i, info := range e.fake.Classes("norte", d1) {
		c := day.Classes[i]
		if info.ID != c.ID || !info.Start.Equal(c.Start) || !info.End.Equal(c.End) || len(info.Booked) != c.Occupancy || len(info.Waiting) != c.Waitlist {
			t.Errorf("fake %+v\nclient %+v", info, c)
		}
	}
}

// TestIntegrationAttendees: the (modelled) attendee list is there for a
// fresh session on a sharing box, lists the booked people (not the
// waitlist), and is nil otherwise.
func TestIntegrationAttendees(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	wod := e.classOn(creds, norte, d1, "07:00", "WOD")
	e.mustBook(creds, norte, wod)
	day := e.mustDay(creds, norte, d1)
	for _, c := range day.Classes {
		if c.Attendees == nil || len(c.Attendees) != c.Occupancy {
			t.Errorf("%s %s: %d attendees for %d booked", c.Start.Format("15:04"), c.Name, len(c.Attendees), c.Occupancy)
		}
	}
	if open := e.class(day, "09:30", ""); open.Attendees == nil || len(open.Attendees) != 0 {
		t.Errorf("an empty class shares an empty, non-nil list: %#v", open.Attendees)
	}
	wod = e.class(day, "07:00", "WOD")
	if !slices.Contains(wod.Attendees, aimharder.Attendee{ID: anaID, Name: "Ana Pérez"}) {
		t.Errorf("the member is not among the attendees: %+v", wod.Attendees)
	}
	for _, a := range wod.Attendees {
		if a.ID <= 0 || a.Name == "" {
			t.Errorf("attendee %+v", a)
		}
	}
	// Not a sharing box: no list, even with a fresh session.
	for _, c := range e.mustDay(creds, isla, d1).Classes {
		if c.Attendees != nil {
			t.Errorf("isla shares attendees: %+v", c)
		}
	}
	// Not a fresh session: no list.
	e.clock.Advance(aimhardertest.DefaultSessionLifetime)
	for _, c := range e.mustDay(creds, norte, d1).Classes {
		if c.Attendees != nil || c.State != aimharder.StateNone {
			t.Errorf("lapsed session: %+v", c)
		}
	}
}

// TestIntegrationMemberData: MemberData is true when a row carries the
// member's state or an attendee list, and false for the public schedule
// served without a live session.
func TestIntegrationMemberData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	check := func(what string, creds aimharder.Credentials, box aimharder.BoxRef, want bool) aimharder.Day {
		t.Helper()
		day := e.mustDay(creds, box, d1)
		if day.MemberData != want || len(day.Classes) == 0 {
			t.Errorf("%s: MemberData %v with %d classes, want %v", what, day.MemberData, len(day.Classes), want)
		}
		return day
	}
	check("sharing box, nothing booked", creds, norte, true)
	check("other box, nothing booked", creds, isla, false)
	e.mustBook(creds, isla, e.classOn(creds, isla, d1, "19:00", "WOD"))
	e.mustBook(creds, norte, e.classOn(creds, norte, d1, "18:00", "WOD"))
	check("other box, one booking", creds, isla, true)
	check("no credentials", aimharder.Credentials{}, norte, false)

	// After a forced logout the same request gets the public view: the
	// bookings still exist but no row shows them.
	e.fake.ForceLogout(ana, "")
	for _, box := range []aimharder.BoxRef{norte, isla} {
		day := check("after forced logout "+box.Subdomain, creds, box, false)
		for _, c := range day.Classes {
			if c.State != aimharder.StateNone || c.ReservationID != 0 || c.Attendees != nil || c.Included {
				t.Errorf("public row carries member data: %+v", c)
			}
		}
	}
	if n := len(e.fake.Reservations(ana, "")); n != 2 {
		t.Fatalf("%d reservations, want 2", n)
	}
	// The session endpoints say why.
	if _, err := e.whoami(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("whoami: %v", err)
	}
}

// TestIntegrationWeek: seven days from the given one, each in the box's
// zone. The Canary week spans the October DST change.
func TestIntegrationWeek(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	tests := []struct {
		box      aimharder.BoxRef
		loc      *time.Location
		from     aimharder.Date
		perDay   int
		firstUTC []int // UTC hour of the first class, day by day
	}{
		{norte, madrid, d0.Monday(), 8, []int{5, 5, 5, 5, 5, 5, 5}},
		// Canary: 09:00 is 08:00Z in summer time and 09:00Z from Sun 25 Oct.
		{isla, canary, aimharder.Date{Year: 2026, Month: 10, Day: 19}, 2, []int{8, 8, 8, 8, 8, 8, 9}},
		{fijo, madrid, aimharder.Date{Year: 2026, Month: 10, Day: 22}, 2, []int{5, 5, 5, 6, 6, 6, 6}},
	}
	for _, tt := range tests {
		days, err := e.week(creds, tt.box, tt.from)
		if err != nil || len(days) != 7 {
			t.Fatalf("%s: %d days, %v", tt.box.Subdomain, len(days), err)
		}
		for i, day := range days {
			if day.Date != tt.from.AddDays(i) || len(day.Classes) != tt.perDay || day.Label == "" {
				t.Errorf("%s day %d: %s %q with %d classes", tt.box.Subdomain, i, day.Date, day.Label, len(day.Classes))
				continue
			}
			first := day.Classes[0]
			h, m, _ := first.Start.Clock()
			if first.Start.Location().String() != tt.loc.String() || first.Date != day.Date || aimharder.DateOf(first.Start) != day.Date ||
				first.Start.UTC().Hour() != tt.firstUTC[i] || m != 0 || (h != 7 && h != 9) {
				t.Errorf("%s %s: first class at %v (%v UTC)", tt.box.Subdomain, day.Date, first.Start, first.Start.UTC())
			}
		}
	}
}

// TestIntegrationFamily: familyId selects the person on book, bookings,
// nextBookings and cancel.
func TestIntegrationFamily(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	res, err := e.book(creds, norte, cl, aimharder.BookOptions{FamilyID: anaFamilyID})
	if err != nil || res.State != aimharder.StateBooked {
		t.Fatalf("book for the family member: %+v, %v", res, err)
	}
	if _, ok := e.active(ana, anaFamilyID, cl.ID); !ok || len(e.fake.Reservations(ana, "")) != 0 {
		t.Fatal("the reservation is not the member's")
	}
	member, err := e.familyDay(creds, norte, d1, anaFamilyID)
	if err != nil || e.class(member, "19:00", "WOD").State != aimharder.StateBooked {
		t.Fatalf("member's day: %v", err)
	}
	if e.classOn(creds, norte, d1, "19:00", "WOD").State != aimharder.StateNone {
		t.Fatal("the holder's row shows the member's booking")
	}
	if nb, err := e.next(creds, norte, anaFamilyID); err != nil || len(nb.Upcoming) != 1 {
		t.Fatalf("member's next bookings: %+v, %v", nb, err)
	}
	if nb, err := e.next(creds, norte, ""); err != nil || len(nb.Upcoming) != 0 {
		t.Fatalf("holder's next bookings: %+v, %v", nb, err)
	}
	if err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{FamilyID: anaFamilyID}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.active(ana, anaFamilyID, cl.ID); ok {
		t.Fatal("the member's reservation survived the cancel")
	}
}

// TestIntegrationNextBookings: upcoming rows match the day's classes by
// date, time and name; a late cancel shows in the history.
func TestIntegrationNextBookings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	e.mustBook(creds, norte, e.classOn(creds, norte, d1.AddDays(1), "18:00", "YOGA"))
	e.mustBook(creds, norte, e.classOn(creds, norte, d1, "07:00", "WOD"))
	if _, err := e.book(creds, norte, e.classOn(creds, norte, d1, "08:00", "WOD"), aimharder.BookOptions{Insist: true}); err != nil {
		t.Fatal(err)
	}
	late := e.mustBook(creds, norte, e.classOn(creds, norte, d0, "09:30", "")) // half an hour ahead: inside the late window
	if err := e.cancel(creds, norte, late.ReservationID, aimharder.CancelOptions{Late: true}); err != nil {
		t.Fatal(err)
	}

	nb, err := e.next(creds, norte, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range nb.Upcoming {
		got = append(got, fmt.Sprintf("%s %s %s %s", r.Date, r.Time, r.ClassName, r.State))
		// Join each row to its class the way the client documents.
		day := e.mustDay(creds, norte, r.Date)
		found := false
		for _, c := range day.Classes {
			found = found || (c.Name == r.ClassName && c.Start.Format("15:04")+" - "+c.End.Format("15:04") == r.Time && c.State == r.State)
		}
		if !found || r.ID <= 0 || r.DayLabel == "" {
			t.Errorf("upcoming row %+v joins no class", r)
		}
	}
	want := []string{
		"2026-10-14 07:00 - 08:00 WOD booked",
		"2026-10-14 08:00 - 09:00 WOD waitlisted",
		"2026-10-15 18:00 - 19:00 YOGA booked",
	}
	if !slices.Equal(got, want) {
		t.Errorf("upcoming\n got %q\nwant %q", got, want)
	}
	if len(nb.History) != 1 || !nb.History[0].LateCancel || nb.History[0].Date != d0 || nb.History[0].Attended {
		t.Errorf("history %+v", nb.History)
	}
	// Logged out, nextBookings answers a page: an unexpected answer, which
	// whoami then confirms as a logout.
	e.fake.ForceLogout(ana, "")
	_, err = e.next(creds, norte, "")
	if !errors.Is(err, aimharder.ErrUnexpectedAnswer) {
		t.Fatalf("logged out: %v", err)
	}
	if _, err := e.c.ConfirmLogout(e.ctx, creds, err); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("confirmed: %v, want a logout", err)
	}
}

// TestIntegrationWireShapes: every docs/protocol.md §10A variant the fake can produce
// decodes to the same classes as the plain shape, except where the variant
// changes what the wire says (the raw limit text, a dropped waitlist).
func TestIntegrationWireShapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	e.mustBook(creds, norte, e.classOn(creds, norte, d1, "07:00", "WOD"))
	if _, err := e.book(creds, norte, e.classOn(creds, norte, d1, "08:00", "WOD"), aimharder.BookOptions{Insist: true}); err != nil {
		t.Fatal(err)
	}
	plain := e.mustDay(creds, norte, d1)
	notices := []any{"Box cerrado el lunes por festivo", map[string]any{"title": "Aviso", "message": "Cambio de horario", "id": 7}}
	withLimitText := func(c *aimharder.Class) { c.LimitText = fmt.Sprintf("%d (%d)", c.Capacity, c.Waitlist) }
	tests := []struct {
		name    string
		shape   aimhardertest.Shape
		adjust  func(*aimharder.Class)
		notices []string
	}{
		{name: "limit N (w)", shape: aimhardertest.Shape{LimitWithWaitlist: true}, adjust: withLimitText},
		{name: "numbers as strings", shape: aimhardertest.Shape{NumbersAsStrings: true}},
		{name: "flags as booleans", shape: aimhardertest.Shape{FlagsAsBooleans: true}},
		{name: "padded names", shape: aimhardertest.Shape{PaddedNames: true}},
		{name: "compact time", shape: aimhardertest.Shape{CompactTime: true}},
		// Without the waitlist key and with a plain limit, nothing says
		// how many wait.
		{name: "missing optional keys", shape: aimhardertest.Shape{MissingOptional: true}, adjust: func(c *aimharder.Class) { c.Waitlist = 0 }},
		{name: "extra keys", shape: aimhardertest.Shape{ExtraKeys: true}},
		// The minority row shapes of docs/protocol.md §10B: the same classes.
		{name: "timeid only", shape: aimhardertest.Shape{TimeIDOnly: true},
			adjust: func(c *aimharder.Class) { c.TimeFrom = aimharder.TimeFromTimeID }},
		{name: "start time only", shape: aimhardertest.Shape{StartTimeOnly: true},
			adjust: func(c *aimharder.Class) { c.TimeFrom = aimharder.TimeFromStart }},
		{name: "resmsgs", shape: aimhardertest.Shape{ResMsgs: notices},
			notices: []string{"Box cerrado el lunes por festivo", "Aviso — Cambio de horario"}},
		// Together, limit "N (w)" gives back the waitlist the dropped key held.
		{name: "all at once", shape: aimhardertest.Shape{LimitWithWaitlist: true, NumbersAsStrings: true, FlagsAsBooleans: true,
			PaddedNames: true, CompactTime: true, MissingOptional: true, ExtraKeys: true, ResMsgs: notices},
			adjust: withLimitText, notices: []string{"Box cerrado el lunes por festivo", "Aviso — Cambio de horario"}},
	}
	for _, tt := range tests {
		e.fake.SetShape(tt.shape)
		day, err := e.day(creds, norte, d1)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		want := slices.Clone(plain.Classes)
		for i := range want {
			if tt.adjust != nil {
				tt.adjust(&want[i])
			}
		}
		for i := range max(len(want), len(day.Classes)) {
			if i >= len(want) || i >= len(day.Classes) || !reflect.DeepEqual(day.Classes[i], want[i]) {
				t.Errorf("%s: class %d\n got %+v\nwant %+v", tt.name, i, at(day.Classes, i), at(want, i))
				break
			}
		}
		if !slices.Equal(day.Notices, tt.notices) || len(day.Warnings) != 0 || day.Label != plain.Label || !day.MemberData {
			t.Errorf("%s: notices %q warnings %q label %q", tt.name, day.Notices, day.Warnings, day.Label)
		}
	}

	// The other endpoints under every variant at once.
	user, err := e.whoami(creds)
	if err != nil || user.Name != "Ana Pérez" || !reflect.DeepEqual(user.Boxes, anaBoxes) {
		t.Errorf("whoami: %+v, %v", user, err)
	}
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	res := e.mustBook(creds, norte, cl)
	if res.State != aimharder.StateBooked || len(res.PlanClasses) == 0 {
		t.Errorf("book: %+v", res)
	}
	nb, err := e.next(creds, norte, "")
	if err != nil || len(nb.Upcoming) != 3 {
		t.Fatalf("next bookings: %+v, %v", nb, err)
	}
	last := nb.Upcoming[2]
	if last.ClassName != "WOD" || last.Time != "19:00-20:00" || last.Date != d1 || last.ID <= 0 {
		t.Errorf("next booking row %+v", last)
	}
	if err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{}); err != nil {
		t.Errorf("cancel: %v", err)
	}
	if _, ok := e.active(ana, "", cl.ID); ok {
		t.Error("not cancelled")
	}
}

func at(cs []aimharder.Class, i int) any {
	if i < len(cs) {
		return cs[i]
	}
	return "(none)"
}

// TestIntegrationContentTypes: JSON is read whatever it is labelled.
func TestIntegrationContentTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, ct := range []string{aimhardertest.ContentTypeHTML, aimhardertest.ContentTypeJSON, "application/json; charset=utf-8", "text/plain"} {
		e.fake.SetJSONContentType(ct)
		creds := e.login(ana, fpUI)
		if _, err := e.whoami(creds); err != nil {
			t.Errorf("%s: whoami: %v", ct, err)
		}
		cl := e.classOn(creds, norte, d1, "19:00", "WOD")
		res := e.mustBook(creds, norte, cl)
		if _, err := e.next(creds, norte, ""); err != nil {
			t.Errorf("%s: next bookings: %v", ct, err)
		}
		if err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{}); err != nil {
			t.Errorf("%s: cancel: %v", ct, err)
		}
		if _, err := e.refresh(creds); err != nil {
			t.Errorf("%s: tokenUpdate: %v", ct, err)
		}
	}
}
