package aimharder

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestWhoami(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/whoami", replyFunc(whoamiOK))
	user, _, err := f.client().Whoami(context.Background(), testCreds())
	if err != nil {
		t.Fatal(err)
	}
	want := User{ID: 4242, Name: "Ana Pérez", Boxes: []Box{
		{ID: 10122, Subdomain: "sample-gym", Name: "Sample Gym", Role: "client"},
		{ID: 20333, Subdomain: "canary-box", Name: "Canary Box", Role: "client"},
	}}
	if !reflect.DeepEqual(user, want) {
		t.Errorf("user = %+v", user)
	}
	if c := f.only("/api/whoami").Header.Get("Cookie"); !strings.Contains(c, "amhrdrauth="+testAuthCookie) {
		t.Errorf("cookie = %q", c)
	}
}

func TestWhoamiLoggedOutAndMalformed(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       error
	}{
		{"empty data (no cookie, §3.5)", `{"data":[]}`, 200, ErrLoggedOut},
		{"logout 1", `{"logout":1}`, 200, ErrLoggedOut},
		{"logout true", `{"logout":true}`, 200, ErrLoggedOut},
		{"logout string", `{"logout":"1"}`, 200, ErrLoggedOut},
		{"HTML page", loginPage, 200, ErrUnexpectedAnswer},
		{"redirect", "", 302, ErrLoggedOut},
		{"data is text", `{"data":"nope"}`, 200, ErrProtocol},
		{"no data key", `{"user":{}}`, 200, ErrProtocol},
		{"user without id", `{"data":[{"name":"x"}]}`, 200, ErrProtocol},
		{"truncated", whoamiOK[:30], 200, ErrProtocol},
		{"empty body", "", 200, ErrProtocol},
		{"JSON array", `[1,2]`, 200, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /api/whoami", func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 302 {
					http.Redirect(w, r, "/login", http.StatusFound)
					return
				}
				reply(w, tt.body)
			})
			_, _, err := f.client().Whoami(context.Background(), testCreds())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWhoamiToleratesOneUserObject(t *testing.T) {
	user, err := decodeWhoami([]byte(`{"data":{"id":"7","name":"Solo","roles":{"0":{"role":"client","boid":5,"centre_url":"solo.aimharder.com"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if user.ID != 7 || len(user.Boxes) != 1 || user.Boxes[0].Subdomain != "solo" {
		t.Errorf("user = %+v", user)
	}
}

func TestSubdomainOf(t *testing.T) {
	for in, want := range map[string]string{
		"sample-gym.aimharder.com":          "sample-gym",
		" Sample-Gym.aimharder.com ":        "sample-gym",
		"https://box.aimharder.es/schedule": "box",
		"box.aimharder.com:443":             "box",
		"www.aimharder.com":                 "",
		"":                                  "",
		"bad_label.aimharder.com":           "",
	} {
		if got := subdomainOf(in); got != want {
			t.Errorf("subdomainOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSetRefresh(t *testing.T) {
	f := newFake(t)
	f.handle("GET /setrefresh", replyFunc(`<html><head><script>
localStorage.setItem("refreshToken" ,   "rotated-token");
localStorage.setItem("fingerprint", "new-fp-from-server");
window.location.href = "/home";</script></head></html>`))
	out, err := f.client().SetRefresh(context.Background(), testCreds())
	if err != nil {
		t.Fatal(err)
	}
	if out.Token != "rotated-token" || out.Fingerprint != "new-fp-from-server" || !out.HasAuthCookie() {
		t.Errorf("credentials = %v", out)
	}
	r := f.only("/setrefresh")
	q, _ := url.ParseQuery(r.RawQuery)
	if q.Get("token") != testToken || q.Get("fingerprint") != testFingerprint {
		t.Errorf("query = %q", r.RawQuery)
	}
	if !strings.Contains(r.Header.Get("Cookie"), "amhrdrauth="+testAuthCookie) {
		t.Error("setrefresh must carry the cookies")
	}
}

func TestParseSetRefresh(t *testing.T) {
	tests := []struct {
		body, token, fp string
		ok              bool
	}{
		{`localStorage.setItem("refreshToken", "abc");localStorage.setItem("fingerprint", "fp1");`, "abc", "fp1", true},
		{`localStorage.setItem("refreshToken","abc")`, "abc", "", true},             // fingerprint kept as sent
		{`localStorage.setItem('refreshToken',   'abc'); `, "abc", "", true},        // single quotes
		{`localStorage.setItem("fingerprint", "fp1");`, "", "", false},              // no token: failure
		{`localStorage.setItem("refreshToken", "");`, "", "", false},                // empty token: failure
		{`<html>Iniciar sesión</html>`, "", "", false},                              // a login page
		{`localStorage.setItem("refreshToken", "a b")`, "", "", false},              // not a token
		{`x("refreshToken", "t1") y("refreshToken", "t2")`, "t1", "", true},         // the first one
		{"localStorage.setItem(\"refreshToken\",\n\t\"multi\")", "multi", "", true}, // any spaces
	}
	for _, tt := range tests {
		token, fp, ok := parseSetRefresh([]byte(tt.body))
		if token != tt.token || fp != tt.fp || ok != tt.ok {
			t.Errorf("parseSetRefresh(%q) = %q, %q, %v", tt.body, token, fp, ok)
		}
	}
}

func TestSetRefreshFailures(t *testing.T) {
	f := newFake(t)
	page := "<html>no token here</html>"
	status := 200
	f.handle("GET /setrefresh", func(w http.ResponseWriter, r *http.Request) {
		if status == 302 {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		statusFunc(status, page)(w, r)
	})
	c := f.client()
	if _, err := c.SetRefresh(context.Background(), testCreds()); !errors.Is(err, ErrLoggedOut) {
		t.Errorf("page without token: err = %v", err)
	}
	status = 302
	if _, err := c.SetRefresh(context.Background(), testCreds()); !errors.Is(err, ErrLoggedOut) {
		t.Errorf("redirect: err = %v", err)
	}
	status = 403
	if _, err := c.SetRefresh(context.Background(), testCreds()); !errors.Is(err, ErrBlocked) {
		t.Errorf("403: err = %v", err)
	}
	before := len(f.requests("/setrefresh"))
	noToken := testCreds()
	noToken.Token = ""
	if _, err := c.SetRefresh(context.Background(), noToken); !errors.Is(err, ErrLoggedOut) {
		t.Errorf("no token: err = %v", err)
	}
	if len(f.requests("/setrefresh")) != before {
		t.Error("setrefresh sent without a token")
	}
}

// rotatingServer models single-use refresh tokens (docs/protocol.md §3.4 [GUESS]): each
// token works once, and a rotation re-issues amhrdrauth.
func rotatingServer(t *testing.T) *fakeAH {
	f := newFake(t)
	var mu sync.Mutex
	current, n := testToken, 0
	f.handle("POST /api/tokenUpdate", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.FormValue("token") != current || r.FormValue("fingerprint") != testFingerprint || r.FormValue("ciclo") != "1" {
			reply(w, `{"logout":1}`)
			return
		}
		n++
		current = "rotated-" + string(rune('a'+n))
		http.SetCookie(w, &http.Cookie{Name: AuthCookie, Value: "auth-" + current, Path: "/"})
		reply(w, `{"newToken":"`+current+`"}`)
	})
	return f
}

func TestRefreshTokenRotates(t *testing.T) {
	f := rotatingServer(t)
	c := f.client()
	ctx := context.Background()
	first, err := c.RefreshToken(ctx, testCreds())
	if err != nil {
		t.Fatal(err)
	}
	if first.Token != "rotated-b" || first.Cookies[AuthCookie] != "auth-rotated-b" || first.Fingerprint != testFingerprint {
		t.Errorf("after rotation: %v %v", first.Token, first.Cookies)
	}
	r := f.requests("/api/tokenUpdate")[0]
	wantBody := "token=" + url.QueryEscape(testToken) + "&ciclo=1&fingerprint=" + url.QueryEscape(testFingerprint)
	if r.Body != wantBody || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Errorf("body %q content-type %q", r.Body, r.Header.Get("Content-Type"))
	}
	second, err := c.RefreshToken(ctx, first)
	if err != nil || second.Token != "rotated-c" {
		t.Fatalf("second rotation: %v %v", second.Token, err)
	}
	// The old token is dead.
	_, err = c.RefreshToken(ctx, testCreds())
	var lo *LoggedOutError
	if !errors.As(err, &lo) || lo.Endpoint != "tokenUpdate" {
		t.Errorf("old token: err = %v, want a LoggedOutError", err)
	}
}

func TestRefreshTokenAnswers(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    error
		token                   string
	}{
		{"JSON labelled text/html", "text/html; charset=UTF-8", `{"newToken":"n1"}`, 200, nil, "n1"},
		{"JSON labelled JSON", "application/json", ` {"newToken":"n2","extra":1} `, 200, nil, "n2"},
		{"logout 1", "text/html", `{"logout":1}`, 200, ErrLoggedOut, ""},
		{"logout true", "text/html", `{"logout":true}`, 200, ErrLoggedOut, ""},
		{"neither", "text/html", `{}`, 200, ErrProtocol, ""},
		{"empty newToken", "text/html", `{"newToken":""}`, 200, ErrProtocol, ""},
		{"HTML", "text/html", loginPage, 200, ErrUnexpectedAnswer, ""},
		{"truncated", "text/html", `{"newTok`, 200, ErrProtocol, ""},
		{"5xx", "text/html", "<html>oops</html>", 500, &HTTPError{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("POST /api/tokenUpdate", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			out, err := f.client().RefreshToken(context.Background(), testCreds())
			switch want := tt.want.(type) {
			case nil:
				if err != nil || out.Token != tt.token {
					t.Fatalf("token %q, err %v", out.Token, err)
				}
			case *HTTPError:
				var he *HTTPError
				if !errors.As(err, &he) || he.Retryable || IsRetryable(err) {
					t.Fatalf("err = %v: a tokenUpdate failure must not be retryable (it may have rotated)", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
				if out.Token != testToken {
					t.Errorf("the token changed on failure: %q", out.Token)
				}
			}
		})
	}
}

func TestLogout(t *testing.T) {
	f := newFake(t)
	f.handle("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: AuthCookie, Value: "deleted", MaxAge: -1})
		http.Redirect(w, r, "/", http.StatusFound)
	})
	if err := f.client().Logout(context.Background(), testCreds()); err != nil {
		t.Fatal(err)
	}
	if len(f.requests("/")) != 0 {
		t.Error("logout followed the redirect")
	}
	if !strings.Contains(f.only("/logout").Header.Get("Cookie"), "amhrdrauth=") {
		t.Error("logout must carry the cookies")
	}
}
