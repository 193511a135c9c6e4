package aimhardertest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// handleSchedule serves the box page, with `box: <boid>,` for scrapers (docs/protocol.md §4.2).
func (s *Server) handleSchedule(c *call) {
	c.htmlReply(http.StatusOK, schedulePage(c.rt.box))
}

// handleBookings is GET {box}/api/bookings (docs/protocol.md §5). Without a live
// session it still answers the full envelope, as a public schedule:
// bookState and idres null, no attendees (docs/protocol.md §3.5).
func (s *Server) handleBookings(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := c.r.URL.Query()
	b := c.rt.box
	sess, state := s.auth(c)
	var p *person
	if state == authOK && s.refuseFamily(c) {
		return
	}
	if state == authOK {
		c.logFamily = q.Get("familyId")
		p = sess.user.personFor(c.logFamily)
	}
	rows, timetable := []any{}, []any{}
	label := ""
	day, err := aimharder.ParseDate(q.Get("day"))
	if err == nil {
		label = dayLabel(day)
		// `box` is required in practice (docs/protocol.md §5); without it, or with another
		// box's id, the fake lists nothing. [GUESS]
		if q.Get("box") == strconv.FormatInt(b.cfg.ID, 10) {
			seen := map[string]bool{}
			for _, cl := range s.dayClasses(b, day) {
				if cl.hidden(c.now) {
					continue
				}
				s.sync(cl, c.now)
				rows = append(rows, s.row(c, cl, p))
				if id := cl.timeID(); !seen[id] {
					seen[id] = true
					timetable = append(timetable, object{{"id", id}, {"time", cl.timeLabel(c.shape.CompactTime)}})
				}
			}
		}
	}
	env := object{
		{"bookings", rows},
		{"timetable", timetable},
		{"day", label},
		{"clasesDisp", ""}, // meaning unknown (docs/protocol.md §5.1)
		{"seminars", []any{}},
		{"resmsgs", []any{}},
	}
	if c.shape.MissingOptional {
		env.del("seminars", "resmsgs")
	}
	if len(c.shape.ResMsgs) > 0 {
		env.set("resmsgs", c.shape.ResMsgs)
	}
	if c.shape.ExtraKeys {
		env.set("isMember", flag(p != nil))
	}
	if p == nil {
		c.code = fmt.Sprintf("public rows=%d", len(rows))
	} else {
		c.code = fmt.Sprintf("member rows=%d", len(rows))
	}
	c.jsonReply(env)
}

// row renders one class for a person (nil = the public view).
func (s *Server) row(c *call, cl *class, p *person) object {
	b := cl.box
	var res *reservation
	if p != nil {
		res = p.reservationIn(cl)
	}
	var bookState, idres any
	if res != nil {
		bookState, idres = res.state, res.id
	}
	name, boxName, coach := cl.name, b.cfg.Name, nullable(cl.coach)
	if c.shape.PaddedNames {
		name, boxName = " "+name+"  ", boxName+" "
		if cl.coach != "" {
			coach = cl.coach + " "
		}
	}
	var limit any = cl.cap
	if c.shape.LimitWithWaitlist {
		limit = fmt.Sprintf("%d (%d)", cl.cap, len(cl.waiting))
	}
	r := object{
		{"id", cl.id},
		{"time", cl.timeLabel(c.shape.CompactTime)},
		{"timeid", cl.timeID()},
		{"className", name},
		{"classDesc", cl.tmpl.Description},
		{"classLength", cl.tmpl.Minutes},
		{"classId", cl.tmpl.TypeID},
		{"color", cl.tmpl.Color},
		{"boxName", boxName},
		{"boxDir", b.cfg.Address},
		{"boxPic", nullable(b.cfg.Pic)},
		{"coachName", coach},
		{"coachPic", nullable(cl.cpic)},
		{"ocupation", len(cl.booked)},
		{"limit", limit},
		{"limitc", cl.cap},
		{"waitlist", len(cl.waiting)},
		{"bookState", bookState},
		{"idres", idres},
		{"cancelledId", nil}, // stays null after a normal cancel [LIVE]
		{"resadmin", flag(cl.tmpl.StaffManaged)},
		// enabled is not the window (docs/protocol.md §5.2): 1 until the class starts.
		{"enabled", flag(c.now.Before(cl.start))},
		{"spotres", nil},
		{"included", flag(p != nil && p.includes(cl.name))},
		{"checkAthletesNum", 0},
		{"hidden", 0},
		{"onlineclass", 0},
		{"zoomid", nil},
		{"zoomJoinUrl", nil},
		{"zoomJoinPw", nil},
	}
	// Invented attendee model (docs/protocol.md §6): only for a live session on a box that
	// shares; booked people including the user, never the waitlist.
	if p != nil && b.cfg.ShareAttendees {
		r.set("athletes", athletesOf(cl))
	}
	applyRowShape(&r, c.shape)
	return r
}

func athletesOf(cl *class) []any {
	out := []any{}
	for _, pl := range cl.booked {
		if pl.ath != nil {
			out = append(out, object{{"id", pl.ath.id}, {"name", pl.ath.name}, {"pic", nullable(pl.ath.pic)}})
		} else {
			pr := pl.res.person
			out = append(out, object{{"id", pr.id}, {"name", pr.name}, {"pic", nullable(pr.photo)}})
		}
	}
	return out
}

var rowFlags = []string{"resadmin", "enabled", "included", "hidden", "onlineclass"}

