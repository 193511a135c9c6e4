package aimharder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Production base URLs (docs/protocol.md §1).
const (
	DefaultLoginURL       = "https://login.aimharder.com"
	DefaultPortalURL      = "https://aimharder.com"
	DefaultBoxURLTemplate = "https://{box}.aimharder.com"
)

// DefaultUserAgent is a current desktop Chrome: AimHarder may refuse odd
// user agents with a 403 (docs/protocol.md §2.1, [GUESS]).
const DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " +
	"(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"

const (
	defaultMaxBodyBytes   = 4 << 20
	defaultRequestTimeout = 30 * time.Second // real latencies of several seconds happen (docs/protocol.md §10A)
	acceptLanguage        = "es-ES,es;q=0.9,en;q=0.8"
	boxPlaceholder        = "{box}"
)

// Config configures a Client. Only the URLs are required; DefaultConfig
// fills them with production values.
type Config struct {
	LoginURL       string // e.g. https://login.aimharder.com
	PortalURL      string // e.g. https://aimharder.com
	BoxURLTemplate string // contains "{box}", e.g. https://{box}.aimharder.com or http://127.0.0.1:8088/b/{box}

	// HTTPClient sends the requests. nil means a client with sane
	// transport timeouts. A given client is shallow-copied: the copy drops
	// its cookie jar (credentials are explicit) and never follows
	// redirects (a 3xx on /api/… means logged out, docs/protocol.md §10).
	HTTPClient *http.Client

	UserAgent      string        // default DefaultUserAgent
	MaxBodyBytes   int64         // default 4 MiB; a larger answer is an error
	RequestTimeout time.Duration // per request, headers and body; default 30s

	Now func() time.Time // default time.Now: the `_` cache buster and Exchange times

	// Observe, when set, is called after every HTTP exchange that got a
	// response (for server-clock estimation). It may be called from
	// several goroutines at once (Week).
	Observe func(Exchange)

	// Logger receives one debug line per exchange: method, endpoint, path
	// (never the query, which can carry the token), status and timing.
	Logger *slog.Logger
}

// DefaultConfig returns a Config for the production service.
func DefaultConfig() Config {
	return Config{LoginURL: DefaultLoginURL, PortalURL: DefaultPortalURL, BoxURLTemplate: DefaultBoxURLTemplate}
}

// Exchange describes one HTTP request and its response, for clock
// estimation and diagnostics. Sent is when the request was fully written,
// Received when the first response byte arrived (when the transport
// reports them; otherwise around the round trip).
type Exchange struct {
	Endpoint   string
	Method     string
	Sent       time.Time
	Received   time.Time
	RTT        time.Duration
	ServerDate time.Time // the Date header (one-second resolution); zero if absent
	Status     int
}

