package aimharder

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const emptyDay = `{"bookings":[],"timetable":[],"day":"Miércoles, 21 de Octubre de 2026","clasesDisp":"","seminars":[],"resmsgs":[]}`

func TestNewValidatesConfig(t *testing.T) {
	good := DefaultConfig()
	if _, err := New(good); err != nil {
		t.Fatalf("production config: %v", err)
	}
	for name, mod := range map[string]func(*Config){
		"login without scheme":   func(c *Config) { c.LoginURL = "login.aimharder.com" },
		"portal with query":      func(c *Config) { c.PortalURL = "https://aimharder.com/?x=1" },
		"ftp portal":             func(c *Config) { c.PortalURL = "ftp://aimharder.com" },
		"template without {box}": func(c *Config) { c.BoxURLTemplate = "https://box.aimharder.com" },
		"template twice {box}":   func(c *Config) { c.BoxURLTemplate = "https://{box}.aimharder.com/{box}" },
		"template not a URL":     func(c *Config) { c.BoxURLTemplate = "{box}" },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestBoxURL(t *testing.T) {
	c, err := New(Config{LoginURL: "http://127.0.0.1:8088", PortalURL: "http://127.0.0.1:8088/", BoxURLTemplate: "http://127.0.0.1:8088/b/{box}/"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.BoxURL("sample-gym")
	if err != nil || got != "http://127.0.0.1:8088/b/sample-gym" {
		t.Errorf("BoxURL = %q, %v", got, err)
	}
	for _, bad := range []string{"", "../admin", "a/b", "x.y", "-a", "a?b=c"} {
		if _, err := c.BoxURL(bad); err == nil {
			t.Errorf("BoxURL(%q) accepted", bad)
		}
	}
	prod, _ := New(DefaultConfig())
	if got, _ := prod.BoxURL("crossfitcerdanyola300"); got != "https://crossfitcerdanyola300.aimharder.com" {
		t.Errorf("production BoxURL = %q", got)
	}
}

func TestBoxRequestHeadersAndQuery(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", replyFunc(emptyDay))
	c := f.client()
	if _, _, err := c.Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 21}, ""); err != nil {
		t.Fatal(err)
	}
	r := f.only("/b/sample-gym/api/bookings")
	wantQuery := "day=20261021&familyId=&box=10122&_=" + strconv.FormatInt(testNow.UnixMilli(), 10)
	if r.RawQuery != wantQuery {
		t.Errorf("query = %q, want %q", r.RawQuery, wantQuery)
	}
	boxURL := f.srv.URL + "/b/sample-gym"
	for header, want := range map[string]string{
		"X-Requested-With": "XMLHttpRequest",
		"Accept":           "application/json, text/javascript, */*; q=0.01",
		"Referer":          boxURL + "/schedule",
		"Origin":           "", // a GET carries no Origin (issue 14 item 10)
		"Accept-Language":  "es-ES,es;q=0.9,en;q=0.8",
		"User-Agent":       DefaultUserAgent,
		"Cookie":           "PHPSESSID=" + testSessCookie + "; amhrdrauth=" + testAuthCookie,
	} {
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if !strings.Contains(DefaultUserAgent, "Chrome/") || !strings.Contains(DefaultUserAgent, "Windows NT") {
		t.Errorf("default UA is not a desktop Chrome: %q", DefaultUserAgent)
	}
}

func TestSetCookieIsMergedAndExpiredCookiesDeleted(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "lb-new", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: AuthCookie, Value: "auth-rotated", Path: "/", Domain: "aimharder.com", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "deleted", MaxAge: -1})
		http.SetCookie(w, &http.Cookie{Name: "old", Value: "x", Expires: time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)})
		reply(w, emptyDay)
	})
	in := testCreds()
	in.Cookies["old"] = "still-here"
	before := in.Clone()
	_, out, err := f.client().Day(context.Background(), in, testBox(t), Date{2026, 10, 21}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{AuthCookie: "auth-rotated", "AWSALB": "lb-new"}
	if !out.Equal(Credentials{Token: testToken, Fingerprint: testFingerprint, Cookies: want}) {
		t.Errorf("cookies after = %v, want %v", out.Cookies, want)
	}
	if !in.Equal(before) {
		t.Errorf("the caller's credentials were modified: %v", in.Cookies)
	}
}

