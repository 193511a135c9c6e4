package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// TestResolvedStaysBoundedOverAMonth: a month of plan passes, each
// re-resolving the day's openings (three classes two days ahead) and then
// pruning — what is remembered is the classes still to start, never the
// month's history, and a prebooking remembered is not re-resolved twice.
func TestResolvedStaysBoundedOverAMonth(t *testing.T) {
	w := newWeeklyState()
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, madrid)
	var id int64
	most := 0
	for d := range 31 {
		for _, hour := range []int{7, 8, 19} {
			id++
			// The pass at the opening, two days before the class.
			now := time.Date(2026, 11, 1+d, hour, 0, 0, 0, madrid).Add(-time.Minute)
			pb := session.Prebooking{ID: id, ClassStart: now.AddDate(0, 0, 2).Add(time.Minute)}
			if !w.resolveOnce(pb) {
				t.Fatalf("prebooking %d: re-resolved before it was ever", id)
			}
			if w.resolveOnce(pb) {
				t.Fatalf("prebooking %d: re-resolved twice", id)
			}
			w.pruneResolved(now)
			if _, kept := w.resolved[id]; !kept {
				t.Fatalf("prebooking %d forgotten before its class started", id)
			}
			most = max(most, len(w.resolved))
		}
	}
	// Two days ahead, three a day: at most the seven classes between a
	// pass and the ones it re-resolves.
	if most > 7 {
		t.Errorf("%d prebookings remembered at most, want the next days' only", most)
	}
	w.pruneResolved(first.AddDate(0, 1, 10))
	if len(w.resolved) != 0 {
		t.Errorf("%d prebookings remembered after every class started", len(w.resolved))
	}
}
