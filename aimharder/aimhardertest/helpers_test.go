package aimhardertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// The tests talk to the fake over real HTTP with raw requests and decode
// into map[string]any, as a client written from docs/protocol.md would.

var madrid = mustLoad("Europe/Madrid")

// t0 is Tue 20 Oct 2026 10:00 in Madrid (08:00Z).
var t0 = time.Date(2026, 10, 20, 10, 0, 0, 0, madrid)

const pw = "secret-pw"

func date(y int, m time.Month, d int) aimharder.Date {
	return aimharder.Date{Year: y, Month: m, Day: d}
}

// testWorld: alpha (Madrid, 4 days, shares attendees, waitlist 2), beta
// (Canary, 48 elapsed hours), gamma (Madrid, 2d@12:00), delta (Madrid, 48
// wall-clock hours), epsilon (Madrid, 48 elapsed hours), and users for each
// refusal.
func testWorld() World {
	every := func(start string, name string, capacity int) ClassTemplate {
		return ClassTemplate{Start: start, Name: name, Capacity: capacity}
	}
	full := every("08:00", "WOD", 2)
	full.Booked, full.Waiting = 2, 1
	open := every("09:00", "OPEN BOX", 10)
	open.Booked = 3
	w := World{
		Seed: 42,
		Boxes: []BoxConfig{
			{ID: 1001, Sub: "alpha", Name: "Alpha Box ", Timezone: "Europe/Madrid", Window: MustParseWindowRule("4d"),
				MinNotice: 15 * time.Minute, LateCancel: 90 * time.Minute, MaxPerDay: 3, ShareAttendees: true, WaitlistCapacity: 2,
				Template: []ClassTemplate{
					every("07:00", "WOD", 2), full, open, every("10:00", "BARBELL", 1),
					every("18:00", "WOD", 3), every("18:00", "YOGA", 5), every("19:00", "WOD", 3), every("20:00", "WOD", 3),
				}},
			{ID: 2002, Sub: "beta", Name: "Beta Canarias", Timezone: "Atlantic/Canary", Window: MustParseWindowRule("48h"),
				MinNotice: time.Hour, Template: []ClassTemplate{every("09:00", "WOD", 5), every("19:00", "WOD", 5)}},
			{ID: 3003, Sub: "gamma", Name: "Gamma", Window: MustParseWindowRule("2d@12:00"),
				Template: []ClassTemplate{every("09:00", "WOD", 5), every("19:00", "WOD", 5)}},
			{ID: 4004, Sub: "delta", Name: "Delta", Window: MustParseWindowRule("48h wall"),
				Template: []ClassTemplate{every("09:00", "WOD", 5)}},
			{ID: 5005, Sub: "epsilon", Name: "Epsilon", Window: MustParseWindowRule("48h"),
				Template: []ClassTemplate{every("09:00", "WOD", 5)}},
		},
		Users: []UserConfig{
			{ID: 501, Email: "ana@test.es", Password: pw, Name: "Ana Test", Language: "es",
				Roles:   []RoleConfig{{Box: "alpha"}, {Box: "beta"}, {Box: "gamma"}, {Box: "gamma", Role: "coach"}, {Box: "delta"}, {Box: "epsilon"}},
				Credits: new(10), Family: []MemberConfig{{ID: 601, Name: "Leo Test"}}},
			{ID: 502, Email: "bob@test.cat", Password: pw, Name: "Bob Test", Language: "ca", Roles: []RoleConfig{{Box: "alpha"}}},
			{ID: 503, Email: "eve@test.uk", Password: pw, Name: "Eve Test", Language: "en", Roles: []RoleConfig{{Box: "alpha"}, {Box: "beta"}}},
			{ID: 504, Email: "pay@test.es", Password: pw, Name: "Pay Test", PaymentPending: true, Roles: []RoleConfig{{Box: "alpha"}}},
			{ID: 505, Email: "broke@test.es", Password: pw, Name: "Broke Test", Credits: new(0), Roles: []RoleConfig{{Box: "alpha"}}},
			{ID: 506, Email: "plan@test.es", Password: pw, Name: "Plan Test", Plan: []string{"OPEN BOX"}, Roles: []RoleConfig{{Box: "alpha"}}},
			{ID: 507, Email: "quota@test.es", Password: pw, Name: "Quota Test", Quota: 1, Roles: []RoleConfig{{Box: "alpha"}}},
		},
	}
	for i := range 20 {
		w.Users = append(w.Users, UserConfig{ID: int64(700 + i), Email: fmt.Sprintf("racer%02d@test.es", i), Password: pw,
			Name: fmt.Sprintf("Racer %02d", i), Roles: []RoleConfig{{Box: "alpha"}}})
	}
	return w
}

// fixture is a fake on a manual clock at t0.
type fixture struct {
	t     *testing.T
	s     *Server
	u     URLs
	clock *ManualClock
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	clock := NewManualClock(t0)
	s, u := Start(t, testWorld(), append([]Option{WithClock(clock)}, opts...)...)
	return &fixture{t: t, s: s, u: u, clock: clock}
}

var boids = map[string]int64{"alpha": 1001, "beta": 2002, "gamma": 3003, "delta": 4004, "epsilon": 5005, "rush": 6006,
	DemoBoxMadrid: 10122, DemoBoxCanarias: 20455, DemoBoxBarcelona: 30871}

