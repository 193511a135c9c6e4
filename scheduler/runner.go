package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// RunnerLeaseName is the runner lease the firing leader holds; `ahtui
// status` reads it under this name.
const RunnerLeaseName = "prebookings"

// Timing holds the scheduler's intervals; zero fields take the defaults
// below. Tests shorten some of them.
type Timing struct {
	LeaseTTL      time.Duration // runner lease lifetime without a heartbeat (10 s)
	Heartbeat     time.Duration // lease renewal, takeover attempts and claim heartbeats (3 s)
	ArmAhead      time.Duration // claim, refresh and take the session lease this long before T (60 s)
	EstimateAhead time.Duration // start probing the server clock (15 s)
	WarmAhead     time.Duration // warm the connections (2 s)
	Burst         time.Duration // keep retrying "too early" this long after T (3 s)
	Recheck       time.Duration // longest single wait; the wall clock is read again after it (2 s)
	Scan          time.Duration // how often the leader looks for due prebookings (2 s)
	// StaleAfter: a firing claim whose heartbeat (fired_at, refreshed every
	// Heartbeat by the runner firing it) is this old, held by a runner that
	// is not the live leader, is taken over (LeaseTTL, at least three
	// heartbeats).
	StaleAfter time.Duration
	// Near: from this long before an opening until Burst after it, the
	// runner firing a prebooking refreshes its claim every FastBeat, and
	// every runner watches the claims of the others; one whose heartbeat
	// is older than FastStale there, and whose runner has not passed its
	// send gate, is taken over at once (watch.go) — its runner died or
	// hung right before the opening (12 s, 40 ms, 200 ms). A claim past
	// its send gate is taken over only after StaleAfter: fire once.
	Near, FastBeat, FastStale time.Duration
	HealthHorizon             time.Duration // warn about a dead session this long before a prebooking (6 h)
	HealthEvery               time.Duration // health check cadence (1 min)
}

func (t Timing) withDefaults() Timing {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&t.LeaseTTL, 10*time.Second)
	def(&t.Heartbeat, 3*time.Second)
	def(&t.ArmAhead, time.Minute)
	def(&t.EstimateAhead, 15*time.Second)
	def(&t.WarmAhead, 2*time.Second)
	def(&t.Burst, 3*time.Second)
	def(&t.Recheck, DefaultRecheck)
	def(&t.Scan, 2*time.Second)
	def(&t.StaleAfter, t.LeaseTTL)
	t.StaleAfter = max(t.StaleAfter, 3*t.Heartbeat)
	def(&t.Near, 12*time.Second)
	def(&t.FastBeat, 40*time.Millisecond)
	def(&t.FastStale, 200*time.Millisecond)
	t.FastStale = max(t.FastStale, 3*t.FastBeat)
	def(&t.HealthHorizon, 6*time.Hour)
	def(&t.HealthEvery, time.Minute)
	return t
}

// Config wires a Runner.
type Config struct {
	Store  *session.Store    // required
	Client *aimharder.Client // required; build it with Observe: Estimator.Observe
	Clock  Clock             // default RealClock
	Logger *slog.Logger      // default: discard
	Owner  string            // lease and claim owner; default session.NewOwner("runner")
	// Estimator is the server-clock estimator wired into Client's Observe;
	// default: a new one that only learns from its own probes.
	Estimator *ClockEstimator
	// PasswordCommand replaces how password_command is run (tests).
	PasswordCommand func(ctx context.Context, command string) (string, error)
	// KeepDevice also keeps the device session alive (a process with an
	// open TUI). The background session is always kept, unless NoKeeper.
	KeepDevice bool
	NoKeeper   bool
	// KeeperCheck and KeeperJitter override the keeper's cadence (tests).
	KeeperCheck, KeeperJitter time.Duration
	Timing                    Timing
	// Notify tunes the notify_command hook (notify.go), on by default: it
	// runs only when the member set notify_command.
	Notify NotifyConfig
}

