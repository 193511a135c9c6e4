// Package aimhardertest is a fake AimHarder: a stateful, deterministic
// http.Handler that speaks the member web protocol as written in
// docs/protocol.md (login, keep-alive, box discovery, class
// lists, booking, waitlist, cancelling), with an injectable clock, fault
// knobs and a request log. Tests, `ahtui sim` and `ahtui --demo` use it.
//
// Layout (single-host mode): login and portal endpoints at the root of one
// listener, each box under /b/{box}. With WithHostDomain the fake routes by
// Host instead (login.<domain>, <domain>, <box>.<domain>).
//
// Wherever the protocol marks real behaviour as unknown, the fake follows
// the protocol's stated decision; comments tag such behaviour [GUESS] or
// [Fake] so a client is never tuned to an invention.
package aimhardertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the fake AimHarder. It is an http.Handler; all its state lives
// in memory behind one mutex, and its knobs may be changed while it serves.
type Server struct {
	w     *compiled
	clock Clock

	offset atomic.Int64 // server clock minus client clock, in nanoseconds (docs/protocol.md §11.3)

	mu        sync.Mutex
	rng       *rand.Rand // tokens, reservation ids, fault rolls, jitter
	classes   map[int64]*class
	sessions  map[sessKey]*session
	byCookie  map[string]*session
	byToken   map[string]*session
	oldTokens map[string]*session
	failures  map[string]*loginFailures
	nextRes   int64
	sessSeq   int
	ends      []SessionEnd // every session that ended, oldest first

	// knobs, guarded by mu
	latency      Latency
	faults       []*faultEntry
	faultSeq     FaultID
	shape        Shape
	jsonCT       string
	legacy       LegacyMode
	jsonLogin    bool
	promotion    bool
	reuseEnds    bool
	lifetime     time.Duration
	lockout      Lockout
	cookieDomain string
	hostDomain   string

	// opt-in minority shapes (loginshapes.go)
	refusalShape    RefusalShape
	loginHost       LoginHostMode
	refreshRequired bool
	refusals        map[string]string // e-mail → refusal text
	refusedFamily   map[string]bool   // familyId → refused (SetRefusedFamily)
	spanMarkup      bool

	log       []Request
	reqSeq    int
	onRequest func(Request)
}

// Option configures a Server at construction.
type Option func(*Server)

// WithClock sets the clock every decision reads (default SystemClock).
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithCookieDomain adds Domain=<d> to every cookie (Host-routed mode). In
// single-host mode cookies carry no Domain, as Go's cookie jar drops
// Domain=.aimharder.com from an IP host (docs/protocol.md §1).
func WithCookieDomain(d string) Option { return func(s *Server) { s.cookieDomain = d } }

// WithHostDomain routes by Host: login.<domain> is the login host, <domain>
// and www.<domain> the portal, <box>.<domain> a box.
func WithHostDomain(domain string) Option {
	return func(s *Server) { s.hostDomain = strings.ToLower(strings.TrimPrefix(domain, ".")) }
}

// WithRequestLog calls fn once per request, after it is logged (for
// `ahtui sim` to print a line per request). fn must not block for long.
func WithRequestLog(fn func(Request)) Option { return func(s *Server) { s.onRequest = fn } }

// WithLatency sets the initial latency; this and the With… options below
// set a knob's starting value, and the matching Set… method changes it later.
func WithLatency(l Latency) Option { return func(s *Server) { s.latency = l } }

// WithClockOffset: see SetClockOffset.
func WithClockOffset(d time.Duration) Option { return func(s *Server) { s.offset.Store(int64(d)) } }

// WithSessionLifetime: see SetSessionLifetime.
func WithSessionLifetime(d time.Duration) Option { return func(s *Server) { s.SetSessionLifetime(d) } }

// WithLockout: see SetLockout.
func WithLockout(l Lockout) Option { return func(s *Server) { s.lockout = l.withDefaults() } }

// WithLegacyLogin: see SetLegacyLogin.
func WithLegacyLogin(m LegacyMode) Option { return func(s *Server) { s.legacy = m } }

// WithRefusedFamily: see SetRefusedFamily.
func WithRefusedFamily(ids ...string) Option { return func(s *Server) { s.SetRefusedFamily(ids...) } }

// SetRefusedFamily makes the class list and nextBookings answer HTTP 403
// to a request for any of these familyIds (a family member id the account
// no longer has, or a typo): an opt-in fault, off by default. No ids
// turn it off.
func (s *Server) SetRefusedFamily(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusedFamily = map[string]bool{}
	for _, id := range ids {
		s.refusedFamily[id] = true
	}
}

