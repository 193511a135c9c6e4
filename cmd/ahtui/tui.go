package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui"
	"github.com/ahtui/ahtui/tui/bridge"
)

// demoOpensInEnv makes `ahtui --demo` start so that a class's booking
// window opens this long after launch (10s–60s): the demo world's openings
// are whole minutes, and the end-to-end test cannot wait for the next one.
// The whole demo (fake, client, store, scheduler, TUI) then runs on one
// clock shifted by less than a minute.
const demoOpensInEnv = "AHTUI_DEMO_OPENS_IN"

// tuiOptions are how this terminal's TUI differs from serve's.
type tuiOptions struct {
	demo bool
	// handoff, when set, lets the member keep the prebookings running in
	// the background when they quit (not in the demo: its gym and
	// database end with it).
	handoff *handoff
}

// runTUI is the root command: the TUI (with --demo, on a simulated gym).
func runTUI(cmd *cobra.Command, g *globalOptions, stdin io.Reader, stdout io.Writer) error {
	ctx := cmd.Context()
	if g.demo {
		return runDemo(ctx, g, stdin, stdout)
	}
	a, err := g.newApp(ctx, appOptions{role: roleTUI})
	if err != nil {
		return memberError(err, g.now())
	}
	defer a.Close()
	var o tuiOptions
	if o.handoff, err = newHandoff(g, a.dbPath, a.store); err != nil {
		a.log.Warn("cannot offer to keep running in the background", "err", err)
	}
	return serveTUI(ctx, a, o, stdin, stdout)
}

// serveTUI runs the scheduler in this process and the TUI on the terminal
// until the member quits; then the scheduler stops cleanly (a fire under way
// finishes and stores its outcome).
func serveTUI(ctx context.Context, a *app, o tuiOptions, stdin io.Reader, stdout io.Writer) error {
	runner, err := a.newRunner()
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	events := bridge.Forward(runCtx, runner.Events().Subscribe(0))
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()

	lang, _, _ := a.store.Setting(ctx, session.SettingLanguage)
	var opts []tea.ProgramOption
	renderer := lipgloss.DefaultRenderer()
	if stdin != os.Stdin {
		opts = append(opts, tea.WithInput(stdin))
	}
	// The bell writes to the program's own output (see tui.BellOutput).
	out, bell := tui.BellOutput(stdout)
	if stdout != os.Stdout {
		opts = append(opts, tea.WithOutput(out))
		renderer = lipgloss.NewRenderer(stdout)
	}
	refresh := 5 * time.Minute
	if o.demo {
		refresh = time.Minute // the demo's rivals fill classes as you watch
	}
	var keepRunning func()
	var handOver atomic.Bool
	if o.handoff != nil {
		keepRunning = func() { handOver.Store(true) }
	}
	err = tui.Run(ctx, tui.Config{
		Account:     a.account,
		Store:       a.store,
		Engine:      bridge.Engine(runner),
		Lang:        tui.Language(lang),
		Now:         a.clock.Now,
		Context:     ctx,
		Logger:      a.log,
		Renderer:    renderer,
		NoColor:     tui.NoColorRequested(os.Getenv),
		Demo:        o.demo,
		AutoRefresh: refresh,
		KeepRunning: keepRunning,
		Bell:        bell,
	}, events, opts...)
	stop()
	if rerr := <-done; rerr != nil && !errors.Is(rerr, context.Canceled) {
		a.log.Warn("scheduler stopped with an error", "err", rerr)
	}
	if err == nil && handOver.Load() {
		// The runner has given the lease back: the background one takes
		// it at once.
		pending, perr := a.store.Prebookings(ctx, session.PrebookingQuery{
			Statuses: []session.PrebookingStatus{session.PrebookPending, session.PrebookFiring}})
		if perr != nil {
			a.log.Warn("cannot count pending prebookings", "err", perr)
		}
		return o.handoff.start(ctx, stdout, len(pending))
	}
	return err
}