// Runner is one process's scheduler.
type Runner struct {
	store     *session.Store
	client    *aimharder.Client
	svc       *account.Service // owner r.owner: rotations inside the fire lease, day re-reads
	clock     Clock
	events    *Broker
	log       *slog.Logger
	owner     string
	estimator *ClockEstimator
	keeper    *keeper
	timing    Timing
	notify    NotifyConfig
	// finishRetry bounds the retries of an outcome the database is too
	// busy to store (finishRetryFor); leaseWait, the wait for the
	// background session's lease before a fire (sessionLeaseWait). Tests
	// shorten them.
	finishRetry, leaseWait time.Duration
	// beforeBeat, when set, runs before each write of a claim's heartbeat
	// (tests: a runner whose heartbeat stalls).
	beforeBeat func(id int64)
	// beforeJudge, when set, runs before the burst judges each answer
	// (tests: a collector slower than the attempts).
	beforeJudge func(err error)
	// beforeFinish, when set, runs before a fire stores its outcome
	// (tests: a runner slow to store).
	beforeFinish func(id int64)

	mu       sync.Mutex
	active   map[int64]bool // prebookings this runner is firing
	isLeader bool
	// unwritable: the database could not be written the last time it was
	// tried (storeTrouble); cleared by the next write that succeeds.
	unwritable bool
	// sessionChecked: the opening whose fires last asked AimHarder whether
	// the background session lives (checkSession).
	sessionChecked time.Time

	leaseMu    sync.Mutex // the background session lease shared by concurrent fires
	leaseUsers int

	weekly *weeklyState // weekly plans (weekly.go)
	// resolveReads counts the day reads made to find classes of
	// prebookings made by name at their opening (fire_resolve.go).
	resolveReads atomic.Int64

	clockMu     sync.Mutex
	clockLatest ClockEstimate
	clockHasNew bool
	clockSignal chan struct{}
}

// NewRunner checks cfg and returns a Runner; nothing runs until Run.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.Store == nil || cfg.Client == nil {
		return nil, errors.New("scheduler: a store and a client are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Owner == "" {
		cfg.Owner = session.NewOwner("runner")
	}
	if cfg.Estimator == nil {
		cfg.Estimator = NewClockEstimator(cfg.Clock)
	}
	r := &Runner{
		store:     cfg.Store,
		client:    cfg.Client,
		clock:     cfg.Clock,
		events:    newBroker(),
		log:       cfg.Logger,
		owner:     cfg.Owner,
		estimator: cfg.Estimator,
		timing:    cfg.Timing.withDefaults(),
		notify:    cfg.Notify,
		active:    map[int64]bool{},
		weekly:    newWeeklyState(),

		finishRetry: finishRetryFor,
		leaseWait:   sessionLeaseWait,

		clockSignal: make(chan struct{}, 1),
	}
	newService := func(owner string) *account.Service {
		return account.New(account.Config{Store: cfg.Store, Client: cfg.Client, Owner: owner,
			Now: cfg.Clock.Now, Logger: cfg.Logger, PasswordCommand: cfg.PasswordCommand})
	}
	r.svc = newService(cfg.Owner)
	r.estimator.setOnUpdate(r.clockEstimated)
	if !cfg.NoKeeper {
		kinds := []session.Kind{session.KindBackground}
		if cfg.KeepDevice {
			kinds = append(kinds, session.KindDevice)
		}
		// The keeper rotates under its own owner name, so a fire's session
		// lease keeps it from rotating the token mid-flight.
		k, err := newKeeper(keeperConfig{Account: newService(cfg.Owner + "/keeper"), Clock: cfg.Clock,
			Events: r.events, Logger: cfg.Logger, Kinds: kinds,
			CheckEvery: cfg.KeeperCheck, Jitter: cfg.KeeperJitter})
		if err != nil {
			return nil, err
		}
		r.keeper = k
	}
	return r, nil
}

// Events is the broker the runner publishes to.
func (r *Runner) Events() *Broker { return r.events }

