//go:build soak

package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// What a disruption can explain (see soak.explains).
const (
	byFault  = "fault"  // a misbehaving AimHarder: explains what it met while active at the opening
	byLogout = "logout" // a forced logout after the session check at T−15 s
	byClock  = "clock"  // a server clock step while the runner reads the clock, from T−16 s
	byKill   = "kill"   // a runner killed within a lease of the opening, or none running
	// the leader killed just before the opening: only a missing standby
	// (no other runner up from T−15 s through T) explains a miss
	byStandby = "standby"
	byNone    = "none" // meant to be survived: explains nothing
)

// planFaults draws the soak's disruptions from its seed: around most
// openings one aimed at the firing (some brief, some outlasting the
// burst), and a few more at random in the quiet hours between them.
func (s *soak) planFaults() {
	prev := soakStart
	for _, at := range s.openings {
		s.idleFaults(prev.Add(2*time.Minute), at.Add(-4*time.Minute))
		if s.rng.Float64() < 0.7 {
			s.openingFault(at)
		}
		prev = at.Add(time.Minute)
	}
	s.idleFaults(prev, s.end.Add(-time.Minute))
}

// at adds a step to the fault plan.
func (s *soak) at(t time.Time, do func()) {
	s.actions = append(s.actions, soakAction{at: t, do: do})
}

func (s *soak) record(d *disruption) *disruption {
	s.disruptions = append(s.disruptions, d)
	return d
}

// executed marks d as carried out, at the simulated time it happened.
func (s *soak) executed(d *disruption, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.Executed, d.Detail = true, detail
}

// fault keeps f injected in the fake from `from` to `to`; a prebooking
// that met it may miss its place.
func (s *soak) fault(kind string, from, to time.Time, opening bool, f aimhardertest.Fault) {
	s.injectFault(kind, from, to, opening, byFault, f)
}

// survivable is a fault ahtui must ride out: it explains no miss.
func (s *soak) survivable(kind string, from, to time.Time, opening bool, f aimhardertest.Fault) {
	s.injectFault(kind, from, to, opening, byNone, f)
}

func (s *soak) injectFault(kind string, from, to time.Time, opening bool, explains string, f aimhardertest.Fault) {
	d := s.record(&disruption{Kind: kind, From: from, To: to, Opening: opening, explains: explains, fault: f.Kind.String()})
	var id aimhardertest.FaultID
	s.at(from, func() {
		id = s.fake.Inject(f)
		s.executed(d, "")
	})
	s.at(to, func() { s.fake.RemoveFault(id) })
}

// Which runner a kill hits.
type victim int

const (
	anyRunner victim = iota
	theLeader
	bothRunners
)

// killAt kills a runner at t and starts its replacement down later. The
// disruption lasts until the lease of the killed runner has expired and a
// runner has had time to take over.
func (s *soak) killAt(kind string, t time.Time, down time.Duration, who victim, opening bool) *disruption {
	d := s.record(&disruption{Kind: kind, From: t, To: t.Add(down), Opening: opening, explains: byKill})
	var slots []int
	s.at(t, func() {
		switch who {
		case anyRunner:
			slots = []int{s.rng.IntN(len(s.runners))}
		case theLeader:
			slots = []int{s.leaderSlot()}
		case bothRunners:
			slots = []int{0, 1}
		}
		var killed []string
		for _, slot := range slots {
			if owner := s.kill(slot); owner != "" {
				killed = append(killed, owner)
			}
		}
		if len(killed) > 0 {
			s.executed(d, strings.Join(killed, ", "))
		}
	})
	s.at(t.Add(down), func() {
		for _, slot := range slots {
			s.restart(slot)
		}
	})
	return d
}

// restart starts a runner in slot unless one runs there.
func (s *soak) restart(slot int) {
	s.mu.Lock()
	busy := s.runners[slot] != nil
	s.mu.Unlock()
	if !busy {
		s.startRunner(slot)
	}
}

func (s *soak) uniform(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1))
}

