package main

import (
	"context"
	"time"

	"github.com/ahtui/ahtui/session"
)

// Box time on the command line: every time a command prints (text and
// JSON) is in the zone of the box it belongs to, never in the machine's
// (a Raspberry Pi or a container runs in UTC). The store keeps instants;
// the conversion is session.Zones, read here once per command.

// stampLayout dates the lines `ahtui run` and `ahtui serve` print.
const stampLayout = "2006-01-02 15:04:05.000"

// zones reads every box's zone and the current box. When the store cannot
// say, every time shows in session.DefaultTimezone.
func (a *app) zones(ctx context.Context) session.Zones {
	z, err := a.store.Zones(ctx)
	if err != nil {
		return session.Zones{}
	}
	return z
}

// rfc3339In formats t in loc for JSON ("" when zero).
func rfc3339In(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// rfc3339OrNilIn is rfc3339OrNil in loc.
func rfc3339OrNilIn(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	return rfc3339OrNil(t.In(loc))
}

// stamper dates log lines. A line belongs to no box: it is dated in the
// current box's zone, read when the command starts.
func (a *app) stamper(ctx context.Context) func(time.Time) string {
	loc := a.zones(ctx).Current()
	return func(t time.Time) string { return t.In(loc).Format(stampLayout) }
}
