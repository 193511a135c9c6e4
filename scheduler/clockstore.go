package scheduler

import (
	"context"
	"strconv"
	"time"

	"github.com/ahtui/ahtui/session"
)

// Settings under which the last clock estimate is kept, so `ahtui status`
// in another process can show it.
const (
	SettingClockOffset     = "clock.offset_ms"
	SettingClockError      = "clock.error_ms"
	SettingClockRTT        = "clock.rtt_ms"
	SettingClockMeasuredAt = "clock.measured_at"
)

// SaveClockEstimate stores est in the settings.
func SaveClockEstimate(ctx context.Context, store *session.Store, est ClockEstimate) error {
	values := []struct{ key, value string }{
		{SettingClockOffset, strconv.FormatInt(est.Offset.Milliseconds(), 10)},
		{SettingClockError, strconv.FormatInt(est.Error.Milliseconds(), 10)},
		{SettingClockRTT, strconv.FormatInt(est.RTT.Milliseconds(), 10)},
		// Last: a reader that finds it finds the others.
		{SettingClockMeasuredAt, est.MeasuredAt.UTC().Format(time.RFC3339Nano)},
	}
	for _, v := range values {
		if err := store.SetSetting(ctx, v.key, v.value); err != nil {
			return err
		}
	}
	return nil
}

// LoadClockEstimate reads the last stored estimate (millisecond
// resolution); false when none was stored or it cannot be read.
func LoadClockEstimate(ctx context.Context, store *session.Store) (ClockEstimate, bool, error) {
	settings, err := store.Settings(ctx)
	if err != nil {
		return ClockEstimate{}, false, err
	}
	at, err := time.Parse(time.RFC3339Nano, settings[SettingClockMeasuredAt])
	if err != nil {
		return ClockEstimate{}, false, nil
	}
	ms := func(key string) (time.Duration, bool) {
		n, err := strconv.ParseInt(settings[key], 10, 64)
		return time.Duration(n) * time.Millisecond, err == nil
	}
	offset, ok1 := ms(SettingClockOffset)
	errBound, ok2 := ms(SettingClockError)
	rtt, ok3 := ms(SettingClockRTT)
	if !ok1 || !ok2 || !ok3 {
		return ClockEstimate{}, false, nil
	}
	return ClockEstimate{Offset: offset, Error: errBound, RTT: rtt, MeasuredAt: at,
		Arrival: offset + rtt/2, Spread: max(errBound-rtt/2, 0)}, true, nil
}

// clockEstimated hears a new estimate from the estimator. It may be called
// on an HTTP exchange's path, so the publishing and the database write
// happen on the runner's own goroutine (relayClock); only the latest
// estimate matters.
func (r *Runner) clockEstimated(est ClockEstimate) {
	r.clockMu.Lock()
	r.clockLatest, r.clockHasNew = est, true
	r.clockMu.Unlock()
	select {
	case r.clockSignal <- struct{}{}:
	default:
	}
}

// relayClock publishes and persists new estimates until ctx ends.
func (r *Runner) relayClock(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.clockSignal:
		}
		r.clockMu.Lock()
		est, fresh := r.clockLatest, r.clockHasNew
		r.clockHasNew = false
		r.clockMu.Unlock()
		if !fresh {
			continue
		}
		r.publish(ClockEstimated{At: r.clock.Now(), Estimate: est})
		if err := SaveClockEstimate(ctx, r.store, est); err != nil && ctx.Err() == nil {
			r.log.Warn("cannot store the clock estimate", "err", err)
		}
	}
}
