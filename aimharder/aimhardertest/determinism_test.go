package aimhardertest

import (
	"fmt"
	"testing"
	"time"
)

func snapshot(s *Server, boxes []string, from time.Time) string {
	out := ""
	for _, b := range boxes {
		for i := range 7 {
			for _, c := range s.Classes(b, date(from.Year(), from.Month(), from.Day()+i)) {
				out += fmt.Sprintf("%d %s %s %s %d %v %v %d|", c.ID, c.Start.Format(time.RFC3339), c.Name, c.Coach, c.Capacity, c.Booked, c.Waiting, c.Pending)
			}
		}
	}
	return out
}

func TestDeterminism(t *testing.T) {
	boxes := []string{DemoBoxMadrid, DemoBoxCanarias, DemoBoxBarcelona}
	build := func(seed int64) *Server {
		return New(DemoWorld(t0, seed), WithClock(NewManualClock(t0.Add(20*time.Hour))))
	}
	a, b, other := build(7), build(7), build(8)
	sa, sb, so := snapshot(a, boxes, t0), snapshot(b, boxes, t0), snapshot(other, boxes, t0)
	if sa != sb {
		t.Fatalf("same seed, different classes")
	}
	if sa == so {
		t.Fatalf("a different seed should change coaches and occupancy")
	}
	// Same seed and same requests: same reservation ids and tokens.
	ids := func(s *Server) string {
		f := &fixture{t: t, s: s}
		srvURL := startOn(t, s)
		f.u = s.URLs(srvURL)
		c := f.anon()
		out := c.loginJSON(f.u.Login+"/api/login", DemoEmail, DemoPassword, "fp").obj()
		day := date(2026, 10, 21)
		id := c.classID(DemoBoxMadrid, day, "20:15", "CONDITIONING")
		book := c.book(DemoBoxMadrid, id, day, true)
		return fmt.Sprint(dig(out, "data", "auth", "refreshToken"), book["id"], id)
	}
	if x, y := ids(a), ids(b); x != y {
		t.Fatalf("same seed, same requests, different ids: %s vs %s", x, y)
	}
}

func TestIDRangesAreDisjoint(t *testing.T) {
	for _, d := range []struct {
		box, slot int
		day       string
	}{{0, 0, "20000101"}, {15, 63, "21001231"}, {3, 7, "20261025"}} {
		day, _ := parseCompact(d.day)
		id := classID(d.box, day, d.slot)
		if id < sessionIDBase || id >= reservationIDBase {
			t.Fatalf("session id %d outside [%d, %d)", id, sessionIDBase, reservationIDBase)
		}
		bi, back, slot, ok := decodeClassID(id)
		if !ok || bi != d.box || back != day || slot != d.slot {
			t.Fatalf("decode(%d) = %d %v %d %v", id, bi, back, slot, ok)
		}
	}
	if _, _, _, ok := decodeClassID(reservationIDBase + 5); ok {
		t.Fatalf("a reservation id decodes as a class")
	}
}
