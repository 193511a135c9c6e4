package scheduler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// Environment of the child runner process (see TestMain).
const (
	envChild     = "AHTUI_SCHEDULER_TEST_CHILD"
	envChildDB   = "AHTUI_SCHEDULER_TEST_DB"
	envChildURLs = "AHTUI_SCHEDULER_TEST_URLS" // login|portal|box template
	envChildNow  = "AHTUI_SCHEDULER_TEST_SHIFT"
	envChildArm  = "AHTUI_SCHEDULER_TEST_ARM_AHEAD" // Timing.ArmAhead, when set
)

// crashTiming makes leadership change hands within seconds.
var crashTiming = Timing{LeaseTTL: 2 * time.Second, Heartbeat: 300 * time.Millisecond, Scan: 200 * time.Millisecond}

// childModes are the roles this test binary plays when re-executed with
// the environment variable set to "1"; other files add theirs in init.
var childModes = map[string]func() int{envChild: childRunner}

func TestMain(m *testing.M) {
	for env, run := range childModes {
		if os.Getenv(env) == "1" {
			os.Exit(run())
		}
	}
	os.Exit(m.Run())
}

// childRunner is the test binary re-executed as a runner process: it runs
// a Runner on the database until it is killed (or signalled).
func childRunner() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shift, _ := strconv.ParseInt(os.Getenv(envChildNow), 10, 64)
	clock := &shiftedClock{}
	clock.shift.Store(shift)
	store, err := session.Open(ctx, os.Getenv(envChildDB), session.WithClock(clock.Now))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer store.Close()
	var urls [3]string
	if _, err := fmt.Sscanf(os.Getenv(envChildURLs), "%s %s %s", &urls[0], &urls[1], &urls[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	est := NewClockEstimator(clock)
	client, err := aimharder.New(aimharder.Config{LoginURL: urls[0], PortalURL: urls[1], BoxURLTemplate: urls[2],
		Now: clock.Now, Observe: est.Observe})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	timing := crashTiming
	if d, err := time.ParseDuration(os.Getenv(envChildArm)); err == nil {
		timing.ArmAhead = d
	}
	r, err := NewRunner(Config{Store: store, Client: client, Clock: clock, Estimator: est, Owner: "runner-child",
		NoKeeper: true, Timing: timing})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = r.Run(ctx)
	return 0
}

// TestRunnerProcessKilledMidFire re-executes the test binary as a runner
// process and kills it (SIGKILL) the moment AimHarder accepts its booking,
// before it can store the outcome. A runner started afterwards takes the
// lease over when it expires, takes over the claim, fires again, is told
// "already booked", confirms it and stores the success: the prebooking is
// not lost and the class is booked once.
func TestRunnerProcessKilledMidFire(t *testing.T) {
	t.Parallel()
	clock := &shiftedClock{}
	clock.set(testOpening.Add(-6 * time.Second))
	var child atomic.Pointer[os.Process]
	var killedAt atomic.Pointer[time.Time]
	fake, urls := aimhardertest.Start(t, testWorld(0), aimhardertest.WithClock(clock),
		aimhardertest.WithRequestLog(func(r aimhardertest.Request) {
			if r.Endpoint == aimhardertest.EndpointBook && accepted(r) && killedAt.Load() == nil {
				if p := child.Load(); p != nil {
					_ = p.Kill() // before the answer is written
					now := time.Now()
					killedAt.Store(&now)
				}
			}
		}))
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
	if err := store.SetMemberWindow(t.Context(), login.Current.ID, "2d@07:00"); err != nil {
		t.Fatal(err)
	}
	var wod aimhardertest.ClassInfo
	for _, c := range fake.Classes(testBox, testClassDay) {
		if c.Name == "WOD" {
			wod = c
		}
	}
	p, err := store.AddPrebooking(t.Context(), session.NewPrebooking{BoxID: login.Current.ID, ClassID: wod.ID,
		Day: wod.Date, ClassName: wod.Name, ClassStart: wod.Start, OpensAt: wod.OpensAt})
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=1", envChildDB+"="+dbPath,
		envChildURLs+"="+urls.Login+" "+urls.Portal+" "+urls.BoxTemplate,
		envChildNow+"="+strconv.FormatInt(clock.shift.Load(), 10))
	var childErr bytes.Buffer // read only after Wait
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child.Store(cmd.Process)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child runner never got a booking accepted")
	}
	if killedAt.Load() == nil {
		t.Fatalf("the child runner exited by itself (%v):\n%s", cmd.ProcessState, childErr.String())
	}
	mid, err := store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.Status != session.PrebookFiring || mid.ClaimedBy != "runner-child" {
		t.Fatalf("after the kill the prebooking is %s by %q, want firing by the child", mid.Status, mid.ClaimedBy)
	}

	est := NewClockEstimator(clock)
	client2, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal,
		BoxURLTemplate: urls.BoxTemplate, Now: clock.Now, Observe: est.Observe})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(Config{Store: store, Client: client2, Clock: clock, Estimator: est, Owner: "runner-after",
		NoKeeper: true, Timing: crashTiming})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	waitFor(t, "the new runner to finish the prebooking", func() bool {
		got, err := store.Prebooking(t.Context(), p.ID)
		return err == nil && got.Status.Final()
	})
	cancel()
	<-done

	got, _ := store.Prebooking(t.Context(), p.ID)
	if got.Status != session.PrebookBooked || got.OutcomeCode != "already_booked" || got.ClaimedBy != "runner-after" {
		t.Errorf("outcome %s/%s by %s: %s", got.Status, got.OutcomeCode, got.ClaimedBy, got.OutcomeMessage)
	}
	acceptedN := 0
	for _, q := range fake.Requests() {
		if q.Endpoint == aimhardertest.EndpointBook && accepted(q) {
			acceptedN++
		}
	}
	if res := fake.Reservations(testEmail, ""); acceptedN != 1 || len(res) != 1 {
		t.Errorf("%d bookings accepted, %d reservations; want 1 and 1", acceptedN, len(res))
	}
}
