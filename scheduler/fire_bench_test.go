package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// shiftedClock is the real clock — real waits, real timer and scheduling
// jitter — showing another wall time, so a benchmark op can start a few
// seconds before an opening without waiting for it, and the fake AimHarder
// and the client read the same time. Moving it is a clock step.
type shiftedClock struct{ shift atomic.Int64 }

func (c *shiftedClock) Now() time.Time                 { return time.Now().Add(time.Duration(c.shift.Load())) }
func (c *shiftedClock) NewTimer(d time.Duration) Timer { return RealClock{}.NewTimer(d) }
func (c *shiftedClock) set(t time.Time)                { c.shift.Store(int64(time.Until(t))) }

const (
	benchBox      = "benchbox"
	benchRushFrom = 150 * time.Millisecond
	benchCapacity = 10
)

// benchNetworks are the network paths BenchmarkFirePrecision runs over:
// In is the way up (client to AimHarder), Out the way down.
var benchNetworks = []struct {
	name string
	lat  aimhardertest.Latency
}{
	// 20 ms each way, every request alike.
	{"fixed", aimhardertest.Latency{In: 20 * time.Millisecond, Out: 20 * time.Millisecond}},
	// Each request's delay uniform in 10–30 ms, each way on its own.
	{"jitter", aimhardertest.Latency{In: 10 * time.Millisecond, InJitter: 20 * time.Millisecond,
		Out: 10 * time.Millisecond, OutJitter: 20 * time.Millisecond}},
	// The same, and 1 in 20 requests 40 ms slower on the way up (where it
	// makes a booking late and a ping's Date misleading).
	{"tail", aimhardertest.Latency{In: 10 * time.Millisecond, InJitter: 20 * time.Millisecond,
		Out: 10 * time.Millisecond, OutJitter: 20 * time.Millisecond, TailOneIn: 20, TailIn: 40 * time.Millisecond}},
	// 30 ms up, 10 ms down: splitting the round trip in halves is 10 ms off.
	{"asym", aimhardertest.Latency{In: 30 * time.Millisecond, Out: 10 * time.Millisecond}},
}

// benchDay0 is the day of the first op's class; its window opens two days
// before, at the class's time (sliding 2 days).
var benchDay0 = aimharder.Date{Year: 2026, Month: time.November, Day: 12}

// benchWorld has, every day, a class each minute from 09:00 to 09:59, each
// filled by 12 competitors for its 10 places from 150 ms after it opens.
func benchWorld() aimhardertest.World {
	var tmpl []aimhardertest.ClassTemplate
	for m := range 60 {
		tmpl = append(tmpl, aimhardertest.ClassTemplate{
			Start: fmt.Sprintf("09:%02d", m), Minutes: 1, Name: "HYROX", Coach: "Coach", Capacity: benchCapacity,
			Rush: benchCapacity + 2, RushDelay: benchRushFrom, RushSpread: 50 * time.Millisecond,
		})
	}
	return aimhardertest.World{
		Seed: 11,
		Boxes: []aimhardertest.BoxConfig{{ID: 777, Sub: benchBox, Name: "Bench Box", Timezone: "Europe/Madrid",
			Window: aimhardertest.WindowRule{Kind: aimhardertest.RuleSlidingDays, Days: 2}, Template: tmpl}},
		Users: []aimhardertest.UserConfig{{ID: 9001, Email: testEmail, Password: testPassword, Name: "Bench",
			Roles: []aimhardertest.RoleConfig{{Box: benchBox}}}},
	}
}

// benchOp is op k's class: its day, start and opening (server time).
func benchOp(k int) (day aimharder.Date, start, opening time.Time) {
	day = benchDay0.AddDays(k / 60)
	start = day.At(9, k%60, madrid)
	return day, start, start.AddDate(0, 0, -2)
}

// benchSide is one strategy's own fake AimHarder (same world, latency,
// offset and competitors as the others) and its clock.
type benchSide struct {
	name   string
	clock  *shiftedClock
	fake   *aimhardertest.Server
	urls   aimhardertest.URLs
	client *aimharder.Client
	creds  aimharder.Credentials

	late        []float64 // ms, server time: the decisive attempt's arrival minus the opening
	attempts    int
	maxAttempts int // the most booking requests one opening took
	wins        int
}

