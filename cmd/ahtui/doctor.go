package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
)

// `ahtui doctor` checks the configured AimHarder endpoints step by step —
// name resolution, connection and TLS, HTTP (a 403 geo-block), a login,
// whoami and a day of classes decoded against the protocol's keys, the
// server clock — and prints a report a member can paste into a bug report.
// The report never holds the password, a token, a cookie, the e-mail's
// local part or anyone's name. The login uses a throwaway fingerprint, is
// never stored, and is left to expire by itself: whether AimHarder's logout
// ends only that session or every session of the account is unknown
// (protocol §3.5), and ending the runner's background session would be far
// worse than a stray test session (--logout ends it anyway).

type doctorOptions struct {
	email         string
	passwordStdin bool
	logout        bool
	clockProbe    time.Duration  // how long to measure AimHarder's clock
	roots         *x509.CertPool // trusted CAs (nil: the system's); tests set it
}

// sampleBox is the box whose host is checked before login when the
// database names none: the example box of the protocol file.
const sampleBox = "crossfitcerdanyola300"

// Clock offsets worth a word.
const (
	clockWarnOffset = time.Minute
	dnsTimeout      = 5 * time.Second
	dialTimeout     = 10 * time.Second
	httpTimeout     = 20 * time.Second
	certSoon        = 14 * 24 * time.Hour
)

func newDoctorCommand(g *globalOptions, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	opts := doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the connection to AimHarder and print a report to share",
		Long: "Checks the configured AimHarder endpoints: name resolution, connection and TLS, whether\n" +
			"AimHarder blocks this connection (403: it refuses connections from outside Spain), a login,\n" +
			"who you are and one day of classes (reporting fields ahtui does not know or misses), and\n" +
			"how far this machine's clock is from AimHarder's.\n\n" +
			"The login it asks for is used for this check only: it is not stored and is logged out at\n" +
			"the end. The report holds no password, token, cookie, e-mail name or member names, so you\n" +
			"can paste it into a bug report. Exit status 0 when every check passes, 1 otherwise.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd.Context(), g, opts, stdin, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.email, "email", "", "your AimHarder e-mail (asked when not given)")
	f.BoolVar(&opts.passwordStdin, "password-stdin", false, "read the password from standard input")
	f.BoolVar(&opts.logout, "logout", false, "log the test session out at the end (AimHarder may end your other sessions too)")
	f.DurationVar(&opts.clockProbe, "clock-probe", 3*time.Second, "how long to measure AimHarder's clock")
	_ = f.MarkHidden("clock-probe")
	return cmd
}

func runDoctor(ctx context.Context, g *globalOptions, opts doctorOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	in := bufio.NewReader(stdin)
	tty := terminalFd(stdin)
	email := strings.TrimSpace(opts.email)
	if email == "" {
		if tty < 0 {
			return usageErrorf("no terminal to ask for the e-mail: use --email")
		}
		fmt.Fprint(stderr, "E-mail (for a test login, not stored): ")
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return usageErrorf("no e-mail given")
		}
		email = strings.TrimSpace(line)
	}
	password, err := readPassword(in, tty, opts.passwordStdin, stderr)
	if err != nil {
		return err
	}
	logger, closer, err := openLog(g.debug)
	if err != nil {
		return err
	}
	defer closer.Close()
	d, err := newDoctor(g, opts, email, password, stdout, logger)
	if err != nil {
		return err
	}
	problems := d.run(ctx)
	if problems > 0 {
		word := "problems"
		if problems == 1 {
			word = "problem"
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("doctor found %d %s: see the report above", problems, word)}
	}
	return nil
}

type doctor struct {
	g        *globalOptions
	opts     doctorOptions
	out      io.Writer
	log      *slog.Logger
	red      redactor
	email    string
	password string

	client    *aimharder.Client
	transport *http.Transport
	rec       *bodyRecorder
	est       *scheduler.ClockEstimator

	box       session.Box // the database's current box, if any
	hasBox    bool
	problems  int
	warnings  int
	explained []string // meanings printed so far: said once
}

