package aimharder_test

import (
	"context"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// weekBenchLatency is each request's delay at the fake: half before it
// handles the request, half before it answers (50 ms per request, the
// order of a Spanish home connection to AimHarder).
const weekBenchLatency = 50 * time.Millisecond

// BenchmarkWeekLoad loads one week of a box the way the TUI does
// (Client.Week: the seven day requests at once) against one day at a time
// (seven Client.Day calls in a row), with weekBenchLatency per request.
// ms/week is the wall time of one week's load.
//
//	go test ./aimharder -run '^$' -bench BenchmarkWeekLoad -benchtime 20x -count 3
func BenchmarkWeekLoad(b *testing.B) {
	clock := aimhardertest.NewManualClock(t0)
	fake, urls := aimhardertest.Start(b, integrationWorld(), aimhardertest.WithClock(clock))
	// The production client: its default transport keeps a week's
	// connections to the box open between loads.
	c, err := aimharder.New(aimharder.Config{
		LoginURL: urls.Login, PortalURL: urls.Portal, BoxURLTemplate: urls.BoxTemplate, Now: clock.Now,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.Login(ctx, ana, password, fpUI)
	if err != nil {
		b.Fatal(err)
	}
	creds := res.Credentials
	fake.SetLatency(aimhardertest.Latency{In: weekBenchLatency / 2, Out: weekBenchLatency / 2})
	monday := d0.Monday()

	run := func(b *testing.B, load func() error) {
		if err := load(); err != nil { // opens the connections, as a TUI already running has
			b.Fatal(err)
		}
		for b.Loop() {
			if err := load(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/week")
	}
	b.Run("concurrent", func(b *testing.B) {
		run(b, func() error {
			days, _, err := c.Week(ctx, creds, norte, monday, "")
			if err == nil && len(days) != 7 {
				b.Fatalf("%d days", len(days))
			}
			return err
		})
	})
	b.Run("sequential", func(b *testing.B) {
		run(b, func() error {
			for i := range 7 {
				if _, _, err := c.Day(ctx, creds, norte, monday.AddDays(i), ""); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