// Owner is the name this runner holds leases and claims under.
func (r *Runner) Owner() string { return r.owner }

// Estimator is the runner's server-clock estimator.
func (r *Runner) Estimator() *ClockEstimator { return r.estimator }

// Leader reports whether this runner currently fires prebookings.
func (r *Runner) Leader() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.isLeader
}

// Run works until ctx ends, then stops cleanly: no new prebooking is
// armed, armed ones that have not started firing go back to pending, a
// burst already under way finishes and stores its outcome, and the leases
// are given back. It returns once every goroutine it started has ended,
// and the notify_command runs for its last outcomes have ended (bounded by
// NotifyConfig.Grace).
func (r *Runner) Run(ctx context.Context) error {
	if !r.notify.Disabled {
		// Subscribed before anything runs, stopped after everything
		// published: every outcome of this run is notified.
		n := startNotifier(r.events, r.store, r.log, r.notify, r.Leader)
		defer n.stop()
	}
	var wg sync.WaitGroup
	if r.keeper != nil {
		wg.Go(func() { _ = r.keeper.Run(ctx) })
	}
	wg.Go(func() { r.watchHealth(ctx) })
	wg.Go(func() { r.relayClock(ctx) })
	wg.Go(func() { r.watch(ctx) })
	wg.Go(func() { r.record(ctx) })
	r.lead(ctx)
	wg.Wait()
	return nil
}

func (r *Runner) publish(e Event) {
	r.log.Info(e.String())
	r.events.publish(e)
}

func (r *Runner) setActive(id int64, on bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		if r.active[id] {
			return false
		}
		r.active[id] = true
		return true
	}
	delete(r.active, id)
	return true
}

func (r *Runner) isActive(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.active[id]
}

// Housekeeping of the leader.
const (
	reconcileEvery = 30 * time.Second
	pruneEvery     = 24 * time.Hour
	// HistoryKeep is how long history lines are kept.
	HistoryKeep = 180 * 24 * time.Hour
	// CacheKeepDays is how many past days of class lists are kept.
	CacheKeepDays = 7
)

// engine is the leader's loop: every Scan it brings pending prebookings'
// openings up to date with their box's rule (at once when a box changed,
// by this process or another: boxesWatch; else every reconcileEvery), arms the ones due within
// ArmAhead, and takes over claims left by a runner that died; once a day
// it prunes old history and cached class lists. It returns when ctx ends,
// after every fire it started has finished.
func (r *Runner) engine(ctx context.Context) {
	var fires sync.WaitGroup
	defer fires.Wait()
	watches := r.startClassWatches(ctx, &fires) // class watches (classwatch.go)
	var lastReconcile, lastPrune time.Time
	boxes := boxesWatch{}
	for ctx.Err() == nil {
		now := r.clock.Now()
		if lastReconcile.IsZero() || now.Sub(lastReconcile) >= reconcileEvery || now.Before(lastReconcile) {
			r.reconcileOpenings(ctx)
			lastReconcile = now
		}
		if lastPrune.IsZero() || now.Sub(lastPrune) >= pruneEvery || now.Before(lastPrune) {
			r.prune(ctx, now)
			lastPrune = now
		}
		// Arm first: the plan pass reads AimHarder and may take a while,
		// and nothing due waits for it. Then again, so an occurrence the
		// pass re-resolved right before its opening is armed with the
		// right class.
		r.armDue(ctx, &fires)
		r.planTick(ctx)
		r.armDue(ctx, &fires)
		r.takeOverStale(ctx, &fires)
		watches.poke()
		// Read after arming, so a wake-up for an opening arms first.
		if boxes.changed(ctx, r.store) {
			now := r.clock.Now()
			moved := r.reconcileOpenings(ctx)
			lastReconcile = now
			r.publish(BoxesChanged{At: now, Moved: moved})
			continue // an opening may have moved within ArmAhead: arm it now
		}
		if err := r.engineSleep(ctx, r.nextScan(ctx)); err != nil {
			return
		}
	}
}

