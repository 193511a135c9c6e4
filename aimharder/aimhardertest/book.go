package aimhardertest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ahtui/ahtui/aimharder"
)

// Book and cancel results (docs/protocol.md §7.1, §8).
const (
	BookBooked       = 1
	BookWaitlisted   = 0
	BookFull         = -1
	BookNoCredit     = -2
	BookPaymentDue   = -5
	BookTooLate      = -7
	BookDailyLimit   = -8
	BookRuleRejected = -12

	CancelDone        = 1
	CancelLateWarning = 2
	CancelError       = 3
)

// handleBook is POST {box}/api/book (docs/protocol.md §7) with the checks in the
// order of docs/protocol.md §9.2 [GUESS]. Every answer is HTTP 200.
func (s *Server) handleBook(c *call) {
	if !c.requireMethod(http.MethodPost) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, state := s.auth(c)
	if state != authOK { // 1. no session
		c.code = "logout"
		c.jsonReply(object{{"logout", 1}})
		return
	}
	c.logFamily = c.form.Get("familyId")
	p := sess.user.personFor(c.logFamily)
	b := c.rt.box
	out := object{{"clasesContratadas", planText(p, b)}}
	reject := func(code int, extra ...field) {
		if c.shape.RefusalsWithoutState && (code == BookNoCredit || code == BookDailyLimit || code == BookRuleRejected) {
			if text, ok := noStateRefusal(sess.user.lang, code, extra, b.cfg.MaxPerDay); ok {
				// docs/protocol.md §10B: the reason alone, as HTML.
				out = append(out, field{"errorMssg", text})
				c.code = "no bookState (box rule)"
				c.jsonReply(out)
				return
			}
		}
		if code == BookRuleRejected && (c.shape.RuleRefusalsWithoutKey || c.shape.BareRuleRefusals) {
			extra = slices.DeleteFunc(extra, func(f field) bool {
				return f.key == "errorMssgLang" || (c.shape.BareRuleRefusals && f.key == "errorMssg")
			})
		}
		out = append(out, field{"bookState", code})
		out = append(out, extra...)
		c.code = fmt.Sprintf("bookState=%d", code)
		if msg, ok := out.get("errorMssgLang"); ok && code == BookRuleRejected {
			c.code += " " + fmt.Sprint(msg)
		}
		c.jsonReply(out)
	}
	rule := func(key string, n int) {
		reject(BookRuleRejected, field{"errorMssg", message(sess.user.lang, key, n)}, field{"errorMssgLang", key})
	}

	id, _ := strconv.ParseInt(strings.TrimSpace(c.form.Get("id")), 10, 64)
	cl := s.findClass(b, id, strings.TrimSpace(c.form.Get("day")))
	if cl == nil || cl.hidden(c.now) { // 2. unknown class (or one its box hides until its window opens) (invented key, docs/protocol.md §7.3)
		rule(KeyClassNotFound, -1)
		return
	}
	s.sync(cl, c.now)
	for _, r := range p.active(b) { // 3. same start time that day, this class included
		if r.class.date == cl.date && r.class.start.Equal(cl.start) {
			rule(KeySameHour, -1)
			return
		}
	}
	if !cl.opens.IsZero() && c.now.Before(cl.opens) { // 4. window not open
		w := b.cfg.Window
		if w.Kind == RuleSlidingHours {
			rule(KeyTooEarlyHours, w.Hours)
		} else {
			rule(KeyTooEarlyDays, w.Days)
		}
		return
	}
	if !c.now.Before(cl.start.Add(-b.cfg.MinNotice)) { // 5. minimum notice, or started
		reject(BookTooLate)
		return
	}
	if p.paymentPending { // 6.
		reject(BookPaymentDue)
		return
	}
	if !p.includes(cl.name) || (p.credits != nil && *p.credits <= 0) { // 7.
		reject(BookNoCredit)
		return
	}
	if p.quota > 0 && p.weekCount(b, cl.date) >= p.quota { // 8.
		rule(KeyQuota, -1)
		return
	}
	if m := b.cfg.MaxPerDay; m > 0 && p.dayCount(b, cl.date) >= m { // 9.
		reject(BookDailyLimit, field{"max", m})
		return
	}
	st := BookBooked
	if len(cl.booked) >= cl.cap { // 10. full
		if c.form.Get("insist") != "1" || len(cl.waiting) >= b.cfg.WaitlistCapacity {
			reject(BookFull)
			return
		}
		st = BookWaitlisted
	}
	// 11. booked (or waitlisted): a place uses a credit, a waitlist entry does not [GUESS].
	res := &reservation{id: s.newReservationID(), class: cl, person: p, state: st, active: true}
	p.reservations = append(p.reservations, res)
	if st == BookBooked {
		cl.booked = append(cl.booked, &place{res: res})
		if p.credits != nil {
			*p.credits--
		}
	} else {
		cl.waiting = append(cl.waiting, &place{res: res})
	}
	answered := st
	if c.shape.BookedAsWaitlisted {
		answered = BookWaitlisted // docs/protocol.md §10B: a place, answered 0
	}
	out = append(out, field{"hasPublicMemberships", 1}, field{"bookState", answered}, field{"id", strconv.FormatInt(res.id, 10)})
	if c.shape.MissingOptional {
		out.del("hasPublicMemberships")
	}
	if c.shape.ExtraKeys {
		out.set("reservationType", "class")
	}
	c.code = fmt.Sprintf("bookState=%d", answered)
	if answered != st {
		c.code += fmt.Sprintf(" (really %d)", st)
	}
	c.jsonReply(out)
}

// newReservationID hands out increasing ids with gaps, as if other members
// booked in between. Caller holds s.mu.
func (s *Server) newReservationID() int64 {
	s.nextRes += 1 + s.rng.Int64N(37)
	return s.nextRes
}

// planText is `clasesContratadas`: the plan's class types, ", "-separated.
func planText(p *person, b *box) string {
	names := p.planNames
	if p.plan == nil {
		names = b.typeNames()
	}
	return strings.Join(names, ", ")
}

// dayCount counts the person's live reservations (places and waitlist
// entries) in a box on a date, for the daily maximum [GUESS].
func (p *person) dayCount(b *box, d aimharder.Date) int {
	n := 0
	for _, r := range p.active(b) {
		if r.class.date == d {
			n++
		}
	}
	return n
}

// weekCount counts the person's live reservations in the Monday–Sunday
// week of d, for the plan quota [GUESS].
func (p *person) weekCount(b *box, d aimharder.Date) int {
	mon := d.Monday()
	n := 0
	for _, r := range p.active(b) {
		if m := r.class.date.Monday(); m == mon {
			n++
		}
	}
	return n
}