// client keeps credentials explicitly (no cookie jar, no redirects), as
// the real client does.
type client struct {
	t       *testing.T
	f       *fixture
	cookies map[string]string
	token   string
	fp      string
	family  string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

func (f *fixture) anon() *client { return &client{t: f.t, f: f, cookies: map[string]string{}} }

// login logs in with the JSON login and fails the test otherwise.
func (f *fixture) login(email, fp string) *client {
	f.t.Helper()
	c := f.anon()
	c.fp = fp
	out := c.loginJSON(f.u.Login+"/api/login", email, pw, fp).obj()
	auth, _ := dig(out, "data", "auth").(map[string]any)
	if auth == nil || auth["authOK"] != true {
		f.t.Fatalf("login %s: %v", email, out)
	}
	c.token = auth["refreshToken"].(string)
	return c
}

func (c *client) loginJSON(u, email, password, fp string) *response {
	body, _ := json.Marshal(map[string]any{"username": email, "password": password, "fingerprint": fp, "iniframe": 0})
	return c.do(http.MethodPost, u, "application/json", body)
}

func (c *client) do(method, u, ctype string, body []byte) *response {
	c.t.Helper()
	r, err := c.try(method, u, ctype, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	return r
}

func (c *client) try(method, u, ctype string, body []byte) (*response, error) {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json, text/javascript, */*; q=0.01")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func (c *client) get(u string) *response { return c.do(http.MethodGet, u, "", nil) }

func (c *client) postForm(u string, form url.Values) *response {
	return c.do(http.MethodPost, u, "application/x-www-form-urlencoded; charset=UTF-8", []byte(form.Encode()))
}

// obj decodes a JSON object reply and fails the test if it is not one.
func (r *response) obj() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		panic(fmt.Sprintf("not a JSON object (status %d): %q", r.status, r.body))
	}
	return m
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func (c *client) box(sub string) string { return c.f.u.Box(sub) }

func (c *client) bookings(sub string, d aimharder.Date) map[string]any {
	c.t.Helper()
	q := url.Values{"day": {d.Compact()}, "familyId": {c.family}, "box": {fmt.Sprint(boids[sub])}, "_": {"1"}}
	return c.get(c.box(sub) + "/api/bookings?" + q.Encode()).obj()
}

// row finds a class in a bookings reply by start time and name.
func row(t *testing.T, env map[string]any, start, name string) map[string]any {
	t.Helper()
	rows, _ := env["bookings"].([]any)
	for _, r := range rows {
		m := r.(map[string]any)
		if strings.HasPrefix(m["time"].(string), start) && strings.TrimSpace(m["className"].(string)) == name {
			return m
		}
	}
	t.Fatalf("no %s %s class in %d rows", start, name, len(rows))
	return nil
}

// classID reads a class's session id from the class list.
func (c *client) classID(sub string, d aimharder.Date, start, name string) int64 {
	c.t.Helper()
	return num(row(c.t, c.bookings(sub, d), start, name)["id"])
}

func num(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case string:
		var x int64
		fmt.Sscan(n, &x)
		return x
	}
	return -1 << 62
}

func (c *client) book(sub string, id int64, d aimharder.Date, insist bool) map[string]any {
	c.t.Helper()
	ins := "0"
	if insist {
		ins = "1"
	}
	return c.postForm(c.box(sub)+"/api/book", url.Values{"day": {d.Compact()}, "familyId": {c.family}, "id": {fmt.Sprint(id)}, "insist": {ins}}).obj()
}

func (c *client) cancel(sub string, id int64, late bool) map[string]any {
	c.t.Helper()
	l := "0"
	if late {
		l = "1"
	}
	return c.postForm(c.box(sub)+"/api/cancelBook", url.Values{"id": {fmt.Sprint(id)}, "late": {l}, "familyId": {c.family}}).obj()
}

func (c *client) tokenUpdate(token, fp string) map[string]any {
	c.t.Helper()
	return c.postForm(c.f.u.Portal+"/api/tokenUpdate", url.Values{"token": {token}, "ciclo": {"1"}, "fingerprint": {fp}}).obj()
}

func (c *client) whoami() map[string]any { return c.get(c.f.u.Portal + "/api/whoami").obj() }

func wantNum(t *testing.T, what string, v any, want int64) {
	t.Helper()
	if f, ok := v.(float64); !ok || int64(f) != want {
		t.Fatalf("%s = %#v, want the number %d", what, v, want)
	}
}

func wantBookState(t *testing.T, out map[string]any, want int64) {
	t.Helper()
	if f, ok := out["bookState"].(float64); !ok || int64(f) != want {
		t.Fatalf("bookState = %v, want %d (reply %v)", out["bookState"], want, out)
	}
}

func wantRule(t *testing.T, out map[string]any, key string) {
	t.Helper()
	wantBookState(t, out, -12)
	if out["errorMssgLang"] != key {
		t.Fatalf("errorMssgLang = %v, want %s (reply %v)", out["errorMssgLang"], key, out)
	}
	if msg, _ := out["errorMssg"].(string); msg == "" {
		t.Fatalf("−12 without errorMssg: %v", out)
	}
}

func parseCompact(s string) (aimharder.Date, error) { return aimharder.ParseDate(s) }

// startOn serves s on a new httptest listener and returns its base URL.
func startOn(t *testing.T, s *Server) string {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}
