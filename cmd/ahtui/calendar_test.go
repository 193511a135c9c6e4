package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

func TestCalendarUsageAndSession(t *testing.T) {
	e := newCLIEnv(t)
	if r := e.run("", "calendar"); r.code != exitNoSession || !strings.Contains(r.stderr, "ahtui login") {
		t.Errorf("calendar without a session: %v", r)
	}
	if r := e.run("", "calendar", "--ics"); r.code != exitNoSession || r.stdout != "" {
		t.Errorf("calendar --ics without a session: %v", r)
	}
	for _, args := range [][]string{
		{"calendar", "--json", "--ics"},
		{"calendar", "--from", "25/11/2026"},
		{"calendar", "--until", "soon"},
		{"calendar", "--from", "2026-12-10", "--until", "2026-12-01"},
		{"calendar", "extra"},
		{"calendar", "secret", "extra"},
	} {
		if r := e.run("", args...); r.code != exitUsage {
			t.Errorf("ahtui %v: %v, want exit 2", args, r)
		}
	}
}

// calendarSetup logs in and leaves the member with a booked class today,
// a waitlist place tomorrow, a prebooking on Monday and a weekly plan on
// Fridays at 07:00.
func calendarSetup(t *testing.T) *cliEnv {
	e := newCLIEnv(t)
	e.login()
	today := e.classAt(testBox, testToday, "18:00")
	e.mustRun("", "book", fmt.Sprint(today.ID), "--day", "2026-11-25")
	tomorrow := testToday.AddDays(1)
	full := e.classAt(testBox, tomorrow, "12:00")
	e.mustRun("", "book", fmt.Sprint(full.ID), "--day", tomorrow.String(), "--waitlist")
	mon := aimharderDate(t, "2026-11-30")
	e.mustRun("", "prebook", "add", fmt.Sprint(e.classAt(testBox, mon, "18:00").ID), "--day", mon.String())
	e.mustRun("", "plan", "add", "--days", "fri", "--time", "07:00", "--class", "wod")
	e.mustRun("", "config", "box."+testBox+".late_cancel", "90m")
	return e
}

func TestCalendarJSONAndText(t *testing.T) {
	e := calendarSetup(t)
	if r := e.run("", "calendar", "--until", "2026-11-20"); r.code != exitUsage {
		t.Errorf("--until before today: %v", r)
	}
	r := e.mustRun("", "calendar", "--json", "--until", "2026-12-04")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	wantKeys := []string{"box", "box_name", "class_id", "day", "end", "family", "family_id", "name", "plan_id", "prebooking_id",
		"reservation_id", "start", "starts_at", "state"}
	var got []string
	for _, row := range rows {
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("keys %v, want %v", keys, wantKeys)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s plan=%v pb=%v res=%v", row["day"], row["start"], row["name"],
			row["state"], row["plan_id"] != nil, row["prebooking_id"] != nil, row["reservation_id"] != nil))
		if row["box"] != testBox || row["box_name"] != "Test Box "+testBox {
			t.Errorf("box %q %q", row["box"], row["box_name"])
		}
	}
	want := []string{
		"2026-11-25 18:00 TEAM WOD booked plan=false pb=false res=true",
		"2026-11-26 12:00 BARBELL waitlisted plan=false pb=false res=true",
		"2026-11-27 07:00 wod planned plan=true pb=false res=false",
		"2026-11-30 18:00 TEAM WOD prebooked plan=false pb=true res=false",
		"2026-12-04 07:00 wod planned plan=true pb=false res=false",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calendar --json:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(rows) > 0 && (rows[0]["starts_at"] != "2026-11-25T18:00:00+01:00" || rows[0]["end"] != "19:00") {
		t.Errorf("first row %v", rows[0])
	}

	text := e.mustRun("", "calendar").stdout
	for _, s := range []string{"Wednesday 25 November 2026", "18:00-19:00", "booked, free cancel until 16:30",
		"on the waitlist", "prebooked", "planned · plan 1"} {
		if !strings.Contains(text, s) {
			t.Errorf("calendar text lacks %q:\n%s", s, text)
		}
	}
}