func TestCredentialsReturnedWithAnError(t *testing.T) {
	f := newFake(t)
	f.handle("POST /b/sample-gym/api/book", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "lb-2"})
		reply(w, `{"logout":1}`)
	})
	_, out, err := f.client().Book(context.Background(), testCreds(), testBox(t), 1, Date{2026, 10, 21}, BookOptions{})
	if !errors.Is(err, ErrLoggedOut) {
		t.Fatalf("err = %v, want ErrLoggedOut", err)
	}
	if out.Cookies["AWSALB"] != "lb-2" || out.Cookies[AuthCookie] != testAuthCookie {
		t.Errorf("cookies = %v", out.Cookies)
	}
}

func TestRedirectsOnAPIAreNotFollowed(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	})
	f.handle("/login", replyFunc(loginPage))
	for name, c := range map[string]*Client{
		"default client": f.client(),
		"caller's client": f.client(func(cfg *Config) {
			cfg.HTTPClient = &http.Client{} // follows redirects by default: must be overridden
		}),
	} {
		_, _, err := c.Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 21}, "")
		var lo *LoggedOutError
		if !errors.As(err, &lo) || !strings.Contains(lo.Reason, "302") {
			t.Errorf("%s: err = %v, want a LoggedOutError naming the redirect", name, err)
		}
	}
	if n := len(f.requests("/login")); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

func TestResponseSizeCap(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", replyFunc(`{"bookings":[],"pad":"`+strings.Repeat("x", 5000)+`"}`))
	c := f.client(func(cfg *Config) { cfg.MaxBodyBytes = 1024 })
	_, _, err := c.Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 21}, "")
	if !errors.Is(err, ErrResponseTooLarge) || !errors.Is(err, ErrProtocol) {
		t.Fatalf("err = %v, want ErrResponseTooLarge", err)
	}
	// Exactly at the cap is fine.
	body := `{"bookings":[],"pad":"` + strings.Repeat("x", 1024-len(`{"bookings":[],"pad":""}`)) + `"}`
	f2 := newFake(t)
	f2.handle("GET /b/sample-gym/api/bookings", replyFunc(body))
	c2 := f2.client(func(cfg *Config) { cfg.MaxBodyBytes = int64(len(body)) })
	if _, _, err := c2.Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 21}, ""); err != nil {
		t.Fatalf("body of exactly the cap: %v", err)
	}
}

// blockUntilDone holds a request until the client gives up; arrived is
// closed when the first request is in.
func blockUntilDone(arrived chan struct{}) http.HandlerFunc {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-r.Context().Done()
	}
}

func TestContextCancellationIsHonoured(t *testing.T) {
	f := newFake(t)
	arrived := make(chan struct{})
	f.handle("GET /b/sample-gym/api/bookings", blockUntilDone(arrived))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, _, err := f.client().Day(ctx, testCreds(), testBox(t), Date{2026, 10, 21}, "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if IsRetryable(err) {
		t.Error("a request the caller cancelled is not retryable")
	}
}

func TestPerRequestTimeout(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", blockUntilDone(make(chan struct{})))
	c := f.client(func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond })
	_, _, err := c.Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 21}, "")
	var te *TransportError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &te) {
		t.Fatalf("err = %v, want a TransportError wrapping DeadlineExceeded", err)
	}
	if !IsRetryable(err) {
		t.Error("a timed-out read should be retryable")
	}
}

