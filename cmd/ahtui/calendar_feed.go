package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// The live calendar feed of `ahtui serve --calendar-listen ADDR`: the
// agenda as iCalendar at /cal/<secret>.ics, built from the store alone
// (prebookings, plans and the class lists last cached by the TUI, the CLI
// and the runner: account.AgendaQuery.Offline), so a phone polling it
// never makes ahtui ask AimHarder anything.

// calendarSecretKey is the setting that holds the feed's secret. It is no
// member setting: `config` neither lists nor reads it.
const calendarSecretKey = "calendar_secret"

// calendarSecretBytes: 192 random bits.
const calendarSecretBytes = 24

// calendarFeedTTL is how often subscribers are asked to poll.
const calendarFeedTTL = 15 * time.Minute

// HTTP timeouts of the feed: a request must arrive whole within
// feedHeaderTimeout (a slow-loris is cut off, like a connection that does
// not log in to SSH in time), the answer leave within feedWriteTimeout,
// and an idle keep-alive connection is closed after feedIdleTimeout.
const (
	feedHeaderTimeout = 10 * time.Second
	feedReadTimeout   = 15 * time.Second
	feedWriteTimeout  = 30 * time.Second
	feedIdleTimeout   = time.Minute
	feedMaxHeader     = 8 << 10
)

func newCalendarSecret() (string, error) {
	b := make([]byte, calendarSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// calendarSecret returns the feed's secret, creating it on first use (or
// a new one when rotate is set).
func calendarSecret(ctx context.Context, store *session.Store, rotate bool) (string, error) {
	if !rotate {
		if v, ok, err := store.Setting(ctx, calendarSecretKey); err != nil {
			return "", err
		} else if ok && v != "" {
			return v, nil
		}
	}
	secret, err := newCalendarSecret()
	if err != nil {
		return "", err
	}
	if err := store.SetSetting(ctx, calendarSecretKey, secret); err != nil {
		return "", err
	}
	// Read back: what another process stored at the same moment wins for
	// both.
	v, _, err := store.Setting(ctx, calendarSecretKey)
	return v, err
}

// calendarFeedPath is the feed's path for a secret.
func calendarFeedPath(secret string) string { return "/cal/" + secret + ".ics" }

// redactedFeedPath shows a feed path in logs: never the whole secret.
func redactedFeedPath(secret string) string {
	if len(secret) > 4 {
		secret = secret[:4]
	}
	return "/cal/" + secret + "….ics"
}

func newCalendarSecretCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var rotate bool
	cmd := &cobra.Command{
		Use:   "secret [--rotate]",
		Short: "Show (or replace) the secret address of the calendar feed",
		Long: "`ahtui serve --calendar-listen ADDR` serves your calendar at http://ADDR/cal/<secret>.ics.\n" +
			"Anyone who knows the address can read your classes: keep it private. --rotate makes a new\n" +
			"secret; the old address stops working at once (subscribe again with the new one).",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				secret, err := calendarSecret(ctx, a.store, rotate)
				if err != nil {
					return err
				}
				if rotate {
					a.log.Info("calendar feed secret rotated")
				}
				fmt.Fprintln(stdout, calendarFeedPath(secret))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&rotate, "rotate", false, "replace the secret: the old address stops working")
	return cmd
}

// calendarFeed answers the feed's requests.
type calendarFeed struct {
	store   *session.Store
	account *account.Service
	log     *slog.Logger
	notice  func(kind, msg string)
	// refreshEvery, when set, is how often serve asks AimHarder for the
	// member's bookings in the background (one list per box and person,
	// and the days it names: Agenda), so that classes booked or cancelled
	// outside ahtui reach the cached lists the feed is built from. The
	// requests of subscribers never reach AimHarder.
	refreshEvery time.Duration
}

// Background refresh of the feed's data: the first soon after serve
// starts (after the runner has had its time to log in or refresh), then
// every feedRefreshEvery.
const (
	feedFirstRefresh = time.Minute
	feedRefreshEvery = 30 * time.Minute
	feedRefreshLimit = 2 * time.Minute
)

// refreshLoop refreshes until ctx ends (nothing when refreshEvery is 0).
func (f *calendarFeed) refreshLoop(ctx context.Context) {
	if f.refreshEvery <= 0 {
		return
	}
	t := time.NewTimer(feedFirstRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f.refresh(ctx)
		t.Reset(f.refreshEvery)
	}
}

// refresh reads the member's agenda from AimHarder with the background
// session (which caches the days read); without a session it does nothing.
func (f *calendarFeed) refresh(ctx context.Context) {
	if _, err := f.store.Session(ctx, session.KindBackground); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, feedRefreshLimit)
	defer cancel()
	if _, err := f.account.Agenda(ctx, session.KindBackground, account.AgendaQuery{}); err != nil {
		f.log.Info("calendar feed: could not read your bookings from AimHarder; the feed shows the ones last seen", "err", err)
	}
}

