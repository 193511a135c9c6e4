package aimhardertest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// Latency delays requests: In before the request is recorded and judged
// (the way up), Out before the reply is written (the way down); each is
// fixed plus a uniform jitter in [0, jitter), so the two paths can differ.
// A heavy tail delays some requests more: each one, with probability
// 1/TailOneIn, also waits TailIn on the way up and TailOut on the way down
// (TailOneIn 20, TailIn 40 ms: "1 in 20 requests is 40 ms slower"). The
// delays are real sleeps that end early if the client goes away
// (docs/protocol.md §11.4).
type Latency struct {
	In, InJitter   time.Duration
	Out, OutJitter time.Duration

	TailOneIn       int // 0: no tail
	TailIn, TailOut time.Duration
}

// delays draws one request's delays (up, down) from rng.
func (l Latency) delays(rng *rand.Rand) (in, out time.Duration) {
	in = l.In + jitter(rng, l.InJitter)
	out = l.Out + jitter(rng, l.OutJitter)
	if l.TailOneIn > 0 && (l.TailIn > 0 || l.TailOut > 0) && rng.IntN(l.TailOneIn) == 0 {
		in += l.TailIn
		out += l.TailOut
	}
	return in, out
}

// add stacks a latency fault on top of l; the tail with the larger odds
// (the smaller TailOneIn) wins.
func (l Latency) add(f Latency) Latency {
	l.In += f.In
	l.InJitter += f.InJitter
	l.Out += f.Out
	l.OutJitter += f.OutJitter
	if f.TailOneIn > 0 && (l.TailOneIn == 0 || f.TailOneIn < l.TailOneIn) {
		l.TailOneIn, l.TailIn, l.TailOut = f.TailOneIn, f.TailIn, f.TailOut
	}
	return l
}

// Shape selects wire-format variants the client must tolerate (docs/protocol.md §10A).
type Shape struct {
	LimitWithWaitlist bool  // `limit` as "N (w)", w = people waiting
	NumbersAsStrings  bool  // ids, `limit`, `limitc` and 0/1 flags as strings
	FlagsAsBooleans   bool  // 0/1 flags as true/false
	PaddedNames       bool  // spaces around className, boxName, coachName and gym
	CompactTime       bool  // `time` as "07:00-08:00"
	MissingOptional   bool  // drop hidden, waitlist, hasPublicMemberships, seminars, resmsgs, zoom fields
	ExtraKeys         bool  // unknown keys in every object
	ResMsgs           []any // a non-empty `resmsgs` (strings or objects)

	// Minority shapes one other client reports (docs/protocol.md §10B),
	// each opt-in.

	// RefusalsWithoutState: the box-rule refusals of a book (no plan or
	// credit, plan quota, daily maximum) and a cancel refused (state 3)
	// carry no bookState/cancelState, only the reason in errorMssg as HTML.
	RefusalsWithoutState bool
	// RuleRefusalsWithoutKey: −12 answers carry no errorMssgLang, only
	// their text.
	RuleRefusalsWithoutKey bool
	// BareRuleRefusals: −12 answers carry neither errorMssgLang nor
	// errorMssg.
	BareRuleRefusals bool
	// TimeIDOnly: rows without `time`, `timeid` an integer HHMM ("900_60").
	TimeIDOnly bool
	// StartTimeOnly: `time` is the start alone ("09:00"); the end comes
	// from classLength.
	StartTimeOnly bool
	// BookedAsWaitlisted: a booking that got a place answers bookState 0,
	// as a waitlist entry does; the day's listing shows it booked.
	BookedAsWaitlisted bool
}

