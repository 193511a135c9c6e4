package aimhardertest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJSONLoginShapeAndCookies(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	r := c.loginJSON(f.u.Login+"/api/login", "Ana@Test.es", pw, "fp-ana-1")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/html; charset=UTF-8" {
		t.Fatalf("status %d, content type %q", r.status, r.header.Get("Content-Type"))
	}
	out := r.obj()
	if dig(out, "data", "auth", "authOK") != true {
		t.Fatalf("authOK missing: %v", out)
	}
	if tok, _ := dig(out, "data", "auth", "refreshToken").(string); tok == "" {
		t.Fatalf("no refreshToken: %v", out)
	}
	wantNum(t, "userData.id", dig(out, "data", "userData", "id"), 501)
	roles := dig(out, "data", "userData", "roles").([]any)
	first := roles[0].(map[string]any)
	if first["centre_url"] != "alpha.aimharder.com" || first["role"] != "client" || first["gym"] != "Alpha Box " {
		t.Fatalf("role shape: %v", first)
	}
	wantNum(t, "boid", first["boid"], 1001)
	for _, k := range []string{"id", "perm_hash"} {
		if _, ok := first[k]; !ok {
			t.Fatalf("role lacks %s: %v", k, first)
		}
	}
	if dig(out, "data", "userData", "photo") != nil {
		t.Fatalf("photo should be null for a user without one")
	}
	// All four cookies, Path=/, no Domain in single-host mode; amhrdrauth HttpOnly.
	set := strings.Join(r.header.Values("Set-Cookie"), "\n")
	for _, name := range []string{"amhrdrauth", "PHPSESSID", "AWSALB", "AWSALBCORS"} {
		if c.cookies[name] == "" {
			t.Fatalf("cookie %s not set:\n%s", name, set)
		}
	}
	if strings.Contains(set, "Domain=") || !regexp.MustCompile(`amhrdrauth=[^;]+; Path=/; HttpOnly`).MatchString(set) {
		t.Fatalf("cookie attributes:\n%s", set)
	}
	// The portal path logs in too.
	if out := f.anon().loginJSON(f.u.Portal+"/api/login", "ana@test.es", pw, "fp-ana-2").obj(); dig(out, "data", "auth", "authOK") != true {
		t.Fatalf("portal login: %v", out)
	}
}

func TestJSONContentTypeSwitch(t *testing.T) {
	f := newFixture(t, WithJSONContentType(ContentTypeJSON))
	c := f.login("ana@test.es", "fp")
	if ct := c.get(f.u.Portal + "/api/whoami").header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
	f.s.SetJSONContentType("")
	if ct := c.get(f.u.Portal + "/api/whoami").header.Get("Content-Type"); ct != ContentTypeHTML {
		t.Fatalf("content type %q after reset", ct)
	}
}