func newBenchSide(b *testing.B, name string, lat aimhardertest.Latency, offset time.Duration, clock *shiftedClock, est *ClockEstimator) *benchSide {
	s := &benchSide{name: name, clock: clock}
	_, _, opening := benchOp(0)
	s.clock.set(opening.Add(-time.Hour))
	s.fake, s.urls = aimhardertest.Start(b, benchWorld(), aimhardertest.WithClock(s.clock),
		aimhardertest.WithClockOffset(offset), aimhardertest.WithSessionLifetime(1000*time.Hour),
		aimhardertest.WithLatency(lat))
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	b.Cleanup(transport.CloseIdleConnections)
	cfg := aimharder.Config{LoginURL: s.urls.Login, PortalURL: s.urls.Portal, BoxURLTemplate: s.urls.BoxTemplate,
		HTTPClient: &http.Client{Transport: transport}, Now: s.clock.Now}
	if est != nil {
		cfg.Observe = est.Observe
	}
	var err error
	if s.client, err = aimharder.New(cfg); err != nil {
		b.Fatal(err)
	}
	return s
}

// result reads op k's outcome for this side from its fake's request log.
// The decisive attempt is the accepted one; else the first that was not
// too early (a refusal: the class was full); else the last one (all too
// early, so its lateness is negative).
func (s *benchSide) result(classID int64, opening time.Time) {
	var acceptedReq, onTime, last *aimhardertest.Request
	n := 0
	defer func() { s.attempts += n; s.maxAttempts = max(s.maxAttempts, n) }()
	for _, r := range s.fake.Requests() {
		if r.Endpoint != aimhardertest.EndpointBook || r.Form["id"] != itoa(classID) {
			continue
		}
		n++
		switch {
		case accepted(r) && acceptedReq == nil:
			acceptedReq = &r
		case onTime == nil && !r.Arrived.Before(opening):
			onTime = &r
		}
		last = &r
	}
	decisive := acceptedReq
	if decisive == nil {
		decisive = onTime
	}
	if decisive == nil {
		decisive = last
	}
	if decisive == nil {
		return
	}
	if acceptedReq != nil {
		s.wins++
	}
	s.late = append(s.late, float64(decisive.Arrived.Sub(opening))/float64(time.Millisecond))
}

func (s *benchSide) report(b *testing.B, prefix string) {
	sorted := slices.Clone(s.late)
	slices.Sort(sorted)
	pct := func(p float64) float64 {
		if len(sorted) == 0 {
			return 0
		}
		return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
	}
	b.ReportMetric(pct(0.50), prefix+"late-p50-ms")
	b.ReportMetric(pct(0.99), prefix+"late-p99-ms")
	b.ReportMetric(float64(s.attempts)/float64(b.N), prefix+"attempts/op")
	b.ReportMetric(float64(s.maxAttempts), prefix+"attempts-max")
	b.ReportMetric(100*float64(s.wins)/float64(b.N), prefix+"success-%")
}

// BenchmarkFirePrecision measures how close to a class's opening (by the
// server's clock) the booking lands and whether it wins the place, against
// the fake AimHarder on the real clock over several network paths
// (benchNetworks: fixed 20 ms each way, jitter, a heavy tail, asymmetric
// up and down), the server's clock 1.5 s behind, right, or 1.5 s ahead,
// and competitors filling the class from 150 ms after it opens. Each op is one
// opening, fired at the same time by three strategies, each against its
// own identical fake: ahtui's firing engine (clock probing, warm-up,
// staggered burst), naive-local (one shot at opening + 30 ms by the local
// clock) and naive-minute (one shot at the first whole minute at or after
// the opening by the local clock, as a cron job would).
//
// late-* is the server arrival of the accepted attempt minus the opening;
// for an op that lost the place, of the first attempt that was not too
// early (refused: full), else of the last one (too early: negative).
// attempts/op counts booking requests per opening, attempts-max the most
// one opening took. Run it with a fixed count, e.g.
//
//	go test ./scheduler -run '^$' -bench BenchmarkFirePrecision -benchtime 10x
//
// or one network with -bench 'BenchmarkFirePrecision/net=jitter'.
func BenchmarkFirePrecision(b *testing.B) {
	for _, net := range benchNetworks {
		b.Run("net="+net.name, func(b *testing.B) {
			for _, offset := range []time.Duration{-1500 * time.Millisecond, 0, 1500 * time.Millisecond} {
				b.Run(fmt.Sprintf("offset=%+.1fs", offset.Seconds()), func(b *testing.B) {
					benchFirePrecision(b, net.lat, offset)
				})
			}
		})
	}
}