// nextScan is when the engine should look again: after Scan, or sooner
// when a prebooking must be armed before that.
func (r *Runner) nextScan(ctx context.Context) time.Time {
	now := r.clock.Now()
	next := now.Add(r.timing.Scan)
	pending, err := r.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending}, Limit: 1})
	if err == nil && len(pending) == 1 && !pending[0].OpensAt.IsZero() {
		if arm := r.localAt(pending[0].OpensAt.Add(-r.timing.ArmAhead)); arm.Before(next) {
			next = arm
		}
	}
	if plans := r.planWakeAt(); !plans.IsZero() && plans.Before(next) {
		next = plans
	}
	return next
}

func (r *Runner) armDue(ctx context.Context, fires *sync.WaitGroup) {
	// Openings are in AimHarder's time: arm by its clock.
	due, err := r.store.DuePrebookings(ctx, r.serverNow().Add(r.timing.ArmAhead))
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("cannot list due prebookings", "err", err)
		}
		return
	}
	for _, p := range due {
		if r.isActive(p.ID) {
			continue
		}
		claimed, won, err := r.store.Claim(ctx, p.ID, r.owner)
		if err != nil || !won {
			continue // another runner has it, or it was removed meanwhile
		}
		r.startFire(ctx, fires, claimed)
	}
}

// sendingQuiet is how long after its send gate a fire's own schedule has
// stopped sending (keepTrying ends keepTryingFor after the opening, its
// last request gets keepTryingSendGrace), plus StaleAfter: a claim past
// its gate is not taken over sooner (docs/product.md invariant 6), so a
// runner that only stalled is not sending while another does.
func (r *Runner) sendingQuiet() time.Duration {
	return r.timing.Burst + keepTryingFor + keepTryingSendGrace + r.timing.StaleAfter
}

// takeOverStale claims prebookings left firing by a runner that died or
// hung mid-fire: a claim whose heartbeat (fired_at, refreshed every
// Heartbeat while its runner works on it) is older than StaleAfter, held
// by a runner that is not the live leader — or by this runner when none of
// its fires has it any more (its outcome could not be stored). A live
// runner's claim is never taken: it keeps its heartbeat going from the
// claim to the stored outcome. Refiring is safe because "already booked"
// counts as success, so nothing is booked twice and nothing is lost.
func (r *Runner) takeOverStale(ctx context.Context, fires *sync.WaitGroup) {
	firing, err := r.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookFiring}})
	if err != nil || len(firing) == 0 {
		return
	}
	leader := ""
	if l, err := r.store.CurrentRunnerLease(ctx, RunnerLeaseName); err == nil && l.Live(r.clock.Now()) {
		leader = l.Owner
	} else if err != nil && !errors.Is(err, session.ErrNotFound) {
		return // who leads is unknown: take nothing
	}
	before := r.clock.Now().Add(-r.timing.StaleAfter)
	// A claim past its send gate: not before its runner's requests are
	// over (sendingQuiet), whatever its heartbeat says.
	sentBefore := r.clock.Now().Add(-r.sendingQuiet())
	for _, p := range firing {
		if r.isActive(p.ID) || !p.FiredAt.Before(before) || (p.ClaimedBy == leader && p.ClaimedBy != r.owner) {
			continue
		}
		if !p.SendingSince.IsZero() && !p.SendingSince.Before(sentBefore) {
			continue
		}
		claimed, won, err := r.store.ClaimStale(ctx, p.ID, r.owner, before)
		if err != nil || !won {
			continue
		}
		r.log.Info("took over a prebooking left firing by a runner that stopped", "prebooking", p.ID, "previous", p.ClaimedBy)
		if p.ClaimedBy != r.owner {
			// That runner stopped refreshing its claim for StaleAfter and
			// does not lead: it died or hung, and may still hold the
			// background session's lease for its fire. Give it back for it
			// rather than wait for it to expire; anything else that holds
			// it is left alone.
			if err := r.store.ReleaseSessionLease(ctx, session.KindBackground, p.ClaimedBy); err == nil {
				r.log.Info("released the session lease the previous runner held", "previous", p.ClaimedBy)
			}
		}
		// A claim marked sending may have booked already: the day is read
		// before anything is sent (docs/product.md invariant 6).
		r.startTakeover(ctx, fires, claimed, takeoverKind{mayHaveSent: !p.SendingSince.IsZero()})
	}
}

