// Package scheduler is ahtui's long-running work: the session keeper, the
// server-clock estimator and the prebooking firing engine. It runs inside
// the TUI's process, as `ahtui run`, and inside `ahtui serve`, and reports
// what it does as typed events on a Broker. It never imports Bubble Tea.
//
// Several processes may run on one database: they all keep the sessions
// alive, and one of them — the leader, holding the "prebookings" runner
// lease — fires prebookings. Each prebooking is claimed atomically before
// it is fired and its outcome is stored before it is published, so two
// runners never both fire one (docs/product.md invariants 5–7).
//
// A database nobody can write (another program holds it locked, or the
// disk is full) does not drop a claimed fire: nobody can take the lease
// or the claim while nobody can write, so the leader keeps them in memory,
// fires at the opening and stores the outcome once it can
// (DatabaseUnwritable names the reason meanwhile; leader.go). A runner
// that takes such a claim over near the opening as the lock ends, having
// seen the lock during the claim's silence, reads the day before sending:
// the holder may have fired from memory (watch.go).
//
// A leader that dies right before an opening still wins the class. The
// lease and the StaleAfter takeover replace a dead leader within seconds;
// near an opening that is too slow. So from Timing.Near (12 s) before an
// opening until Burst after it, the runner firing a prebooking refreshes
// its claim every FastBeat (40 ms), and every other runner reads the
// claim every FastBeat/2; one whose heartbeat is older than FastStale
// (200 ms) and that is not marked sending is taken over at once, by the
// same atomic claim as ever (a compare-and-swap on the heartbeat read and
// the mark), and fired at the opening by the runner that took it
// (watch.go). A leader killed anywhere from T−10 s to its send gate (about
// T−20 ms) is so replaced in time to book at T.
//
// Fire once is by construction (docs/product.md invariant 6): a runner
// sends only after its send gate (fireJob.passGate), the store's update
// that marks its claim sending if it still holds it; the fast takeover is
// an update on the condition that the claim is not marked. One of the two
// fails, so however long a loaded machine stalls a runner between its
// gate and its requests, no other runner sends meanwhile. A claim marked
// sending is taken over only once its runner's schedule of requests is
// over and its heartbeat is StaleAfter silent (Runner.sendingQuiet; the
// taker reads the day first), and its runner sends nothing while it has
// not refreshed the claim for half of StaleAfter (fireJob.maySend).
//
// Where things are: clock.go (the injected Clock; tests drive a simulated
// one, aimhardertest.ManualClock), broker.go and events.go (the typed events),
// keeper.go (sessions kept fresh), clockest.go and clockstore.go (AimHarder's
// clock, estimated from Date headers and kept for `ahtui status`), runner.go
// and leader.go (the runner and its leadership), watch.go (claims watched
// near openings, taken over from a runner that stopped), health.go (the
// session-health warning), notify.go (the member's notify_command, run for
// outcomes and health warnings).
//
// One prebooking from claim to stored outcome: fire.go runs it (claim
// heartbeat, arming, the steps up to the burst, abort and missed
// windows), plan.go plans the burst's sends, fire_session.go makes the
// background session fresh and holds its lease, fire_burst.go warms the
// connections and sends the burst, fire_retry.go keeps trying after a
// troubled burst and logs in again after a logout, fire_judge.go turns
// what the burst and the re-read day say into the outcome (no I/O),
// fire_rearm.go learns the box's window from a "too early" and re-arms,
// fire_search.go finds a box's real opening when the rule is only assumed
// (single requests at plausible instants) or the zone looks wrong,
// fire_cookies.go stores the cookies the answers changed, and
// fire_outcome.go stores the outcome and then publishes it.
package scheduler
