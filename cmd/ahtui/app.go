package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// app is the composition root: every command (the one-shot ones, run,
// serve, the TUI and the demo) builds what it works on here, so each
// wiring rule is written once: the client feeds the server-clock
// estimator, the account service and the runner own their leases under
// the command's role, the runner keeps the device session alive when a
// TUI is shown. Close stops what newApp started, in reverse order.
type app struct {
	role    role
	log     *slog.Logger
	clock   scheduler.Clock
	est     *scheduler.ClockEstimator
	dbPath  string
	store   *session.Store
	client  *aimharder.Client
	account *account.Service

	closers []func() error // run last first by Close
}

// role is what a process does; it names its lease owners
// (session.NewOwner), which the status and the TUI's header show.
type role string

const (
	roleCLI   role = "cli"   // a one-shot command: login, book, status…
	roleTUI   role = "tui"   // the TUI on this terminal (and --demo)
	roleRun   role = "run"   // `ahtui run`: the headless scheduler
	roleServe role = "serve" // `ahtui serve`: the TUI over SSH
)

// showsTUI: a member looks at this process's screens, whose device
// session the runner keeps alive.
func (r role) showsTUI() bool { return r == roleTUI || r == roleServe }

// appOptions are what a command adds to the global options.
type appOptions struct {
	role role
	// clock, when set, replaces the commands' clock (the demo's shifted
	// one); else globalOptions.now with real timers.
	clock scheduler.Clock
	// dbPath, when set, replaces --db (the demo's temporary database,
	// serve's absolute path).
	dbPath string
	// gym, when set, is the demo's simulated AimHarder instead of the
	// endpoints the flags select.
	gym *aimhardertest.URLs
	// existing: the database must exist already (a command that creates
	// no state); else *noDatabaseError, and nothing is created.
	existing bool
	// needSession: the command needs a session; without one (or without
	// a database) it exits 3 (docs/cli.md).
	needSession bool
}

// noDatabaseError: --db (or the default path) names no file, and the
// command does not create one.
type noDatabaseError struct {
	path        string
	needSession bool
}

func (e *noDatabaseError) Error() string { return "no database at " + e.path }

// requireSession fails with session.ErrNoSession when the database holds
// no session: nobody logged in, or the member logged out.
func (a *app) requireSession(ctx context.Context) error {
	sessions, err := a.store.Sessions(ctx)
	if err != nil {
		return err
	}
	if len(sessions) == 0 {
		return session.ErrNoSession
	}
	return nil
}

// newApp opens the log, the database, the AimHarder client (feeding the
// clock estimator) and the account service. Its errors are raw (but for a
// bad endpoint, a usage error): callers put them in the member's words.
func (g *globalOptions) newApp(ctx context.Context, o appOptions) (_ *app, err error) {
	a := &app{role: o.role, clock: o.clock}
	if a.clock == nil {
		a.clock = scheduler.FuncClock(g.now)
	}
	defer func() {
		if err != nil {
			a.Close() // what was opened before the failure
		}
	}()
	logger, closer, err := openLog(g.debug)
	if err != nil {
		return nil, err
	}
	a.log = logger
	a.onClose(func() error { closer.Close(); return nil })

	a.dbPath = o.dbPath
	if a.dbPath == "" {
		if a.dbPath, err = g.databasePath(); err != nil {
			return nil, err
		}
	}
	if o.existing {
		if _, err := os.Stat(a.dbPath); errors.Is(err, fs.ErrNotExist) {
			abs, _ := filepath.Abs(a.dbPath)
			return nil, &noDatabaseError{path: abs, needSession: o.needSession}
		}
	}
	opts := []session.Option{session.WithClock(a.clock.Now)}
	if g.busyTimeout > 0 {
		opts = append(opts, session.WithBusyTimeout(g.busyTimeout))
	}
	if a.store, err = session.Open(ctx, a.dbPath, opts...); err != nil {
		return nil, err
	}
	a.onClose(a.store.Close)

	a.est = scheduler.NewClockEstimator(a.clock)
	cfg := g.clientConfig()
	if o.gym != nil {
		cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = o.gym.Login, o.gym.Portal, o.gym.BoxTemplate
	}
	cfg.Logger = a.log
	cfg.Now = a.clock.Now
	cfg.Observe = a.est.Observe
	if a.client, err = aimharder.New(cfg); err != nil {
		return nil, usageErrorf("%v", err)
	}
	a.account = account.New(account.Config{
		Store:  a.store,
		Client: a.client,
		Owner:  session.NewOwner(string(a.role)),
		Now:    a.clock.Now,
		Logger: a.log,
	})
	return a, nil
}

// newRunner builds the scheduler on the app's store, client, clock and
// estimator, its leases and claims under the app's role.
func (a *app) newRunner() (*scheduler.Runner, error) {
	return scheduler.NewRunner(scheduler.Config{
		Store:      a.store,
		Client:     a.client,
		Clock:      a.clock,
		Estimator:  a.est,
		Logger:     a.log,
		Owner:      session.NewOwner(string(a.role)),
		KeepDevice: a.role.showsTUI(),
	})
}

// now is the app's clock.
func (a *app) now() time.Time { return a.clock.Now() }

// onClose adds fn to what Close runs (last added, first run).
func (a *app) onClose(fn func() error) { a.closers = append(a.closers, fn) }

// Close stops what the app started, in reverse order, and returns every
// error it met (errors.Join).
func (a *app) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// stateDir is where logs go: $XDG_STATE_HOME/ahtui, else ~/.local/state/ahtui.
func stateDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ahtui"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a folder for logs: %w", err)
	}
	return filepath.Join(home, ".local", "state", "ahtui"), nil
}

// openLog opens the log file (never the terminal: it belongs to the
// member's output). A log that cannot be opened is not fatal: the command
// still runs, without a log.
func openLog(debug bool) (*slog.Logger, io.Closer, error) {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	dir, err := stateDir()
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	var f *os.File
	if err == nil {
		f, err = os.OpenFile(filepath.Join(dir, "ahtui.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	}
	if err != nil {
		return slog.New(slog.DiscardHandler), io.NopCloser(nil), nil
	}
	logger := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level}))
	logger = logger.With("pid", os.Getpid())
	return logger, f, nil
}