func TestLoginFailuresAndLockout(t *testing.T) {
	f := newFixture(t)
	c := f.anon()
	for i := range 5 {
		r := c.loginJSON(f.u.Login+"/api/login", "ana@test.es", "wrong", "fp")
		msg, _ := dig(r.obj(), "error", "message").(string)
		if r.status != 200 || msg != "Correo electrónico y/o contraseña incorrecto." {
			t.Fatalf("failure %d: status %d %q", i, r.status, msg)
		}
		if r.header.Get("Set-Cookie") != "" {
			t.Fatalf("a failed login set a cookie")
		}
	}
	// Locked: even the right password is refused.
	out := c.loginJSON(f.u.Login+"/api/login", "ana@test.es", pw, "fp").obj()
	if msg, _ := dig(out, "error", "message").(string); !strings.Contains(msg, "demasiadas veces") {
		t.Fatalf("after 5 failures: %v", out)
	}
	f.clock.Advance(15*time.Minute - time.Millisecond)
	if out := c.loginJSON(f.u.Login+"/api/login", "ana@test.es", pw, "fp").obj(); dig(out, "error") == nil {
		t.Fatalf("lock ended early: %v", out)
	}
	f.clock.Advance(time.Millisecond)
	f.login("ana@test.es", "fp")

	// Failures outside the window do not add up.
	f.s.SetLockout(Lockout{Threshold: 2, Window: time.Minute, Period: time.Hour})
	c.loginJSON(f.u.Login+"/api/login", "bob@test.cat", "wrong", "fp")
	f.clock.Advance(2 * time.Minute)
	c.loginJSON(f.u.Login+"/api/login", "bob@test.cat", "wrong", "fp")
	f.login("bob@test.cat", "fp")

	// Missing fields and a missing fingerprint are failures too.
	if out := c.loginJSON(f.u.Login+"/api/login", "eve@test.uk", pw, "").obj(); dig(out, "error", "message") == nil {
		t.Fatalf("login without fingerprint: %v", out)
	}
	if out := c.do(http.MethodPost, f.u.Login+"/api/login", "application/json", []byte(`{"username":"eve@test.uk"}`)).obj(); dig(out, "error", "message") == nil {
		t.Fatalf("login without password: %v", out)
	}
	if r := c.get(f.u.Login + "/api/login"); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /api/login: %d", r.status)
	}
	f.s.SetJSONLogin(false)
	if r := c.loginJSON(f.u.Login+"/api/login", "eve@test.uk", pw, "fp"); r.status != http.StatusNotFound {
		t.Fatalf("JSON login switched off: %d", r.status)
	}
}

func TestSessionsPerFingerprint(t *testing.T) {
	f := newFixture(t)
	a := f.login("ana@test.es", "device-a")
	b := f.login("ana@test.es", "device-b")
	for _, c := range []*client{a, b} {
		if out := c.whoami(); len(out["data"].([]any)) != 1 {
			t.Fatalf("both sessions must live: %v", out)
		}
	}
	// Logging in again with the same pair replaces that pair's session.
	a2 := f.login("ana@test.es", "device-a")
	if out := a.whoami(); out["logout"] == nil {
		t.Fatalf("replaced session still alive: %v", out)
	}
	if out := a.tokenUpdate(a.token, "device-a"); out["logout"] == nil {
		t.Fatalf("replaced session's token still rotates: %v", out)
	}
	for _, c := range []*client{a2, b} {
		if out := c.whoami(); len(out["data"].([]any)) != 1 {
			t.Fatalf("session died: %v", out)
		}
	}
	if n := len(f.s.Sessions("ana@test.es")); n != 2 {
		t.Fatalf("%d sessions, want 2", n)
	}
}

func TestTokenRotationSingleUse(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp-1")
	oldToken, oldCookie := c.token, c.cookies["amhrdrauth"]
	r := c.postForm(f.u.Portal+"/api/tokenUpdate", url.Values{"token": {oldToken}, "ciclo": {"1"}, "fingerprint": {"fp-1"}})
	out := r.obj()
	newToken, _ := out["newToken"].(string)
	if newToken == "" || newToken == oldToken || r.header.Get("Content-Type") != ContentTypeHTML {
		t.Fatalf("rotation: %v (%s)", out, r.header.Get("Content-Type"))
	}
	if c.cookies["amhrdrauth"] == oldCookie || !strings.Contains(r.header.Get("Set-Cookie"), "amhrdrauth=") {
		t.Fatalf("rotation must re-issue amhrdrauth")
	}
	// The old token is dead; by default that does not end the session.
	if out := c.tokenUpdate(oldToken, "fp-1"); out["logout"] != float64(1) {
		t.Fatalf("old token: %v", out)
	}
	// Old cookie values keep working while the session lives.
	old := f.anon()
	old.cookies["amhrdrauth"] = oldCookie
	if out := old.whoami(); len(out["data"].([]any)) != 1 {
		t.Fatalf("old cookie value: %v", out)
	}
	// A foreign fingerprint gets logout too, without ending the session.
	if out := c.tokenUpdate(newToken, "someone-else"); out["logout"] == nil {
		t.Fatalf("foreign fingerprint: %v", out)
	}
	if out := c.tokenUpdate(newToken, "fp-1"); out["newToken"] == nil {
		t.Fatalf("session must survive the bad attempts: %v", out)
	}
	if out := c.tokenUpdate("never-issued", "fp-1"); out["logout"] == nil {
		t.Fatalf("unknown token: %v", out)
	}

	// With the switch, replaying an old token ends the session.
	f.s.SetReuseEndsSession(true)
	d := f.login("bob@test.cat", "fp-2")
	next := d.tokenUpdate(d.token, "fp-2")["newToken"].(string)
	if out := d.tokenUpdate(d.token, "fp-2"); out["logout"] == nil {
		t.Fatalf("replay: %v", out)
	}
	if out := d.tokenUpdate(next, "fp-2"); out["logout"] == nil {
		t.Fatalf("the replay must have ended the session: %v", out)
	}
	if out := d.whoami(); out["logout"] == nil {
		t.Fatalf("cookie after the session ended: %v", out)
	}
}

