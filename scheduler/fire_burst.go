package scheduler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// warm opens n connections to the box (concurrent pings) so the staggered
// attempts, which overlap in flight, each find a connection ready; their
// answers also refine the clock estimate. Pings still unanswered when the
// clock shows by are abandoned: the burst does not wait for them.
func (j *fireJob) warm(ctx context.Context, n int, by time.Time) {
	ctx, cancel := untilClock(ctx, j.r.clock, by)
	defer cancel()
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Go(func() {
			x, err := j.r.client.Ping(ctx, j.ref)
			if err == nil {
				j.r.estimator.Record(x)
			}
		})
	}
	wg.Wait()
}

// attempt is one booking request of a burst and its answer.
type attempt struct {
	sent  time.Time
	res   aimharder.BookResult
	creds aimharder.Credentials
	err   error
}

// verdict is what an answer means for the burst.
type verdict int

const (
	verdictRetry   verdict = iota // too early, or no usable answer: keep going
	verdictRefused                // a definitive refusal: stop
	verdictAlready                // "already booked at that time": stop, then confirm
	verdictBooked                 // booked or waitlisted: stop
)

// maxBlockedAnswers is how many 403/429 answers a burst takes before it
// stops: a block can be transient (one that lasted three requests once
// cost a class), but a lasting one must not be hammered
// (docs/protocol.md §10).
const maxBlockedAnswers = 4

// judgeAttempt is what one answer means on its own; the burst adds the
// count of blocks (blockedVerdict).
func judgeAttempt(a attempt) verdict {
	switch {
	case a.err == nil:
		return verdictBooked
	case errors.Is(a.err, aimharder.ErrTooEarly), bareRuleRefusal(a.err):
		return verdictRetry
	case errors.Is(a.err, aimharder.ErrAlreadyBooked):
		return verdictAlready
	case errors.Is(a.err, aimharder.ErrRefused), errors.Is(a.err, aimharder.ErrLoggedOut):
		return verdictRefused
	}
	// A network failure, a 5xx, a cut answer, a page instead of JSON
	// (an unexpected answer is not a logout: docs/protocol.md §10), or a
	// 403/429 (retried like a 5xx, a few times): the booking may or may
	// not have happened. Sending again is safe — a booking that happened
	// turns the next answer into "already booked".
	return verdictRetry
}

// blockedVerdict turns the n-th 403/429 answer of a burst (err) into a
// refusal once there were maxBlockedAnswers of them, or at once when a
// 429 says when to come back (Retry-After): sending sooner is storming.
func blockedVerdict(err error, n int) verdict {
	var b *aimharder.BlockedError
	if !errors.As(err, &b) {
		return verdictRetry
	}
	if n >= maxBlockedAnswers || b.RetryAfter > 0 {
		return verdictRefused
	}
	return verdictRetry
}

// burstResult is everything a burst learned by the time its verdict was
// known.
type burstResult struct {
	attempts  []attempt // answered, in answer order
	sent      int       // requests sent, answered or not
	best      attempt
	verdict   verdict
	firstSent time.Time
	// rest waits for the answers still in flight when the verdict came
	// (their cookies are worth saving) and returns them.
	rest func() []attempt
}

// anyAmbiguous reports whether an answer of the burst may hide a booking.
func (b *burstResult) anyAmbiguous() bool {
	for _, a := range b.attempts {
		if aimharder.Ambiguous(a.err) {
			return true
		}
	}
	return false
}