func TestCalendarICSIsStableAcrossRuns(t *testing.T) {
	e := calendarSetup(t)
	one := e.mustRun("", "calendar", "--ics").stdout
	e.clock.Advance(time.Minute)
	two := e.mustRun("", "calendar", "--ics").stdout
	l1, l2 := unfold(t, one), unfold(t, two)
	if u1, u2 := property(l1, "UID"), property(l2, "UID"); len(u1) != 5 || !reflect.DeepEqual(u1, u2) {
		t.Errorf("UIDs %q then %q", u1, u2)
	}
	if s1, s2 := property(l1, "DTSTAMP"), property(l2, "DTSTAMP"); s1[0] == s2[0] {
		t.Errorf("DTSTAMP did not move: %q", s1[0])
	}
	if got := strings.Join(property(l1, "STATUS"), " "); got != "CONFIRMED TENTATIVE TENTATIVE TENTATIVE TENTATIVE" {
		t.Errorf("STATUS %q", got)
	}
	if got := property(l1, "DTSTART"); got[0] != "20261125T170000Z" {
		t.Errorf("DTSTART %q", got)
	}
	if !strings.HasPrefix(one, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") || strings.Contains(strings.ReplaceAll(one, "\r\n", ""), "\n") {
		t.Errorf("not a CRLF calendar:\n%q", one)
	}
}

