package aimhardertest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// Id ranges. They are disjoint so that a client sending a session id where
// a reservation id belongs (or the reverse) is caught (docs/protocol.md §10).
const (
	// Class session ids encode (day since 2000, box, slot): 100,000,000 up
	// to about 137,400,000 for the year 2100. [Fake]
	sessionIDBase = 100_000_000
	// Reservation ids start here plus a seed-dependent offset below 10,000,000.
	reservationIDBase = 500_000_000
	// Pool athletes.
	athleteIDBase = 2_000_000
)

var epoch = aimharder.Date{Year: 2000, Month: time.January, Day: 1}

func dayNumber(d aimharder.Date) int64 {
	return int64(d.In(time.UTC).Sub(epoch.In(time.UTC)).Hours()+0.5) / 24
}

func classID(boxIdx int, d aimharder.Date, slot int) int64 {
	return sessionIDBase + (dayNumber(d)*maxBoxes+int64(boxIdx))*maxSlotsPerDay + int64(slot)
}

// decodeClassID inverts classID; ok is false for ids outside the session range.
func decodeClassID(id int64) (boxIdx int, d aimharder.Date, slot int, ok bool) {
	x := id - sessionIDBase
	if x < 0 || x >= reservationIDBase-sessionIDBase {
		return 0, aimharder.Date{}, 0, false
	}
	slot = int(x % maxSlotsPerDay)
	x /= maxSlotsPerDay
	boxIdx = int(x % maxBoxes)
	d = epoch.AddDays(int(x / maxBoxes))
	return boxIdx, d, slot, d.Year <= 2100
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// classRand is the random source of one class: the same seed, box, date and
// slot always generate the same class.
func classRand(seed int64, boid int64, d aimharder.Date, slot int) *rand.Rand {
	h := hash64(fmt.Sprintf("%d/%d/%s/%d", seed, boid, d.Compact(), slot))
	return rand.New(rand.NewPCG(h, h^0x9e3779b97f4a7c15))
}

// class is one generated class session and its live state.
type class struct {
	id    int64
	box   *box
	date  aimharder.Date
	slot  int
	tmpl  slotTemplate
	name  string
	coach string // "" → null
	cpic  string // coach picture; "" → null
	cap   int
	start time.Time
	end   time.Time
	opens time.Time // zero = no window

	booked  []*place // in booking order
	waiting []*place // queue order: the first is promoted first
	pending []join   // competitors not yet materialised, sorted by at
	perm    []int    // pool order for this class, for later competitors
	nextAth int      // next index in perm to hand out
}

// place is one taken place or waitlist entry: a pool athlete or a member's reservation.
type place struct {
	ath *athlete
	res *reservation
}

type join struct {
	at  time.Time
	ath int // index into the athlete pool
}

// reservation is a member's booking or waitlist entry.
type reservation struct {
	id         int64
	class      *class
	person     *person
	state      int // 1 booked, 0 waiting
	active     bool
	lateCancel bool // cancelled with late=1 inside the late window: shows in history
}

// timeLabel is the row's `time`: "07:00 - 08:00", or without spaces.
func (c *class) timeLabel(compact bool) string {
	sep := " - "
	if compact {
		sep = "-"
	}
	return c.start.Format("15:04") + sep + c.end.Format("15:04")
}

// timeID is the row's `timeid`: "HHMM_LEN".
func (c *class) timeID() string {
	return fmt.Sprintf("%s_%d", c.start.Format("1504"), c.tmpl.Minutes)
}

// dayClasses returns (generating on first use) the classes of a box on a
// local date, in slot order. Caller holds s.mu.
func (s *Server) dayClasses(b *box, d aimharder.Date) []*class {
	if cls, ok := b.days[d]; ok {
		return cls
	}
	if d.Year < 2000 || d.Year > 2100 {
		return nil
	}
	var tmpls []slotTemplate
	for _, t := range b.template {
		if t.appliesOn(d) {
			tmpls = append(tmpls, t)
		}
	}
	for _, t := range b.extras {
		if t.appliesOn(d) {
			tmpls = append(tmpls, t)
		}
	}
	// Slots follow the start time; equal starts keep declaration order.
	sort.SliceStable(tmpls, func(i, j int) bool { return tmpls[i].startMin < tmpls[j].startMin })
	cls := make([]*class, 0, len(tmpls))
	for slot, t := range tmpls {
		c := s.generate(b, d, slot, t)
		cls = append(cls, c)
		s.classes[c.id] = c
	}
	if b.days == nil {
		b.days = map[aimharder.Date][]*class{}
	}
	b.days[d] = cls
	return cls
}

// generate builds one class deterministically from seed, box, date and slot.
func (s *Server) generate(b *box, d aimharder.Date, slot int, t slotTemplate) *class {
	rng := classRand(s.w.world.Seed, b.cfg.ID, d, slot)
	start := d.At(0, t.startMin, b.loc)
	c := &class{
		id: classID(b.idx, d, slot), box: b, date: d, slot: slot, tmpl: t,
		name: t.Name, coach: t.Coach, cap: t.Capacity,
		start: start, end: start.Add(time.Duration(t.Minutes) * time.Minute),
	}
	c.opens = b.cfg.Window.OpensAt(start)
	if c.cap == 0 {
		c.cap = []int{8, 10, 12, 12, 14, 16, 20}[rng.IntN(7)]
	}
	if c.coach == "" && t.Random && len(b.cfg.Coaches) > 0 && rng.IntN(10) > 0 {
		c.coach = b.cfg.Coaches[rng.IntN(len(b.cfg.Coaches))]
	}
	if c.coach != "" && hash64(c.coach)%3 != 0 { // some coaches have no picture: null
		c.cpic = fmt.Sprintf("https://aimharder.com/images/coaches/%d.jpg", hash64(c.coach)%100000)
	}
	c.perm = rng.Perm(len(s.w.athletes))

	booked, waiting, rush := t.Booked, t.Waiting, t.Rush
	delay, spread := t.RushDelay, t.RushSpread
	if t.Random {
		booked, waiting, rush, delay, spread = randomFill(rng, c.cap, b.cfg.WaitlistCapacity)
	}
	booked = min(booked, c.cap)
	waiting = min(waiting, b.cfg.WaitlistCapacity)
	for range booked {
		if a := c.takeAthlete(s.w.athletes); a != nil {
			c.booked = append(c.booked, &place{ath: a})
		}
	}
	for range waiting {
		if a := c.takeAthlete(s.w.athletes); a != nil {
			c.waiting = append(c.waiting, &place{ath: a})
		}
	}
	s.scheduleJoins(c, rush, delay, spread, time.Time{})
	return c
}

// randomFill picks a realistic occupancy pattern: a few regulars booked in
// advance, and competitors who book after the window opens — within seconds
// for popular classes (which fill and grow a waitlist), over a day or two
// for quiet ones.
func randomFill(rng *rand.Rand, capacity, waitCap int) (booked, waiting, rush int, delay, spread time.Duration) {
	booked = rng.IntN(3)
	switch p := rng.Float64(); {
	case p < 0.3: // quiet
		return booked, 0, rng.IntN(capacity/3 + 1), time.Duration(rng.IntN(60)) * time.Minute, 36 * time.Hour
	case p < 0.7: // steady
		return booked, 0, capacity/3 + rng.IntN(capacity/2+1), time.Duration(rng.IntN(10)) * time.Minute, 20 * time.Hour
	default: // popular: full seconds after opening, then a waitlist
		return booked, 0, capacity + rng.IntN(waitCap+1), time.Second + time.Duration(rng.IntN(2000))*time.Millisecond, time.Duration(3+rng.IntN(6)) * time.Second
	}
}

// takeAthlete hands out the next pool athlete for this class; the pool
// order is a permutation, so nobody is handed out twice.
func (c *class) takeAthlete(pool []athlete) *athlete {
	if c.nextAth >= len(c.perm) {
		return nil
	}
	a := &pool[c.perm[c.nextAth]]
	c.nextAth++
	return a
}

// scheduleJoins queues n competitors booking at base+delay+i×spread/n, base
// being the window opening (or from when there is no window). Joins at or
// after the booking close are dropped: nobody books a closed class.
func (s *Server) scheduleJoins(c *class, n int, delay, spread time.Duration, from time.Time) int {
	base := c.opens
	if base.IsZero() {
		base = from
	}
	closes := c.start.Add(-c.box.cfg.MinNotice)
	added := 0
	for i := range n {
		at := base.Add(delay)
		if n > 1 {
			at = at.Add(spread * time.Duration(i) / time.Duration(n))
		}
		if !at.Before(closes) {
			break
		}
		a := c.takeAthlete(s.w.athletes)
		if a == nil {
			break
		}
		c.pending = append(c.pending, join{at: at, ath: a.idx})
		added++
	}
	sort.SliceStable(c.pending, func(i, j int) bool { return c.pending[i].at.Before(c.pending[j].at) })
	return added
}

// sync materialises the competitors whose time has come, in time order:
// each takes a place, or a waitlist entry if the class is full, or gives up.
// Everything that reads or changes a class calls it first, so competitors
// work with a manual clock as well as with real time. Caller holds s.mu.
func (s *Server) sync(c *class, now time.Time) {
	for len(c.pending) > 0 && !c.pending[0].at.After(now) {
		a := &s.w.athletes[c.pending[0].ath]
		c.pending = c.pending[1:]
		switch {
		case len(c.booked) < c.cap:
			c.booked = append(c.booked, &place{ath: a})
		case len(c.waiting) < c.box.cfg.WaitlistCapacity:
			c.waiting = append(c.waiting, &place{ath: a})
		}
	}
}

// promote fills freed places from the head of the waitlist (docs/protocol.md §10,
// [GUESS]). A member without credit is skipped and keeps waiting.
func (s *Server) promote(c *class) {
	if !s.promotion {
		return
	}
	for len(c.booked) < c.cap {
		i := slices.IndexFunc(c.waiting, func(p *place) bool {
			return p.res == nil || p.res.person.credits == nil || *p.res.person.credits > 0
		})
		if i < 0 {
			return
		}
		p := c.waiting[i]
		c.waiting = slices.Delete(c.waiting, i, i+1)
		if p.res != nil {
			p.res.state = 1
			if p.res.person.credits != nil {
				*p.res.person.credits--
			}
		}
		c.booked = append(c.booked, p)
	}
}

// remove takes a reservation's place or waitlist entry out of its class.
func (c *class) remove(r *reservation) {
	del := func(list []*place) []*place {
		return slices.DeleteFunc(list, func(p *place) bool { return p.res == r })
	}
	c.booked = del(c.booked)
	c.waiting = del(c.waiting)
}

// findClass resolves a session id posted to a box. The id must belong to
// this box and, when day is given, to that day: the real service looks the
// session up by both. [GUESS]
func (s *Server) findClass(b *box, id int64, day string) *class {
	bi, d, slot, ok := decodeClassID(id)
	if !ok || bi != b.idx {
		return nil
	}
	if day != "" {
		want, err := aimharder.ParseDate(day)
		if err != nil || want != d {
			return nil
		}
	}
	cls := s.dayClasses(b, d)
	if slot >= len(cls) {
		return nil
	}
	return cls[slot]
}

// typeNames lists a box's class types, for `clasesContratadas` when a plan
// covers everything.
func (b *box) typeNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range slices.Concat(b.template, b.extras) {
		n := strings.TrimSpace(t.Name)
		if !seen[normType(n)] {
			seen[normType(n)] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
