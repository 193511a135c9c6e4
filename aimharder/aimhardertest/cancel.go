package aimhardertest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// handleCancel is POST {box}/api/cancelBook (docs/protocol.md §8). The id must be
// one of the caller's reservations; anything else — a session id above all
// — answers {"cancelState":1} and cancels nothing, as the real service does
// [ONE, seen by two projects].
func (s *Server) handleCancel(c *call) {
	if !c.requireMethod(http.MethodPost) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, state := s.auth(c)
	if state != authOK {
		c.code = "logout"
		c.jsonReply(object{{"logout", 1}})
		return
	}
	c.logFamily = c.form.Get("familyId")
	p := sess.user.personFor(c.logFamily)
	id, _ := strconv.ParseInt(strings.TrimSpace(c.form.Get("id")), 10, 64)
	var res *reservation
	for _, r := range p.active(c.rt.box) {
		if r.id == id {
			res = r
		}
	}
	reply := func(st int, msg string) {
		if st == CancelError && c.shape.RefusalsWithoutState { // docs/protocol.md §10B
			text, ok := cancelNoStateText[sess.user.lang]
			if !ok {
				text = cancelNoStateText["es"]
			}
			c.code = "no cancelState (refused)"
			c.jsonReply(object{{"errorMssg", text}})
			return
		}
		out := object{{"cancelState", st}}
		if msg != "" {
			out.set("errorMssg", msg)
		}
		c.code = fmt.Sprintf("cancelState=%d", st)
		c.jsonReply(out)
	}
	if res == nil {
		c.code = "cancelState=1 (not a reservation: nothing cancelled)"
		c.jsonReply(object{{"cancelState", CancelDone}})
		return
	}
	cl := res.class
	s.sync(cl, c.now)
	texts := cancelMessages[sess.user.lang]
	if !c.now.Before(cl.start) { // started [GUESS]
		reply(CancelError, texts[1])
		return
	}
	late := res.state == 1 && cl.box.cfg.LateCancel > 0 && !c.now.Before(cl.start.Add(-cl.box.cfg.LateCancel))
	if late && c.form.Get("late") != "1" { // waitlist entries never get the warning
		reply(CancelLateWarning, texts[0])
		return
	}
	res.active = false
	cl.remove(res)
	if res.state == 1 {
		res.lateCancel = late
		if !late && p.credits != nil {
			*p.credits++ // a timely cancel refunds the credit [ONE]
		}
		s.promote(cl)
	}
	reply(CancelDone, "")
}