func (s *soak) clockStep(t time.Time, opening bool) {
	offset := s.uniform(-2500*time.Millisecond, 2500*time.Millisecond)
	d := s.record(&disruption{Kind: "clock-step", From: t, To: t, Opening: opening, explains: byClock})
	s.at(t, func() {
		s.fake.SetClockOffset(offset)
		s.executed(d, fmt.Sprintf("AimHarder's clock set %+.3fs from ours", offset.Seconds()))
	})
}

func (s *soak) forcedLogout(t time.Time, opening bool) {
	d := s.record(&disruption{Kind: "forced-logout", From: t, To: t, Opening: opening, explains: byLogout})
	s.at(t, func() {
		n := s.fake.ForceLogout(soakEmail, "")
		s.executed(d, fmt.Sprintf("%d sessions ended", n))
	})
}

var bookOnly = []aimhardertest.Endpoint{aimhardertest.EndpointBook}

// openingFault aims one disruption at the opening at t.
func (s *soak) openingFault(t time.Time) {
	sec := time.Second
	switch s.rng.IntN(17) {
	case 0:
		s.fault("book-503-brief", t.Add(-sec), t.Add(250*time.Millisecond), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503, Endpoints: bookOnly})
	case 1:
		s.fault("book-502-outlasting", t.Add(-sec), t.Add(6*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502,
				Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook, aimhardertest.EndpointBookings}})
	case 2:
		s.fault("book-reply-dropped", t.Add(-sec), t.Add(5*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultDrop, AfterProcessing: true, Times: 1, Endpoints: bookOnly})
	case 3:
		s.fault("book-reply-truncated", t.Add(-sec), t.Add(5*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultTruncate, Times: 1, Endpoints: bookOnly})
	case 4:
		// A stray page is an unexpected answer, retried in the burst: it
		// costs nothing (docs/protocol.md §10).
		s.survivable("book-html-login-page", t.Add(-sec), t.Add(5*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, Times: 1, Endpoints: bookOnly})
	case 5:
		s.fault("geo-403-before", t.Add(-50*sec), t.Add(-20*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultGeoBlock})
	case 6:
		s.fault("geo-403-outlasting", t.Add(-3*sec), t.Add(5*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultGeoBlock})
	case 7:
		in := s.uniform(300*time.Millisecond, time.Second)
		s.fault("latency-spike", t.Add(-10*sec), t.Add(4*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultLatency,
				Latency: aimhardertest.Latency{In: in, InJitter: 200 * time.Millisecond}})
	case 8:
		s.forcedLogout(t.Add(-s.uniform(2*sec, 55*sec)), true)
	case 9:
		s.clockStep(t.Add(-s.uniform(20*sec, 50*sec)), true)
	case 10:
		s.killAt("kill-leader-armed", t.Add(-s.uniform(20*sec, 55*sec)), s.uniform(sec, 20*sec), theLeader, true)
	case 11:
		s.killAt("kill-leader-at-opening", t.Add(-s.uniform(0, 2*sec)), 500*time.Millisecond, theLeader, true)
	case 12:
		s.killAt("kill-both", t.Add(-s.uniform(5*sec, 40*sec)), s.uniform(sec, 30*sec), bothRunners, true)
	case 13:
		s.killOnAccept(t)
	case 14:
		// Three 403s at the opening: retried within the burst like a 5xx.
		s.survivable("geo-403-brief", t.Add(-sec), t.Add(5*sec), true,
			aimhardertest.Fault{Kind: aimhardertest.FaultGeoBlock, Times: 3, Endpoints: bookOnly})
	case 15:
		// The standby sees the claim go silent and fires at T itself.
		d := s.killAt("kill-leader-before-opening", t.Add(-s.uniform(200*time.Millisecond, 10*sec)), 30*sec, theLeader, true)
		d.explains = byStandby
	case 16:
		s.dbLocked(t)
	}
}

