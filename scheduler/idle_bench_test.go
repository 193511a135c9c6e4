package scheduler

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// idleBenchPrebookings is how many pending prebookings the idle runner
// holds; the first opens in two days, the last in six.
const idleBenchPrebookings = 5

// idleBenchWorld is one box whose classes open at 07:00 two days before,
// with two classes every day.
func idleBenchWorld() aimhardertest.World {
	return aimhardertest.World{
		Seed: 5,
		Boxes: []aimhardertest.BoxConfig{{
			ID: 601, Sub: "idlebox", Name: "Idle Box", Timezone: "Europe/Madrid",
			Window: aimhardertest.WindowRule{Kind: aimhardertest.RuleFixedHour, Days: 2, Hour: 7},
			Template: []aimhardertest.ClassTemplate{
				{Start: "07:00", Name: "WOD", Capacity: 12},
				{Start: "18:00", Name: "HYROX", Capacity: 10},
			},
		}},
		Users: []aimhardertest.UserConfig{{ID: 7101, Email: testEmail, Password: testPassword, Name: "Idle Member",
			Roles: []aimhardertest.RoleConfig{{Box: "idlebox"}}}},
	}
}

// idleSample is what the process holds at one moment, after a GC.
type idleSample struct {
	heap        int64 // live Go heap
	rss         int64 // resident memory (Linux; 0 elsewhere): SQLite's C-side memory is outside the Go heap
	goroutines  int
	serverConns int // goroutines serving the in-process fake's connections
}

func sampleIdle() idleSample {
	// sync.Pool contents survive one GC (the victim cache): collect until
	// they are gone, then give freed memory back so RSS shows what is in use.
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return idleSample{heap: int64(ms.HeapAlloc), rss: residentBytes(),
		goroutines: runtime.NumGoroutine(), serverConns: serverConnGoroutines()}
}

// residentBytes reads the process's resident set size from /proc; 0 when
// there is none.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// serverConnGoroutines counts the goroutines net/http runs for the fake's
// side of open connections: they live in this process only because the
// fake does, and are not the runner's.
func serverConnGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("net/http.(*conn).serve")) {
			count++
		}
	}
	return count
}

// BenchmarkIdleRunnerMemory measures what an idle runner costs: a Runner
// as `ahtui run` builds it (its own store handle and client, the keeper on)
// that has become the leader and holds idleBenchPrebookings pending
// prebookings days away, so it only waits, heartbeats and scans. Each op
// waits one second of that idle life and then samples the process after a
// GC. Reported, as the mean over the samples of the difference from a
// baseline taken before the runner started (the test binary, the fake
// AimHarder and the logged-in database file already exist then):
//
//   - heap-bytes: live Go heap (runner, keeper, estimator, client, the
//     store's Go side);
//
//   - rss-bytes: resident memory, which also holds SQLite's page cache and
//     connections (modernc allocates them outside the Go heap) and the
//     code pages the runner's paths touched for the first time; Linux only;
//
//   - goroutines: the runner's goroutines, not counting server-side
//     connection goroutines of the in-process fake (reported as
//     fake-conns; their memory would be included above);
//
//   - heap-growth-bytes: last sample minus first (a leak would show).
//
//     go test ./scheduler -run '^$' -bench BenchmarkIdleRunnerMemory -benchtime 10x
func BenchmarkIdleRunnerMemory(b *testing.B) {
	ctx := context.Background()
	fake, urls := aimhardertest.Start(b, idleBenchWorld())
	dbPath := filepath.Join(b.TempDir(), "ahtui.db")
	cfg := aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal, BoxURLTemplate: urls.BoxTemplate}

	// Log in and prebook with a store and client that are gone before the baseline.
	func() {
		store, err := session.Open(ctx, dbPath)
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		transport := &http.Transport{}
		defer transport.CloseIdleConnections()
		setupCfg := cfg
		setupCfg.HTTPClient = &http.Client{Transport: transport}
		client, err := aimharder.New(setupCfg)
		if err != nil {
			b.Fatal(err)
		}
		res, err := account.New(account.Config{Store: store, Client: client}).Login(ctx, testEmail, testPassword)
		if err != nil || !res.HasCurrent {
			b.Fatalf("login: %+v %v", res, err)
		}
		if err := store.SetMemberWindow(ctx, res.Current.ID, "2d@07:00"); err != nil {
			b.Fatal(err)
		}
		box, err := store.Box(ctx, res.Current.ID)
		if err != nil {
			b.Fatal(err)
		}
		today := aimharder.DateOf(time.Now().In(madrid))
		for i := range idleBenchPrebookings {
			day := today.AddDays(4 + i)
			var class aimhardertest.ClassInfo
			for _, c := range fake.Classes("idlebox", day) {
				if c.Name == "HYROX" {
					class = c
				}
			}
			opens, ok := box.Rule().OpensAt(class.Start)
			if class.ID == 0 || !ok {
				b.Fatalf("no class or opening on %s", day)
			}
			if _, err := store.AddPrebooking(ctx, session.NewPrebooking{BoxID: box.ID, ClassID: class.ID, Day: day,
				ClassName: class.Name, ClassStart: class.Start, OpensAt: opens}); err != nil {
				b.Fatal(err)
			}
		}
	}()
	time.Sleep(200 * time.Millisecond) // closed connections' goroutines end
	base := sampleIdle()

	store, err := session.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	est := NewClockEstimator(RealClock{})
	runCfg := cfg
	runCfg.Observe = est.Observe
	client, err := aimharder.New(runCfg) // the production transport
	if err != nil {
		b.Fatal(err)
	}
	r, err := NewRunner(Config{Store: store, Client: client, Clock: RealClock{}, Estimator: est, Owner: "idle-bench"})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	b.Cleanup(func() {
		stop()
		<-done
		store.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for !r.Leader() {
		if time.Now().After(deadline) {
			b.Fatal("the runner did not become the leader")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Every loop (heartbeat 3 s, scan 2 s, keeper, health) has run once.
	time.Sleep(4 * time.Second)

	var sum idleSample
	var first, last idleSample
	n := 0
	for b.Loop() {
		time.Sleep(time.Second)
		s := sampleIdle()
		if n == 0 {
			first = s
		}
		last = s
		n++
		sum.heap += s.heap - base.heap
		sum.rss += s.rss - base.rss
		sum.goroutines += (s.goroutines - s.serverConns) - (base.goroutines - base.serverConns)
		sum.serverConns += s.serverConns - base.serverConns
	}
	mean := func(v int64) float64 { return float64(v) / float64(n) }
	b.ReportMetric(mean(sum.heap), "heap-bytes")
	if base.rss > 0 {
		b.ReportMetric(mean(sum.rss), "rss-bytes")
	}
	b.ReportMetric(mean(int64(sum.goroutines)), "goroutines")
	b.ReportMetric(mean(int64(sum.serverConns)), "fake-conns")
	b.ReportMetric(float64(last.heap-first.heap), "heap-growth-bytes")
	b.ReportMetric(0, "ns/op") // an op is a second of waiting: its time means nothing
	if !r.Leader() {
		b.Fatal("the runner lost the lead while idle")
	}
	if pending, err := store.Prebookings(ctx, session.PrebookingQuery{Statuses: []session.PrebookingStatus{session.PrebookPending}}); err != nil || len(pending) != idleBenchPrebookings {
		b.Fatalf("pending prebookings: %d, %v", len(pending), err)
	}
}