func benchFirePrecision(b *testing.B, lat aimhardertest.Latency, offset time.Duration) {
	ctx := b.Context()
	ahtuiClock := &shiftedClock{}
	est := NewClockEstimator(ahtuiClock)
	ahtui := newBenchSide(b, "ahtui", lat, offset, ahtuiClock, est)
	local := newBenchSide(b, "naive-local", lat, offset, &shiftedClock{}, nil)
	minute := newBenchSide(b, "naive-minute", lat, offset, &shiftedClock{}, nil)

	store, err := session.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), session.WithClock(ahtui.clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc := account.New(account.Config{Store: store, Client: ahtui.client, Now: ahtui.clock.Now})
	login, err := svc.Login(ctx, testEmail, testPassword)
	if err != nil {
		b.Fatal(err)
	}
	box := login.Current
	if err := store.SetMemberWindow(ctx, box.ID, "2d"); err != nil {
		b.Fatal(err)
	}
	runner, err := NewRunner(Config{Store: store, Client: ahtui.client, Clock: ahtui.clock, Estimator: est,
		Owner: "bench-runner", NoKeeper: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []*benchSide{local, minute} {
		res, err := s.client.Login(ctx, testEmail, testPassword, "bench-"+s.name)
		if err != nil {
			b.Fatal(err)
		}
		s.creds = res.Credentials
	}
	ref := aimharder.BoxRef{ID: box.ID, Subdomain: benchBox, Location: madrid}

	b.ResetTimer()
	for k := range b.N {
		day, start, opening := benchOp(k)
		classID := ahtui.fake.Classes(benchBox, day)[k%60].ID
		// Each op starts a few seconds before its opening (server time), on
		// every side's clock; the first one of a day probes from scratch.
		lead := 3500 * time.Millisecond
		if e, ok := est.Estimate(); !ok || ahtui.clock.Now().Sub(e.MeasuredAt) > 5*time.Minute || k == 0 {
			lead = 9 * time.Second
		}
		for _, s := range []*benchSide{ahtui, local, minute} {
			s.clock.set(opening.Add(-offset - lead))
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			p, err := store.AddPrebooking(ctx, session.NewPrebooking{BoxID: box.ID, ClassID: classID, Day: day,
				ClassName: "HYROX", ClassStart: start, OpensAt: opening})
			if err != nil {
				b.Error(err)
				return
			}
			claimed, won, err := store.Claim(ctx, p.ID, runner.Owner())
			if err != nil || !won {
				b.Errorf("claim: %v %v", won, err)
				return
			}
			runner.fire(ctx, claimed)
		})
		wg.Go(func() { naiveShot(b, local, ref, classID, day, opening.Add(30*time.Millisecond)) })
		wg.Go(func() {
			// By its own clock; the openings are on whole minutes, so a cron
			// job's first run at or after one is the opening itself.
			shot := opening.Truncate(time.Minute)
			if shot.Before(opening) {
				shot = shot.Add(time.Minute)
			}
			naiveShot(b, minute, ref, classID, day, shot)
		})
		wg.Wait()
		for _, s := range []*benchSide{ahtui, local, minute} {
			s.result(classID, opening)
		}
		if testing.Verbose() {
			// With -v: the estimate (its arrival and typical arrival less
			// the true offset, so the way up's share) and each attempt's
			// arrival after the opening, * on the accepted one, in the
			// order they completed.
			e, _ := est.Estimate()
			line := fmt.Sprintf("op %d: arrival-offset %v ± %v, typical-offset %v ± %v, jitter %v, rtt %v; attempts (ms):", k,
				(e.Arrival - offset).Round(100*time.Microsecond), e.Spread.Round(100*time.Microsecond),
				(e.Typical - offset).Round(100*time.Microsecond), e.TypicalError.Round(100*time.Microsecond),
				e.Jitter.Round(100*time.Microsecond), e.RTT.Round(time.Millisecond))
			for _, r := range ahtui.fake.Requests() {
				if r.Endpoint == aimhardertest.EndpointBook && r.Form["id"] == itoa(classID) {
					mark := ""
					if accepted(r) {
						mark = "*"
					}
					line += fmt.Sprintf(" %+.1f%s", float64(r.Arrived.Sub(opening))/float64(time.Millisecond), mark)
				}
			}
			b.Log(line)
		}
	}
	b.StopTimer()
	ahtui.report(b, "")
	local.report(b, "naive-local-")
	minute.report(b, "naive-minute-")
}

// naiveShot sends one prepared booking when the side's (local) clock
// shows at. A wait longer than a couple of seconds is skipped by moving
// this side's clock (its own fake moves with it).
func naiveShot(b *testing.B, s *benchSide, ref aimharder.BoxRef, classID int64, day aimharder.Date, at time.Time) {
	prepared, err := s.client.PrepareBook(s.creds, ref, classID, day, aimharder.BookOptions{})
	if err != nil {
		b.Error(err)
		return
	}
	if wait := at.Sub(s.clock.Now()); wait > 5*time.Second {
		s.clock.set(at.Add(-time.Second))
	}
	if err := sleepUntil(context.Background(), s.clock, at, 0); err != nil {
		b.Error(err)
		return
	}
	_, _, _ = prepared.Send(context.Background())
}
