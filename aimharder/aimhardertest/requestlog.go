package aimhardertest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Request is one entry of the request log (docs/protocol.md §11.5). Times are
// server-side: tests assert with them that a booking arrived at or after an
// opening, and that nothing arrived early.
type Request struct {
	Seq          int
	Arrived      time.Time // server now (clock + offset) when the request was recorded and judged, after the inbound delay
	ArrivedClock time.Time // the injected clock alone at that moment
	Completed    time.Time // server now just before the reply was written (after the outbound delay)
	Role         string    // RoleLogin, RolePortal or RoleBox
	Box          string    // box subdomain for RoleBox
	Endpoint     Endpoint
	Method       string
	Path         string            // path as requested (with /b/{box} in single-host mode)
	Query        string            // raw query, token values redacted
	Form         map[string]string // body fields; password, pw and token redacted
	Session      string            // opaque session label ("" when none)
	User         string            // e-mail of the session or of the login attempt
	Fingerprint  string
	FamilyID     string
	Origin       string // the Origin header, "" when none was sent
	XHR          bool   // X-Requested-With: XMLHttpRequest was sent
	Host         string // the Host the request named
	Status       int    // 0 when the connection was dropped
	Code         string // business outcome: "bookState=1", "cancelState=2", "logout", "authOK", "newToken"…
	Faults       []string
}

// BodyKeys returns the body's field names, sorted.
func (r Request) BodyKeys() []string { return sortedKeys(r.Form) }

// String is one log line, without secrets (the fingerprint is shortened).
func (r Request) String() string {
	host := r.Role
	if r.Box != "" {
		host += "/" + r.Box
	}
	target := r.Path
	if r.Query != "" {
		target += "?" + shortenFingerprint(r.Query)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-6s %s %s %d", r.Arrived.Format("15:04:05.000"), host, r.Method, target, r.Status)
	if r.Code != "" {
		b.WriteString(" " + r.Code)
	}
	if r.Session != "" {
		b.WriteString(" " + r.Session)
	}
	if r.Fingerprint != "" {
		b.WriteString(" fp=" + shortFP(r.Fingerprint))
	}
	if r.FamilyID != "" {
		b.WriteString(" family=" + r.FamilyID)
	}
	if keys := r.BodyKeys(); len(keys) > 0 {
		b.WriteString(" body={" + strings.Join(keys, ",") + "}")
	}
	if len(r.Faults) > 0 {
		b.WriteString(" faults=" + strings.Join(r.Faults, ","))
	}
	fmt.Fprintf(&b, " %s", r.Completed.Sub(r.Arrived).Round(time.Millisecond))
	return b.String()
}

// shortenFingerprint keeps log lines from carrying whole fingerprints.
func shortenFingerprint(rawQuery string) string {
	q, err := url.ParseQuery(rawQuery)
	if err != nil || !q.Has("fingerprint") {
		return rawQuery
	}
	short := shortFP(q.Get("fingerprint"))
	q.Set("fingerprint", "FINGERPRINT")
	return strings.Replace(q.Encode(), "FINGERPRINT", short, 1)
}

func shortFP(fp string) string {
	if len(fp) <= 6 {
		return strings.Repeat("*", len(fp))
	}
	return fp[:4] + "…"
}

var secretKeys = []string{"password", "pw", "token", "refreshToken"}

func redactValues(v url.Values) map[string]string {
	out := make(map[string]string, len(v))
	for k := range v {
		if slices.Contains(secretKeys, k) {
			out[k] = "[redacted]"
		} else {
			out[k] = v.Get(k)
		}
	}
	return out
}

func redactQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil || !slices.ContainsFunc(secretKeys, q.Has) {
		return raw
	}
	for _, k := range secretKeys {
		if q.Has(k) {
			q.Set(k, "redacted")
		}
	}
	return q.Encode()
}

// record appends the request's log entry. It runs before the reply is
// written, so a client that has its answer always finds the entry.
func (s *Server) record(c *call) Request {
	e := Request{
		Arrived:      c.now,
		ArrivedClock: c.clockNow,
		Completed:    s.Now(),
		Role:         c.rt.role,
		Box:          c.rt.sub,
		Endpoint:     c.rt.endpoint,
		Method:       c.r.Method,
		Path:         c.r.URL.Path,
		Query:        redactQuery(c.r.URL.RawQuery),
		Form:         redactValues(c.form),
		Session:      c.logSess,
		User:         c.logUser,
		Fingerprint:  c.logFP,
		FamilyID:     c.logFamily,
		Origin:       c.r.Header.Get("Origin"),
		XHR:          c.r.Header.Get("X-Requested-With") == "XMLHttpRequest",
		Host:         c.r.Host,
		Status:       c.status,
		Code:         c.code,
		Faults:       c.faults,
	}
	s.mu.Lock()
	s.reqSeq++
	e.Seq = s.reqSeq
	s.log = append(s.log, e)
	s.mu.Unlock()
	return e
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// ResetRequests empties the request log (sequence numbers keep counting).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}
