package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session/outcome"
)

// clockJSON is the last estimate of AimHarder's clock a runner stored.
type clockJSON struct {
	OffsetMS   int64  `json:"offset_ms"` // AimHarder's clock minus this machine's
	ErrorMS    int64  `json:"error_ms"`  // the estimate's error bound
	RTTMS      int64  `json:"rtt_ms"`
	MeasuredAt string `json:"measured_at"`
	Broken     bool   `json:"broken"` // more than 10 minutes off: not used
}

// schedulerStatus reads what runners leave for status: the clock estimate
// and the session-health warning.
func schedulerStatus(ctx context.Context, a *app, now time.Time, loc *time.Location) (*clockJSON, *string) {
	var clock *clockJSON
	if est, ok, err := scheduler.LoadClockEstimate(ctx, a.store); err == nil && ok {
		clock = &clockJSON{OffsetMS: est.Offset.Milliseconds(), ErrorMS: est.Error.Milliseconds(),
			RTTMS: est.RTT.Milliseconds(), MeasuredAt: rfc3339In(est.MeasuredAt, loc), Broken: est.Broken()}
	}
	var warning *string
	if problem, err := scheduler.CheckHealth(ctx, a.store, now, 0); err == nil && problem != nil {
		warning = &problem.Message
	}
	return clock, warning
}

func printSchedulerStatus(w io.Writer, clock *clockJSON, warning *string, now time.Time) {
	switch {
	case clock == nil:
		fmt.Fprintln(w, "AimHarder clock\tnot measured yet (a runner measures it)")
	default:
		at, _ := time.Parse(time.RFC3339, clock.MeasuredAt)
		line := fmt.Sprintf("%+.3fs ± %dms, measured %s ago", float64(clock.OffsetMS)/1000, clock.ErrorMS, outcome.Age(now.Sub(at)))
		if clock.Broken {
			line += " — a clock is broken (over 10 minutes off): fix this machine's time; ahtui ignores the estimate"
		}
		fmt.Fprintf(w, "AimHarder clock\t%s\n", line)
	}
	if warning != nil {
		fmt.Fprintf(w, "Warning\t%s\n", *warning)
	}
}