// runDemo serves the demo gym in-process on a loopback port, logs the demo
// member in on a temporary database (or --db), and runs the whole product
// against it.
func runDemo(ctx context.Context, g *globalOptions, stdin io.Reader, stdout io.Writer) error {
	opensIn, err := demoOpensIn(os.Getenv(demoOpensInEnv))
	if err != nil {
		return usageErrorf("%v", err)
	}
	clock, worldNow := demoClock(g.now(), opensIn)
	world := aimhardertest.DemoWorld(worldNow, 1)
	fake := aimhardertest.New(world, aimhardertest.WithClock(clock))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cannot start the demo gym: %w", err)
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // Shutdown below ends it
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx) //nolint:errcheck // nothing to do about it at exit
	}()
	urls := fake.URLs("http://" + ln.Addr().String())

	path := g.dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "ahtui-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = dir + "/demo.db"
	}
	a, err := g.newApp(ctx, appOptions{role: roleTUI, clock: clock, dbPath: path, gym: &urls})
	if err != nil {
		return memberError(err, clock.Now())
	}
	defer a.Close()
	a.log.Info("demo gym serving", "addr", ln.Addr().String())
	if err := demoSetup(ctx, a, world); err != nil {
		return memberError(err, clock.Now())
	}
	return serveTUI(ctx, a, tuiOptions{demo: true}, stdin, stdout)
}

// demoSetup logs the demo member in, opens the box that shares its
// attendee lists, and tells the store the boxes' booking windows, as if
// learned from earlier "too early" answers, so countdowns show at once.
func demoSetup(ctx context.Context, a *app, world aimhardertest.World) error {
	res, err := a.account.Login(ctx, aimhardertest.DemoEmail, aimhardertest.DemoPassword)
	if err != nil {
		return err
	}
	for _, b := range res.Boxes {
		if b.Subdomain == aimhardertest.DemoBoxMadrid {
			if err := a.store.SetCurrentBox(ctx, b.ID); err != nil {
				return err
			}
		}
	}
	// The demo member's family, named as a member would name theirs
	// (`ahtui family add`): the boxes view chooses among them.
	for _, u := range world.Users {
		if u.Email != aimhardertest.DemoEmail {
			continue
		}
		for _, f := range u.Family {
			if _, err := a.store.AddFamilyMember(ctx, f.Name, strconv.FormatInt(f.ID, 10)); err != nil {
				return err
			}
		}
	}
	// No time zone is set here: ahtui detects each box's from its name at
	// the login above and from its address at its first class list
	// (docs/protocol.md §4.3), as for any member.
	for _, bc := range world.Boxes {
		rule := bc.Window.String()
		if _, err := aimharder.ParseRule(rule); err != nil {
			continue
		}
		// The simulated gym's own rule: confirmed, as openings would.
		if err := a.store.LearnConfirmedWindow(ctx, bc.ID, rule); err != nil && !errors.Is(err, session.ErrNotFound) {
			return err
		}
	}
	return nil
}

// demoOpensIn reads AHTUI_DEMO_OPENS_IN (0 when unset).
func demoOpensIn(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 10*time.Second || d > time.Minute {
		return 0, fmt.Errorf("%s=%q: want a duration from 10s to 60s", demoOpensInEnv, s)
	}
	return d, nil
}

// demoClock returns the demo's clock and the time to seed the demo world
// with. Without opensIn it is the real clock and the world's special
// classes open 2, 5 and 10 minutes from now (whole minutes). With it, the
// clock is shifted back by under a minute so that the first of them opens
// opensIn after launch (by an hour more late in the evening: the demo
// leaves out special classes too close to midnight).
func demoClock(now time.Time, opensIn time.Duration) (scheduler.Clock, time.Time) {
	if opensIn == 0 {
		return scheduler.FuncClock(time.Now), now
	}
	// The first whole minute at or before now+opensIn becomes the opening.
	opening := now.Add(opensIn).Truncate(time.Minute)
	if madrid, err := time.LoadLocation(session.DefaultTimezone); err == nil {
		if l := opening.In(madrid); l.Hour() == 23 && l.Minute() >= 25 {
			opening = opening.Add(-time.Hour)
		}
	}
	shift := opening.Sub(now.Add(opensIn))
	clock := scheduler.FuncClock(func() time.Time { return time.Now().Add(shift) })
	// DemoWorld opens its first special class at the whole minute two
	// minutes after the time it is given.
	return clock, opening.Add(-opensIn).Add(-time.Minute)
}

// The TUI's agenda (my classes, key A) asks the account service for it
// through an interface of its own: keep the service satisfying it.
var _ tui.AgendaService = (*account.Service)(nil)

// The TUI's a key (watch a full class) likewise.
var _ tui.WatchService = (*account.Service)(nil)
