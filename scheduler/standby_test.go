package scheduler

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// TestStandbyRunnerTakesOverFromAKilledLeader: two runner processes on one
// database, as `ahtui run` (or `serve`) and a TUI would be. The one that
// started first leads and fires the first prebooking; the other, running
// all along, fires nothing. The leader is killed (SIGKILL: no goodbye);
// the other takes the lease over once it expires and fires the next
// prebooking, made after the kill, at its opening. Each class is booked
// once. (The test runs on the real clock: on a loaded machine the leader
// may stall before its send gate, and then the standby fires the first
// prebooking instead — still once.)
//
// (TestRunnerProcessKilledMidFire covers a leader killed in the middle of
// a fire, with the next runner started afterwards.)
func TestStandbyRunnerTakesOverFromAKilledLeader(t *testing.T) {
	t.Parallel()
	clock := &shiftedClock{}
	clock.set(testOpening) // testClassDay's classes are open from here on
	fake, urls := aimhardertest.Start(t, testWorld(0), aimhardertest.WithClock(clock))
	dbPath := filepath.Join(t.TempDir(), "ahtui.db")
	store, err := session.Open(t.Context(), dbPath, session.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	client, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal,
		BoxURLTemplate: urls.BoxTemplate, Now: clock.Now, HTTPClient: &http.Client{Transport: &http.Transport{}}})
	if err != nil {
		t.Fatal(err)
	}
	login, err := account.New(account.Config{Store: store, Client: client, Now: clock.Now}).Login(t.Context(), testEmail, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	// No window rule is known for the box, so the runners keep the
	// openings stored here: a few seconds apart, after the server opened
	// the classes (each fire books at once, at its opening).
	first := testOpening.Add(2 * time.Second)
	prebook := func(name string, opens time.Time) session.Prebooking {
		t.Helper()
		for _, c := range fake.Classes(testBox, testClassDay) {
			if c.Name == name {
				p, err := store.AddPrebooking(t.Context(), session.NewPrebooking{BoxID: login.Current.ID, ClassID: c.ID,
					Day: c.Date, ClassName: c.Name, ClassStart: c.Start, OpensAt: opens})
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
		}
		t.Fatalf("no class %s", name)
		return session.Prebooking{}
	}
	p1 := prebook("WOD", first)

	// The leader: another process, arming a second before each opening.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=1", envChildDB+"="+dbPath,
		envChildURLs+"="+urls.Login+" "+urls.Portal+" "+urls.BoxTemplate,
		envChildNow+"="+strconv.FormatInt(clock.shift.Load(), 10), envChildArm+"=1s")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()
	waitFor(t, "the child to lead", func() bool {
		l, err := store.CurrentRunnerLease(t.Context(), RunnerLeaseName)
		return err == nil && l.Owner == "runner-child" && l.Live(clock.Now())
	})

	// The standby, in this process.
	est := NewClockEstimator(clock)
	client2, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal,
		BoxURLTemplate: urls.BoxTemplate, Now: clock.Now, Observe: est.Observe})
	if err != nil {
		t.Fatal(err)
	}
	timing := crashTiming
	timing.ArmAhead = time.Second
	standby, err := NewRunner(Config{Store: store, Client: client2, Clock: clock, Estimator: est, Owner: "runner-standby",
		NoKeeper: true, Timing: timing})
	if err != nil {
		t.Fatal(err)
	}
	events := collect(standby.Events())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = standby.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()

	final := func(p session.Prebooking) session.Prebooking {
		t.Helper()
		var got session.Prebooking
		waitFor(t, p.ClassName+" to be fired", func() bool {
			got, err = store.Prebooking(t.Context(), p.ID)
			return err == nil && got.Status.Final()
		})
		return got
	}
	got1 := final(p1)
	// A loaded machine can stall the leader past FastStale before its send
	// gate: then the standby fires the first one instead (fire once: the
	// leader, past its gate or not, sends nothing after losing the claim).
	tookFirst := got1.ClaimedBy == "runner-standby"
	switch {
	case got1.Status != session.PrebookBooked || got1.ClaimedBy != "runner-child" && !tookFirst:
		t.Errorf("first prebooking %s by %q, want booked by the leader", got1.Status, got1.ClaimedBy)
	case tookFirst:
		t.Logf("the leader stalled before its send gate: the standby fired the first prebooking")
	}
	if standby.Leader() {
		t.Error("the standby leads while the leader is alive")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// The next one opens after the kill however slow the machine, with
	// room for the dead leader's lease to run out first.
	p2 := prebook("HYROX", clock.Now().Add(crashTiming.LeaseTTL+4*time.Second))

	got2 := final(p2)
	if got2.Status != session.PrebookBooked || got2.ClaimedBy != "runner-standby" {
		t.Errorf("next prebooking %s by %q (%s), want booked by the standby", got2.Status, got2.ClaimedBy, got2.OutcomeMessage)
	}
	if got2.Late {
		t.Logf("the standby fired it late (a slow machine: the lease took longer to change hands)")
	}
	cancel()
	<-done

	// The standby fired nothing before it led, and only the second
	// prebooking after.
	led := false
	for _, e := range events.stop() {
		var p session.Prebooking
		switch e := e.(type) {
		case LeaderChanged:
			led = led || e.Leader
			continue
		case PrebookingArmed:
			p = e.Prebooking
		case PrebookingLate:
			p = e.Prebooking
		case PrebookingFiring:
			p = e.Prebooking
		case PrebookingOutcome:
			p = e.Prebooking
		default:
			continue
		}
		if tookFirst && p.ID == p1.ID {
			continue
		}
		if !led || p.ID != p2.ID {
			t.Errorf("the standby (leading: %v): %v", led, e)
		}
	}
	if !led {
		t.Error("the standby never took the lead")
	}
	for _, p := range []session.Prebooking{p1, p2} {
		n := 0
		for _, q := range fake.Requests() {
			if q.Endpoint == aimhardertest.EndpointBook && q.Form["id"] == itoa(p.ClassID) && accepted(q) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d bookings accepted, want 1", p.ClassName, n)
		}
	}
}