func (a Shape) merge(b Shape) Shape {
	a.LimitWithWaitlist = a.LimitWithWaitlist || b.LimitWithWaitlist
	a.NumbersAsStrings = a.NumbersAsStrings || b.NumbersAsStrings
	a.FlagsAsBooleans = a.FlagsAsBooleans || b.FlagsAsBooleans
	a.PaddedNames = a.PaddedNames || b.PaddedNames
	a.CompactTime = a.CompactTime || b.CompactTime
	a.MissingOptional = a.MissingOptional || b.MissingOptional
	a.ExtraKeys = a.ExtraKeys || b.ExtraKeys
	if b.ResMsgs != nil {
		a.ResMsgs = b.ResMsgs
	}
	a.RefusalsWithoutState = a.RefusalsWithoutState || b.RefusalsWithoutState
	a.RuleRefusalsWithoutKey = a.RuleRefusalsWithoutKey || b.RuleRefusalsWithoutKey
	a.BareRuleRefusals = a.BareRuleRefusals || b.BareRuleRefusals
	a.TimeIDOnly = a.TimeIDOnly || b.TimeIDOnly
	a.StartTimeOnly = a.StartTimeOnly || b.StartTimeOnly
	a.BookedAsWaitlisted = a.BookedAsWaitlisted || b.BookedAsWaitlisted
	return a
}

// FaultKind is what a fault does to a request.
type FaultKind int

const (
	// FaultStatus answers Status (500, 502, 503 default, 504) with an HTML body.
	FaultStatus FaultKind = iota + 1
	// FaultGeoBlock answers 403 with a geo-block page (docs/protocol.md §10).
	FaultGeoBlock
	// FaultRateLimit answers 429 with a rate-limit page.
	FaultRateLimit
	// FaultLoginPage answers 200 with a page that looks like the login form.
	FaultLoginPage
	// FaultTruncate cuts the body at TruncateAt bytes (0 → half), always
	// after processing.
	FaultTruncate
	// FaultDrop closes the connection without a reply.
	FaultDrop
	// FaultLogout kills the caller's session (all the user's with
	// AllSessions) just before the request is judged.
	FaultLogout
	// FaultShape applies Shape variants to the reply.
	FaultShape
	// FaultLatency adds Latency to the request.
	FaultLatency
)

func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultGeoBlock:
		return "geo-block"
	case FaultRateLimit:
		return "rate-limit"
	case FaultLoginPage:
		return "login-page"
	case FaultTruncate:
		return "truncate"
	case FaultDrop:
		return "drop"
	case FaultLogout:
		return "logout"
	case FaultShape:
		return "shape"
	case FaultLatency:
		return "latency"
	}
	return fmt.Sprintf("fault(%d)", int(k))
}

// Fault is an injected misbehaviour (docs/protocol.md §11.4). It applies to the
// listed endpoints (all when empty), to the next Times matching requests
// (every one when 0), each with the given Probability (always when 0 or ≥1;
// rolls use the world's seeded RNG).
type Fault struct {
	Kind        FaultKind
	Endpoints   []Endpoint
	Times       int
	Probability float64

	Status          int     // FaultStatus
	AfterProcessing bool    // FaultStatus, FaultGeoBlock, FaultRateLimit, FaultLoginPage, FaultDrop: judge the request (a booking happens), then lose the reply
	TruncateAt      int     // FaultTruncate
	AllSessions     bool    // FaultLogout
	Shape           Shape   // FaultShape
	Latency         Latency // FaultLatency
}

// FaultID identifies an injected fault.
type FaultID int

type faultEntry struct {
	id   FaultID
	f    Fault
	left int // remaining applications when f.Times > 0
}

// Inject adds a fault and returns its id.
func (s *Server) Inject(f Fault) FaultID {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultSeq++
	s.faults = append(s.faults, &faultEntry{id: s.faultSeq, f: f, left: f.Times})
	return s.faultSeq
}

// RemoveFault removes one fault; removing a spent or unknown id is a no-op.
func (s *Server) RemoveFault(id FaultID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = slices.DeleteFunc(s.faults, func(e *faultEntry) bool { return e.id == id })
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults returns how many injected faults are still active.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// SetLatency sets the latency applied to every request.
func (s *Server) SetLatency(l Latency) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = l
}

// SetClockOffset sets the signed server clock offset: the fake's now is the
// clock plus d, for every decision and for the Date header (docs/protocol.md §11.3).
func (s *Server) SetClockOffset(d time.Duration) { s.offset.Store(int64(d)) }

// ClockOffset returns the current server clock offset.
func (s *Server) ClockOffset() time.Duration { return time.Duration(s.offset.Load()) }

