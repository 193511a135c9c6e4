package account_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// agendaWorld: WOD every day at 18:00 with room, Yoga at 07:00 full with a
// waitlist; booking opens 4 days before.
func agendaWorld() aimhardertest.World {
	w := world()
	w.Boxes[0].WaitlistCapacity = 3
	w.Boxes[0].LateCancel = 90 * time.Minute
	w.Boxes[0].Template = []aimhardertest.ClassTemplate{
		{Start: "07:00", Minutes: 60, Name: "Yoga", Capacity: 2, Booked: 2},
		{Start: "18:00", Minutes: 60, Name: "WOD", Capacity: 10},
	}
	return w
}

func classID(t *testing.T, svc *account.Service, box session.Box, day aimharder.Date, name string) int64 {
	t.Helper()
	v, err := svc.Day(t.Context(), session.KindDevice, box, day)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Classes {
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("no %s on %s", name, day)
	return 0
}

func agendaLines(a account.Agenda) string {
	var b strings.Builder
	for _, e := range a.Entries {
		fmt.Fprintf(&b, "%s %s %s %s plan=%v pb=%v res=%v class=%v",
			e.Day, e.Start.Format("15:04 -0700"), e.Name, e.State, e.PlanID != 0, e.PrebookingID != 0,
			e.ReservationID != 0, e.ClassID != 0)
		if !e.FreeCancelUntil.IsZero() {
			fmt.Fprintf(&b, " free-cancel-until=%s", e.FreeCancelUntil.Format("15:04"))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestAgendaJoinsBookingsPrebookingsAndPlans(t *testing.T) {
	// Monday 23 Nov 2026, 10:00 in Madrid.
	clock := aimhardertest.NewManualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	fake, urls := aimhardertest.Start(t, agendaWorld(), aimhardertest.WithClock(clock))
	store, err := session.Open(t.Context(), filepath.Join(t.TempDir(), "a.db"), session.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	client, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test"), Now: clock.Now})
	ctx := t.Context()
	if _, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{}); err != account.ErrNotLoggedIn {
		t.Fatalf("before login: %v", err)
	}
	if _, err := svc.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	box, err := svc.CurrentBox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetSetting(ctx, account.LateCancelSetting(boxSub), "90m"); err != nil {
		t.Fatal(err)
	}
	mon, tue, sat := date(t, "2026-11-23"), date(t, "2026-11-24"), date(t, "2026-11-28")
	// A plan for Mondays and Thursdays at 18:00, then today's class booked
	// by hand: it shows once, booked, with the plan.
	plan, err := svc.AddPlan(ctx, session.NewPlan{BoxID: box.ID, Days: session.WeekdaysOf(time.Monday, time.Thursday),
		Time: session.ClockTime{Hour: 18}, Class: "wod", Until: date(t, "2026-11-30")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Book(ctx, session.KindDevice, box, classID(t, svc, box, mon, "WOD"), mon, false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Book(ctx, session.KindDevice, box, classID(t, svc, box, tue, "Yoga"), tue, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Prebook(ctx, session.KindDevice, box, classID(t, svc, box, sat, "WOD"), sat, false); err != nil {
		t.Fatal(err)
	}
	// Forget the cached lists: the bookings must come from AimHarder's list.
	if _, err := store.PruneCache(ctx, date(t, "2027-01-01")); err != nil {
		t.Fatal(err)
	}

	a, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := `2026-11-23 18:00 +0100 WOD booked plan=true pb=false res=true class=true free-cancel-until=16:30
2026-11-24 07:00 +0100 Yoga waitlisted plan=false pb=false res=true class=true
2026-11-26 18:00 +0100 wod planned plan=true pb=false res=false class=false
2026-11-28 18:00 +0100 WOD prebooked plan=false pb=true res=false class=true
2026-11-30 18:00 +0100 wod planned plan=true pb=false res=false class=false
`
	if got := agendaLines(a); got != want {
		t.Errorf("agenda:\n%s\nwant:\n%s", got, want)
	}
	if a.From != mon || a.Until != date(t, "2026-12-07") || len(a.Notices) != 0 {
		t.Errorf("range %s..%s, notices %q", a.From, a.Until, a.Notices)
	}
	for _, e := range a.Entries {
		if e.PlanID != 0 && e.PlanID != plan.Plan.ID {
			t.Errorf("plan id %d", e.PlanID)
		}
		if e.State == account.AgendaWaitlisted && (e.WaitlistPosition != 0 || e.Waiting < 1) {
			t.Errorf("waitlisted: position %d (AimHarder does not tell it), waiting %d", e.WaitlistPosition, e.Waiting)
		}
		if e.Start.Location().String() != "Europe/Madrid" {
			t.Errorf("%s in %s", e.Name, e.Start.Location())
		}
	}

	// Offline, from the store: the days just read are cached, so the
	// same agenda comes out without a request.
	off, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := agendaLines(off); got != want {
		t.Errorf("offline agenda:\n%s\nwant:\n%s", got, want)
	}

	// AimHarder failing for the box: its bookings come from the cache,
	// with a note saying so.
	fault := fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointNextBookings}})
	failing, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := agendaLines(failing); got != want || len(failing.Notices) != 1 || !strings.Contains(failing.Notices[0], "Test Box") {
		t.Errorf("with AimHarder failing:\n%s\nnotices %q", got, failing.Notices)
	}
	fake.RemoveFault(fault)

	// The waitlist place given up in the app, outside ahtui: the cached
	// list still shows it until an agenda asks AimHarder, which reads that
	// day again, so the cache (the feed) stops showing it too.
	sess, err := store.Session(ctx, session.KindDevice)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := account.BoxRef(box)
	if err != nil {
		t.Fatal(err)
	}
	var yoga account.AgendaEntry
	for _, e := range a.Entries {
		if e.Name == "Yoga" {
			yoga = e
		}
	}
	if _, err := client.Cancel(ctx, sess.Credentials, ref, yoga.ReservationID, aimharder.CancelOptions{}); err != nil {
		t.Fatal(err)
	}
	if off, err = svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{Offline: true}); err != nil || agendaLines(off) != want {
		t.Errorf("offline, before AimHarder was asked again (%v):\n%s", err, agendaLines(off))
	}
	withoutYoga := strings.Replace(want, "2026-11-24 07:00 +0100 Yoga waitlisted plan=false pb=false res=true class=true\n", "", 1)
	for _, offline := range []bool{false, true} {
		a, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{Offline: offline})
		if err != nil {
			t.Fatal(err)
		}
		if got := agendaLines(a); got != withoutYoga {
			t.Errorf("offline=%v after the cancel:\n%s\nwant:\n%s", offline, got, withoutYoga)
		}
	}

	// Later that day, after the booked class: it is no longer upcoming.
	// (A plan's class no list has shown keeps the name the member gave.)
	clock.Set(time.Date(2026, 11, 23, 19, 30, 0, 0, time.UTC))
	a, err = svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{From: mon, Until: tue, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := agendaLines(a), ""; got != want {
		t.Errorf("after the class:\n%s\nwant:\n%s", got, want)
	}
}

func TestAgendaCoversTheFamilyMember(t *testing.T) {
	clock := aimhardertest.NewManualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	w := agendaWorld()
	w.Users[0].Family = []aimhardertest.MemberConfig{{ID: 9001, Name: "Leo"}}
	_, urls := aimhardertest.Start(t, w, aimhardertest.WithClock(clock))
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls, session.WithClock(clock.Now))
	svc = account.New(account.Config{Store: svc.Store(), Client: mustClient(t, urls), Owner: session.NewOwner("test"), Now: clock.Now})
	ctx := t.Context()
	if _, err := svc.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	box, err := svc.CurrentBox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tue := date(t, "2026-11-24")
	wod := classID(t, svc, box, tue, "WOD")
	if _, err := svc.Book(ctx, session.KindDevice, box, wod, tue, false); err != nil {
		t.Fatal(err)
	}
	if err := svc.Store().SetSetting(ctx, session.SettingFamilyID, "9001"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Book(ctx, session.KindDevice, box, wod, tue, false); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, e := range a.Entries {
		if e.State != account.AgendaBooked || e.ClassID != wod || e.Day != tue {
			t.Errorf("entry %+v", e)
		}
		who = append(who, "["+e.FamilyID+"]")
	}
	if got := strings.Join(who, " "); got != "[] [9001]" {
		t.Errorf("booked for %s, want the member and the family member", got)
	}
}

func mustClient(t *testing.T, urls aimhardertest.URLs) *aimharder.Client {
	t.Helper()
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	client, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// familyAgenda: the member booked Tuesday's and Wednesday's WOD; Leo, a
// named family member, has a pending prebooking of Tuesday's and a plan
// on Wednesday's. Extra options go to the fake.
func familyAgenda(t *testing.T, opts ...aimhardertest.Option) (*account.Service, session.Box, int64) {
	t.Helper()
	clock := aimhardertest.NewManualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	w := agendaWorld()
	w.Users[0].Family = []aimhardertest.MemberConfig{{ID: 9001, Name: "Leo"}, {ID: 9002, Name: "Eva"}}
	_, urls := aimhardertest.Start(t, w, append([]aimhardertest.Option{aimhardertest.WithClock(clock)}, opts...)...)
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls, session.WithClock(clock.Now))
	svc = account.New(account.Config{Store: svc.Store(), Client: mustClient(t, urls), Owner: session.NewOwner("test"), Now: clock.Now})
	ctx := t.Context()
	if _, err := svc.Login(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	box, err := svc.CurrentBox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Store().AddFamilyMember(ctx, "Leo", "9001"); err != nil {
		t.Fatal(err)
	}
	tue, wed := date(t, "2026-11-24"), date(t, "2026-11-25")
	tueWOD := classID(t, svc, box, tue, "WOD")
	for _, d := range []aimharder.Date{tue, wed} {
		if _, err := svc.Book(ctx, session.KindDevice, box, classID(t, svc, box, d, "WOD"), d, false); err != nil {
			t.Fatal(err)
		}
	}
	madrid := box.LocationOrDefault()
	if _, err := svc.Store().AddPrebooking(ctx, session.NewPrebooking{BoxID: box.ID, ClassID: tueWOD, Day: tue,
		ClassName: "WOD", ClassStart: time.Date(2026, 11, 24, 18, 0, 0, 0, madrid), FamilyID: "9001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Store().AddPlan(ctx, session.NewPlan{BoxID: box.ID, Days: session.AllWeekdays,
		Time: session.ClockTime{Hour: 18}, Class: "WOD", From: wed, Until: wed, FamilyID: "9001"}); err != nil {
		t.Fatal(err)
	}
	return svc, box, tueWOD
}

func familyLines(a account.Agenda) string {
	var b strings.Builder
	for _, e := range a.Entries {
		fmt.Fprintf(&b, "%s %s %s [%s] plan=%v pb=%v\n", e.Day, e.Name, e.State, e.FamilyID, e.PlanID != 0, e.PrebookingID != 0)
	}
	return b.String()
}

// A family member's prebooking or plan in a class the member booked is
// the family member's entry, not merged into the member's.
func TestAgendaKeepsEachPersonsEntries(t *testing.T) {
	svc, _, _ := familyAgenda(t)
	a, err := svc.Agenda(t.Context(), session.KindDevice, account.AgendaQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := `2026-11-24 WOD booked [] plan=false pb=false
2026-11-24 WOD prebooked [9001] plan=false pb=true
2026-11-25 WOD booked [] plan=false pb=false
2026-11-25 WOD planned [9001] plan=true pb=false
`
	if got := familyLines(a); got != want {
		t.Errorf("agenda:\n%s\nwant:\n%s", got, want)
	}
}

// A named family member whose bookings AimHarder refuses (a wrong id) is
// left out with a notice; the member's and the others' entries stay.
func TestAgendaSurvivesARefusedFamilyMember(t *testing.T) {
	svc, _, _ := familyAgenda(t, aimhardertest.WithRefusedFamily("9002"))
	ctx := t.Context()
	if _, err := svc.Store().AddFamilyMember(ctx, "Eva", "9002"); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Agenda(ctx, session.KindDevice, account.AgendaQuery{})
	if err != nil {
		t.Fatalf("one refused family member fails the agenda: %v", err)
	}
	if n := strings.Count(familyLines(a), "\n"); n != 4 {
		t.Errorf("agenda:\n%s\nwant the 4 entries of the member and Leo", familyLines(a))
	}
	if len(a.Notices) != 1 || !strings.Contains(a.Notices[0], "Eva") {
		t.Errorf("notices %q, want one naming Eva", a.Notices)
	}
}
