package aimhardertest

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStatusFaults(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	ana := f.login("ana@test.es", "fp")
	id := ana.classID("alpha", day, "07:00", "WOD")

	// Before processing: the booking does not happen.
	f.s.Inject(Fault{Kind: FaultStatus, Status: 503, Endpoints: []Endpoint{EndpointBook}, Times: 1})
	r := ana.postForm(ana.box("alpha")+"/api/book", bookForm(id, day))
	if r.status != 503 || !strings.Contains(string(r.body), "503 Service Unavailable") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("503: %d %s", r.status, r.body)
	}
	if rw := row(t, ana.bookings("alpha", day), "07:00", "WOD"); rw["bookState"] != nil {
		t.Fatalf("a 503 before processing booked: %v", rw)
	}
	// After processing: the booking happened, the reply was lost.
	f.s.Inject(Fault{Kind: FaultStatus, Status: 502, AfterProcessing: true, Endpoints: []Endpoint{EndpointBook}, Times: 1})
	if r := ana.postForm(ana.box("alpha")+"/api/book", bookForm(id, day)); r.status != 502 {
		t.Fatalf("502 after: %d", r.status)
	}
	if rw := row(t, ana.bookings("alpha", day), "07:00", "WOD"); rw["bookState"] != float64(1) {
		t.Fatalf("a 502 after processing must have booked: %v", rw)
	}
	last := f.s.Requests()
	var book Request
	for _, e := range last {
		if e.Endpoint == EndpointBook {
			book = e
		}
	}
	if book.Status != 502 || book.Code != "bookState=1" || len(book.Faults) != 1 || book.Faults[0] != "status=502-after" {
		t.Fatalf("log of a lost reply: %+v", book)
	}
	if f.s.PendingFaults() != 0 {
		t.Fatalf("spent faults must go")
	}

	// 500 and 504, geo-block, rate limit, login page: HTML bodies.
	for _, tc := range []struct {
		f      Fault
		status int
		text   string
	}{
		{Fault{Kind: FaultStatus, Status: 500}, 500, "500 Internal Server Error"},
		{Fault{Kind: FaultStatus, Status: 504}, 504, "504 Gateway Timeout"},
		{Fault{Kind: FaultGeoBlock}, 403, "403 Forbidden"},
		{Fault{Kind: FaultRateLimit}, 429, "429 Too Many Requests"},
		{Fault{Kind: FaultLoginPage}, 200, `name="pw"`},
	} {
		tc.f.Times = 1
		f.s.Inject(tc.f)
		r := ana.get(ana.box("alpha") + "/api/bookings?day=20261021&box=1001")
		if r.status != tc.status || !strings.Contains(string(r.body), tc.text) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("%v: %d %q", tc.f.Kind, r.status, r.body)
		}
	}
	// Targeted faults leave other endpoints alone, and Times counts down.
	f.s.Inject(Fault{Kind: FaultGeoBlock, Endpoints: []Endpoint{EndpointWhoami}, Times: 2})
	if r := ana.get(ana.box("alpha") + "/api/bookings?day=20261021&box=1001"); r.status != 200 {
		t.Fatalf("untargeted endpoint hit: %d", r.status)
	}
	for range 2 {
		if r := ana.get(f.u.Portal + "/api/whoami"); r.status != 403 {
			t.Fatalf("targeted endpoint: %d", r.status)
		}
	}
	if r := ana.get(f.u.Portal + "/api/whoami"); r.status != 200 {
		t.Fatalf("Times=2 must stop after two: %d", r.status)
	}
	// Until removed, and removable.
	id2 := f.s.Inject(Fault{Kind: FaultRateLimit, Endpoints: []Endpoint{EndpointWhoami}})
	for range 3 {
		if r := ana.get(f.u.Portal + "/api/whoami"); r.status != 429 {
			t.Fatalf("persistent fault: %d", r.status)
		}
	}
	f.s.RemoveFault(id2)
	if r := ana.get(f.u.Portal + "/api/whoami"); r.status != 200 {
		t.Fatalf("removed fault: %d", r.status)
	}
}

func bookForm(id int64, d interface{ Compact() string }) map[string][]string {
	return map[string][]string{"day": {d.Compact()}, "familyId": {""}, "id": {strconv.FormatInt(id, 10)}, "insist": {"0"}}
}

