package tui

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// realRefusals logs in against the fake AimHarder, its refusals answered
// in shape, and returns what the client made of a wrong password, a
// lockout ("demasiadas veces") and a refusal in words ahtui does not know.
func realRefusals(t *testing.T, shape aimhardertest.RefusalShape) (bad, locked, unknown error) {
	t.Helper()
	fake, urls := aimhardertest.Start(t, aimhardertest.DemoWorld(time.Now(), 1))
	fake.SetLoginRefusalShape(shape)
	fake.SetLockout(aimhardertest.Lockout{Threshold: 2})
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	c, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal, BoxURLTemplate: urls.BoxTemplate,
		HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	login := func(email, password string) error {
		_, err := c.Login(t.Context(), email, password, strings.Repeat("a", 50))
		return err
	}
	fake.RefuseLogin(aimhardertest.DemoEmail, "Tu cuenta está pendiente de verificación")
	unknown = login(aimhardertest.DemoEmail, aimhardertest.DemoPassword)
	fake.RefuseLogin(aimhardertest.DemoEmail, "")
	bad = login(aimhardertest.DemoEmail, "wrong")
	_ = login(aimhardertest.DemoEmail, "wrong")
	locked = login(aimhardertest.DemoEmail, aimhardertest.DemoPassword)
	return bad, locked, unknown
}

// loginFails submits the login form while the account answers err, and
// returns the words the form shows.
func loginFails(t *testing.T, lang i18n.Lang, err error) string {
	t.Helper()
	e := &env{t: t, now: testNow}
	e.acct = newFakeAccount(testDays(testWeek, testNow, true))
	e.store = newFakeStore(func() time.Time { return e.now })
	e.store.sessions = map[session.Kind]session.Health{}
	e.store.account = session.Account{}
	e.m = newTestModel(Config{Account: e.acct, Store: e.store, Lang: lang, Now: func() time.Time { return e.now }, Renderer: asciiRenderer()})
	e.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	e.run(e.m.Init())
	if e.m.screen != screenLogin {
		t.Fatalf("screen %d, want the login form", e.m.screen)
	}
	e.acct.login = func(string, string) (account.LoginResult, error) { return account.LoginResult{}, err }
	for _, r := range "ana@example.com" {
		e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	e.key("enter")
	for _, r := range "s3cret" {
		e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	e.key("enter")
	if e.m.screen != screenLogin || e.m.loginForm.Busy() {
		t.Fatalf("after a refused login: screen %d, busy %v", e.m.screen, e.m.loginForm.Busy())
	}
	return e.m.loginForm.Err()
}

// TestLoginFormSaysEachRefusal: a wrong password, a lockout, a refusal in
// words ahtui does not know (with and without words), a login that
// opened no session and a network failure each get their own words in
// en and es — from the refusals the client reads in every known shape
// (docs/protocol.md §2.1). No client detail (shape, field names) shows.
func TestLoginFormSaysEachRefusal(t *testing.T) {
	network := &aimharder.TransportError{Endpoint: "login", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	noWords := &aimharder.LoginError{Cause: aimharder.ErrLoginRefused, Reason: "authOK is false and no reason was given", Shape: aimharder.ShapeAuthFalse}
	noSession := &aimharder.LoginError{Cause: aimharder.ErrLoginFailed, Reason: "no amhrdrauth cookie was set"}
	for _, shape := range []aimhardertest.RefusalShape{aimhardertest.RefusalErrorMessage, aimhardertest.RefusalAuthInfo, aimhardertest.Refusal401} {
		bad, locked, unknown := realRefusals(t, shape)
		for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
			tx := i18n.For(lang)
			cases := []struct {
				name string
				err  error
				want []string
			}{
				{"wrong password", bad, []string{tx.ErrBadLogin}},
				{"lockout", locked, []string{tx.ErrLocked, tx.ErrLockedWait, "demasiadas veces"}},
				{"unknown refusal", unknown, []string{tx.ErrLoginRefused, "pendiente de verificación"}},
				{"refusal without words", noWords, []string{tx.ErrLoginNoReason}},
				{"no session", noSession, []string{tx.ErrLoginIncomplete}},
				{"network", network, []string{tx.ErrNetRefused}},
			}
			seen := map[string]string{}
			for _, tc := range cases {
				got := loginFails(t, lang, tc.err)
				for _, w := range tc.want {
					if !strings.Contains(got, w) {
						t.Errorf("shape %d %s %s: %q lacks %q (error %v)", shape, lang, tc.name, got, w, tc.err)
					}
				}
				for _, raw := range []string{"authOK", "amhrdrauth", "LOGIN_ERROR", "error.message", "HTTP 401", "aimharder login"} {
					if strings.Contains(got, raw) {
						t.Errorf("shape %d %s %s: %q shows client detail %q", shape, lang, tc.name, got, raw)
					}
				}
				if other, dup := seen[got]; dup {
					t.Errorf("shape %d %s: %s and %s read the same: %q", shape, lang, other, tc.name, got)
				}
				seen[got] = tc.name
			}
		}
	}
}
