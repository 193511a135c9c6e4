package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
	"github.com/ahtui/ahtui/tui"
	"github.com/ahtui/ahtui/tui/bridge"
	"github.com/ahtui/ahtui/tui/i18n"
)

// defaultServeListen is loopback only: reaching it from elsewhere is a
// choice the member makes (--listen, or an SSH tunnel).
const defaultServeListen = "127.0.0.1:2222"

// Shutdown bounds: programs get quitGrace to quit; those that did not are
// killed and get killGrace more; the SSH server gets sshGrace for its
// connections to close before they are cut.
const (
	quitGrace = 5 * time.Second
	killGrace = 2 * time.Second
	sshGrace  = 3 * time.Second
)

type serveOptions struct {
	listen         string
	authorizedKeys string
	hostKey        string
	calendarListen string // "" = no calendar feed (calendar_feed.go)
	limits         serveLimits
}

func newServeCommand(g *globalOptions, stderr io.Writer) *cobra.Command {
	o := serveOptions{limits: defaultServeLimits}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the scheduler and serve the TUI over SSH to authorised keys",
		Long: "Runs the scheduler (keeping the background session alive and firing prebookings) and\n" +
			"serves the TUI over SSH, so you can leave ahtui running on a home server and look at it\n" +
			"from anywhere; the scheduler outlives every connection. Only the public keys listed in\n" +
			"the authorised-keys file may connect (default: authorized_keys next to the database);\n" +
			"there is no password login. The host key is created next to the database on first start.\n" +
			"Stops on Ctrl-C or SIGTERM.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), g, o, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", defaultServeListen, "address to serve SSH on")
	f.StringVar(&o.authorizedKeys, "authorized-keys", "", "public keys allowed to connect, one a line (default: "+authorizedKeysName+" next to the database)")
	f.StringVar(&o.calendarListen, "calendar-listen", "", "also serve your calendar feed over HTTP on this `address` (see ahtui calendar secret)")
	f.StringVar(&o.hostKey, "host-key", "", "the server's private host key, created if missing (default: "+hostKeyName+" next to the database)")
	return cmd
}

