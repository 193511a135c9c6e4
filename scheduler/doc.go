// Package scheduler is ahtui's long-running work: the session keeper, the
// server-clock estimator and the prebooking firing engine. It runs inside
// the TUI's process, as `ahtui run`, and inside `ahtui serve`, and reports
// what it does as typed events on a Broker. It never imports Bubble Tea.
//
// Several processes may run on one database: they all keep the sessions
// alive, and one of them — the leader, holding the "prebookings" runner
// lease — fires prebookings. Each prebooking is claimed atomically before
// it is fired and its outcome is stored before it is published, so two
// runners never both fire one (PRODUCT.md invariants 5–7).
//
// Where things are: clock.go and clock_manual.go (the injected Clock and
// the ManualClock tests drive), broker.go and events.go (the typed events),
// keeper.go (sessions kept fresh), clockest.go and clockstore.go (AimHarder's
// clock, estimated from Date headers and kept for `ahtui status`), runner.go
// and leader.go (the runner and its leadership), fire.go and plan.go (one
// prebooking from claim to stored outcome), health.go (the session-health
// warning), notify.go (the member's notify_command, run for outcomes and
// health warnings).
package scheduler