// refuseFamily answers 403 when the request names a refused familyId.
// Called with s.mu held.
func (s *Server) refuseFamily(c *call) bool {
	id := c.r.URL.Query().Get("familyId")
	if id == "" || !s.refusedFamily[id] {
		return false
	}
	c.logFamily = id
	c.code = "refused family"
	c.htmlReply(http.StatusForbidden, "<html><body>Forbidden</body></html>")
	return true
}

// WithJSONContentType: see SetJSONContentType.
func WithJSONContentType(ct string) Option { return func(s *Server) { s.SetJSONContentType(ct) } }

// Content types for JSON replies. The real service labels JSON as HTML
// (exact header unrecorded); the fake does so by default (docs/protocol.md §10).
const (
	ContentTypeHTML = "text/html; charset=UTF-8"
	ContentTypeJSON = "application/json"
)

// Default knob values.
const (
	DefaultSessionLifetime = 30 * time.Minute // idle lifetime, docs/protocol.md §3.4 [ONE]
)

// New builds a fake from a world. It panics if the world is invalid (see
// World.Validate), like regexp.MustCompile: worlds are written by tests and
// the demo, and a bad one is a bug there.
func New(w World, opts ...Option) *Server {
	c, err := compileWorld(w)
	if err != nil {
		panic("aimhardertest: invalid world: " + err.Error())
	}
	seed := uint64(w.Seed)
	s := &Server{
		w:         c,
		clock:     SystemClock{},
		rng:       rand.New(rand.NewPCG(seed, seed^0xa5a5a5a5a5a5a5a5)),
		classes:   map[int64]*class{},
		sessions:  map[sessKey]*session{},
		byCookie:  map[string]*session{},
		byToken:   map[string]*session{},
		oldTokens: map[string]*session{},
		failures:  map[string]*loginFailures{},
		jsonCT:    ContentTypeHTML,
		legacy:    LegacyOff,
		jsonLogin: true,
		promotion: true,
		lifetime:  DefaultSessionLifetime,
		lockout:   Lockout{}.withDefaults(),
	}
	s.nextRes = reservationIDBase + int64(hash64(fmt.Sprint("reservations/", w.Seed))%10_000_000)
	for _, o := range opts {
		o(s)
	}
	return s
}

// URLs are the three base URLs a client is configured with.
type URLs struct {
	Login       string
	Portal      string
	BoxTemplate string // contains "{box}"
}

// Box returns the base URL of one box.
func (u URLs) Box(sub string) string { return strings.ReplaceAll(u.BoxTemplate, "{box}", sub) }

// URLs returns the client URLs for a listener at base (e.g.
// "http://127.0.0.1:8088"). In single-host mode login and portal are the
// base and boxes live under /b/{box}; in Host-routed mode the hosts are
// derived from the domain, keeping base's scheme and port.
func (s *Server) URLs(base string) URLs {
	base = strings.TrimRight(base, "/")
	if s.hostDomain == "" {
		return URLs{Login: base, Portal: base, BoxTemplate: base + "/b/{box}"}
	}
	scheme, port := "http", ""
	if u, err := url.Parse(base); err == nil {
		scheme = u.Scheme
		if p := u.Port(); p != "" {
			port = ":" + p
		}
	}
	return URLs{
		Login:       scheme + "://login." + s.hostDomain + port,
		Portal:      scheme + "://" + s.hostDomain + port,
		BoxTemplate: scheme + "://{box}." + s.hostDomain + port,
	}
}

// Now returns the fake's current time: the clock plus the server offset.
func (s *Server) Now() time.Time { return s.clock.Now().Add(time.Duration(s.offset.Load())) }

// Endpoint names a route, for fault targeting and the request log.
type Endpoint string

// Endpoints.
const (
	EndpointLogin         Endpoint = "login"        // POST /api/login (login and portal)
	EndpointLegacyLogin   Endpoint = "legacy-login" // POST / (login), POST /login (portal)
	EndpointSetRefresh    Endpoint = "setrefresh"
	EndpointTokenUpdate   Endpoint = "tokenUpdate"
	EndpointWhoami        Endpoint = "whoami"
	EndpointHome          Endpoint = "home"
	EndpointLogout        Endpoint = "logout" // portal and box
	EndpointPage          Endpoint = "page"   // GET / of the login host or portal
	EndpointSchedule      Endpoint = "schedule"
	EndpointBookings      Endpoint = "bookings"
	EndpointBook          Endpoint = "book"
	EndpointCancelBook    Endpoint = "cancelBook"
	EndpointNextBookings  Endpoint = "nextBookings"
	EndpointCoachBookings Endpoint = "coachBookings"
	EndpointOtherAPI      Endpoint = "other-api" // any other /api/… path
	EndpointNotFound      Endpoint = "not-found"
)

// Host roles in the request log.
const (
	RoleLogin  = "login"
	RolePortal = "portal"
	RoleBox    = "box"
)