// burst sends the planned attempts, stopping the schedule at the first
// answer that settles the matter. A booking, or "already booked", is the
// verdict at once (the answers still in flight cannot change it: rest
// collects them); after a refusal the answers in flight are awaited, since
// one of them may be a booking.
func (j *fireJob) burst(ctx context.Context, prepared *aimharder.PreparedBook, plan firePlan) burstResult {
	clock := j.r.clock
	scheduleCtx, stopSchedule := context.WithCancel(ctx)
	answers := make(chan attempt, len(plan.sends))
	sendingDone := make(chan struct{})
	var (
		sent      int
		firstSent time.Time
		// answered: an answer that settles the matter came in. Set by the
		// attempt before it frees its slot, it stops the sending at once:
		// the collector, which judges and stores, may not have run yet
		// (a busy machine), and a retry taking the freed slot meanwhile
		// would be a request sent after the booking was answered.
		answered atomic.Bool
		blocks   atomic.Int32 // 403/429 answers so far, as the attempts see them
	)
	go func() {
		var inFlight sync.WaitGroup
		slots := make(chan struct{}, maxInFlight)
		freed := make(chan struct{}, 1) // an answer came in
		for i, at := range plan.sends {
			if i == 0 && !j.passGate(scheduleCtx, at, plan) {
				break
			}
			if sleepUntil(scheduleCtx, clock, at, j.r.timing.Recheck) != nil {
				break
			}
			if i == plan.staggered && i > 0 {
				j.awaitStaggered(scheduleCtx, slots, freed)
			}
			if !j.maySend() {
				// Another runner took the claim over (this one stalled past
				// StaleAfter), or may have: it fires now; two bursts would
				// only collide.
				break
			}
			select {
			case slots <- struct{}{}:
			case <-scheduleCtx.Done():
			}
			if scheduleCtx.Err() != nil {
				break
			}
			// A slot can take long to free (slow answers): the claim may be
			// gone by then, and sends past the burst's end are keepTrying's —
			// once one has gone: a burst that starts late (a slow machine)
			// still sends.
			if answered.Load() || !j.maySend() || (sent > 0 && clock.Now().After(plan.end)) {
				<-slots
				break
			}
			at := clock.Now()
			if firstSent.IsZero() {
				firstSent = at
			}
			sent++
			inFlight.Go(func() {
				defer func() {
					<-slots
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
				res, creds, err := prepared.Send(ctx)
				a := attempt{sent: at, res: res, creds: creds, err: err}
				if settles(a, &blocks) {
					answered.Store(true)
				}
				answers <- a
			})
		}
		close(sendingDone)
		inFlight.Wait()
		close(answers)
	}()

	out := burstResult{verdict: verdictRetry, rest: func() []attempt { return nil }}
	decided := false
	blocked := 0
	for a := range answers {
		if j.r.beforeJudge != nil {
			j.r.beforeJudge(a.err)
		}
		out.attempts = append(out.attempts, a)
		v := judgeAttempt(a)
		if errors.Is(a.err, aimharder.ErrBlocked) {
			blocked++
			v = blockedVerdict(a.err, blocked)
		}
		if v > out.verdict || len(out.attempts) == 1 {
			out.verdict, out.best = v, a
		}
		if v != verdictRetry {
			stopSchedule()
		}
		if v == verdictBooked || v == verdictAlready {
			decided = true
			break
		}
	}
	stopSchedule()
	<-sendingDone // sent and firstSent are final
	out.sent, out.firstSent = sent, firstSent
	if !decided && out.verdict == verdictRetry {
		j.confirmLogout(ctx, &out)
	}
	if decided {
		out.rest = func() []attempt {
			var rest []attempt
			for a := range answers {
				rest = append(rest, a)
			}
			return rest
		}
	}
	return out
}

// settles reports whether answer a ends the sending of its burst — the
// collector's verdict on it will not be verdictRetry — counting it in
// blocks when it is a 403/429 (blockedVerdict).
func settles(a attempt, blocks *atomic.Int32) bool {
	if errors.Is(a.err, aimharder.ErrBlocked) {
		return blockedVerdict(a.err, int(blocks.Add(1))) != verdictRetry
	}
	return judgeAttempt(a) != verdictRetry
}

// firstRetryWait bounds how long the first retry, once due, waits for
// the staggered attempts' answers: past it, an answer still out is more
// likely lost or stalled than a booking, and a retry planned ~50 ms after
// the last attempt then goes at most ~110 ms after it.
const firstRetryWait = 60 * time.Millisecond

// awaitStaggered holds the first retry until every staggered attempt has
// been answered (slots empty), or firstRetryWait has passed: one of those
// answers may be the booking, and a retry sent before it comes back (a
// slow answer, a busy machine) is one request more for nothing. A retry
// is only needed when they all were too early.
func (j *fireJob) awaitStaggered(ctx context.Context, slots, freed chan struct{}) {
	if len(slots) == 0 {
		return
	}
	t := j.r.clock.NewTimer(firstRetryWait)
	defer t.Stop()
	for len(slots) > 0 {
		select {
		case <-freed:
		case <-t.C():
			return
		case <-ctx.Done():
			return
		}
	}
}

// confirmLogout asks whoami, once, whether a burst that ended on an
// unexpected answer (a page instead of JSON) ended because the session
// is over (docs/protocol.md §10): if whoami says logged out, the burst's
// verdict becomes that logout, which conclude handles (one login and
// retry); otherwise it stays an ambiguous answer, retried by keepTrying
// and checked by reading the day. One stray page never ends the session.
func (j *fireJob) confirmLogout(ctx context.Context, res *burstResult) {
	if len(res.attempts) == 0 {
		return
	}
	last := res.attempts[len(res.attempts)-1]
	if !errors.Is(last.err, aimharder.ErrUnexpectedAnswer) {
		return
	}
	creds := last.creds
	if creds.Token == "" {
		creds = j.sent
	}
	// A whoami is quick; a hung one must not eat the time left to judge.
	askCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := j.r.svc.Client(askCtx).ConfirmLogout(askCtx, creds, last.err) // the account's domain (docs/protocol.md §1)
	if !errors.Is(err, aimharder.ErrLoggedOut) {
		j.r.log.Warn("AimHarder answered the booking with a page instead of data; the session is alive, trying on",
			"prebooking", j.p.ID, "err", last.err)
		return
	}
	j.r.log.Warn("AimHarder answered the booking with a page, and whoami confirmed the session is over",
		"prebooking", j.p.ID, "err", last.err)
	res.verdict, res.best = verdictRefused, attempt{sent: last.sent, creds: last.creds, err: err}
}