// prune forgets history older than HistoryKeep and class lists of days
// more than CacheKeepDays past.
func (r *Runner) prune(ctx context.Context, now time.Time) {
	if n, err := r.store.PruneHistory(ctx, now.Add(-HistoryKeep)); err != nil {
		if ctx.Err() == nil {
			r.log.Warn("cannot prune the history", "err", err)
		}
	} else if n > 0 {
		r.log.Info("pruned old history", "events", n)
	}
	if n, err := r.store.PruneCache(ctx, aimharder.DateOf(now).AddDays(-CacheKeepDays)); err != nil {
		if ctx.Err() == nil {
			r.log.Warn("cannot prune the class cache", "err", err)
		}
	} else if n > 0 {
		r.log.Info("pruned old cached class lists", "days", n)
	}
}

func (r *Runner) startFire(ctx context.Context, fires *sync.WaitGroup, p session.Prebooking) {
	r.startTakeover(ctx, fires, p, takeoverKind{})
}

// startTakeover is startFire for a claim taken over from another runner.
func (r *Runner) startTakeover(ctx context.Context, fires *sync.WaitGroup, p session.Prebooking, how takeoverKind) {
	if !r.setActive(p.ID, true) {
		return
	}
	fires.Go(func() {
		defer r.setActive(p.ID, false)
		r.fireAs(ctx, p, how)
	})
}

// reconcileOpenings sets each pending prebooking's opening from its box's
// rule (the member's, else the learned one), so a rule learned or changed
// after the prebooking was added applies to it. An opening AimHarder
// stated for the prebooking itself (session.Store.Rearm) is left alone:
// the server knows better than any rule, and moving it back would fire it
// too early again.
// It returns how many openings it moved.
func (r *Runner) reconcileOpenings(ctx context.Context) int {
	pending, err := r.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending}})
	if err != nil {
		return 0
	}
	moved := 0
	boxes := map[int64]session.Box{}
	for _, p := range pending {
		searching := p.OpeningStated() && p.OutcomeCode != session.OutcomeOpeningStated
		box, ok := boxes[p.BoxID]
		if !ok {
			if box, err = r.store.Box(ctx, p.BoxID); err != nil {
				continue
			}
			boxes[p.BoxID] = box
		}
		rule := box.Rule()
		learnedHour := rule.Source == session.RuleLearned && rule.Rule.Kind == aimharder.RuleFixedHour
		if searching {
			// A search under way (fire_search.go) stops when another one
			// found the box's hour.
			if opens, ok := rule.OpensAt(p.ClassStart); ok && learnedHour && rule.Confirmed && opens.After(r.serverNow()) &&
				r.store.SearchOpening(ctx, p.ID, opens, "") == nil {
				r.log.Info("prebooking opening set from the box's hour found meanwhile", "prebooking", p.ID, "opens_at", opens)
			}
			continue
		}
		if p.OpeningStated() && !learnedHour {
			// A fixed hour learned since says more than the "N días" the
			// opening was stated from.
			continue
		}
		if r.searchFromEarliest(ctx, rule, p) {
			continue
		}
		opens, ok := rule.OpensAt(p.ClassStart)
		if !ok || opens.Equal(p.OpensAt) {
			continue
		}
		if err := r.store.SetOpensAt(ctx, p.ID, opens); err == nil {
			moved++
			r.log.Info("prebooking opening updated from the box's rule", "prebooking", p.ID,
				"rule", rule.String(), "source", rule.Source, "opens_at", opens)
		}
	}
	return moved
}