type route struct {
	role     string
	box      *box
	sub      string
	path     string
	endpoint Endpoint
}

func (s *Server) route(r *http.Request) route {
	rt := route{path: r.URL.Path}
	if s.hostDomain != "" {
		host := strings.ToLower(r.Host)
		if h, _, ok := strings.Cut(host, ":"); ok {
			host = h
		}
		matched := false
		for _, d := range s.domains() {
			switch {
			case host == "login."+d:
				rt.role = RoleLogin
			case host == d || host == "www."+d:
				rt.role = RolePortal
			case strings.HasSuffix(host, "."+d):
				rt.role, rt.sub = RoleBox, strings.TrimSuffix(host, "."+d)
				if b := s.w.boxBySub[rt.sub]; b != nil && boxDomain(b) != d && !(b.cfg.Domain == "" && d == s.hostDomain) {
					// A box lives on its own domain only: an .es box is
					// not at <sub>.aimharder.com.
					rt.endpoint = EndpointNotFound
					return rt
				}
			default:
				continue
			}
			matched = true
			break
		}
		if !matched {
			rt.endpoint = EndpointNotFound
			return rt
		}
	} else {
		rt.role = RolePortal
		if rest, ok := strings.CutPrefix(r.URL.Path, "/b/"); ok {
			sub, p, _ := strings.Cut(rest, "/")
			rt.role, rt.sub, rt.path = RoleBox, sub, "/"+p
		} else if r.URL.Path == "/api/login" || (r.URL.Path == "/" && r.Method == http.MethodPost) {
			rt.role = RoleLogin // the login host's paths, served at the shared root
		}
	}
	if rt.role == RoleBox {
		rt.box = s.w.boxBySub[rt.sub]
		if rt.box == nil {
			rt.endpoint = EndpointNotFound
			return rt
		}
	}
	rt.endpoint = endpointFor(rt.role, r.Method, rt.path)
	return rt
}

func endpointFor(role, method, path string) Endpoint {
	if role == RoleBox {
		switch path {
		case "/", "/schedule":
			return EndpointSchedule
		case "/api/bookings":
			return EndpointBookings
		case "/api/book":
			return EndpointBook
		case "/api/cancelBook":
			return EndpointCancelBook
		case "/api/nextBookings":
			return EndpointNextBookings
		case "/api/coachBookings":
			return EndpointCoachBookings
		case "/logout":
			return EndpointLogout
		}
	} else {
		switch {
		case path == "/api/login":
			return EndpointLogin
		case path == "/" && method == http.MethodPost:
			return EndpointLegacyLogin
		case path == "/":
			return EndpointPage
		case role == RoleLogin:
			// the login host serves nothing else
		case path == "/login" && method == http.MethodPost:
			return EndpointLegacyLogin
		case path == "/setrefresh":
			return EndpointSetRefresh
		case path == "/api/tokenUpdate":
			return EndpointTokenUpdate
		case path == "/api/whoami":
			return EndpointWhoami
		case path == "/home":
			return EndpointHome
		case path == "/logout":
			return EndpointLogout
		}
	}
	if path == "/api" || strings.HasPrefix(path, "/api/") {
		return EndpointOtherAPI
	}
	return EndpointNotFound
}

// call is one request in flight: what it asked, who asked, and the reply
// being built. Handlers fill the reply; ServeHTTP applies faults and writes it.
type call struct {
	s         *Server
	r         *http.Request
	rt        route
	clockNow  time.Time // the injected clock at arrival
	now       time.Time // the server's now at arrival (clock + offset): every decision uses it
	form      url.Values
	jsonBody  map[string]any
	shape     Shape
	jsonCT    string
	sess      *session // the caller's live session, once looked up
	logUser   string
	logFamily string
	logFP     string
	logSess   string
	code      string
	faults    []string

	status int
	header http.Header
	body   []byte
}