// Client talks to AimHarder. It holds no credentials and is safe for
// concurrent use.
type Client struct {
	loginURL, portalURL string
	boxTemplate         string
	domain              string // the AimHarder domain of the production hosts (ForDomain)
	hc                  *http.Client
	userAgent           string
	maxBody             int64
	timeout             time.Duration
	now                 func() time.Time
	observe             func(Exchange)
	log                 *slog.Logger
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	login, err := baseURL("LoginURL", cfg.LoginURL)
	if err != nil {
		return nil, err
	}
	portal, err := baseURL("PortalURL", cfg.PortalURL)
	if err != nil {
		return nil, err
	}
	if strings.Count(cfg.BoxURLTemplate, boxPlaceholder) != 1 {
		return nil, fmt.Errorf("aimharder: BoxURLTemplate %q must contain %s exactly once", cfg.BoxURLTemplate, boxPlaceholder)
	}
	// Check the template with a sample subdomain in place.
	if _, err := baseURL("BoxURLTemplate", strings.Replace(cfg.BoxURLTemplate, boxPlaceholder, "sample", 1)); err != nil {
		return nil, err
	}
	tmpl := strings.TrimRight(cfg.BoxURLTemplate, "/")
	c := &Client{
		loginURL:    login,
		portalURL:   portal,
		boxTemplate: tmpl,
		domain:      DefaultDomain,
		hc:          noRedirectClient(cfg.HTTPClient),
		userAgent:   orDefault(cfg.UserAgent, DefaultUserAgent),
		maxBody:     cfg.MaxBodyBytes,
		timeout:     cfg.RequestTimeout,
		now:         cfg.Now,
		observe:     cfg.Observe,
		log:         cfg.Logger,
	}
	if c.maxBody <= 0 {
		c.maxBody = defaultMaxBodyBytes
	}
	if c.timeout <= 0 {
		c.timeout = defaultRequestTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// baseURL checks an absolute http(s) URL without query or fragment and
// returns it without a trailing slash.
func baseURL(name, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("aimharder: %s %q is not an absolute http(s) URL without query", name, raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

func noRedirectClient(given *http.Client) *http.Client {
	var c http.Client
	if given != nil {
		c = *given
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConnsPerHost = weekConcurrency + 1 // a week is concurrent requests to one box host
		t.ResponseHeaderTimeout = defaultRequestTimeout
		c.Transport = t
	}
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// BoxURL returns the base URL of a box (no trailing slash), from its
// subdomain (the first DNS label of centre_url).
func (c *Client) BoxURL(subdomain string) (string, error) {
	if !validSubdomain(subdomain) {
		return "", fmt.Errorf("aimharder: %q is not a box subdomain", subdomain)
	}
	return strings.Replace(c.boxTemplate, boxPlaceholder, subdomain, 1), nil
}

// validSubdomain accepts one DNS label, which also keeps the path-based
// template (…/b/{box}) from being escaped.
func validSubdomain(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// call describes one request in terms of the protocol; send turns it into
// HTTP.
type call struct {
	endpoint    string // name used in errors, logs and Exchange
	method      string
	url         string
	body        []byte
	contentType string
	accept      string
	xhr         bool // X-Requested-With: XMLHttpRequest, as the site's own scripts send
	referer     string
	origin      string // a base URL; the header gets its scheme://host (never sent on GET or HEAD)
	idempotent  bool   // a failure may be retried blindly (reads)
	snippets    bool   // a short body excerpt may appear in errors (never on session endpoints)
}

const (
	formContentType = "application/x-www-form-urlencoded; charset=UTF-8"
	jsonContentType = "application/json"
	acceptXHR       = "application/json, text/javascript, */*; q=0.01"
	acceptHTML      = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
)

// answer is a response read in full.
type answer struct {
	status   int
	header   http.Header
	body     []byte
	exchange Exchange
}

// newRequest builds the HTTP request for cl carrying creds. It does all
// the encoding, so a prepared request can be sent later without any.
func (c *Client) newRequest(ctx context.Context, cl *call, creds Credentials) (*http.Request, error) {
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, cl.url, body)
	if err != nil {
		// The URL can hold the token (setrefresh): never echo it.
		return nil, fmt.Errorf("aimharder %s: cannot build request", cl.endpoint)
	}
	h := req.Header
	h.Set("User-Agent", c.userAgent)
	h.Set("Accept-Language", acceptLanguage)
	h.Set("Accept", orDefault(cl.accept, acceptHTML))
	if cl.contentType != "" {
		h.Set("Content-Type", cl.contentType)
	}
	if cl.xhr {
		h.Set("X-Requested-With", "XMLHttpRequest")
	}
	if cl.referer != "" {
		h.Set("Referer", cl.referer)
	}
	if cl.origin != "" && cl.method != http.MethodGet && cl.method != http.MethodHead {
		// A browser sends Origin on a POST, never on a same-origin GET
		// (docs/protocol.md §1, request shapes).
		h.Set("Origin", originOf(cl.origin))
	}
	if cookie := cookieHeader(creds.Cookies); cookie != "" {
		h.Set("Cookie", cookie)
	}
	return req, nil
}

// boxCall is a call to a box's /api/…, with the headers the schedule page's
// XHR sends (docs/protocol.md §5).
func boxCall(endpoint, method, boxURL, path string) *call {
	return &call{endpoint: endpoint, method: method, url: boxURL + path, accept: acceptXHR,
		xhr: true, referer: boxURL + "/schedule", origin: boxURL, snippets: true}
}

// originOf returns scheme://host of a base URL: with a path-based box
// template the box URL has a path, which an Origin never carries.
func originOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Scheme + "://" + u.Host
}

// cookieHeader builds the Cookie header ourselves (no jar: credentials are
// explicit), in name order so requests are reproducible.
func cookieHeader(cookies map[string]string) string {
	names := make([]string, 0, len(cookies))
	for name, value := range cookies {
		if name != "" && value != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		// http.Cookie.String sanitises the value as a browser would send it,
		// and is empty for a name that cannot be sent.
		if part := (&http.Cookie{Name: name, Value: cookies[name]}).String(); part != "" {
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "; ")
}

// exchangeTimes records when the request was written and when the first
// response byte came back; the trace hooks run on transport goroutines.
type exchangeTimes struct {
	mu             sync.Mutex
	now            func() time.Time
	wrote, firstIn time.Time
}

func (t *exchangeTimes) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) {
			t.mu.Lock()
			t.wrote = t.now()
			t.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			t.mu.Lock()
			t.firstIn = t.now()
			t.mu.Unlock()
		},
	}
}

// send performs req (built by newRequest) with the per-request timeout and
// the size cap. It returns creds merged with the response's Set-Cookie
// headers, also when it returns an error.
func (c *Client) send(req *http.Request, cl *call, creds Credentials) (answer, Credentials, error) {
	caller := req.Context()
	ctx, cancel := context.WithTimeout(caller, c.timeout)
	defer cancel()
	times := &exchangeTimes{now: c.now}
	req = req.WithContext(httptrace.WithClientTrace(ctx, times.trace()))

	started := c.now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, creds, c.transportError(cl, err, creds, caller)
	}
	defer resp.Body.Close()
	returned := c.now()

	creds = creds.WithCookies(c.cookieChanges(resp))
	ex := c.report(cl, resp, started, returned, times)

	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return answer{}, creds, c.transportError(cl, err, creds, caller)
	}
	if int64(len(body)) > c.maxBody {
		return answer{}, creds, &ProtocolError{Endpoint: cl.endpoint,
			Problem: fmt.Sprintf("answer larger than %d bytes", c.maxBody), Err: ErrResponseTooLarge}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body, exchange: ex}, creds, nil
}

