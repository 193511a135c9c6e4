//go:build soak

package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// The soak: two runner processes (the test binary re-executed, as `ahtui
// run` builds its runner) fire a member's prebookings on two boxes against
// the fake AimHarder for simulated days, while faults are injected at
// random — 5xx, 403, HTML where JSON was expected, truncated and dropped
// answers, latency spikes, forced logouts, server clock steps — and the
// runners are killed (SIGKILL) at random points and restarted. All
// processes share one simulated time (a warp plan: real speed around each
// opening, leaps in between). At the end it reports what happened to every
// prebooking and checks the promises: nothing fired twice, nothing lost,
// every miss explained by a disruption, the session alive.
//
// It builds only with the soak tag: go test -tags soak ./scheduler -run
// Soak. Length: AHTUI_SOAK_DAYS simulated days (default 0.5, the CI
// version, about 3 minutes); the long run is AHTUI_SOAK_DAYS=7 (about 25
// minutes; add -timeout 90m). AHTUI_SOAK_SEED picks the fault plan
// (default 1), AHTUI_SOAK_REPORT writes the report as JSON to a file,
// AHTUI_SOAK_PLANS=0 leaves the weekly plans out (soak_plans_test.go),
// AHTUI_SOAK_KEEP=dir keeps the runners' logs, events and database there.
func TestSoak(t *testing.T) {
	cfg := soakConfigFromEnv(t)
	s := newSoak(t, cfg)
	s.setUp()
	s.planFaults()
	s.run()
	rep := s.analyse()
	t.Log("\n" + rep.String())
	if cfg.reportPath != "" {
		if err := rep.save(cfg.reportPath); err != nil {
			t.Error(err)
		}
	}
	for _, problem := range rep.Failures {
		t.Error(problem)
	}
	if t.Failed() {
		s.dumpRunnerLogs()
	}
}

type soakConfig struct {
	days       float64
	seed       uint64
	reportPath string
	// idle leaps: simulated time jumps idleStep every idleEvery of real
	// time between openings (default 3 s every 4 ms: 750× real speed).
	// Faster, the runners fall behind: leadership changes hands on every
	// leap.
	idleStep, idleEvery time.Duration
	// plans: the weekly plans of soakPlans run alongside (CI's soak
	// included); oneOffs: the one-off prebookings of setUp are made.
	plans, oneOffs bool
	// fireRate: how much faster than real time the last seconds around
	// each opening run (1: real speed; the month of TestSoakPlans runs
	// them faster to fit in minutes).
	fireRate int64
	// The background session's lifetime at AimHarder and the member's
	// refresh_after.
	sessionLifetime time.Duration
	refreshAfter    string
}

func soakConfigFromEnv(t *testing.T) soakConfig {
	cfg := soakConfig{days: 0.5, seed: 1, idleStep: 3 * time.Second, idleEvery: 4 * time.Millisecond,
		reportPath: os.Getenv("AHTUI_SOAK_REPORT"), plans: true, oneOffs: true, fireRate: 1,
		sessionLifetime: soakSessionLifetime, refreshAfter: soakRefreshAfter}
	cfg.env(t)
	return cfg
}

// env reads the soak's environment over cfg's defaults.
func (cfg *soakConfig) env(t *testing.T) {
	if v := os.Getenv("AHTUI_SOAK_DAYS"); v != "" {
		d, err := strconv.ParseFloat(v, 64)
		if err != nil || d <= 0 || d > 60 {
			t.Fatalf("AHTUI_SOAK_DAYS=%q: want a number of days, up to 60", v)
		}
		cfg.days = d
	}
	if v := os.Getenv("AHTUI_SOAK_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("AHTUI_SOAK_SEED=%q: want a number", v)
		}
		cfg.seed = n
	}
	if v := os.Getenv("AHTUI_SOAK_PLANS"); v != "" {
		cfg.plans = v != "0"
	}
}