// runServe runs the scheduler and the SSH server until ctx ends or
// SIGINT/SIGTERM arrives, then stops them: every program quits, the SSH
// server closes, the scheduler finishes (a fire under way completes).
func runServe(ctx context.Context, g *globalOptions, o serveOptions, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	dbPath, err := g.databasePath()
	if err != nil {
		return memberError(err, g.now())
	}
	if dbPath, err = filepath.Abs(dbPath); err != nil {
		return err
	}
	dataDir := filepath.Dir(dbPath)
	keysPath := o.authorizedKeys
	if keysPath == "" {
		keysPath = filepath.Join(dataDir, authorizedKeysName)
	}
	keys, err := loadAuthorizedKeys(keysPath)
	if errors.Is(err, errNoAuthorizedKeys) {
		return usageErrorf("%v.\nahtui serve lets in only the public keys listed there: add yours (one a line, like\n"+
			"~/.ssh/authorized_keys; e.g. `cat ~/.ssh/id_ed25519.pub >> %s`), or name another file with --authorized-keys", err, keysPath)
	}
	if err != nil {
		return usageErrorf("%v", err)
	}

	a, err := g.newApp(ctx, appOptions{role: roleServe, dbPath: dbPath})
	if err != nil {
		return memberError(err, g.now())
	}
	defer a.Close()
	logger, store := a.log, a.store
	hostKeyPath := o.hostKey
	if hostKeyPath == "" {
		hostKeyPath = filepath.Join(dataDir, hostKeyName)
	}
	signer, created, err := loadOrCreateHostKey(hostKeyPath)
	if err != nil {
		return err
	}
	runner, err := a.newRunner()
	if err != nil {
		return err
	}
	stampAt := a.stamper(ctx)
	stamp := func() string { return stampAt(a.now()) }
	notices := newNotices(func(msg string) {
		logLine(stderr, stamp()+" "+msg)
		logger.Warn(msg)
	})
	srv, err := newSSHServer(a, runner, keysPath, signer, o.limits, notices.note)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("cannot serve SSH on %s: %w", o.listen, err)
	}

	note := "host key"
	if created {
		note = "new host key"
	}
	logLine(stderr, fmt.Sprintf("%s ahtui serve (pid %d): serving the TUI over SSH on %s to the %s in %s",
		stamp(), os.Getpid(), ln.Addr(), outcome.Count(len(keys), "key", "keys"), keysPath))
	logLine(stderr, fmt.Sprintf("%s %s %s %s", stamp(), note, gossh.FingerprintSHA256(signer.PublicKey()), hostKeyPath))
	logger.Info("serving over SSH", "addr", ln.Addr().String(), "authorized_keys", keysPath, "host_key", hostKeyPath)
	if _, err := store.Session(ctx, session.KindBackground); errors.Is(err, session.ErrNoSession) {
		logLine(stderr, stamp()+" not logged in yet: log in from a connected terminal, or with `ahtui login`")
	}

	if o.calendarListen != "" {
		feed, err := startCalendarFeed(ctx,
			&calendarFeed{store: store, account: a.account, log: logger, notice: notices.note,
				refreshEvery: feedRefreshEvery}, o.calendarListen, o.limits)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer feed.stop()
		secret, _ := calendarSecret(ctx, store, false)
		logLine(stderr, fmt.Sprintf("%s serving your calendar on http://%s%s (`ahtui calendar secret` shows the full address)",
			stamp(), feed.addr, redactedFeedPath(secret)))
	}

	// The scheduler, with its events printed as `ahtui run` prints them.
	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRunner()
	var workers sync.WaitGroup
	sub := runner.Events().Subscribe(256)
	workers.Go(func() {
		for e := range sub.Events() {
			logLine(stderr, stampAt(e.Time())+" "+e.String())
		}
	})
	runnerDone := make(chan struct{})
	workers.Go(func() {
		defer close(runnerDone)
		_ = runner.Run(runCtx)
	})
	serveErr := make(chan error, 1)
	workers.Go(func() { serveErr <- srv.Serve(ln) })

	var failed error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		failed = fmt.Errorf("the SSH server stopped: %w", err)
		serveErr <- err // for the wait below
	}
	logLine(stderr, stamp()+" stopping: closing the sessions, then the scheduler")
	srv.shutdown()
	if err := <-serveErr; err != nil && !errors.Is(err, ssh.ErrServerClosed) && failed == nil {
		logger.Warn("SSH server", "err", err)
	}
	stopRunner()
	<-runnerDone
	sub.Close()
	workers.Wait()
	logLine(stderr, stamp()+" stopped")
	return failed
}

// sshServer serves one TUI program per SSH session, all on one store and
// one scheduler.
type sshServer struct {
	*ssh.Server
	app      *app
	runner   *scheduler.Runner
	log      *slog.Logger
	keysPath string
	guard    *connGuard
	notice   func(kind, msg string)
	viewers  viewers
}