// cookieChanges turns Set-Cookie headers into a WithCookies change set:
// an expired cookie (Max-Age ≤ 0 or Expires in the past) becomes "" and is
// deleted.
func (c *Client) cookieChanges(resp *http.Response) map[string]string {
	set := resp.Cookies()
	if len(set) == 0 {
		return nil
	}
	now := c.now()
	changes := make(map[string]string, len(set))
	for _, ck := range set {
		expired := ck.MaxAge < 0 || (!ck.Expires.IsZero() && !ck.Expires.After(now))
		if expired {
			changes[ck.Name] = ""
		} else {
			changes[ck.Name] = ck.Value
		}
	}
	return changes
}

// report logs the exchange and hands it to Config.Observe.
func (c *Client) report(cl *call, resp *http.Response, started, returned time.Time, times *exchangeTimes) Exchange {
	times.mu.Lock()
	sent, received := times.wrote, times.firstIn
	times.mu.Unlock()
	if sent.IsZero() {
		sent = started
	}
	if received.IsZero() || received.Before(sent) {
		received = returned
	}
	ex := Exchange{Endpoint: cl.endpoint, Method: cl.method, Sent: sent, Received: received,
		RTT: received.Sub(sent), Status: resp.StatusCode}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ex.ServerDate = d
	}
	c.log.Debug("aimharder exchange", "endpoint", cl.endpoint, "method", cl.method,
		"path", resp.Request.URL.Path, "status", resp.StatusCode, "rtt", ex.RTT)
	if c.observe != nil {
		c.observe(ex)
	}
	return ex
}

// transportError hides the request URL (setrefresh carries the token in
// its query) and scrubs any credential value that still shows up. A read
// that failed on its own (not because the caller gave up) may be retried.
func (c *Client) transportError(cl *call, err error, creds Credentials, caller context.Context) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	c.log.Debug("aimharder exchange failed", "endpoint", cl.endpoint, "method", cl.method)
	return &TransportError{
		Endpoint:    cl.endpoint,
		Err:         err,
		Retryable:   cl.idempotent && caller.Err() == nil,
		Interrupted: errors.Is(caller.Err(), context.Canceled),
		msg:         creds.Redact(err.Error()),
	}
}

// do builds and sends cl in one go.
func (c *Client) do(ctx context.Context, cl *call, creds Credentials) (answer, Credentials, error) {
	req, err := c.newRequest(ctx, cl, creds)
	if err != nil {
		return answer{}, creds, err
	}
	return c.send(req, cl, creds)
}

// Ping sends a HEAD request for the root of a box (or of the portal when
// box.Subdomain is empty), without credentials. Only the headers matter:
// it measures the round trip and reads the server's Date for clock
// estimation, and warms the connection before a time-critical booking.
// Any HTTP status counts as an answer.
func (c *Client) Ping(ctx context.Context, box BoxRef) (Exchange, error) {
	target := c.portalURL
	if box.Subdomain != "" {
		u, err := c.boxURLFor(box)
		if err != nil {
			return Exchange{}, err
		}
		target = u
	}
	cl := &call{endpoint: "ping", method: http.MethodHead, url: target + "/", idempotent: true}
	ans, _, err := c.do(ctx, cl, Credentials{})
	if err != nil {
		return Exchange{}, err
	}
	return ans.exchange, nil
}