// The soak's member goes to two boxes. The first opens the classes of day
// D+2 at 07:00 on day D (fixed hour; the member told ahtui so); the second
// opens each class 4 days ahead at its own start time, which ahtui learns
// from the first "too early" answer. Competitors rush most classes from
// 150 ms after the opening, so a late fire finds them full.
const (
	soakFixedBox = "soakfix"
	soakSlideBox = "soakslide"
	soakEmail    = "soak@ahtui.test"
	soakPassword = "soak-password-2026"
)

func soakWorld(seed uint64) aimhardertest.World {
	rush := func(start, name string, capacity, rushers int) aimhardertest.ClassTemplate {
		return aimhardertest.ClassTemplate{Start: start, Name: name, Capacity: capacity, Coach: "Coach",
			Rush: rushers, RushDelay: 150 * time.Millisecond, RushSpread: 400 * time.Millisecond}
	}
	return aimhardertest.World{
		Seed: int64(seed),
		Boxes: []aimhardertest.BoxConfig{
			{
				ID: 601, Sub: soakFixedBox, Name: "Soak Fixed", Timezone: "Europe/Madrid",
				Window:    aimhardertest.WindowRule{Kind: aimhardertest.RuleFixedHour, Days: 2, Hour: 7},
				MinNotice: 15 * time.Minute, WaitlistCapacity: 3,
				Template: []aimhardertest.ClassTemplate{
					rush("08:00", "WOD", 12, 14), rush("12:00", "OPEN BOX", 20, 0),
					rush("17:00", "HYROX", 10, 12), rush("19:00", "WOD", 12, 14),
				},
			},
			{
				ID: 602, Sub: soakSlideBox, Name: "Soak Sliding", Timezone: "Europe/Madrid",
				Window:    aimhardertest.WindowRule{Kind: aimhardertest.RuleSlidingDays, Days: 4},
				MinNotice: 15 * time.Minute, WaitlistCapacity: 3,
				Template: []aimhardertest.ClassTemplate{
					rush("10:00", "YOGA", 10, 12), rush("16:30", "CROSSFIT", 8, 10),
				},
			},
		},
		Users: []aimhardertest.UserConfig{{
			ID: 9001, Email: soakEmail, Password: soakPassword, Name: "Soak Member", Language: "es",
			Roles: []aimhardertest.RoleConfig{{Box: soakFixedBox}, {Box: soakSlideBox}},
		}},
	}
}

// Sessions far shorter than AimHarder's ~30 minutes, so the keeper's
// cadence is tested on every day of the soak.
const (
	soakSessionLifetime = 6 * time.Minute
	soakRefreshAfter    = "2m"
)

// soakStart is the simulated start: a Monday, 05:00 in Madrid.
var soakStart = time.Date(2026, 11, 30, 5, 0, 0, 0, madrid)

// soakClock is the parent's clock: the start instant while it sets up,
// then the warp plan.
type soakClock struct {
	warp atomic.Pointer[warpClock]
}

func (c *soakClock) Now() time.Time {
	if w := c.warp.Load(); w != nil {
		return w.Now()
	}
	return soakStart
}