func TestProbabilisticFault(t *testing.T) {
	f := newFixture(t)
	ana := f.login("ana@test.es", "fp")
	f.s.Inject(Fault{Kind: FaultStatus, Status: 500, Probability: 0.5, Endpoints: []Endpoint{EndpointWhoami}})
	hit := 0
	for range 40 {
		if ana.get(f.u.Portal+"/api/whoami").status == 500 {
			hit++
		}
	}
	if hit == 0 || hit == 40 {
		t.Fatalf("p=0.5 hit %d of 40", hit)
	}
	// Seeded: the same world and sequence hits the same requests.
	g := newFixture(t)
	bob := g.login("ana@test.es", "fp")
	g.s.Inject(Fault{Kind: FaultStatus, Status: 500, Probability: 0.5, Endpoints: []Endpoint{EndpointWhoami}})
	hit2 := 0
	for range 40 {
		if bob.get(g.u.Portal+"/api/whoami").status == 500 {
			hit2++
		}
	}
	if hit != hit2 {
		t.Fatalf("not deterministic: %d vs %d", hit, hit2)
	}
}

func TestTruncateAndDrop(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	ana := f.login("ana@test.es", "fp")
	whole := ana.get(ana.box("alpha") + "/api/bookings?day=20261021&box=1001").body
	f.s.Inject(Fault{Kind: FaultTruncate, TruncateAt: 40, Times: 1})
	r := ana.get(ana.box("alpha") + "/api/bookings?day=20261021&box=1001")
	if r.status != 200 || string(r.body) != string(whole[:40]) || json.Valid(r.body) {
		t.Fatalf("truncated: %d %q", r.status, r.body)
	}
	if r.header.Get("Content-Length") != "40" {
		t.Fatalf("a truncated body is a complete HTTP reply: %q", r.header.Get("Content-Length"))
	}
	// A dropped connection before processing: no booking.
	id := ana.classID("alpha", day, "07:00", "WOD")
	f.s.Inject(Fault{Kind: FaultDrop, Endpoints: []Endpoint{EndpointBook}, Times: 1})
	if _, err := ana.try(http.MethodPost, ana.box("alpha")+"/api/book", "application/x-www-form-urlencoded", []byte("id="+strconv.FormatInt(id, 10)+"&day=20261021")); err == nil {
		t.Fatalf("drop: no error")
	}
	if rw := row(t, ana.bookings("alpha", day), "07:00", "WOD"); rw["bookState"] != nil {
		t.Fatalf("dropped before processing, yet booked")
	}
	// After processing: booked, reply lost.
	f.s.Inject(Fault{Kind: FaultDrop, AfterProcessing: true, Endpoints: []Endpoint{EndpointBook}, Times: 1})
	if _, err := ana.try(http.MethodPost, ana.box("alpha")+"/api/book", "application/x-www-form-urlencoded", []byte("id="+strconv.FormatInt(id, 10)+"&day=20261021")); err == nil {
		t.Fatalf("drop after: no error")
	}
	if rw := row(t, ana.bookings("alpha", day), "07:00", "WOD"); rw["bookState"] != float64(1) {
		t.Fatalf("dropped after processing, yet not booked")
	}
	var drops int
	for _, e := range f.s.Requests() {
		if len(e.Faults) > 0 && strings.HasPrefix(e.Faults[0], "drop") {
			drops++
			if e.Status != 0 {
				t.Fatalf("a dropped request logs status 0: %+v", e)
			}
		}
	}
	if drops != 2 {
		t.Fatalf("%d drops logged", drops)
	}
}

func TestLogoutFault(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	a, b := f.login("ana@test.es", "fp-a"), f.login("ana@test.es", "fp-b")
	id := a.classID("alpha", day, "07:00", "WOD")
	f.s.Inject(Fault{Kind: FaultLogout, Endpoints: []Endpoint{EndpointBook}, Times: 1})
	if out := a.book("alpha", id, day, false); out["logout"] != float64(1) {
		t.Fatalf("forced logout mid-flight: %v", out)
	}
	if b.whoami()["data"] == nil {
		t.Fatalf("only the caller's session dies")
	}
	f.s.Inject(Fault{Kind: FaultLogout, AllSessions: true, Times: 1})
	if out := b.whoami(); out["logout"] == nil {
		t.Fatalf("all sessions: %v", out)
	}
	if len(f.s.Sessions("ana@test.es")) != 0 {
		t.Fatalf("sessions left")
	}
}