// dbLocked holds the database's write lock from T−30 s to T+15 s, as a
// backup job or `sqlite3` would: the runner holding the claim fires at T
// from memory and stores the outcome once it can write.
func (s *soak) dbLocked(t time.Time) {
	d := s.record(&disruption{Kind: "db-locked", From: t.Add(-30 * time.Second), To: t.Add(15 * time.Second),
		Opening: true, explains: byNone})
	var release func()
	s.at(d.From, func() {
		var err error
		if release, err = lockDatabase(s.db); err != nil {
			s.executed(d, "could not take the lock: "+err.Error())
			return
		}
		s.executed(d, "")
	})
	s.at(d.To, func() {
		if release != nil {
			release()
		}
	})
}

// lockDatabase takes the write lock of the database at path from a
// connection of its own (BEGIN EXCLUSIVE) until release.
func lockDatabase(path string) (release func(), err error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(context.Background())
	if err == nil {
		_, err = conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE")
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	}, nil
}

// killOnAccept kills the leader the moment AimHarder accepts a booking
// for the opening at t, before the answer leaves: the booking exists,
// the runner never heard of it.
func (s *soak) killOnAccept(t time.Time) {
	d := s.record(&disruption{Kind: "kill-on-accept", From: t, To: t, Opening: true, explains: byNone})
	s.at(t.Add(-time.Second), func() { s.armKillOnAccept(d) })
	s.at(t.Add(5*time.Second), func() { s.armKillOnAccept(nil) })
}

func (s *soak) armKillOnAccept(d *disruption) {
	s.mu.Lock()
	s.onAccept = d
	s.mu.Unlock()
	if d == nil {
		for slot := range s.runners {
			s.restart(slot)
		}
	}
}

// requestSeen is the fake's request hook: it carries out kill-on-accept.
func (s *soak) requestSeen(r aimhardertest.Request) {
	if r.Endpoint != aimhardertest.EndpointBook || !accepted(r) {
		return
	}
	s.mu.Lock()
	d := s.onAccept
	s.onAccept = nil
	s.mu.Unlock()
	if d == nil {
		return
	}
	if owner := s.kill(s.leaderSlot()); owner != "" {
		s.executed(d, owner)
	}
}

// idleFaults scatters disruptions over the quiet time from..to, about one
// every three hours: outages long enough for the session to expire, HTML
// and cut answers, dropped connections, slow answers, forced logouts,
// clock steps and kills with long downtimes. Some run into the next
// opening.
func (s *soak) idleFaults(from, to time.Time) {
	span := to.Sub(from)
	if span < 10*time.Minute {
		return
	}
	n := int(span / (3 * time.Hour))
	if s.rng.Float64() < float64(span%(3*time.Hour))/float64(3*time.Hour) {
		n++
	}
	for range n {
		t := from.Add(s.uniform(0, span))
		min := time.Minute
		switch s.rng.IntN(10) {
		case 0:
			s.fault("outage-503", t, t.Add(s.uniform(5*min, 45*min)), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503})
		case 1:
			s.fault("html-everywhere", t, t.Add(s.uniform(2*min, 15*min)), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage})
		case 2:
			s.fault("truncated-everything", t, t.Add(s.uniform(min, 10*min)), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultTruncate})
		case 3:
			s.fault("dropped-connections", t, t.Add(s.uniform(min, 10*min)), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultDrop, Probability: 0.5})
		case 4:
			s.fault("slow-answers", t, t.Add(s.uniform(5*min, 30*min)), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultLatency,
					// Real milliseconds: between openings one of them is seconds of simulated time.
					Latency: aimhardertest.Latency{In: s.uniform(20*time.Millisecond, 80*time.Millisecond)}})
		case 5:
			s.forcedLogout(t, false)
		case 6:
			s.clockStep(t, false)
		case 7:
			s.killAt("kill-idle", t, s.uniform(10*time.Second, 40*min), anyRunner, false)
		case 8:
			// The next token refresh is made, and its answer lost on the
			// way back: the session must live on.
			s.survivable("token-reply-lost", t, t.Add(20*min), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultDrop, AfterProcessing: true, Times: 1,
					Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}})
		case 9:
			s.survivable("token-reply-502", t, t.Add(20*min), false,
				aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502, AfterProcessing: true, Times: 1,
					Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}})
		}
	}
}