func newDoctor(g *globalOptions, opts doctorOptions, email, password string, out io.Writer, logger *slog.Logger) (*doctor, error) {
	if opts.clockProbe <= 0 {
		opts.clockProbe = 3 * time.Second
	}
	d := &doctor{g: g, opts: opts, out: out, log: logger, email: email, password: password}
	d.red.add(password, email)
	// The local part alone is never printed either; redacting it wherever
	// it appears would blank box names when it is a short word ("demo").
	if local, _, ok := strings.Cut(email, "@"); ok && len(local) >= 6 {
		d.red.add(local)
	}
	d.transport = http.DefaultTransport.(*http.Transport).Clone()
	d.transport.TLSClientConfig = &tls.Config{RootCAs: opts.roots, MinVersion: tls.VersionTLS12}
	d.rec = &bodyRecorder{next: d.transport, bodies: map[string][]byte{}}
	clock := commandClock{now: g.now}
	d.est = scheduler.NewClockEstimator(clock)
	cfg := g.clientConfig()
	cfg.HTTPClient = &http.Client{Transport: d.rec}
	cfg.Observe = d.est.Observe
	cfg.Now = clock.Now
	cfg.Logger = logger
	client, err := aimharder.New(cfg)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	d.client = client
	return d, nil
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
func (d *doctor) emit(st checkStatus, title string, details []string, meaning string) {
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

func (d *doctor) println(line string) {
	_, _ = fmt.Fprintln(d.out, d.red.clean(line))
}

// run runs every check and returns the number of problems.
func (d *doctor) run(ctx context.Context) int {
	d.loadCurrentBox(ctx)
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
	d.println("")
	d.println(fmt.Sprintf("Summary: %d %s, %d %s. This report holds no password, token, cookie, e-mail name or member names:",
		d.problems, plural(d.problems, "problem", "problems"), d.warnings, plural(d.warnings, "warning", "warnings")))
	d.println("paste it into a bug report as it is.")
	return d.problems
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (d *doctor) header() {
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	now := d.g.now().UTC()
	d.println("ahtui doctor report, " + now.Format("2006-01-02 15:04:05 UTC"))
	d.println(fmt.Sprintf("ahtui %s, %s, %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH))
	d.println("login:  " + withoutUserinfo(d.g.loginURL))
	d.println("portal: " + withoutUserinfo(d.g.portalURL))
	which := "a sample box: no current box in the database"
	if d.hasBox {
		which = "your current box"
	}
	d.println(fmt.Sprintf("box:    %s (checked with %s, %s)", withoutUserinfo(d.g.boxURL), d.boxSub(), which))
	d.println("account: …@" + domainOf(d.email))
	d.println("")
}

// withoutUserinfo drops a user and password from a configured URL.
func withoutUserinfo(raw string) string {
	u, err := url.Parse(strings.ReplaceAll(raw, "{box}", "ahtui-box-placeholder"))
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return strings.ReplaceAll(u.String(), "ahtui-box-placeholder", "{box}")
}

func domainOf(email string) string {
	_, domain, ok := strings.Cut(email, "@")
	if !ok || domain == "" {
		return "(no domain)"
	}
	return domain
}

// loadCurrentBox reads the current box from the database, if there is
// one; doctor never creates a database.
func (d *doctor) loadCurrentBox(ctx context.Context) {
	path, err := d.g.databasePath()
	if err != nil {
		return
	}
	if _, err := os.Stat(path); err != nil {
		return
	}
	store, err := session.Open(ctx, path, session.WithClock(d.g.now))
	if err != nil {
		d.log.Info("doctor: cannot open the database", "err", err)
		return
	}
	defer store.Close()
	if box, err := store.CurrentBox(ctx); err == nil {
		d.box, d.hasBox = box, true
	}
}

func (d *doctor) boxSub() string {
	if d.hasBox && d.box.Subdomain != "" {
		return d.box.Subdomain
	}
	return sampleBox
}

// ---- network: name resolution, connection, TLS, HTTP ----

type endpoint struct {
	roles []string
	base  string // URL to HEAD
	u     *url.URL
}

func (e endpoint) hostPort() string {
	port := e.u.Port()
	if port == "" {
		port = "80"
		if e.u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(e.u.Hostname(), port)
}

// endpoints lists the configured bases, merged when they share a URL.
func (d *doctor) endpoints() ([]endpoint, error) {
	boxBase, err := d.client.BoxURL(d.boxSub())
	if err != nil {
		return nil, err
	}
	var out []endpoint
	for _, b := range []struct{ role, base string }{{"login", d.g.loginURL}, {"portal", d.g.portalURL}, {"box", boxBase}} {
		u, err := url.Parse(strings.TrimRight(b.base, "/"))
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("the %s URL %q is not a URL", b.role, b.base)
		}
		i := slices.IndexFunc(out, func(e endpoint) bool { return e.base == u.String() })
		if i >= 0 {
			out[i].roles = append(out[i].roles, b.role)
			continue
		}
		u.User = nil // a URL with a password in it is not for a report
		out = append(out, endpoint{roles: []string{b.role}, base: u.String(), u: u})
	}
	return out, nil
}

func (d *doctor) checkNetwork(ctx context.Context) {
	eps, err := d.endpoints()
	if err != nil {
		d.emit(checkFail, "Endpoints", []string{err.Error()}, "fix --login-url, --portal-url or --box-url (or the AHTUI_*_URL variables)")
		return
	}
	// Name resolution and connection once per host:port.
	seen := map[string]bool{}
	for _, ep := range eps {
		hp := ep.hostPort()
		if seen[hp] {
			continue
		}
		seen[hp] = true
		var roles []string
		for _, other := range eps {
			if other.hostPort() == hp {
				roles = append(roles, other.roles...)
			}
		}
		label := ep.u.Hostname() + " (" + strings.Join(roles, ", ") + ")"
		if !d.checkDNS(ctx, ep.u.Hostname(), label) {
			d.emit(checkSkip, "Connection to "+label, []string{"the name did not resolve"}, "")
			continue
		}
		d.checkConnection(ctx, ep, hp, label)
	}
	for _, ep := range eps {
		d.checkHTTP(ctx, ep)
	}
}

func (d *doctor) checkDNS(ctx context.Context, host, label string) bool {
	title := "Name resolution of " + label
	if ip := net.ParseIP(host); ip != nil {
		d.emit(checkOK, title, []string{"an IP address: nothing to resolve"}, "")
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	start := time.Now()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	took := roundTook(time.Since(start))
	if err != nil {
		var dnsErr *net.DNSError
		meaning := "this machine cannot look up AimHarder's servers: check its internet connection and DNS settings"
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			meaning = "the name does not exist: check the URL settings, or your DNS (a filter may block it)"
		}
		d.emit(checkFail, title, []string{"lookup failed: " + err.Error()}, meaning)
		return false
	}
	var v4, v6 []string
	for _, a := range addrs {
		if a.IP.To4() != nil {
			v4 = append(v4, a.IP.String())
		} else {
			v6 = append(v6, a.IP.String())
		}
	}
	shown := append(slices.Clone(v4), v6...)
	if len(shown) > 4 {
		shown = append(shown[:4], "…")
	}
	d.emit(checkOK, title, []string{fmt.Sprintf("%d IPv4 and %d IPv6 addresses in %s: %s", len(v4), len(v6), took, strings.Join(shown, ", "))}, "")
	return true
}

func (d *doctor) checkConnection(ctx context.Context, ep endpoint, hp, label string) {
	title := "Connection to " + label
	dialer := net.Dialer{Timeout: dialTimeout}
	start := time.Now()
	conn, err := dialer.DialContext(ctx, "tcp", hp)
	if err != nil {
		d.emit(checkFail, title, []string{"cannot connect to " + hp + ": " + err.Error()},
			"no connection to AimHarder: check the internet connection or a firewall; if the rest of the internet works, AimHarder may be down")
		return
	}
	defer conn.Close()
	details := []string{fmt.Sprintf("TCP %s connected in %s", hp, roundTook(time.Since(start)))}
	if ep.u.Scheme != "https" {
		d.emit(checkOK, title, append(details, "plain HTTP: no TLS to check"), "")
		return
	}
	st, detail, meaning := d.checkTLS(ctx, conn, ep.u.Hostname())
	d.emit(st, title, append(details, detail...), meaning)
}

// checkTLS shakes hands on conn and describes the certificate.
func (d *doctor) checkTLS(ctx context.Context, conn net.Conn, host string) (checkStatus, []string, string) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: d.opts.roots, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		meaning := "the secure connection failed: something between this machine and AimHarder (a company proxy, " +
			"an antivirus, a captive Wi-Fi portal) intercepts it, or this machine's clock is far off"
		var unknown x509.UnknownAuthorityError
		var invalid x509.CertificateInvalidError
		switch {
		case errors.As(err, &unknown):
			meaning = "the certificate is not from an authority this machine trusts: something between this machine and " +
				"AimHarder (a company proxy, an antivirus, a captive Wi-Fi portal) intercepts the connection"
		case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
			meaning = "the certificate is expired or not valid yet: check this machine's date and time"
		}
		return checkFail, []string{"TLS handshake failed: " + err.Error()}, meaning
	}
	cs := tc.ConnectionState()
	if len(cs.PeerCertificates) == 0 {
		return checkFail, []string{"TLS: no certificate"}, "AimHarder's server sent no certificate"
	}
	cert := cs.PeerCertificates[0]
	subject := cert.Subject.CommonName
	if subject == "" && len(cert.DNSNames) > 0 {
		subject = cert.DNSNames[0]
	}
	issuer := cert.Issuer.CommonName
	if len(cert.Issuer.Organization) > 0 {
		issuer = cert.Issuer.Organization[0] + " " + issuer
	}
	left := cert.NotAfter.Sub(d.g.now())
	line := fmt.Sprintf("%s, certificate for %s (%d names) by %s, valid until %s (%d days)",
		tls.VersionName(cs.Version), subject, len(cert.DNSNames), strings.TrimSpace(issuer),
		cert.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	if left < certSoon {
		return checkWarn, []string{line}, "AimHarder's certificate expires soon: if it lapses, nothing can connect until they renew it"
	}
	return checkOK, []string{line}, ""
}

// checkHTTP asks for the root of a base URL the way a browser would:
// any answer will do, except the blocks.
func (d *doctor) checkHTTP(ctx context.Context, ep endpoint) {
	title := "HTTP answer of " + ep.base + " (" + strings.Join(ep.roles, ", ") + ")"
	hc := &http.Client{Transport: d.transport, Timeout: httpTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, ep.base+"/", nil)
	if err != nil {
		d.emit(checkFail, title, []string{err.Error()}, "this URL setting is not valid: fix --login-url, --portal-url or --box-url")
		return
	}
	req.Header.Set("User-Agent", aimharder.DefaultUserAgent)
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		d.emit(checkFail, title, []string{"no answer: " + redactURLError(err)},
			"AimHarder did not answer: check the internet connection; if the checks above passed, AimHarder may be down")
		return
	}
	resp.Body.Close()
	detail := []string{fmt.Sprintf("HTTP %d in %s", resp.StatusCode, roundTook(time.Since(start)))}
	switch {
	case resp.StatusCode == http.StatusForbidden:
		d.emit(checkFail, title, detail, geoBlockMeaning)
	case resp.StatusCode == http.StatusTooManyRequests:
		d.emit(checkFail, title, detail, rateLimitMeaning)
	case resp.StatusCode >= 500:
		d.emit(checkFail, title, detail, fmt.Sprintf(serverTroubleMeaning, resp.StatusCode))
	default:
		d.emit(checkOK, title, detail, "")
	}
}

const (
	geoBlockMeaning = "AimHarder refuses this connection (HTTP 403). It blocks connections from outside Spain: " +
		"cloud servers, VPNs and some foreign networks. Run ahtui from a Spanish home or mobile connection " +
		"(a home server in Spain works; a cloud server usually does not)"
	rateLimitMeaning = "AimHarder is limiting requests from this connection (HTTP 429): wait some minutes and " +
		"make sure no other program is hammering it"
	serverTroubleMeaning = "AimHarder is having trouble (HTTP %d): not a problem on your side; try again later"
	changedMeaning       = "AimHarder answered in a way ahtui does not understand: it may have changed. " +
		"Please report it with this report"
)

// redactURLError drops the URL from an http.Client error (the words
// after it are what matter).
func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// ---- login, whoami, classes, logout ----

func (d *doctor) checkLogin(ctx context.Context) (aimharder.Credentials, aimharder.User, bool) {
	title := "Login (a test login with a throwaway device id; not stored)"
	fp, err := throwawayFingerprint()
	if err != nil {
		d.emit(checkFail, title, []string{err.Error()}, "this machine could not make a random device id: please report it")
		return aimharder.Credentials{}, aimharder.User{}, false
	}
	res, err := d.client.Login(ctx, d.email, d.password, fp)
	if err != nil {
		detail, meaning := explainForDoctor(err)
		var le *aimharder.LoginError
		if errors.As(err, &le) {
			switch {
			case errors.Is(err, aimharder.ErrBadCredentials):
				meaning = "AimHarder says the e-mail or the password is wrong: try them on aimharder.com"
			case errors.Is(err, aimharder.ErrTooManyAttempts):
				meaning = "AimHarder has locked the login after too many failed attempts: wait before trying again"
			default:
				meaning = "AimHarder refused the login in a way ahtui does not know: " + changedMeaning
			}
		}
		var perr *aimharder.ProtocolError
		if errors.As(err, &perr) && strings.Contains(perr.Problem, "HTML") {
			meaning = "AimHarder answered the login with a web page instead of data: its login has probably changed " +
				"(as it did in 2026), or a captive Wi-Fi portal or a proxy answered instead. Please report it with this report"
		}
		d.emit(checkFail, title, detail, meaning)
		return aimharder.Credentials{}, aimharder.User{}, false
	}
	creds := res.Credentials
	d.red.add(creds.Token, creds.Fingerprint)
	for _, v := range creds.Cookies {
		d.red.add(v)
	}
	d.red.add(res.User.Name)
	cookies := slices.Sorted(mapKeys(creds.Cookies))
	detail := []string{fmt.Sprintf("logged in; cookies set: %s (values not shown)", strings.Join(cookies, ", "))}
	if res.Legacy {
		d.emit(checkWarn, title, append(detail, "the JSON login is missing: the old login form worked"),
			"AimHarder's login has changed again: ahtui still got in, but please report it")
	} else {
		d.emit(checkOK, title, detail, "")
	}
	return creds, res.User, true
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// throwawayFingerprint is a device id for this check only (sessions are
// per fingerprint: the member's stored sessions are left alone).
func throwawayFingerprint() (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 50)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot make a device id: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// explainForDoctor describes an AimHarder error: what happened (no
// secret: the client's errors hold none) and what it means.
func explainForDoctor(err error) ([]string, string) {
	var (
		blocked *aimharder.BlockedError
		httpErr *aimharder.HTTPError
		proto   *aimharder.ProtocolError
		trans   *aimharder.TransportError
		out     *aimharder.LoggedOutError
	)
	switch {
	case errors.As(err, &blocked):
		if blocked.Status == http.StatusTooManyRequests {
			return []string{fmt.Sprintf("%s: HTTP 429", blocked.Endpoint)}, rateLimitMeaning
		}
		return []string{fmt.Sprintf("%s: HTTP %d", blocked.Endpoint, blocked.Status)}, geoBlockMeaning
	case errors.As(err, &httpErr):
		return []string{fmt.Sprintf("%s: HTTP %d", httpErr.Endpoint, httpErr.Status)}, fmt.Sprintf(serverTroubleMeaning, httpErr.Status)
	case errors.As(err, &trans):
		return []string{trans.Error()}, "the connection failed midway: check the internet connection; if it works, AimHarder may be down"
	case errors.As(err, &out):
		return []string{fmt.Sprintf("%s: logged out (%s)", out.Endpoint, out.Reason)},
			"AimHarder did not accept the session: ahtui could not show your bookings or book"
	case errors.As(err, &proto):
		return []string{fmt.Sprintf("%s: %s", proto.Endpoint, proto.Problem)}, changedMeaning
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return []string{err.Error()}, "the check was interrupted before AimHarder answered"
	}
	return []string{err.Error()}, "an unexpected error: please report it with this report"
}

func (d *doctor) checkWhoami(ctx context.Context, creds aimharder.Credentials, fromLogin aimharder.User) (aimharder.User, aimharder.Credentials) {
	title := "Who you are (whoami)"
	user, creds, err := d.client.Whoami(ctx, creds)
	if err != nil {
		detail, meaning := explainForDoctor(err)
		if errors.Is(err, aimharder.ErrLoggedOut) {
			if strings.Contains(err.Error(), "HTML") {
				detail = append(detail, "AimHarder answered with a web page (a login page) instead of data")
			}
			meaning = "AimHarder ended the session right after logging in: another login or a logout elsewhere may have " +
				"ended it, or AimHarder changed how sessions work; ahtui's prebookings would fail the same way"
		}
		d.emit(checkFail, title, detail, meaning)
		return fromLogin, creds
	}
	d.red.add(user.Name)
	var boxes []string
	for _, b := range user.Boxes {
		boxes = append(boxes, fmt.Sprintf("%s (%s, %s)", b.Subdomain, b.Name, b.Role))
	}
	detail := []string{fmt.Sprintf("a user with %d %s: %s", len(user.Boxes), plural(len(user.Boxes), "box", "boxes"), strings.Join(boxes, "; "))}
	st, meaning := checkOK, ""
	if len(user.Boxes) == 0 {
		st, meaning = checkFail, "AimHarder lists no box for this account: ahtui has nothing to show or book"
	}
	kst, kdetail, kmeaning := d.keyReport("whoami")
	detail = append(detail, kdetail...)
	if kst > st {
		st, meaning = kst, kmeaning
	}
	d.emit(st, title, detail, meaning)
	return user, creds
}

// keyReport compares the last raw answer of endpoint with the protocol's
// keys.
func (d *doctor) keyReport(endpoint string) (checkStatus, []string, string) {
	body := d.rec.last(endpoint)
	if body == nil {
		return checkOK, nil, ""
	}
	k, err := aimharder.CheckKeys(endpoint, body)
	if err != nil {
		return checkWarn, []string{"fields not compared: " + err.Error()}, ""
	}
	if k.OK() {
		return checkOK, []string{fmt.Sprintf("fields: as documented (%d %s compared)", k.Objects, plural(k.Objects, "object", "objects"))}, ""
	}
	var detail []string
	if len(k.Needed) > 0 {
		detail = append(detail, "fields ahtui needs are missing: "+strings.Join(k.Needed, ", "))
	}
	if len(k.Missing) > 0 {
		detail = append(detail, "documented fields missing: "+strings.Join(k.Missing, ", "))
	}
	if len(k.Unknown) > 0 {
		detail = append(detail, "fields ahtui does not know: "+strings.Join(k.Unknown, ", "))
	}
	if len(k.Needed) > 0 {
		return checkFail, detail, "AimHarder no longer sends fields ahtui relies on: what it shows or books may be wrong. " +
			"Please report it with this report"
	}
	return checkWarn, detail, "AimHarder's answers differ from what ahtui was written against; ahtui copes, " +
		"but please report it so it can be checked"
}

// chooseBox picks the box to read classes from: the database's current
// one when the account has it, else the first.
func (d *doctor) chooseBox(user aimharder.User) (aimharder.BoxRef, bool) {
	loc, _ := time.LoadLocation(session.DefaultTimezone)
	if d.hasBox {
		if l, err := d.box.Location(); err == nil {
			loc = l
		}
		ref := aimharder.BoxRef{ID: d.box.ID, Subdomain: d.box.Subdomain, Location: loc}
		if len(user.Boxes) == 0 || slices.ContainsFunc(user.Boxes, func(b aimharder.Box) bool { return b.ID == d.box.ID }) {
			return ref, true
		}
	}
	if len(user.Boxes) == 0 {
		return aimharder.BoxRef{}, false
	}
	b := user.Boxes[0]
	for _, c := range user.Boxes {
		if strings.EqualFold(c.Role, "client") {
			b = c
			break
		}
	}
	return b.Ref(loc), true
}

func (d *doctor) checkClasses(ctx context.Context, creds aimharder.Credentials, ref aimharder.BoxRef) aimharder.Credentials {
	loc := ref.Location
	if loc == nil {
		loc, _ = time.LoadLocation(session.DefaultTimezone)
	}
	today := aimharder.DateOf(d.g.now().In(loc))
	var (
		day aimharder.Day
		err error
	)
	// Today, or the next day with classes (a box may be closed today).
	for i := range 7 {
		day, creds, err = d.client.Day(ctx, creds, ref, today.AddDays(i), "")
		if err != nil || len(day.Classes) > 0 {
			break
		}
	}
	title := "Classes of " + ref.Subdomain
	if err != nil {
		detail, meaning := explainForDoctor(err)
		if errors.Is(err, aimharder.ErrLoggedOut) {
			if strings.Contains(err.Error(), "HTML") {
				detail = append(detail, "AimHarder answered the class list with a web page (a login page) instead of data")
			}
			meaning = "AimHarder did not accept the session for the class list: ahtui would show the public schedule " +
				"at best, without your bookings, and could not book"
		}
		d.emit(checkFail, title, detail, meaning)
		return creds
	}
	if !day.MemberData && len(day.Classes) > 0 {
		// Without a live session AimHarder answers the public schedule,
		// which looks just like this: confirm the session (invariant 3).
		var werr error
		if _, creds, werr = d.client.Whoami(ctx, creds); errors.Is(werr, aimharder.ErrLoggedOut) {
			d.emit(checkFail, title, []string{
				fmt.Sprintf("%s: %d classes read, but as the public schedule: whoami then said logged out", day.Date, len(day.Classes))},
				"AimHarder did not accept the session for the class list: ahtui would show the public schedule, "+
					"without your bookings or who is coming, and could not book")
			return creds
		}
	}
	attendees, shared, mine := 0, 0, 0
	for _, c := range day.Classes {
		if c.Attendees != nil {
			shared++
			attendees += len(c.Attendees)
			for _, a := range c.Attendees {
				d.red.add(a.Name)
			}
		}
		if c.State == aimharder.StateBooked || c.State == aimharder.StateWaitlisted {
			mine++
		}
		d.red.add(c.Coach)
	}
	detail := []string{fmt.Sprintf("%s: %d %s read", day.Date, len(day.Classes), plural(len(day.Classes), "class", "classes"))}
	if shared > 0 {
		detail = append(detail, fmt.Sprintf("attendee lists shared on %d classes (%d people; names not shown)", shared, attendees))
	} else {
		detail = append(detail, "attendee lists: not shared by this box (or not on this day)")
	}
	detail = append(detail, fmt.Sprintf("your bookings or waitlist places on this day: %d", mine))
	st, meaning := checkOK, ""
	if len(day.Classes) == 0 {
		detail[0] = fmt.Sprintf("no classes in the 7 days from %s", today)
		st, meaning = checkWarn, "the box lists no classes this week: if it has some on its web page, please report it"
	}
	if n := len(day.Warnings); n > 0 {
		st, meaning = checkWarn, changedMeaning
		detail = append(detail, fmt.Sprintf("%d %s could not be read:", n, plural(n, "class", "classes")))
		for _, w := range day.Warnings[:min(n, 5)] {
			detail = append(detail, "  "+w)
		}
	}
	if n := len(day.Notices); n > 0 {
		detail = append(detail, fmt.Sprintf("the box shows %d %s with the list (text not shown)", n, plural(n, "notice", "notices")))
	}
	kst, kdetail, kmeaning := d.keyReport("bookings")
	detail = append(detail, kdetail...)
	if kst > st {
		st, meaning = kst, kmeaning
	}
	d.emit(st, title, detail, meaning)
	return creds
}

func (d *doctor) checkLogout(ctx context.Context, creds aimharder.Credentials) {
	title := "Logout of the test session"
	if !d.opts.logout {
		d.emit(checkSkip, title, []string{"left to expire by itself (about 30 minutes); --logout ends it"}, "")
		return
	}
	if err := d.client.Logout(ctx, creds); err != nil {
		detail, _ := explainForDoctor(err)
		d.emit(checkWarn, title, detail, "the test session could not be ended: it expires by itself in about 30 minutes")
		return
	}
	d.emit(checkOK, title, []string{"ended"}, "")
}

// ---- the server clock ----

func (d *doctor) checkClock(ctx context.Context, ref aimharder.BoxRef) {
	title := "Clock: AimHarder's against this machine's"
	// A few pings placed around the server's second boundaries, added to
	// what every answer so far said.
	_, perr := d.est.Probe(ctx, d.client, ref, 20*time.Millisecond, time.Now().Add(d.opts.clockProbe))
	est, ok := d.est.Estimate()
	if !ok {
		detail := []string{"no answer carried a date"}
		if perr != nil {
			detail = []string{redactURLError(perr)}
		}
		d.emit(checkWarn, title, detail, "the offset could not be measured: ahtui measures it again before each prebooking")
		return
	}
	detail := []string{"offset " + est.String() + " (positive: AimHarder's clock is ahead of this machine's)"}
	off := est.Offset
	if off < 0 {
		off = -off
	}
	switch {
	case est.Broken():
		d.emit(checkFail, title, detail, fmt.Sprintf("the clocks differ by more than %d minutes: ahtui does not believe such a "+
			"difference and fires prebookings by this machine's clock, that much too early or too late. Set this "+
			"machine's clock (turn on automatic time / NTP, e.g. `timedatectl set-ntp true`)", int(scheduler.MaxSaneOffset.Minutes())))
	case off >= clockWarnOffset:
		d.emit(checkWarn, title, detail, "this machine's clock is off by minutes: ahtui corrects for it when firing, "+
			"but a clock this far off usually means automatic time (NTP) is not running")
	default:
		d.emit(checkOK, title, detail, "")
	}
}

// ---- helpers ----

// roundTook keeps a few significant digits of a short duration.
func roundTook(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// redactor removes secrets and names from report lines.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		v = strings.TrimSpace(v)
		// Very short values would blank ordinary words.
		if len(v) < 4 || slices.Contains(r.secrets, v) {
			continue
		}
		r.secrets = append(r.secrets, v)
	}
	// Longest first, so a secret containing another is removed whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

func (r *redactor) clean(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// bodyRecorder keeps the last answer body of whoami and bookings, so
// doctor can compare their keys with the protocol's.
type bodyRecorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	bodies map[string][]byte
}

func (b *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	name := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	if name != "whoami" && name != "bookings" {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if resp.StatusCode == http.StatusOK {
		b.bodies[name] = body
	}
	b.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func (b *bodyRecorder) last(name string) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bodies[name]
}
