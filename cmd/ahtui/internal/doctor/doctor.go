// Package doctor is `ahtui doctor`: it checks the configured AimHarder
// endpoints step by step — name resolution, connection and TLS, HTTP (a
// 403 geo-block), a login, whoami and a day of classes decoded against the
// protocol's keys, the server clock — and prints a report a member can
// paste into a bug report.
//
// The report never holds the password, a token, a cookie, the e-mail's
// local part or anyone's name. The login uses a throwaway fingerprint, is
// never stored, and is left to expire by itself: whether AimHarder's logout
// ends only that session or every session of the account is unknown
// (docs/protocol.md §3.5), and ending the runner's background session would
// be far worse than a stray test session (Config.Logout ends it anyway).
//
// The package knows nothing of flags, terminals or the database: the
// command (cmd/ahtui) reads those and fills a Config.
//
// Files:
//
//   - doctor.go: Config, New and Run, the order of the checks, and the
//     report (status tags, meanings said once, header, summary).
//   - network.go: name resolution, TCP, TLS and the HTTP answer (403/429/5xx)
//     of every configured base URL.
//   - protocol.go: the test login, whoami, a day of classes compared with
//     the protocol's keys, and the logout; what AimHarder's errors mean.
//   - clock.go: AimHarder's clock against this machine's.
//   - redact.go: what keeps secrets and names out of the report.
//   - recorder.go: the http.RoundTripper that keeps the raw answers whose
//     keys are compared.
package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
)

// Config is everything a doctor run needs; the zero value of each
// optional field is a sensible default.
type Config struct {
	// Client is the AimHarder client configuration the flags select (its
	// LoginURL, PortalURL and BoxURLTemplate are the endpoints checked).
	// Doctor replaces its HTTPClient, Observe, Now and Logger.
	Client aimharder.Config

	// Email and Password are the account of the test login. Neither is
	// stored nor shown.
	Email    string
	Password string

	// CurrentBox is the database's current box; nil when there is none
	// (a sample box's host is checked, and the account's first box read).
	CurrentBox *Box

	// Logout ends the test session at the end (AimHarder may end the
	// account's other sessions too); otherwise it expires by itself.
	Logout bool

	// ClockProbe is how long to measure AimHarder's clock (default 3s).
	ClockProbe time.Duration

	// RootCAs are the trusted certificate authorities; nil: the system's.
	RootCAs *x509.CertPool

	// Now is the clock (default time.Now).
	Now func() time.Time

	// Logger receives the client's log; nil discards it.
	Logger *slog.Logger

	// Version is ahtui's version for the header; empty: the binary's
	// module version, or "(devel)".
	Version string

	// Out receives the report.
	Out io.Writer
}

// Box is the database's current box, as doctor needs it.
type Box struct {
	ID        int64
	Subdomain string
	Timezone  string // IANA name; one that does not load means Europe/Madrid
	// TimezoneSource is where Timezone comes from: member, detected or
	// default (a guess); TimezoneClue what placed a detected one.
	TimezoneSource string
	TimezoneClue   string
	// WindowNote says which counting an hours rule assumes (elapsed or
	// clock hours, session.WindowRule.HoursNote); "" for other rules.
	WindowNote string
	// Window is the booking-window rule in force ("" unknown);
	// WindowAssumed: learned from a "too early" text and not confirmed by
	// an opening (docs/protocol.md §9).
	Window        string
	WindowAssumed bool
	// Domain is the box's AimHarder domain when not aimharder.com
	// ("aimharder.es"); "" for aimharder.com.
	Domain string
}

// Result counts what a run found.
type Result struct {
	Problems int // failed checks: the command exits 1
	Warnings int
}

// sampleBox is the box whose host is checked before login when the
// database names none: the example box of the protocol description.
const sampleBox = "crossfitcerdanyola300"

// Timeouts of the network checks, and when a clock offset or a
// certificate's expiry is worth a word.
const (
	clockWarnOffset = time.Minute
	dnsTimeout      = 5 * time.Second
	dialTimeout     = 10 * time.Second
	httpTimeout     = 20 * time.Second
	certSoon        = 14 * 24 * time.Hour
)

// Doctor runs the checks once and prints the report.
type Doctor struct {
	cfg Config
	red redactor

	client    *aimharder.Client
	transport *http.Transport
	rec       *bodyRecorder
	est       *scheduler.ClockEstimator

	problems  int
	warnings  int
	explained []string // meanings printed so far: said once

	// shapes are the answer shapes of docs/protocol.md §10B met on the
	// way (login refusal, login host, domain, setrefresh), reported last.
	shapes []string
}