func TestShapeVariants(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	ana := f.login("ana@test.es", "fp")
	id := ana.classID("alpha", day, "08:00", "WOD")
	res := ana.book("alpha", id, day, true)["id"].(string)

	f.s.SetShape(Shape{LimitWithWaitlist: true, NumbersAsStrings: true, PaddedNames: true, CompactTime: true, ExtraKeys: true})
	env := ana.bookings("alpha", day)
	r := row(t, env, "08:00", "WOD")
	if r["limit"] != "2 (2)" || r["id"] != strconv.FormatInt(id, 10) || r["idres"] != res || r["limitc"] != "2" || r["enabled"] != "1" {
		t.Fatalf("strings: %v", r)
	}
	if r["className"] != " WOD  " || r["boxName"] != "Alpha Box  " || r["time"] != "08:00-09:00" {
		t.Fatalf("padding/time: %q %q %q", r["className"], r["boxName"], r["time"])
	}
	if _, ok := r["extraInfo"]; !ok || env["isMember"] == nil {
		t.Fatalf("extra keys missing")
	}
	if _, ok := r["ocupation"].(float64); !ok {
		t.Fatalf("ocupation stays a number")
	}
	if gym := dig(ana.whoami(), "data").([]any)[0].(map[string]any)["roles"].([]any)[0].(map[string]any)["gym"]; gym != " Alpha Box   " {
		t.Fatalf("padded gym %q", gym)
	}
	next := ana.get(ana.box("alpha") + "/api/nextBookings?box=1001").obj()["nextClasses"].([]any)[0].(map[string]any)
	if next["id"] != res {
		t.Fatalf("nextBookings id as string: %v", next)
	}

	f.s.SetShape(Shape{FlagsAsBooleans: true, MissingOptional: true, ResMsgs: []any{"Aviso: box cerrado el 1 de noviembre", map[string]any{"msg": "x"}}})
	env = ana.bookings("alpha", day)
	r = row(t, env, "08:00", "WOD")
	if r["enabled"] != true || r["resadmin"] != false {
		t.Fatalf("booleans: %v", r)
	}
	for _, k := range []string{"hidden", "waitlist", "zoomid", "onlineclass"} {
		if _, ok := r[k]; ok {
			t.Fatalf("%s should be missing", k)
		}
	}
	if _, ok := env["seminars"]; ok {
		t.Fatalf("seminars should be missing")
	}
	if msgs, _ := env["resmsgs"].([]any); len(msgs) != 2 {
		t.Fatalf("resmsgs %v", env["resmsgs"])
	}
	// A shape fault for one request only, on top of the global shape.
	f.s.SetShape(Shape{})
	f.s.Inject(Fault{Kind: FaultShape, Shape: Shape{LimitWithWaitlist: true}, Times: 1, Endpoints: []Endpoint{EndpointBookings}})
	if r := row(t, ana.bookings("alpha", day), "08:00", "WOD"); r["limit"] != "2 (2)" {
		t.Fatalf("shape fault: %v", r["limit"])
	}
	if r := row(t, ana.bookings("alpha", day), "08:00", "WOD"); r["limit"] != float64(2) {
		t.Fatalf("shape fault must be spent: %v", r["limit"])
	}
}

func TestClockOffset(t *testing.T) {
	f := newFixture(t, WithClockOffset(1500*time.Millisecond))
	r := f.anon().get(f.u.Portal + "/api/whoami")
	if d := r.header.Get("Date"); d != "Tue, 20 Oct 2026 08:00:01 GMT" {
		t.Fatalf("Date %q", d)
	}
	e := f.s.Requests()[0]
	if !e.Arrived.Equal(t0.Add(1500*time.Millisecond)) || !e.ArrivedClock.Equal(t0) {
		t.Fatalf("arrival %v / %v", e.Arrived, e.ArrivedClock)
	}
	// Decisions use the offset: a window at T books when the clock shows T−1 ms and the server runs 1 ms ahead.
	opens := time.Date(2026, 10, 23, 17, 0, 0, 0, time.UTC)
	f.s.SetClockOffset(0)
	f.clock.Set(opens.Add(-time.Minute))
	c := f.login("ana@test.es", "fp")
	day := date(2026, 10, 27)
	id := c.classID("alpha", day, "19:00", "WOD")
	f.clock.Set(opens.Add(-time.Millisecond))
	wantRule(t, c.book("alpha", id, day, false), KeyTooEarlyDays)
	f.s.SetClockOffset(time.Millisecond)
	wantBookState(t, c.book("alpha", id, day, false), 1)
	f.s.SetClockOffset(-350 * time.Millisecond)
	if f.s.ClockOffset() != -350*time.Millisecond || !f.s.Now().Equal(opens.Add(-351*time.Millisecond)) {
		t.Fatalf("negative offset: %v", f.s.Now())
	}
}