// newSSHServer makes the server; notice prints a refusal on serve's log
// (see notices).
func newSSHServer(a *app, runner *scheduler.Runner, keysPath string, signer gossh.Signer,
	limits serveLimits, notice func(kind, msg string)) (*sshServer, error) {
	s := &sshServer{app: a, runner: runner, log: a.log, keysPath: keysPath,
		guard: newConnGuard(limits, notice), notice: notice, viewers: viewers{max: limits.viewers}}
	// Public keys only: no password or keyboard-interactive handler is
	// set, so SSH offers neither. The host key is set, so wish does not
	// write one into the working directory. The guard bounds connections
	// and the time they get to log in (serveLimits).
	options := append(s.guard.options(),
		wish.WithVersion("ahtui"),
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		wish.WithPublicKeyAuth(s.authorize),
		// Middlewares run last first: a session without a terminal is
		// refused before a program is made for it.
		wish.WithMiddleware(s.serveProgram, requireTerminal),
	)
	srv, err := wish.NewServer(options...)
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// authorize lets in the keys in the allow-list, read again on every
// attempt, so keys added or removed apply without a restart.
func (s *sshServer) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	keys, err := loadAuthorizedKeys(s.keysPath)
	if err != nil {
		s.log.Warn("refusing SSH logins: the authorised keys cannot be read", "err", err)
		return false
	}
	for _, k := range keys {
		if ssh.KeysEqual(key, k) {
			return true
		}
	}
	s.log.Info("SSH key not authorised", "remote", ctx.RemoteAddr().String(), "user", ctx.User(),
		"key", gossh.FingerprintSHA256(key))
	return false
}

// requireTerminal refuses sessions without a terminal, and commands: the
// TUI is all there is.
func requireTerminal(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			wish.Errorln(sess, "ahtui serve shows the TUI, which needs a terminal: connect with `ssh -t`, without a command.")
			_ = sess.Exit(1)
			return
		}
		if len(sess.Command()) > 0 {
			wish.Errorf(sess, "ahtui serve runs no commands: connect without one.\r\n")
			_ = sess.Exit(1)
			return
		}
		next(sess)
	}
}

// serveProgram runs the TUI for one session: its own renderer (the
// client's colours and background), theme, program and event
// subscription, all ended with the session.
func (s *sshServer) serveProgram(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.runSession(sess)
		next(sess)
	}
}

func (s *sshServer) runSession(sess ssh.Session) {
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	v, err := s.viewers.join(cancel)
	if errors.Is(err, errViewersFull) {
		n := s.viewers.max
		s.notice("viewers", fmt.Sprintf("refused a TUI session to %s: %d %s open, the most ahtui serve shows at once",
			sess.RemoteAddr(), n, plural(n, "is", "are")))
		wish.Errorf(sess, "ahtui serve already shows %d %s, the most it shows at once: close one, then connect again.\r\n",
			n, plural(n, "screen", "screens"))
		_ = sess.Exit(1)
		return
	}
	if err != nil {
		wish.Errorf(sess, "ahtui serve is stopping.\r\n")
		_ = sess.Exit(1)
		return
	}
	defer s.viewers.leave(v)
	log := s.log.With("remote", sess.RemoteAddr().String(), "user", sess.User())
	log.Info("SSH session opened", "key", gossh.FingerprintSHA256(sess.PublicKey()))

	_, winch, _ := sess.Pty()
	getenv := environ(sess.Environ())
	setting, _, _ := s.app.store.Setting(ctx, session.SettingLanguage)
	cfg := tui.Config{
		Account:     s.app.account,
		Store:       s.app.store,
		Engine:      bridge.Engine(s.runner),
		Lang:        i18n.Detect(setting, getenv),
		Now:         s.app.clock.Now,
		Context:     ctx,
		Logger:      log,
		Renderer:    bm.MakeRenderer(sess),
		NoColor:     tui.NoColorRequested(getenv),
		AutoRefresh: 5 * time.Minute,
		Viewers:     s.viewers.count,
	}
	// The PTY is emulated (no AllocatePty): the program reads and writes
	// the channel itself, and the bell takes turns with the renderer on it.
	out, bell := tui.BellOutput(sess)
	cfg.Bell = bell
	events := bridge.Forward(ctx, s.runner.Events().Subscribe(0))
	p := tui.NewProgram(ctx, cfg, tea.WithInput(sess), tea.WithOutput(out), tea.WithoutSignalHandler())

	var wg sync.WaitGroup
	if s.viewers.started(v, p) {
		wg.Go(func() { tui.Relay(ctx, p, events) })
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case w, ok := <-winch:
					if !ok {
						return
					}
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		})
		if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
			log.Warn("TUI program ended with an error", "err", err)
		}
	}
	cancel()
	wg.Wait()
	for range events { // Forward ends (and closes the subscription) with ctx
	}
	if s.viewers.stopping() {
		wish.Errorf(sess, "ahtui serve stopped.\r\n")
	}
	log.Info("SSH session closed")
}