func TestIdleExpiry(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp")
	f.clock.Advance(29 * time.Minute)
	out := c.tokenUpdate(c.token, "fp") // restarts the 30 min
	c.token = out["newToken"].(string)
	f.clock.Advance(29*time.Minute + 59*time.Second)
	if out := c.whoami(); len(out["data"].([]any)) != 1 {
		t.Fatalf("session must live 30 min after the refresh: %v", out)
	}
	f.clock.Advance(time.Second)
	if out := c.whoami(); out["logout"] != float64(1) {
		t.Fatalf("whoami after expiry: %v", out)
	}
	if out := c.tokenUpdate(c.token, "fp"); out["logout"] == nil {
		t.Fatalf("token after expiry: %v", out)
	}
	// The class list turns public: no member data.
	env := c.bookings("alpha", date(2026, 10, 21))
	if r := row(t, env, "07:00", "WOD"); r["athletes"] != nil || r["included"] != float64(0) {
		t.Fatalf("expired session got member data: %v", r)
	}
	if out := c.book("alpha", 1, date(2026, 10, 21), false); out["logout"] != float64(1) {
		t.Fatalf("book after expiry: %v", out)
	}

	// Shortened lifetimes apply to live sessions.
	d := f.login("bob@test.cat", "fp")
	f.s.SetSessionLifetime(time.Minute)
	f.clock.Advance(time.Minute)
	if out := d.whoami(); out["logout"] == nil {
		t.Fatalf("shortened lifetime: %v", out)
	}
}

func TestExpireKnobs(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp")
	// Cookie dead, token alive: a refresh brings a new cookie.
	if n := f.s.ExpireSession("ana@test.es", "fp", ExpireCookie); n != 1 {
		t.Fatalf("expired %d sessions", n)
	}
	if out := c.whoami(); out["logout"] == nil {
		t.Fatalf("cookie should be dead: %v", out)
	}
	out := c.tokenUpdate(c.token, "fp")
	c.token, _ = out["newToken"].(string)
	if c.token == "" {
		t.Fatalf("token should rotate: %v", out)
	}
	if out := c.whoami(); len(out["data"].([]any)) != 1 {
		t.Fatalf("the new cookie works: %v", out)
	}
	// Token dead, cookie alive.
	f.s.ExpireSession("ana@test.es", "", ExpireToken)
	if out := c.tokenUpdate(c.token, "fp"); out["logout"] == nil {
		t.Fatalf("token should be dead: %v", out)
	}
	if out := c.whoami(); len(out["data"].([]any)) != 1 {
		t.Fatalf("cookie should live: %v", out)
	}
	f.s.ExpireSession("ana@test.es", "", ExpireBoth)
	if out := c.whoami(); out["logout"] == nil {
		t.Fatalf("session should be dead: %v", out)
	}
	// Forced logout: one fingerprint, or all.
	a, b := f.login("bob@test.cat", "a"), f.login("bob@test.cat", "b")
	if n := f.s.ForceLogout("bob@test.cat", "a"); n != 1 {
		t.Fatalf("forced %d", n)
	}
	if a.whoami()["logout"] == nil || b.whoami()["data"] == nil {
		t.Fatalf("forced logout of one fingerprint")
	}
	f.s.ForceLogout("bob@test.cat", "")
	if b.whoami()["logout"] == nil {
		t.Fatalf("forced logout of all")
	}
}