func TestBlockedAndServerErrors(t *testing.T) {
	f := newFake(t)
	status := 0
	f.handle("/b/sample-gym/api/", func(w http.ResponseWriter, r *http.Request) {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "120")
		}
		statusFunc(status, "<html>error page</html>")(w, r)
	})
	c := f.client()
	ctx, box, day := context.Background(), testBox(t), Date{2026, 10, 21}
	for _, status = range []int{403, 429} {
		_, _, err := c.Day(ctx, testCreds(), box, day, "")
		var be *BlockedError
		if !errors.Is(err, ErrBlocked) || !errors.As(err, &be) || be.Status != status {
			t.Errorf("HTTP %d: err = %v, want BlockedError", status, err)
		}
		if status == 429 && be != nil && be.RetryAfter != 2*time.Minute {
			t.Errorf("RetryAfter = %v", be.RetryAfter)
		}
		if IsRetryable(err) {
			t.Errorf("HTTP %d must not be retried at once", status)
		}
	}
	for _, status = range []int{500, 502, 503, 504} {
		_, _, err := c.Day(ctx, testCreds(), box, day, "")
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != status || !he.Retryable || !IsRetryable(err) {
			t.Errorf("bookings HTTP %d: err = %v, want a retryable HTTPError", status, err)
		}
		_, _, err = c.Book(ctx, testCreds(), box, 1, day, BookOptions{})
		if !errors.As(err, &he) || he.Retryable || IsRetryable(err) {
			t.Errorf("book HTTP %d: err = %v, want a non-retryable HTTPError", status, err)
		}
		_, err = c.Cancel(ctx, testCreds(), box, 1, CancelOptions{})
		if !errors.As(err, &he) || he.Retryable {
			t.Errorf("cancel HTTP %d: err = %v, want a non-retryable HTTPError", status, err)
		}
	}
	status = 401
	if _, _, err := c.Day(ctx, testCreds(), box, day, ""); !errors.Is(err, ErrLoggedOut) {
		t.Errorf("HTTP 401: err = %v, want ErrLoggedOut", err)
	}
}

func TestObserveReportsEachExchange(t *testing.T) {
	f := newFake(t)
	serverDate := time.Date(2026, 10, 21, 7, 28, 3, 0, time.UTC)
	f.handle("GET /b/sample-gym/api/bookings", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", serverDate.Format(http.TimeFormat))
		reply(w, emptyDay)
	})
	var mu sync.Mutex
	var seen []Exchange
	c := f.client(func(cfg *Config) {
		cfg.Now = time.Now
		cfg.Observe = func(ex Exchange) {
			mu.Lock()
			seen = append(seen, ex)
			mu.Unlock()
		}
	})
	if _, _, err := c.Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 21}, ""); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 {
		t.Fatalf("observed %d exchanges", len(seen))
	}
	ex := seen[0]
	if ex.Endpoint != "bookings" || ex.Method != "GET" || ex.Status != 200 || !ex.ServerDate.Equal(serverDate) {
		t.Errorf("exchange = %+v", ex)
	}
	if ex.Sent.IsZero() || ex.Received.Before(ex.Sent) || ex.RTT != ex.Received.Sub(ex.Sent) {
		t.Errorf("times: sent %v received %v rtt %v", ex.Sent, ex.Received, ex.RTT)
	}
}

func TestPing(t *testing.T) {
	f := newFake(t)
	serverDate := time.Date(2026, 10, 21, 7, 28, 3, 0, time.UTC)
	f.handle("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", serverDate.Format(http.TimeFormat))
		w.WriteHeader(http.StatusMethodNotAllowed) // any answer carries the clock
	})
	c := f.client()
	ex, err := c.Ping(context.Background(), testBox(t))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Endpoint != "ping" || ex.Method != http.MethodHead || !ex.ServerDate.Equal(serverDate) || ex.Status != 405 {
		t.Errorf("exchange = %+v", ex)
	}
	r := f.only("/b/sample-gym/")
	if r.Method != http.MethodHead || r.Header.Get("Cookie") != "" {
		t.Errorf("ping request: %s with cookie %q", r.Method, r.Header.Get("Cookie"))
	}
	if _, err := c.Ping(context.Background(), BoxRef{}); err != nil {
		t.Fatal(err)
	}
	if len(f.requests("/")) != 1 {
		t.Errorf("a ping without a box should hit the portal root")
	}
}