func (f *calendarFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Whatever the path: a refusal says nothing about which is right.
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	secret, ok, err := f.store.Setting(ctx, calendarSecretKey)
	if err != nil {
		f.log.Warn("calendar feed: cannot read its secret", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok || secret == "" || !feedPathMatches(r.URL.Path, secret) {
		f.notice("feed-path", "refused a calendar request from "+r.RemoteAddr+": not the feed's address")
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	agenda, err := f.account.Agenda(ctx, session.KindBackground, account.AgendaQuery{Offline: true})
	if err != nil {
		f.log.Warn("calendar feed: cannot build the agenda", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var body bytes.Buffer
	if err := writeICS(&body, agenda.Entries, agenda.BuiltAt, calendarFeedTTL); err != nil {
		f.log.Warn("calendar feed: cannot write the calendar", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="ahtui.ics"`)
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(calendarFeedTTL/time.Second)))
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body.Bytes())
	}
	f.log.Debug("calendar feed served", "remote", r.RemoteAddr, "events", len(agenda.Entries))
}

// feedPathMatches compares in constant time.
func feedPathMatches(path, secret string) bool {
	want := calendarFeedPath(secret)
	return len(path) == len(want) && subtle.ConstantTimeCompare([]byte(path), []byte(want)) == 1
}

// newCalendarServer is the feed's HTTP server; serve it on a listener from
// limitListener.
func newCalendarServer(feed http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           feed,
		ReadHeaderTimeout: feedHeaderTimeout,
		ReadTimeout:       feedReadTimeout,
		WriteTimeout:      feedWriteTimeout,
		IdleTimeout:       feedIdleTimeout,
		MaxHeaderBytes:    feedMaxHeader,
		// net/http's own complaints (a bad request line, a timeout) name
		// no path; they go to the log file at debug level.
		ErrorLog: log.New(slogWriter{logger}, "", 0),
	}
}

type slogWriter struct{ log *slog.Logger }

func (s slogWriter) Write(p []byte) (int, error) {
	s.log.Debug("calendar feed", "http", strings.TrimSpace(string(p)))
	return len(p), nil
}

// limitedListener accepts at most max connections at once (serveLimits.conns,
// as for SSH): one beyond it is closed as soon as it is accepted.
type limitedListener struct {
	net.Listener
	max    int
	notice func(kind, msg string)

	mu   sync.Mutex
	open int
}

func limitListener(ln net.Listener, max int, notice func(kind, msg string)) *limitedListener {
	return &limitedListener{Listener: ln, max: max, notice: notice}
}

func (l *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if l.open >= l.max {
			l.mu.Unlock()
			l.notice("feed-conns", fmt.Sprintf("refused a calendar connection from %s: %d connections are open, the most ahtui serve takes",
				c.RemoteAddr(), l.max))
			_ = c.Close()
			continue
		}
		l.open++
		l.mu.Unlock()
		return &limitedConn{Conn: c, l: l}, nil
	}
}

// openConns is how many connections are held now.
func (l *limitedListener) openConns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

type limitedConn struct {
	net.Conn
	l    *limitedListener
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// feedServer is a running calendar feed.
type feedServer struct {
	addr net.Addr
	ln   *limitedListener
	stop func() // stops serving and waits for it
}

// startCalendarFeed listens on addr and serves feed until stop is called;
// it makes the secret if there is none yet.
func startCalendarFeed(ctx context.Context, feed *calendarFeed, addr string, limits serveLimits) (*feedServer, error) {
	if _, err := calendarSecret(ctx, feed.store, false); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot serve the calendar on %s: %w", addr, err)
	}
	limited := limitListener(ln, limits.conns, feed.notice)
	srv := newCalendarServer(feed, feed.log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(limited); err != nil && !errors.Is(err, http.ErrServerClosed) {
			feed.log.Warn("calendar feed stopped", "err", err)
		}
	}()
	refreshCtx, stopRefresh := context.WithCancel(context.WithoutCancel(ctx))
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		feed.refreshLoop(refreshCtx)
	}()
	stop := func() {
		stopRefresh()
		<-refreshed
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sshGrace)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		<-done
	}
	return &feedServer{addr: ln.Addr(), ln: limited, stop: stop}, nil
}
