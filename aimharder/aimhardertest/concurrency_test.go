package aimhardertest

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentLastPlace: of many concurrent books for the last place,
// exactly one gets 1 (docs/protocol.md §11.2); with insist=1 the waitlist takes exactly its
// capacity.
func TestConcurrentLastPlace(t *testing.T) {
	for _, insist := range []bool{false, true} {
		t.Run(fmt.Sprint("insist=", insist), func(t *testing.T) {
			f := newFixture(t)
			day := date(2026, 10, 21)
			var racers []*client
			for i := range 20 {
				racers = append(racers, f.login(fmt.Sprintf("racer%02d@test.es", i), "fp"))
			}
			id := racers[0].classID("alpha", day, "10:00", "BARBELL") // capacity 1
			results := make([]float64, len(racers))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, c := range racers {
				wg.Go(func() {
					<-start
					out, err := c.try("POST", c.box("alpha")+"/api/book", "application/x-www-form-urlencoded",
						fmt.Appendf(nil, "day=%s&id=%d&insist=%d", day.Compact(), id, map[bool]int{true: 1}[insist]))
					if err == nil {
						results[i], _ = out.obj()["bookState"].(float64)
					}
				})
			}
			close(start)
			wg.Wait()
			count := map[float64]int{}
			for _, r := range results {
				count[r]++
			}
			wantWait := 0
			if insist {
				wantWait = 2
			}
			if count[1] != 1 || count[0] != wantWait || count[-1] != 20-1-wantWait {
				t.Fatalf("results %v", count)
			}
			info, _ := f.s.Class("alpha", id)
			if len(info.Booked) != 1 || len(info.Waiting) != wantWait {
				t.Fatalf("class %+v", info)
			}
		})
	}
}

// TestConcurrentMixedTraffic exercises every lock under -race: logins,
// rotations, lists, books, cancels, knobs and inspection at once.
func TestConcurrentMixedTraffic(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := f.login(fmt.Sprintf("racer%02d@test.es", i), fmt.Sprint("fp", i))
			for range 5 {
				out, err := c.try("POST", f.u.Portal+"/api/tokenUpdate", "application/x-www-form-urlencoded", []byte("token="+c.token+"&ciclo=1&fingerprint="+c.fp))
				if err == nil {
					if tok, ok := out.obj()["newToken"].(string); ok {
						c.token = tok
					}
				}
				r, err := c.try("GET", c.box("alpha")+"/api/bookings?day=20261021&box=1001", "", nil)
				if err != nil || r.status != 200 {
					continue
				}
				id := classIDFrom(r, "07:00")
				b, err := c.try("POST", c.box("alpha")+"/api/book", "application/x-www-form-urlencoded", fmt.Appendf(nil, "day=%s&id=%d&insist=1", day.Compact(), id))
				if err != nil {
					continue
				}
				if res, ok := b.obj()["id"].(string); ok {
					c.try("POST", c.box("alpha")+"/api/cancelBook", "application/x-www-form-urlencoded", []byte("id="+res+"&late=0"))
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			f.s.SetShape(Shape{PaddedNames: true})
			f.s.Inject(Fault{Kind: FaultLatency, Times: 1})
			f.s.SetClockOffset(0)
			_ = f.s.Requests()
			_ = f.s.Classes("alpha", day)
			_ = f.s.Sessions("racer00@test.es")
			f.clock.Advance(0)
		}
	})
	wg.Wait()
	info := f.s.Classes("alpha", day)[0]
	if len(info.Booked) > info.Capacity || len(info.Waiting) > 2 {
		t.Fatalf("over capacity: %+v", info)
	}
}

func classIDFrom(r *response, start string) int64 {
	m := r.obj()
	for _, x := range m["bookings"].([]any) {
		row := x.(map[string]any)
		if row["time"].(string)[:5] == start {
			return num(row["id"])
		}
	}
	return 0
}