// ServeHTTP runs the request pipeline: pick faults, inbound delay, record
// arrival, pre-processing faults, the handler, post-processing faults,
// outbound delay, log, write.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := s.route(r)
	s.mu.Lock()
	plan := s.planFaults(rt.endpoint)
	s.mu.Unlock()

	// Take the body in before the inbound delay: net/http notices a client
	// hanging up (and cancels r.Context()) only once the body has been read
	// to its end, so an unread POST body would keep the delay from ending
	// early when the client gives up.
	if r.Body != nil {
		raw, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		r.Body = io.NopCloser(bytes.NewReader(raw))
	}
	if !sleepCtx(r.Context(), plan.inDelay) {
		return // the client gave up during the inbound delay: the request never arrived
	}
	c := &call{s: s, r: r, rt: rt, status: http.StatusOK, header: http.Header{}, shape: plan.shape, jsonCT: plan.jsonCT, faults: plan.names}
	c.clockNow = s.clock.Now()
	c.now = c.clockNow.Add(time.Duration(s.offset.Load()))
	c.readBody()

	if plan.logout != nil {
		s.forcedLogoutFault(c, plan.logout.AllSessions)
	}
	replace := plan.replace
	if replace != nil && !replace.AfterProcessing {
		c.faultReply(replace)
	} else {
		s.process(c)
		switch {
		case replace != nil:
			c.faultReply(replace)
		case plan.truncate != nil:
			c.truncate(plan.truncate.TruncateAt)
		}
	}
	replied := s.Now() // the Date header: when the server produced the reply
	sleepCtx(r.Context(), plan.outDelay)

	entry := s.record(c)
	if s.onRequest != nil {
		s.onRequest(entry)
	}
	if replace != nil && replace.Kind == FaultDrop {
		dropConnection(w)
		return
	}
	h := w.Header()
	for k, v := range c.header {
		h[k] = v
	}
	h.Set("Date", replied.UTC().Format(http.TimeFormat))
	w.WriteHeader(c.status)
	w.Write(c.body)
}

// dropConnection closes the connection without a reply.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream instead
}

// sleepCtx waits d, or less if the request's context ends; it reports
// whether the full delay passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

const maxBody = 1 << 20

// readBody parses a JSON or form body once, for the handlers and the log.
func (c *call) readBody() {
	c.form = url.Values{}
	if c.r.Body == nil {
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(c.r.Body, maxBody))
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	if strings.Contains(c.r.Header.Get("Content-Type"), "json") || raw[0] == '{' {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			c.jsonBody = m
			for k, v := range m {
				c.form.Set(k, fmt.Sprint(v))
			}
		}
		return
	}
	if f, err := url.ParseQuery(string(raw)); err == nil {
		c.form = f
	}
}

func (s *Server) process(c *call) {
	switch c.rt.endpoint {
	case EndpointLogin:
		s.handleLogin(c)
	case EndpointLegacyLogin:
		s.handleLegacyLogin(c)
	case EndpointSetRefresh:
		s.handleSetRefresh(c)
	case EndpointTokenUpdate:
		s.handleTokenUpdate(c)
	case EndpointWhoami:
		s.handleWhoami(c)
	case EndpointHome:
		s.handleHome(c)
	case EndpointLogout:
		s.handleLogout(c)
	case EndpointPage:
		s.handlePage(c)
	case EndpointSchedule:
		s.handleSchedule(c)
	case EndpointBookings:
		if s.unarmedLogout(c) {
			return
		}
		s.handleBookings(c)
	case EndpointBook:
		if s.unarmedLogout(c) {
			return
		}
		s.handleBook(c)
	case EndpointCancelBook:
		if s.unarmedLogout(c) {
			return
		}
		s.handleCancel(c)
	case EndpointNextBookings:
		if s.unarmedLogout(c) {
			return
		}
		s.handleNextBookings(c)
	case EndpointCoachBookings:
		s.handleCoachBookings(c)
	case EndpointOtherAPI:
		s.handleOtherAPI(c)
	default:
		c.htmlReply(http.StatusNotFound, notFoundPage)
	}
}

// reply helpers

// jsonReply answers 200 with JSON under the configured content type.
func (c *call) jsonReply(v any) {
	c.status = http.StatusOK
	c.header.Set("Content-Type", c.jsonCT)
	c.body = marshal(v)
}

func (c *call) htmlReply(status int, body string) {
	c.status = status
	c.header.Set("Content-Type", ContentTypeHTML)
	c.body = []byte(body)
}

func (c *call) redirect(location string) {
	c.status = http.StatusFound
	c.header.Set("Location", location)
	c.header.Set("Content-Type", ContentTypeHTML)
	c.body = nil
}

// requireMethod answers 405 to a wrong method (the JSON login's absence
// check in clients treats 404 and 405 alike).
func (c *call) requireMethod(m string) bool {
	if c.r.Method == m {
		return true
	}
	c.header.Set("Allow", m)
	c.htmlReply(http.StatusMethodNotAllowed, methodNotAllowedPage)
	return false
}

// portalRoot and loginRoot are the redirect targets of /logout and of /home
// without a session.
func (c *call) portalRoot() string { return c.hostURL("", "/") }
func (c *call) loginRoot() string  { return c.hostURL("login.", "/") }

// hostURL builds a URL on another host in Host-routed mode, or a path in
// single-host mode (where every host shares the root).
func (c *call) hostURL(prefix, path string) string {
	if c.s.hostDomain == "" {
		return path
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	port := ""
	if _, p, ok := strings.Cut(c.r.Host, ":"); ok {
		port = ":" + p
	}
	return scheme + "://" + prefix + c.s.hostDomain + port + path
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