func TestLatency(t *testing.T) {
	// Latency sleeps in real time; only lower bounds are asserted.
	s, u := Start(t, testWorld(), WithLatency(Latency{In: 20 * time.Millisecond, Out: 30 * time.Millisecond}))
	f := &fixture{t: t, s: s, u: u}
	sent := time.Now()
	f.anon().get(u.Portal + "/api/whoami")
	e := s.Requests()[0]
	if e.Arrived.Sub(sent) < 20*time.Millisecond || e.Completed.Sub(e.Arrived) < 30*time.Millisecond {
		t.Fatalf("arrived %v after sending, completed %v after arrival", e.Arrived.Sub(sent), e.Completed.Sub(e.Arrived))
	}
	s.SetLatency(Latency{})
	s.Inject(Fault{Kind: FaultLatency, Latency: Latency{Out: 25 * time.Millisecond, OutJitter: 5 * time.Millisecond}, Times: 1})
	f.anon().get(u.Portal + "/api/whoami")
	e = s.Requests()[1]
	if e.Completed.Sub(e.Arrived) < 25*time.Millisecond || len(e.Faults) != 1 || e.Faults[0] != "latency" {
		t.Fatalf("latency fault: %v %v", e.Completed.Sub(e.Arrived), e.Faults)
	}
	// A client that gives up during the inbound delay never arrives.
	s.SetLatency(Latency{In: 5 * time.Second})
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := impatient.Get(u.Portal + "/api/whoami"); err == nil {
		t.Fatalf("expected a client timeout")
	}
	if n := len(s.Requests()); n != 2 {
		t.Fatalf("%d requests logged; the abandoned one must not be", n)
	}
	s.SetLatency(Latency{})
}

func TestLatencyDelays(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ms := time.Millisecond
	// Jitter on both paths, up and down apart, and a tail of 1 in 20
	// requests 40 ms slower on the way up.
	l := Latency{In: 10 * ms, InJitter: 20 * ms, Out: 3 * ms, OutJitter: 2 * ms, TailOneIn: 20, TailIn: 40 * ms}
	const n = 20000
	tails := 0
	var sumIn time.Duration
	for range n {
		in, out := l.delays(rng)
		if out < 3*ms || out >= 5*ms {
			t.Fatalf("down %v, want [3ms, 5ms)", out)
		}
		switch {
		case in >= 10*ms && in < 30*ms:
		case in >= 50*ms && in < 70*ms:
			tails++
			in -= 40 * ms
		default:
			t.Fatalf("up %v: neither [10ms, 30ms) nor the tail [50ms, 70ms)", in)
		}
		sumIn += in
	}
	if tails < n/20*8/10 || tails > n/20*12/10 {
		t.Fatalf("%d of %d requests in the tail, want about 1 in 20", tails, n)
	}
	if mean := sumIn / n; mean < 19*ms || mean > 21*ms {
		t.Fatalf("mean up delay without the tail %v, want about 20ms (uniform 10–30 ms)", mean)
	}

	// The tail on the way down only; fixed paths draw nothing from the RNG.
	l = Latency{In: 30 * ms, Out: 10 * ms, TailOneIn: 1, TailOut: 40 * ms}
	if in, out := l.delays(rng); in != 30*ms || out != 50*ms {
		t.Fatalf("every request in the tail: up %v down %v, want 30ms 50ms", in, out)
	}
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	(Latency{In: 30 * ms, Out: 10 * ms}).delays(a)
	if a.Uint64() != b.Uint64() {
		t.Fatalf("a latency without jitter or tail drew from the RNG (the fake's tokens would change)")
	}

	// A latency fault stacks on the base latency; the likelier tail wins.
	sum := Latency{In: ms, InJitter: ms, TailOneIn: 50, TailIn: ms}.add(Latency{Out: 2 * ms, OutJitter: ms, TailOneIn: 10, TailIn: 5 * ms, TailOut: 6 * ms})
	want := Latency{In: ms, InJitter: ms, Out: 2 * ms, OutJitter: ms, TailOneIn: 10, TailIn: 5 * ms, TailOut: 6 * ms}
	if sum != want {
		t.Fatalf("add: %+v, want %+v", sum, want)
	}
	if got := want.add(Latency{TailOneIn: 100, TailIn: time.Second}); got != want {
		t.Fatalf("a rarer tail replaced a likelier one: %+v", got)
	}
}

func TestLatencyTail(t *testing.T) {
	// Every request in the tail: the extra delay applies on each path.
	// Real sleeps, so only lower bounds are asserted.
	s, u := Start(t, testWorld(), WithLatency(Latency{In: 5 * time.Millisecond, Out: 5 * time.Millisecond,
		TailOneIn: 1, TailIn: 30 * time.Millisecond, TailOut: 20 * time.Millisecond}))
	f := &fixture{t: t, s: s, u: u}
	sent := time.Now()
	f.anon().get(u.Portal + "/api/whoami")
	e := s.Requests()[0]
	if e.Arrived.Sub(sent) < 35*time.Millisecond || e.Completed.Sub(e.Arrived) < 25*time.Millisecond {
		t.Fatalf("arrived %v after sending, completed %v after arrival", e.Arrived.Sub(sent), e.Completed.Sub(e.Arrived))
	}
}