func TestWhoamiVariants(t *testing.T) {
	f := newFixture(t)
	if out := f.anon().whoami(); len(out["data"].([]any)) != 0 || out["logout"] != nil {
		t.Fatalf("no cookie: %v", out)
	}
	stale := f.anon()
	stale.cookies["amhrdrauth"] = "not-a-session"
	if out := stale.whoami(); out["logout"] != float64(1) {
		t.Fatalf("dead cookie: %v", out)
	}
	c := f.login("ana@test.es", "fp")
	out := c.whoami()
	u := out["data"].([]any)[0].(map[string]any)
	wantNum(t, "id", u["id"], 501)
	if u["name"] != "Ana Test" || len(u["roles"].([]any)) != 6 {
		t.Fatalf("whoami user: %v", u)
	}
}

func TestSetRefresh(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp-xyz")
	page := string(c.get(f.u.Portal + "/setrefresh?" + url.Values{"token": {c.token}, "fingerprint": {"fp-xyz"}, "redirect": {c.box("alpha")}}.Encode()).body)
	tok := regexp.MustCompile(`"refreshToken",\s*"([^"]*)"`).FindStringSubmatch(page)
	fp := regexp.MustCompile(`"fingerprint",\s*"([^"]*)"`).FindStringSubmatch(page)
	if tok == nil || tok[1] != c.token || fp == nil || fp[1] != "fp-xyz" {
		t.Fatalf("setrefresh page:\n%s", page)
	}
	page = string(c.get(f.u.Portal + "/setrefresh?token=unknown&fingerprint=fp-xyz").body)
	if strings.Contains(page, "refreshToken") {
		t.Fatalf("unknown token must not get the assignments:\n%s", page)
	}
}

func TestLegacyLogin(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"login": {"Iniciar sesión"}, "loginiframe": {"0"}, "loginfingerprint": {"legacy-fp"}, "mail": {"ana@test.es"}, "pw": {pw}}
	// Off by default: 404.
	if r := f.anon().postForm(f.u.Login+"/", form); r.status != http.StatusNotFound {
		t.Fatalf("legacy off: %d", r.status)
	}
	f.s.SetLegacyLogin(LegacyMarketingPage)
	c := f.anon()
	if r := c.postForm(f.u.Login+"/", form); r.status != 200 || len(c.cookies) != 0 || strings.Contains(string(r.body), "setrefresh") {
		t.Fatalf("marketing page mode: %d %v", r.status, c.cookies)
	}

	f.s.SetLegacyLogin(LegacyWorks)
	// Success on the login host: cookies, iframe to setrefresh, a script moving on.
	r := c.postForm(f.u.Login+"/", form)
	body := string(r.body)
	m := regexp.MustCompile(`<iframe src="([^"]*setrefresh\?[^"]*)"`).FindStringSubmatch(body)
	if r.status != 200 || c.cookies["amhrdrauth"] == "" || m == nil || !strings.Contains(body, "window.location.href") {
		t.Fatalf("legacy success: %d\n%s", r.status, body)
	}
	page := string(c.get(f.u.Portal + m[1]).body)
	tok := regexp.MustCompile(`"refreshToken",\s*"([^"]*)"`).FindStringSubmatch(page)
	if tok == nil {
		t.Fatalf("setrefresh after legacy login:\n%s", page)
	}
	if out := c.whoami(); len(out["data"].([]any)) != 1 {
		t.Fatalf("legacy session: %v", out)
	}
	if out := c.tokenUpdate(tok[1], "legacy-fp"); out["newToken"] == nil {
		t.Fatalf("legacy token: %v", out)
	}
	// On the portal's /login: a redirect (through setrefresh).
	p := f.anon()
	r = p.postForm(f.u.Portal+"/login", form)
	if r.status != http.StatusFound || !strings.Contains(r.header.Get("Location"), "setrefresh") || p.cookies["amhrdrauth"] == "" {
		t.Fatalf("portal legacy: %d %v", r.status, r.header)
	}
	// Failure: the form again, with #loginErrors.
	form.Set("pw", "wrong")
	body = string(f.anon().postForm(f.u.Login+"/", form).body)
	if !strings.Contains(body, `name="mail"`) || !strings.Contains(body, `name="pw"`) || !regexp.MustCompile(`id="loginErrors">[^<]*incorrecto`).MatchString(body) {
		t.Fatalf("legacy failure page:\n%s", body)
	}
}