func TestSecretsNeverInTransportErrors(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	base := dead.URL
	dead.Close() // connection refused from now on
	c, err := New(Config{LoginURL: base, PortalURL: base, BoxURLTemplate: base + "/b/{box}"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds := testCreds()
	_, err = c.SetRefresh(ctx, creds) // its URL carries token and fingerprint
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a TransportError", err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		t.Errorf("the *url.Error (with the URL) is still in the chain")
	}
	assertNoSecrets(t, "setrefresh transport error", err.Error())
	assertNoSecrets(t, "setrefresh transport error (query-escaped)", strings.ReplaceAll(err.Error(), url.QueryEscape(testToken), testToken))
	for name, call := range map[string]func() error{
		"tokenUpdate": func() error { _, err := c.RefreshToken(ctx, creds); return err },
		"whoami":      func() error { _, _, err := c.Whoami(ctx, creds); return err },
		"login": func() error {
			_, err := c.Login(ctx, "ana@example.com", "hunter2-password", testFingerprint)
			return err
		},
		"book": func() error {
			_, _, err := c.Book(ctx, creds, testBox(t), 5, Date{2026, 10, 21}, BookOptions{})
			return err
		},
		"logout": func() error { return c.Logout(ctx, creds) },
	} {
		err := call()
		if err == nil {
			t.Errorf("%s: no error from a dead server", name)
			continue
		}
		assertNoSecrets(t, name+" transport error", err.Error())
	}
}

func TestRedactScrubsCredentialValues(t *testing.T) {
	msg := "dial tcp: lookup x?token=" + url.QueryEscape(testToken) + "&fingerprint=" + testFingerprint + " cookie " + testAuthCookie
	assertNoSecrets(t, "redact", testCreds().Redact(msg))
}

func TestSecretsNeverInBodySnippetsOrLogs(t *testing.T) {
	f := newFake(t)
	// Not JSON, and echoing a cookie value: the snippet must be redacted.
	f.handle("POST /b/sample-gym/api/book", replyFunc("Fatal error: session "+testAuthCookie+" token "+testToken))
	f.handle("GET /setrefresh", replyFunc(`<script>localStorage.setItem("refreshToken", "`+testToken+`");</script>`))
	f.handle("POST /api/tokenUpdate", replyFunc(`{"newToken":"`+testToken+`x"}`))
	var logs bytes.Buffer
	c := f.client(func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := context.Background()
	_, _, err := c.Book(ctx, testCreds(), testBox(t), 5, Date{2026, 10, 21}, BookOptions{})
	var ue *UnexpectedAnswerError
	if !errors.As(err, &ue) || ue.Snippet == "" || ue.HTML || ue.Status != 200 {
		t.Fatalf("err = %v, want an UnexpectedAnswerError with a snippet", err)
	}
	assertNoSecrets(t, "protocol error", err.Error())
	if _, err := c.SetRefresh(ctx, testCreds()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RefreshToken(ctx, testCreds()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "setrefresh") || !strings.Contains(logs.String(), "tokenUpdate") {
		t.Fatalf("expected debug lines, got %q", logs.String())
	}
	assertNoSecrets(t, "debug log", logs.String())
}

func TestCookieHeaderIsSortedAndSkipsEmptyValues(t *testing.T) {
	got := cookieHeader(map[string]string{"b": "2", "a": "1", "c": "", "bad name": "x"})
	if got != "a=1; b=2" {
		t.Errorf("cookieHeader = %q", got)
	}
}