// New checks the configuration and prepares the client. Its error is a
// configuration mistake (a URL that is not one, say).
func New(cfg Config) (*Doctor, error) {
	if cfg.ClockProbe <= 0 {
		cfg.ClockProbe = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	d := &Doctor{cfg: cfg}
	d.red.add(cfg.Password, cfg.Email)
	// The local part alone is never printed either; redacting it wherever
	// it appears would blank box names when it is a short word ("demo").
	if local, _, ok := strings.Cut(cfg.Email, "@"); ok && len(local) >= 6 {
		d.red.add(local)
	}
	d.transport = http.DefaultTransport.(*http.Transport).Clone()
	d.transport.TLSClientConfig = &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	d.rec = &bodyRecorder{next: d.transport, bodies: map[string][]byte{}}
	clk := scheduler.FuncClock(cfg.Now)
	d.est = scheduler.NewClockEstimator(clk)
	ccfg := cfg.Client
	ccfg.HTTPClient = &http.Client{Transport: d.rec}
	ccfg.Observe = d.est.Observe
	ccfg.Now = clk.Now
	ccfg.Logger = cfg.Logger
	client, err := aimharder.New(ccfg)
	if err != nil {
		return nil, err
	}
	d.client = client
	return d, nil
}

// Run runs every check, prints the report and says how many problems and
// warnings it found. A Doctor runs once.
func (d *Doctor) Run(ctx context.Context) Result {
	d.header()
	d.checkNetwork(ctx)
	creds, user, loggedIn := d.checkLogin(ctx)
	var ref aimharder.BoxRef
	if loggedIn {
		user, creds = d.checkWhoami(ctx, creds, user)
		var ok bool
		if ref, ok = d.chooseBox(user); ok {
			creds = d.checkClasses(ctx, creds, ref)
		} else {
			d.emit(checkSkip, "Classes", []string{"no box to read classes from"}, "")
		}
	} else {
		d.emit(checkSkip, "Who you are (whoami)", []string{"not logged in"}, "")
		d.emit(checkSkip, "Classes", []string{"not logged in"}, "")
	}
	d.checkClock(ctx, ref)
	if loggedIn {
		d.checkLogout(ctx, creds)
	}
	d.reportShapes()
	d.println("")
	d.println(fmt.Sprintf("Summary: %d %s, %d %s. This report holds no password, token, cookie, e-mail name or member names:",
		d.problems, plural(d.problems, "problem", "problems"), d.warnings, plural(d.warnings, "warning", "warnings")))
	d.println("paste it into a bug report as it is.")
	return Result{Problems: d.problems, Warnings: d.warnings}
}

// ---- the report ----

type checkStatus int

const (
	checkOK checkStatus = iota
	checkWarn
	checkFail
	checkSkip
)

func (s checkStatus) tag() string {
	return [...]string{"[ok]  ", "[warn]", "[FAIL]", "[skip]"}[s]
}

// emit prints one check: its status, a title, details, and for a problem
// what it means for the member.
func (d *Doctor) emit(st checkStatus, title string, details []string, meaning string) {
	switch st {
	case checkFail:
		d.problems++
	case checkWarn:
		d.warnings++
	}
	d.println(st.tag() + " " + title)
	for _, line := range details {
		d.println("       " + line)
	}
	if meaning != "" {
		if slices.Contains(d.explained, meaning) {
			meaning = "as above"
		} else {
			d.explained = append(d.explained, meaning)
		}
		d.println("       → " + meaning)
	}
}

// println prints one line of the report, redacted.
func (d *Doctor) println(line string) {
	_, _ = fmt.Fprintln(d.cfg.Out, d.red.clean(line))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (d *Doctor) header() {
	version := d.cfg.Version
	if version == "" {
		version = "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			version = bi.Main.Version
		}
	}
	now := d.cfg.Now().UTC()
	d.println("ahtui doctor report, " + now.Format("2006-01-02 15:04:05 UTC"))
	d.println(fmt.Sprintf("ahtui %s, %s, %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH))
	d.println("login:  " + withoutUserinfo(d.cfg.Client.LoginURL))
	d.println("portal: " + withoutUserinfo(d.cfg.Client.PortalURL))
	which := "a sample box: no current box in the database"
	if d.cfg.CurrentBox != nil {
		which = "your current box"
	}
	d.println(fmt.Sprintf("box:    %s (checked with %s, %s)", withoutUserinfo(d.cfg.Client.BoxURLTemplate), d.boxSub(), which))
	d.println("account: …@" + domainOf(d.cfg.Email))
	d.println("")
}

func domainOf(email string) string {
	_, domain, ok := strings.Cut(email, "@")
	if !ok || domain == "" {
		return "(no domain)"
	}
	return domain
}

// boxSub is the box whose host the network checks use.
func (d *Doctor) boxSub() string {
	if b := d.cfg.CurrentBox; b != nil && b.Subdomain != "" {
		return b.Subdomain
	}
	return sampleBox
}

// roundTook keeps a few significant digits of a short duration.
func roundTook(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