// disruption is something the soak did that may keep a prebooking from
// being booked on time, from..to in simulated time.
type disruption struct {
	Kind     string    `json:"kind"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Detail   string    `json:"detail,omitempty"`
	Opening  bool      `json:"opening,omitempty"` // aimed at an opening
	Executed bool      `json:"executed"`

	explains string // byFault, byLogout…
	fault    string // for byFault: the fault kind's name in the fake's request log
	applied  int    // for byFault: requests it met
}

// soakAction is a step of the fault plan, at a simulated time.
type soakAction struct {
	at time.Time
	do func()
}

type soak struct {
	t      *testing.T
	cfg    soakConfig
	rng    *rand.Rand
	dir    string
	clock  *soakClock
	fake   *aimhardertest.Server
	urls   aimhardertest.URLs
	db     string
	store  *session.Store
	client *aimharder.Client // the parent's, for setting up and the final check

	end      time.Time
	openings []time.Time // distinct instants, sorted
	plan     *warpPlan
	planPath string

	actions []soakAction

	mu          sync.Mutex
	disruptions []*disruption
	runners     [2]*soakRunner
	generation  int
	kills       []soakKill
	lives       []soakLife  // every runner process, from start to kill or stop
	onAccept    *disruption // kill the leader at the next accepted booking
	stopping    atomic.Bool // the runners were asked to stop
	prebooked   int         // prebookings made in setUp
	svc         *account.Service
	boxes       map[string]session.Box
	planSoak             // the weekly plans' part (soak_plans_test.go)
	crashed     []string // runners that exited without being told to
	startedAt   time.Time
}

type soakRunner struct {
	owner  string
	cmd    *exec.Cmd
	done   chan struct{}
	killed atomic.Bool // by the soak: its exit says nothing
	err    error       // cmd.Wait's, once done is closed
}

type soakLife struct {
	owner    string
	from, to time.Time // to is zero while it runs
}

type soakKill struct {
	Owner string    `json:"owner"`
	At    time.Time `json:"at"`
}

func newSoak(t *testing.T, cfg soakConfig) *soak {
	s := &soak{t: t, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.seed, 0x50a4)), dir: t.TempDir(), clock: &soakClock{}}
	if keep := os.Getenv("AHTUI_SOAK_KEEP"); keep != "" {
		// The runners' logs, events and database stay there for a look.
		if err := os.MkdirAll(keep, 0o755); err != nil {
			t.Fatal(err)
		}
		s.dir = keep
	}
	s.end = soakStart.Add(time.Duration(cfg.days * float64(24*time.Hour)))
	s.db = filepath.Join(s.dir, "ahtui.db")
	s.fake, s.urls = aimhardertest.Start(t, soakWorld(cfg.seed), aimhardertest.WithClock(s.clock),
		aimhardertest.WithRequestLog(s.requestSeen))
	store, err := session.Open(t.Context(), s.db, session.WithClock(s.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s.store = store
	return s
}

// setUp logs the member in, as `ahtui login` would, sets password_command
// and the fixed box's window, and prebooks every class the soak watches:
// on the fixed box, the four classes of each day D+2 (opening 07:00 on day
// D); on the sliding box, the two classes of each day D+4 (opening at their
// start time on day D); for each day D of the soak.
func (s *soak) setUp() {
	t, ctx := s.t, s.t.Context()
	client, err := aimharder.New(aimharder.Config{LoginURL: s.urls.Login, PortalURL: s.urls.Portal,
		BoxURLTemplate: s.urls.BoxTemplate, Now: s.clock.Now,
		HTTPClient: &http.Client{Transport: &http.Transport{}}})
	if err != nil {
		t.Fatal(err)
	}
	s.client = client
	svc := account.New(account.Config{Store: s.store, Client: client, Now: s.clock.Now})
	login, err := svc.Login(ctx, soakEmail, soakPassword)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	boxes := map[string]session.Box{}
	for _, b := range login.Boxes {
		boxes[b.Subdomain] = b
	}
	if len(boxes) != 2 {
		t.Fatalf("login found boxes %v", login.Boxes)
	}
	if err := s.store.SetMemberWindow(ctx, boxes[soakFixedBox].ID, "2d@07:00"); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetSetting(ctx, session.SettingPasswordCommand, "echo soak"); err != nil {
		t.Fatal(err)
	}
	// Short sessions: AimHarder ends a session soakSessionLifetime after
	// its last refresh, and the member set refresh_after to suit.
	s.fake.SetSessionLifetime(s.cfg.sessionLifetime)
	if err := s.store.SetSetting(ctx, session.SettingRefreshAfter, s.cfg.refreshAfter); err != nil {
		t.Fatal(err)
	}
	for sub := range boxes {
		if boxes[sub], err = s.store.Box(ctx, boxes[sub].ID); err != nil {
			t.Fatal(err)
		}
	}

	s.svc, s.boxes = svc, boxes
	seen := map[time.Time]bool{}
	if s.cfg.plans {
		for _, at := range s.addPlans() {
			seen[at.UTC()] = true
		}
	}
	first := aimharder.DateOf(soakStart)
	n := 0
	for day := first; s.cfg.oneOffs && day.In(madrid).Before(s.end); day = day.AddDays(1) {
		for sub, ahead := range map[string]int{soakFixedBox: 2, soakSlideBox: 4} {
			for _, c := range s.fake.Classes(sub, day.AddDays(ahead)) {
				// The opening must be ahead, and its whole approach inside the soak.
				if !c.OpensAt.After(soakStart.Add(30*time.Minute)) || !c.OpensAt.Before(s.end.Add(-5*time.Minute)) {
					continue
				}
				if s.planClasses[c.ID] {
					continue // the plans book it
				}
				n++
				res, err := svc.Prebook(ctx, session.KindDevice, boxes[sub], c.ID, c.Date, n%2 == 0)
				if err != nil {
					t.Fatalf("prebook %s %s %s: %v", sub, c.Date, c.Name, err)
				}
				if res.Booked != nil {
					t.Fatalf("prebook %s %s %s booked at once: its window was open", sub, c.Date, c.Name)
				}
				if !res.Prebooking.OpensAt.Equal(c.OpensAt) {
					t.Fatalf("prebook %s %s %s: ahtui expects the opening at %v, the box opens it at %v",
						sub, c.Date, c.Name, res.Prebooking.OpensAt, c.OpensAt)
				}
				seen[c.OpensAt.UTC()] = true
			}
		}
	}
	if n == 0 && s.cfg.oneOffs {
		t.Fatal("the soak found no class to prebook")
	}
	s.prebooked = n
	for at := range seen {
		s.openings = append(s.openings, at)
	}
	slices.SortFunc(s.openings, func(a, b time.Time) int { return a.Compare(b) })
}

// run builds the warp plan, starts two runners and plays the fault plan
// until the simulated end. Then the faults are cleared, both runners run
// for a quiet half hour (a session an outage killed at the end must come
// back by itself), and they are asked to stop.
func (s *soak) run() {
	t := s.t
	b := newWarpBuilder(soakStart)
	b.run(3*time.Second, 1) // the runners start, take the lease, look around
	for _, at := range s.openings {
		b.leap(b.until(at.Add(-3*time.Minute)), s.cfg.idleStep, s.cfg.idleEvery)
		// Claims, leases and the fresh session from T−60 s: 10× real speed
		// keeps their heartbeats and deadlines in proportion (at 100× a
		// 100 ms stall of a runner would look like 10 s, and its claim
		// like a dead runner's).
		b.leap(b.until(at.Add(-75*time.Second)), time.Second, 10*time.Millisecond)
		b.run(b.until(at.Add(-16*time.Second)), 10)
		b.run(b.until(at.Add(4*time.Second)), s.cfg.fireRate)
		// Late fires, takeovers and confirmations: 10× still.
		b.run(b.until(at.Add(time.Minute)), 10)
	}
	b.leap(b.until(s.end), s.cfg.idleStep, s.cfg.idleEvery)
	b.leap(soakCooldown, s.cfg.idleStep, s.cfg.idleEvery)
	s.startedAt = time.Now()
	s.plan = b.finish(s.startedAt)
	t.Logf("warp plan: %d openings, %.2f simulated days in about %s of real time", len(s.openings), s.cfg.days,
		b.real.Round(time.Second))
	s.planPath = filepath.Join(s.dir, "warp.json")
	if err := s.plan.save(s.planPath); err != nil {
		t.Fatal(err)
	}
	clock := warpClock{plan: s.plan}
	s.clock.warp.Store(&clock)

	for slot := range s.runners {
		s.startRunner(slot)
	}
	slices.SortStableFunc(s.actions, func(a, b soakAction) int { return a.at.Compare(b.at) })
	ctx := t.Context()
	for _, a := range s.actions {
		if !a.at.Before(s.end) {
			break
		}
		if !s.sleepUntil(ctx, clock, a.at) {
			return
		}
		a.do()
	}
	s.sleepUntil(ctx, clock, s.end)
	s.fake.ClearFaults()
	s.armKillOnAccept(nil) // restarts any runner still down
	s.sleepUntil(ctx, clock, s.end.Add(soakCooldown))
	s.stopRunners()
}

// soakCooldown: after the end, faults cleared, the runners run this long
// before the session is judged.
const soakCooldown = 30 * time.Minute

// sleepUntil waits in real time until simulated time reaches at.
func (s *soak) sleepUntil(ctx context.Context, clock warpClock, at time.Time) bool {
	wait := s.plan.realAt(at) - clock.offset()
	if wait <= 0 {
		return true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

func (s *soak) startRunner(slot int) {
	s.mu.Lock()
	s.generation++
	owner := fmt.Sprintf("soak-%d-%d", slot, s.generation)
	s.mu.Unlock()
	logFile, err := os.Create(filepath.Join(s.dir, owner+".log"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envSoakChild+"=1", envSoakDB+"="+s.db,
		envSoakURLs+"="+s.urls.Login+" "+s.urls.Portal+" "+s.urls.BoxTemplate,
		envSoakPlan+"="+s.planPath, envSoakOwner+"="+owner,
		envSoakEvents+"="+filepath.Join(s.dir, owner+".events"), envSoakPassword+"="+soakPassword)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	r := &soakRunner{owner: owner, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = cmd.Wait()
		if !r.killed.Load() && (r.err != nil || !s.stopping.Load()) {
			s.mu.Lock()
			s.crashed = append(s.crashed, fmt.Sprintf("%s (%v)", owner, r.err))
			s.mu.Unlock()
		}
	}()
	s.mu.Lock()
	s.runners[slot] = r
	s.lives = append(s.lives, soakLife{owner: owner, from: s.clock.Now()})
	s.mu.Unlock()
	s.t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.killed.Store(true)
			_ = cmd.Process.Kill()
			<-r.done
		}
	})
}

// kill SIGKILLs the runner in slot, if one runs, and returns its owner.
func (s *soak) kill(slot int) string {
	s.mu.Lock()
	r := s.runners[slot]
	s.runners[slot] = nil
	s.mu.Unlock()
	if r == nil {
		return ""
	}
	r.killed.Store(true)
	_ = r.cmd.Process.Kill()
	<-r.done
	s.mu.Lock()
	s.kills = append(s.kills, soakKill{Owner: r.owner, At: s.clock.Now()})
	s.endLifeLocked(r.owner)
	s.mu.Unlock()
	return r.owner
}

func (s *soak) endLifeLocked(owner string) {
	for i := range s.lives {
		if s.lives[i].owner == owner && s.lives[i].to.IsZero() {
			s.lives[i].to = s.clock.Now()
		}
	}
}

// runningAt reports how many runners were running at t.
func (s *soak) runningAt(t time.Time) int {
	n := 0
	for _, l := range s.lives {
		if !l.from.After(t) && (l.to.IsZero() || l.to.After(t)) {
			n++
		}
	}
	return n
}

// leaderSlot is the slot of the runner that holds the runner lease (or
// the first running one).
func (s *soak) leaderSlot() int {
	lease, err := s.store.CurrentRunnerLease(s.t.Context(), RunnerLeaseName)
	s.mu.Lock()
	defer s.mu.Unlock()
	first := 0
	for slot := len(s.runners) - 1; slot >= 0; slot-- {
		r := s.runners[slot]
		if r != nil && err == nil && r.owner == lease.Owner {
			return slot
		}
		if r != nil {
			first = slot
		}
	}
	return first
}

// stopRunners asks the runners to stop (SIGTERM), waits for them and
// requires a clean exit: a runner that fails on the way out, dropped
// events or (under -race) found a data race exits non-zero.
func (s *soak) stopRunners() {
	s.mu.Lock()
	running := s.runners
	s.runners = [2]*soakRunner{}
	s.mu.Unlock()
	s.stopping.Store(true)
	for _, r := range running {
		if r != nil {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, r := range running {
		if r == nil {
			continue
		}
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			r.killed.Store(true)
			_ = r.cmd.Process.Kill()
			<-r.done
			s.t.Errorf("runner %s did not stop within 30 s of SIGTERM", r.owner)
		}
		s.mu.Lock()
		s.endLifeLocked(r.owner)
		s.mu.Unlock()
	}
}

func (s *soak) dumpRunnerLogs() {
	logs, _ := filepath.Glob(filepath.Join(s.dir, "*.log"))
	for _, path := range logs {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		s.t.Logf("--- end of %s:\n%s", filepath.Base(path), b)
	}
}