// applyRowShape retypes and trims a row per the shape variants (docs/protocol.md §10A).
func applyRowShape(r *object, sh Shape) {
	if sh.NumbersAsStrings {
		for _, k := range []string{"id", "classId", "idres", "limit", "limitc"} {
			if v, ok := r.get(k); ok && v != nil {
				if n, isInt := toInt64(v); isInt {
					r.set(k, strconv.FormatInt(n, 10))
				}
			}
		}
		for _, k := range rowFlags {
			if v, ok := r.get(k); ok {
				r.set(k, fmt.Sprint(v))
			}
		}
	}
	if sh.FlagsAsBooleans {
		for _, k := range rowFlags {
			if v, ok := r.get(k); ok {
				r.set(k, fmt.Sprint(v) == "1")
			}
		}
	}
	if sh.MissingOptional {
		r.del("hidden", "waitlist", "onlineclass", "zoomid", "zoomJoinUrl", "zoomJoinPw")
	}
	if sh.TimeIDOnly { // docs/protocol.md §10B: "900_60", nothing else
		if v, ok := r.get("timeid"); ok {
			hhmm, length, _ := strings.Cut(fmt.Sprint(v), "_")
			n, _ := strconv.Atoi(hhmm)
			r.set("timeid", strconv.Itoa(n)+"_"+length)
		}
		r.del("time", "classLength")
	}
	if sh.StartTimeOnly { // docs/protocol.md §10B: "09:00" and classLength
		if v, ok := r.get("time"); ok {
			start, _, _ := strings.Cut(fmt.Sprint(v), "-")
			r.set("time", strings.TrimSpace(start))
		}
		r.del("timeid")
	}
	if sh.ExtraKeys {
		r.set("reservationDeadline", nil)
		r.set("extraInfo", object{{"tag", "fake"}})
	}
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

// handleNextBookings is GET {box}/api/nextBookings (docs/protocol.md §5.4): upcoming
// reservations with the reservation id as `id` [Fake], and history rows
// with assist and lateCancel. HTML when logged out (docs/protocol.md §11.2).
func (s *Server) handleNextBookings(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, state := s.auth(c)
	if state != authOK {
		c.code = "html"
		c.htmlReply(http.StatusOK, loginPage(""))
		return
	}
	if s.refuseFamily(c) {
		return
	}
	c.logFamily = c.r.URL.Query().Get("familyId")
	p := sess.user.personFor(c.logFamily)
	var next, past []*reservation
	for _, r := range p.reservations {
		if r.class.box != c.rt.box {
			continue
		}
		s.sync(r.class, c.now)
		started := !c.now.Before(r.class.start)
		switch {
		case r.active && !started:
			next = append(next, r)
		case r.lateCancel || (r.active && r.state == 1):
			past = append(past, r)
		}
	}
	sort.SliceStable(next, func(i, j int) bool { return next[i].class.start.Before(next[j].class.start) })
	sort.SliceStable(past, func(i, j int) bool { return past[i].class.start.After(past[j].class.start) })
	nextRows, histRows := []any{}, []any{}
	for _, r := range next {
		nextRows = append(nextRows, nextRow(c, r))
	}
	for _, r := range past {
		h := nextRow(c, r)
		h.set("assist", flag(r.active && r.state == 1)) // [GUESS] everyone booked attended
		h.set("lateCancel", flag(r.lateCancel))
		histRows = append(histRows, h)
	}
	c.code = fmt.Sprintf("next=%d history=%d", len(nextRows), len(histRows))
	c.jsonReply(object{{"nextClasses", nextRows}, {"history", histRows}})
}

func nextRow(c *call, r *reservation) object {
	cl := r.class
	name, boxName, coach := cl.name, cl.box.cfg.Name, nullable(cl.coach)
	if c.shape.PaddedNames {
		name = " " + name + " "
	}
	var id any = r.id
	if c.shape.NumbersAsStrings {
		id = strconv.FormatInt(r.id, 10)
	}
	row := object{
		{"id", id},
		{"day", dayLabel(cl.date)},
		{"time", cl.timeLabel(c.shape.CompactTime)},
		{"timeid", cl.timeID()},
		{"className", name},
		{"classId", cl.tmpl.TypeID},
		{"bookState", r.state},
		{"boxName", boxName},
		{"coachName", coach},
	}
	if c.shape.ExtraKeys {
		row.set("qrCode", nil)
	}
	return row
}

// handleCoachBookings: an empty 200 body for clients (docs/protocol.md §6 [ONE]); coaches
// and admins get the invented {"bookings":[{"id","time","athletes"}]}.
func (s *Server) handleCoachBookings(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, state := s.auth(c)
	if state != authOK {
		c.code = "html"
		c.htmlReply(http.StatusOK, loginPage(""))
		return
	}
	roles := sess.user.rolesIn(c.rt.box)
	if !slices.ContainsFunc(roles, func(r string) bool { return r != "client" }) {
		c.code = "empty"
		c.status = http.StatusOK
		c.header.Set("Content-Type", ContentTypeHTML)
		return
	}
	rows := []any{}
	if day, err := aimharder.ParseDate(c.r.URL.Query().Get("day")); err == nil {
		for _, cl := range s.dayClasses(c.rt.box, day) {
			s.sync(cl, c.now)
			rows = append(rows, object{{"id", cl.id}, {"time", cl.timeLabel(false)}, {"athletes", athletesOf(cl)}})
		}
	}
	c.code = fmt.Sprintf("coach rows=%d", len(rows))
	c.jsonReply(object{{"bookings", rows}})
}

// hidden reports whether the class is left out of its box's listing at
// now: the box hides classes until their window opens (BoxConfig.HideUntilOpen).
func (cl *class) hidden(now time.Time) bool {
	return cl.box.cfg.HideUntilOpen && !cl.opens.IsZero() && now.Before(cl.opens)
}
