package aimharder

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Secrets used by the tests: each must never appear in an error or a log.
const (
	testToken       = "tok-SECRET-7f3a9c"
	testFingerprint = "fpSECRETq8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3j2k1l0z9x8c"
	testAuthCookie  = "auth-SECRET-cookie-1"
	testSessCookie  = "sess-SECRET-cookie-2"
)

func testCreds() Credentials {
	return Credentials{
		Token:       testToken,
		Fingerprint: testFingerprint,
		Cookies:     map[string]string{AuthCookie: testAuthCookie, "PHPSESSID": testSessCookie},
	}
}

func secretsIn(s string) []string {
	var found []string
	for _, secret := range []string{testToken, testFingerprint, testAuthCookie, testSessCookie, "hunter2-password"} {
		if strings.Contains(s, secret) {
			found = append(found, secret)
		}
	}
	return found
}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	if found := secretsIn(s); len(found) > 0 {
		t.Errorf("%s reveals secrets %q: %s", what, found, s)
	}
}

// recorded is a request as the test server saw it.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// fakeAH is a test server with canned handlers; login, portal and boxes
// share one host, boxes under /b/{box} (the single-host layout of docs/protocol.md §1).
type fakeAH struct {
	t    *testing.T
	mux  *http.ServeMux
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newFake(t *testing.T) *fakeAH {
	t.Helper()
	f := &fakeAH{t: t, mux: http.NewServeMux()}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		f.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAH) handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

func (f *fakeAH) requests(path string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAH) only(path string) recorded {
	f.t.Helper()
	got := f.requests(path)
	if len(got) != 1 {
		f.t.Fatalf("want 1 request to %s, got %d", path, len(got))
	}
	return got[0]
}

var testNow = time.Date(2026, 10, 21, 9, 28, 0, 0, time.UTC)

func (f *fakeAH) client(mods ...func(*Config)) *Client {
	f.t.Helper()
	cfg := Config{
		LoginURL:       f.srv.URL,
		PortalURL:      f.srv.URL,
		BoxURLTemplate: f.srv.URL + "/b/{box}",
		Now:            func() time.Time { return testNow },
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// reply writes body as AimHarder does: JSON labelled text/html (docs/protocol.md §10).
func reply(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	_, _ = io.WriteString(w, body)
}

func replyFunc(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { reply(w, body) }
}

func statusFunc(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func testBox(t testing.TB) BoxRef {
	return BoxRef{ID: 10122, Subdomain: "sample-gym", Location: mustLoad(t, "Europe/Madrid")}
}

const loginPage = `<!DOCTYPE html><html><head><title>AimHarder</title></head><body>
<form method="post"><input name="mail"><input name="pw" type="password"><div id="loginErrors"></div></form></body></html>`