// environ looks variables up in a session's environment (what the client
// sent: LANG, NO_COLOR…), never the server's.
func environ(env []string) func(string) string {
	return func(name string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], name+"="); ok {
				return v
			}
		}
		return ""
	}
}

// shutdown quits every program (killing those that do not quit in time),
// then shuts the SSH server down, cutting connections still open after
// sshGrace. It returns once every session handler has returned.
func (s *sshServer) shutdown() {
	s.guard.close()
	ended := s.viewers.quitAll(quitGrace, killGrace)
	ctx, cancel := context.WithTimeout(context.Background(), sshGrace)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		s.log.Info("closing SSH connections still open", "err", err)
		_ = s.Close()
	}
	// A handler still running can only be stuck on its connection (the
	// renderer's terminal query), which Close has cut.
	<-ended
}

// viewers are the sessions running a program, at most max (0: no limit).
type viewers struct {
	max     int
	mu      sync.Mutex
	closing bool
	live    map[*viewer]struct{}
	running sync.WaitGroup
}

type viewer struct {
	cancel  context.CancelFunc
	program *tea.Program // nil until made
}

// Why viewers.join turns a session away.
var (
	errViewersFull    = errors.New("too many TUI sessions")
	errServerStopping = errors.New("the server is stopping")
)

// join registers a session: errServerStopping once the server is
// stopping, errViewersFull when max are open.
func (vs *viewers) join(cancel context.CancelFunc) (*viewer, error) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if vs.closing {
		return nil, errServerStopping
	}
	if vs.max > 0 && len(vs.live) >= vs.max {
		return nil, errViewersFull
	}
	if vs.live == nil {
		vs.live = map[*viewer]struct{}{}
	}
	v := &viewer{cancel: cancel}
	vs.live[v] = struct{}{}
	vs.running.Add(1)
	return v, nil
}

// started records v's program; false when the server began stopping
// meanwhile (the program must not run).
func (vs *viewers) started(v *viewer, p *tea.Program) bool {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	v.program = p
	return !vs.closing
}

func (vs *viewers) leave(v *viewer) {
	vs.mu.Lock()
	delete(vs.live, v)
	vs.mu.Unlock()
	vs.running.Done()
}

// count is how many sessions are open (the header shows it).
func (vs *viewers) count() int {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return len(vs.live)
}

func (vs *viewers) stopping() bool {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.closing
}

// quitAll stops taking sessions and asks every program to quit; after
// quit, the programs still running are killed and given kill more. The
// returned channel closes once every session handler has returned.
func (vs *viewers) quitAll(quit, kill time.Duration) <-chan struct{} {
	vs.mu.Lock()
	vs.closing = true
	var cancels []context.CancelFunc
	var programs []*tea.Program
	for v := range vs.live {
		cancels = append(cancels, v.cancel)
		if v.program != nil {
			programs = append(programs, v.program)
		}
	}
	vs.mu.Unlock()

	ended := make(chan struct{})
	go func() {
		vs.running.Wait()
		close(ended)
	}()
	// Quit blocks until the program reads it (or ends): one goroutine
	// each, all waited for below; the kills unblock any still waiting.
	var quitters sync.WaitGroup
	for _, p := range programs {
		quitters.Go(p.Quit)
	}
	if !within(ended, quit) {
		for _, cancel := range cancels {
			cancel() // the program's context: it is killed
		}
		for _, p := range programs {
			p.Kill()
		}
		within(ended, kill)
	}
	quitters.Wait()
	return ended
}

// within waits for done at most d; false on timeout.
func within(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