func TestHomeScheduleAndLogout(t *testing.T) {
	f := newFixture(t)
	anon := f.anon()
	if r := anon.get(f.u.Portal + "/home"); r.status != http.StatusFound {
		t.Fatalf("home logged out: %d", r.status)
	}
	c := f.login("ana@test.es", "fp")
	home := string(c.get(f.u.Portal + "/home").body)
	for _, sub := range []string{"alpha", "beta", "gamma"} {
		link := `<a class="ahMenuBoxName" href="https://` + sub + `.aimharder.com">`
		pic := regexp.MustCompile(`<img class="ahMenuBoxPic"[^>]*onclick='[^']*"https://` + sub + `\.aimharder\.com"`)
		if !strings.Contains(home, link) || !pic.MatchString(home) {
			t.Fatalf("home lacks %s:\n%s", sub, home)
		}
	}
	if strings.Count(home, `class="ahMenuBoxName"`) != 5 {
		t.Fatalf("one link per box:\n%s", home)
	}
	for _, path := range []string{"/schedule?cl", "/schedule", "/"} {
		page := string(anon.get(c.box("gamma") + path).body)
		if m := regexp.MustCompile(`box:\s*(\d+),`).FindStringSubmatch(page); m == nil || m[1] != "3003" {
			t.Fatalf("%s lacks box: 3003,\n%s", path, page)
		}
	}
	// /logout (box or portal) ends only the caller's session, 302 to the portal root.
	other := f.login("ana@test.es", "fp-other")
	r := c.get(c.box("alpha") + "/logout")
	if r.status != http.StatusFound || r.header.Get("Location") != "/" {
		t.Fatalf("box logout: %d %q", r.status, r.header.Get("Location"))
	}
	if d, _ := c.whoami()["data"].([]any); len(d) != 0 || c.cookies["amhrdrauth"] != "" {
		t.Fatalf("caller's session must end and its cookie be cleared")
	}
	if out := other.whoami(); len(out["data"].([]any)) != 1 {
		t.Fatalf("another session ended: %v", out)
	}
	if r := other.get(f.u.Portal + "/logout"); r.status != http.StatusFound || r.header.Get("Location") != "/" {
		t.Fatalf("portal logout: %d", r.status)
	}
}