// SetShape sets the shape variants applied to every reply.
func (s *Server) SetShape(sh Shape) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shape = sh
}

// SetJSONContentType sets the Content-Type of JSON replies; "" restores the
// default ContentTypeHTML.
func (s *Server) SetJSONContentType(ct string) {
	if ct == "" {
		ct = ContentTypeHTML
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jsonCT = ct
}

// SetPromotion switches promotion from the waitlist when a place frees
// (on by default).
func (s *Server) SetPromotion(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.promotion = on
}

// faultPlan is what the faults chose for one request.
type faultPlan struct {
	inDelay, outDelay time.Duration
	shape             Shape
	jsonCT            string
	names             []string
	replace           *Fault // the reply-replacing fault, if any
	truncate          *Fault
	logout            *Fault
}

// planFaults picks the faults for a request and consumes their counters.
// Caller holds s.mu.
func (s *Server) planFaults(ep Endpoint) faultPlan {
	p := faultPlan{shape: s.shape, jsonCT: s.jsonCT}
	lat := s.latency
	for _, e := range slices.Clone(s.faults) {
		f := e.f
		if len(f.Endpoints) > 0 && !slices.Contains(f.Endpoints, ep) {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && s.rng.Float64() >= f.Probability {
			continue
		}
		switch f.Kind {
		case FaultShape:
			p.shape = p.shape.merge(f.Shape)
		case FaultLatency:
			lat = lat.add(f.Latency)
		case FaultTruncate:
			if p.truncate != nil {
				continue
			}
			p.truncate = &f
		case FaultLogout:
			if p.logout != nil {
				continue
			}
			p.logout = &f
		default:
			if p.replace != nil {
				continue // one replacement per request; the others wait for the next
			}
			p.replace = &f
		}
		p.names = append(p.names, faultName(f))
		if f.Times > 0 {
			if e.left--; e.left <= 0 {
				s.faults = slices.DeleteFunc(s.faults, func(x *faultEntry) bool { return x == e })
			}
		}
	}
	p.inDelay, p.outDelay = lat.delays(s.rng)
	return p
}

func jitter(rng *rand.Rand, j time.Duration) time.Duration {
	if j <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(j)))
}

func faultName(f Fault) string {
	n := f.Kind.String()
	switch f.Kind {
	case FaultStatus:
		n = fmt.Sprintf("status=%d", statusOf(f))
	case FaultTruncate:
		n = fmt.Sprintf("truncate@%d", f.TruncateAt)
	case FaultLogout:
		if f.AllSessions {
			n = "logout-all"
		}
	}
	if f.AfterProcessing && f.Kind != FaultTruncate {
		n += "-after"
	}
	return n
}

func statusOf(f Fault) int {
	if f.Status >= 500 && f.Status <= 599 {
		return f.Status
	}
	return http.StatusServiceUnavailable
}

// faultReply replaces the reply with the fault's page. Headers set by the
// handler (cookies included) are lost with the reply.
func (c *call) faultReply(f *Fault) {
	c.header = http.Header{}
	switch f.Kind {
	case FaultStatus:
		st := statusOf(*f)
		c.htmlReply(st, errorPage(st))
	case FaultGeoBlock:
		c.htmlReply(http.StatusForbidden, geoBlockPage)
	case FaultRateLimit:
		c.htmlReply(http.StatusTooManyRequests, rateLimitPage)
	case FaultLoginPage:
		c.htmlReply(http.StatusOK, loginPage(""))
	case FaultDrop:
		c.status, c.body = 0, nil
	}
}

// truncate cuts the body, keeping the headers (a complete HTTP reply whose
// JSON is cut short).
func (c *call) truncate(at int) {
	if at <= 0 || at >= len(c.body) {
		at = len(c.body) / 2
	}
	c.body = c.body[:at]
}

// forcedLogoutFault kills the caller's session (or all of its user's)
// before the request is judged.
func (s *Server) forcedLogoutFault(c *call, all bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.cookieSession(c.r)
	if sess == nil {
		return
	}
	if all {
		s.endUserSessions(sess.user, "")
		return
	}
	s.endSession(sess, EndForced)
}