func TestCalendarSecretCommand(t *testing.T) {
	e := newCLIEnv(t)
	first := strings.TrimSpace(e.mustRun("", "calendar", "secret").stdout)
	again := strings.TrimSpace(e.mustRun("", "calendar", "secret").stdout)
	rotated := strings.TrimSpace(e.mustRun("", "calendar", "secret", "--rotate").stdout)
	secret, ok := strings.CutSuffix(strings.TrimPrefix(first, "/cal/"), ".ics")
	if !ok || !strings.HasPrefix(first, "/cal/") || len(secret) < 22 || first != again || rotated == first {
		t.Errorf("secret %q, again %q, rotated %q", first, again, rotated)
	}
	if r := e.mustRun("", "config"); strings.Contains(r.stdout, secret) || strings.Contains(r.stdout, calendarSecretKey) {
		t.Errorf("config shows the calendar secret:\n%s", r.stdout)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCalendarFeedOverHTTP(t *testing.T) {
	e := calendarSetup(t)
	e.mustRun("", "calendar") // caches the days read (the feed reads only the store)
	a := e.open(e.clock.Now)
	ctx := context.Background()
	var logs syncBuffer
	feed := &calendarFeed{store: a.store, account: a.account,
		log:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		notice: func(kind, msg string) { fmt.Fprintln(&logs, kind, msg) }}
	requestsBefore := len(e.fake.Requests())
	srv, err := startCalendarFeed(ctx, feed, "127.0.0.1:0", serveLimits{conns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	addr := srv.addr
	secret, err := calendarSecret(ctx, a.store, false)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr.String()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	waitOpen := func(n int) {
		t.Helper()
		for i := 0; srv.ln.openConns() != n; i++ {
			if i > 10000 {
				t.Fatalf("%d connections held, want %d", srv.ln.openConns(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	do := func(method, path string) (int, http.Header, string) {
		t.Helper()
		// The cap is 2 and the server lets go of the last request's
		// connection a moment after the client closed it: wait for that,
		// or this one may be the one refused.
		waitOpen(0)
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
	var bodies []string
	code, h, body := do(http.MethodGet, calendarFeedPath(secret))
	bodies = append(bodies, body)
	if code != http.StatusOK || h.Get("Content-Type") != "text/calendar; charset=utf-8" ||
		!strings.Contains(body, "SUMMARY:TEAM WOD") || !strings.Contains(body, "STATUS:CONFIRMED") {
		t.Errorf("the feed: %d %v\n%s", code, h, body)
	}
	if n := len(property(unfold(t, body), "UID")); n != 5 {
		t.Errorf("%d events in the feed, want 5:\n%s", n, body)
	}
	if code, _, body := do(http.MethodHead, calendarFeedPath(secret)); code != http.StatusOK || body != "" {
		t.Errorf("HEAD: %d %q", code, body)
	}
	for _, path := range []string{"/", "/cal/", "/cal/wrong.ics", "/cal/" + secret, "/cal/" + secret + ".ics/",
		"/cal/" + secret[:len(secret)-1] + ".ics", "/CAL/" + secret + ".ics", "/cal/" + secret + ".ICS"} {
		code, _, body := do(http.MethodGet, path)
		bodies = append(bodies, body)
		if code != http.StatusNotFound || strings.TrimSpace(body) != "not found" {
			t.Errorf("GET %s: %d %q, want a bare 404", path, code, body)
		}
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		for _, path := range []string{calendarFeedPath(secret), "/cal/wrong.ics"} {
			code, h, body := do(method, path)
			bodies = append(bodies, body)
			if code != http.StatusMethodNotAllowed || h.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, want 405 whatever the path", method, path, code)
			}
		}
	}
	if n := len(e.fake.Requests()) - requestsBefore; n != 0 {
		t.Errorf("the feed sent %d requests to AimHarder", n)
	}

	// Nothing secret in a body or the log: not the AimHarder token or
	// cookies, and the feed's secret only in nothing but… nowhere.
	var secrets []string
	for _, kind := range session.Kinds {
		s, err := a.store.Session(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, s.Credentials.Token)
		for _, v := range s.Credentials.Cookies {
			if len(v) >= 8 {
				secrets = append(secrets, v)
			}
		}
	}
	for _, s := range secrets {
		for _, b := range bodies {
			if strings.Contains(b, s) {
				t.Errorf("a body holds a credential")
			}
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds a credential")
		}
	}
	for _, b := range bodies {
		if strings.Contains(b, secret) {
			t.Errorf("a body holds the feed's secret")
		}
	}
	if strings.Contains(logs.String(), secret) || !strings.Contains(logs.String(), "not the feed's address") {
		t.Errorf("the log:\n%s", logs.String())
	}

	// Rotating the secret retires the old address at once.
	rotated, err := calendarSecret(ctx, a.store, true)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := do(http.MethodGet, calendarFeedPath(secret)); code != http.StatusNotFound {
		t.Errorf("the old address after a rotation: %d", code)
	}
	if code, _, _ := do(http.MethodGet, calendarFeedPath(rotated)); code != http.StatusOK {
		t.Errorf("the new address: %d", code)
	}

	// The connection cap (2 here): two idle connections hold it, a third
	// is closed unanswered, and the two held still get the calendar.
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// Wait for the server to let go of the connections above (closed
	// after each answer), then take the places one by one.
	waitOpen(0)
	held := []net.Conn{dial()}
	waitOpen(1)
	held = append(held, dial())
	waitOpen(2)
	third := dial()
	fmt.Fprintf(third, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", calendarFeedPath(rotated))
	if n, err := third.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("a connection beyond the cap was answered (%d, %v)", n, err)
	}
	for i, c := range held {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", calendarFeedPath(rotated))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("held connection %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("held connection %d: %d", i, resp.StatusCode)
		}
	}
	if !strings.Contains(logs.String(), "refused a calendar connection") {
		t.Errorf("the refusal is not in the log:\n%s", logs.String())
	}

	// serve's background refresh (not a subscriber's request) is what asks
	// AimHarder: the member's list of bookings, with the background session.
	before := len(e.fake.Requests())
	feed.refresh(ctx)
	asked := 0
	for _, r := range e.fake.Requests()[before:] {
		if r.Endpoint == aimhardertest.EndpointNextBookings {
			asked++
		}
	}
	if asked == 0 || strings.Contains(logs.String(), "could not read") {
		t.Errorf("the refresh asked nextBookings %d times; log:\n%s", asked, logs.String())
	}
}

func aimharderDate(t *testing.T, s string) aimharder.Date {
	t.Helper()
	d, err := aimharder.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var servingCalendarOn = regexp.MustCompile(`serving your calendar on http://(\S+)/cal/(\S+)\.ics`)

func TestServeCalendarListen(t *testing.T) {
	e := calendarSetup(t)
	e.mustRun("", "calendar")
	allowKeys(t, e, newTestKey(t))
	srv := startServe(t, e, e.clock.Now, "--calendar-listen", "127.0.0.1:0")
	var m []string
	for i := 0; m == nil; i++ {
		if i > 3000 {
			t.Fatalf("no calendar line:\n%s", srv.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
		m = servingCalendarOn.FindStringSubmatch(srv.stderr.String())
	}
	path := strings.TrimSpace(e.mustRun("", "calendar", "secret").stdout)
	secret := strings.TrimSuffix(strings.TrimPrefix(path, "/cal/"), ".ics")
	if m[2] != secret[:4]+"…" || strings.Contains(srv.stderr.String(), secret) {
		t.Errorf("serve printed the secret %q:\n%s", m[2], srv.stderr.String())
	}
	resp, err := http.Get("http://" + m[1] + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "SUMMARY:TEAM WOD") {
		t.Errorf("the feed: %d\n%s", resp.StatusCode, body)
	}
	if code := srv.stop(); code != exitOK {
		t.Errorf("serve exited %d:\n%s", code, srv.stderr.String())
	}
}