func TestOtherAPIAndNoRedirects(t *testing.T) {
	f := newFixture(t)
	anon := f.anon()
	for _, u := range []string{anon.box("alpha") + "/api/activity/workout", f.u.Portal + "/api/activity", anon.box("alpha") + "/api/nextBookings?box=1001"} {
		r := anon.get(u)
		if r.status != 200 || !strings.HasPrefix(string(r.body), "<!DOCTYPE html>") {
			t.Fatalf("%s logged out: %d %.60q", u, r.status, r.body)
		}
	}
	c := f.login("ana@test.es", "fp")
	if r := c.get(c.box("alpha") + "/api/activity/workout"); r.status != http.StatusNotFound {
		t.Fatalf("unknown api logged in: %d", r.status)
	}
	if r := c.get(c.box("nosuchbox") + "/api/bookings"); r.status != http.StatusNotFound {
		t.Fatalf("unknown box: %d", r.status)
	}
	// No /api/… answer is ever a redirect, logged in or not.
	for _, r := range f.s.Requests() {
		if strings.Contains(r.Path, "/api/") && r.Status >= 300 && r.Status < 400 {
			t.Fatalf("redirect on %s", r.Path)
		}
	}
	if !slices.ContainsFunc(f.s.Requests(), func(r Request) bool { return r.Endpoint == EndpointOtherAPI && r.Status == 404 }) {
		t.Fatalf("log lacks the 404")
	}
}

func TestHostRoutedMode(t *testing.T) {
	s := New(testWorld(), WithClock(NewManualClock(t0)), WithHostDomain("aimharder.test"), WithCookieDomain(".aimharder.test"))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	hs := srv.URL
	u := s.URLs(hs)
	if !strings.HasPrefix(u.Login, "http://login.aimharder.test:") || !strings.HasPrefix(u.BoxTemplate, "http://{box}.aimharder.test:") {
		t.Fatalf("urls %+v", u)
	}
	do := func(method, host, path, body string, cookies map[string]string) *http.Response {
		req, _ := http.NewRequest(method, hs+path, strings.NewReader(body))
		req.Host = host + hs[strings.LastIndex(hs, ":"):]
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := do("POST", "login.aimharder.test", "/api/login", `{"username":"ana@test.es","password":"`+pw+`","fingerprint":"f"}`, nil)
	set := strings.Join(resp.Header.Values("Set-Cookie"), "\n")
	if !strings.Contains(set, "Domain=aimharder.test") {
		t.Fatalf("cookie domain:\n%s", set)
	}
	cookies := map[string]string{}
	for _, ck := range resp.Cookies() {
		cookies[ck.Name] = ck.Value
	}
	if r := do("GET", "alpha.aimharder.test", "/schedule?cl", "", cookies); r.StatusCode != 200 {
		t.Fatalf("box host: %d", r.StatusCode)
	}
	r := do("GET", "alpha.aimharder.test", "/logout", "", cookies)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "http://aimharder.test:") {
		t.Fatalf("logout location %q", loc)
	}
	if r := do("GET", "elsewhere.example", "/", "", nil); r.StatusCode != 404 {
		t.Fatalf("foreign host: %d", r.StatusCode)
	}
}

// TestSessionEndsSayWhy: every ended session is recorded with its reason,
// so a soak can tell the sessions AimHarder ended from those its client
// threw away.
func TestSessionEndsSayWhy(t *testing.T) {
	f := newFixture(t)
	f.login("ana@test.es", "fp-a")
	f.login("ana@test.es", "fp-a") // replaces a live session
	c := f.login("ana@test.es", "fp-b")
	f.clock.Advance(31 * time.Minute)
	c.whoami()                     // finds it expired
	f.login("ana@test.es", "fp-b") // nothing live to replace
	f.s.ForceLogout("ana@test.es", "fp-a")
	f.s.SetReuseEndsSession(true)
	d := f.login("ana@test.es", "fp-c")
	d.tokenUpdate(d.token, "fp-c")
	d.tokenUpdate(d.token, "fp-c") // the spent token again
	var got []string
	for _, e := range f.s.SessionEnds("ANA@test.es") {
		got = append(got, e.Fingerprint+":"+string(e.Reason))
		if e.At.IsZero() || e.Label == "" {
			t.Errorf("end without a time or label: %+v", e)
		}
	}
	want := []string{"fp-a:replaced", "fp-b:expired", "fp-a:forced", "fp-c:reused"}
	if !slices.Equal(got, want) {
		t.Errorf("ends %v, want %v", got, want)
	}
}
