package aimharder_test

// Issue 14: minority answer shapes other clients report, each switched on
// in the fake and met by the client (docs/protocol.md §10B).

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// startHostEnv runs the fake in Host-routed mode for aimharder.com, and a
// client configured with the production-shaped hosts (over http) whose
// every connection goes to the fake's listener: the only way to exercise
// the login/portal fallback pair and domain following.
func startHostEnv(t *testing.T, w aimhardertest.World) *env {
	t.Helper()
	e := &env{t: t, clock: aimhardertest.NewManualClock(t0), ctx: t.Context(), secrets: map[string]bool{password: true, wrongPassword: true}}
	e.fake = aimhardertest.New(w, aimhardertest.WithClock(e.clock), aimhardertest.WithHostDomain("aimharder.com"))
	hs := httptest.NewServer(e.fake)
	t.Cleanup(hs.Close)
	addr := hs.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	e.urls = aimhardertest.URLs{Login: "http://login.aimharder.com", Portal: "http://aimharder.com", BoxTemplate: "http://{box}.aimharder.com"}
	c, err := aimharder.New(aimharder.Config{
		LoginURL: e.urls.Login, PortalURL: e.urls.Portal, BoxURLTemplate: e.urls.BoxTemplate,
		HTTPClient: &http.Client{Transport: tr},
		Now:        e.clock.Now,
		Logger:     slog.New(slog.NewTextHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	t.Cleanup(e.checkSecrets)
	return e
}

// Item 1: every refusal shape is classified the same way.
func TestIntegrationLoginRefusalShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape aimhardertest.RefusalShape
		want  string
	}{
		{"error.message", aimhardertest.RefusalErrorMessage, aimharder.ShapeErrorMessage},
		{"authOK=false+info", aimhardertest.RefusalAuthInfo, aimharder.ShapeAuthInfo},
		{"HTTP 401", aimhardertest.Refusal401, aimharder.ShapeHTTP401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.SetLoginRefusalShape(tc.shape)
			e.fake.SetLockout(aimhardertest.Lockout{Threshold: 2})
			_, err := e.tryLogin(ana, wrongPassword, fpUI)
			var le *aimharder.LoginError
			if !errors.Is(err, aimharder.ErrBadCredentials) || !errors.As(err, &le) || le.Shape != tc.want {
				t.Fatalf("wrong password: %v (shape %q)", err, shapeOf(err))
			}
			if le.MemberText() != "AimHarder refused the password" {
				t.Errorf("member text = %q", le.MemberText())
			}
			_, _ = e.tryLogin(ana, wrongPassword, fpUI)
			_, err = e.tryLogin(ana, password, fpUI)
			if !errors.Is(err, aimharder.ErrTooManyAttempts) || shapeOf(err) != tc.want {
				t.Fatalf("locked: %v (shape %q)", err, shapeOf(err))
			}
			if !strings.Contains(err.(*aimharder.LoginError).MemberText(), "locked logins for a while") {
				t.Errorf("member text = %q", err.(*aimharder.LoginError).MemberText())
			}
			e.fake.RefuseLogin(bea, "Tu cuenta está pendiente de verificación")
			_, err = e.tryLogin(bea, password, fpUI)
			if !errors.Is(err, aimharder.ErrLoginRefused) || !errors.As(err, &le) ||
				le.MemberText() != "AimHarder refused the login: Tu cuenta está pendiente de verificación" {
				t.Fatalf("unclassified refusal: %v", err)
			}
		})
	}
}

func shapeOf(err error) string {
	var le *aimharder.LoginError
	if errors.As(err, &le) {
		return le.Shape
	}
	return ""
}

// Item 3: a box that answers logout until setrefresh was called.
func TestIntegrationSetRefreshRequired(t *testing.T) {
	e := newEnv(t)
	e.fake.SetRefreshRequired(true)
	creds := e.login(ana, fpUI)
	if _, err := e.day(creds, norte, d1); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("before setrefresh: %v, want logged out", err)
	}
	creds, err := e.setRefresh(creds)
	if err != nil {
		t.Fatal(err)
	}
	creds = e.keep(creds)
	day := e.mustDay(creds, norte, d1)
	if !day.MemberData {
		t.Error("the day after setrefresh is not the member's")
	}
	if r := e.lastRequest(aimhardertest.EndpointSetRefresh); r.Code != "refreshToken" {
		t.Errorf("setrefresh answered %q", r.Code)
	}
}

// Item 8: the form's empty <span id="loginErrors"> and the help text after
// it are no error.
func TestIntegrationLegacySpanMarkup(t *testing.T) {
	e := newEnv(t)
	e.fake.SetJSONLogin(false)
	e.fake.SetLegacyLogin(aimhardertest.LegacyWorks)
	e.fake.SetLegacySpanMarkup(true)
	res, err := e.tryLogin(ana, password, fpUI)
	if err != nil {
		t.Fatalf("form login with span markup: %v", err)
	}
	if !res.Legacy || res.User.ID != anaID {
		t.Errorf("result = %+v", res.User)
	}
	e.keep(res.Credentials)
	_, err = e.tryLogin(ana, wrongPassword, fpJob)
	if !errors.Is(err, aimharder.ErrBadCredentials) || shapeOf(err) != aimharder.ShapeFormErrors {
		t.Fatalf("wrong password through the span: %v", err)
	}
	var le *aimharder.LoginError
	if errors.As(err, &le) && strings.Contains(le.Message, "Recupera") {
		t.Errorf("the help text after the span was read as the error: %q", le.Message)
	}
}

// Item 10: the login host answers 404, or its page; the portal logs in.
func TestIntegrationLoginFallsBackToPortal(t *testing.T) {
	for _, mode := range []aimhardertest.LoginHostMode{aimhardertest.LoginHostNotFound, aimhardertest.LoginHostPage} {
		e := startHostEnv(t, integrationWorld())
		e.fake.SetLoginHost(mode)
		res, err := e.tryLogin(ana, password, fpUI)
		if err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		e.keep(res.Credentials)
		if !res.PortalLogin {
			t.Errorf("mode %d: PortalLogin not reported", mode)
		}
		logins := e.requests(aimhardertest.EndpointLogin)
		if len(logins) != 2 || logins[0].Role != aimhardertest.RoleLogin || logins[1].Role != aimhardertest.RolePortal || logins[1].Code != "authOK" {
			t.Fatalf("mode %d: login requests = %+v", mode, logins)
		}
		if logins[1].Origin != "http://aimharder.com" {
			t.Errorf("the portal login's Origin = %q", logins[1].Origin)
		}
	}
	// A wrong password at the working login host is not tried again.
	e := startHostEnv(t, integrationWorld())
	if _, err := e.tryLogin(ana, wrongPassword, fpUI); !errors.Is(err, aimharder.ErrBadCredentials) {
		t.Fatal(err)
	}
	if n := len(e.requests(aimhardertest.EndpointLogin)); n != 1 {
		t.Errorf("a refused login was sent %d times", n)
	}
}

// Item 10: no Origin on a GET; X-Requested-With where the web app sends it.
func TestIntegrationRequestHeaders(t *testing.T) {
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	day := e.mustDay(creds, norte, d1)
	e.book(creds, norte, e.class(day, "18:00", "WOD"), aimharder.BookOptions{})
	_, _ = e.whoami(creds)
	_, _ = e.next(creds, norte, "")
	for _, r := range e.fake.Requests() {
		get := r.Method == http.MethodGet || r.Method == http.MethodHead
		if get && r.Origin != "" {
			t.Errorf("%s %s sent Origin %q", r.Method, r.Endpoint, r.Origin)
		}
		if !get && r.Origin == "" {
			t.Errorf("%s %s sent no Origin", r.Method, r.Endpoint)
		}
		wantXHR := map[aimhardertest.Endpoint]bool{aimhardertest.EndpointBookings: true, aimhardertest.EndpointBook: true,
			aimhardertest.EndpointWhoami: true, aimhardertest.EndpointNextBookings: true}[r.Endpoint]
		if r.XHR != wantXHR {
			t.Errorf("%s %s: X-Requested-With sent = %v, want %v", r.Method, r.Endpoint, r.XHR, wantXHR)
		}
	}
}

// Item 4: an account whose roles name aimharder.es is served by that
// domain's hosts; URLs set to other hosts win.
func TestIntegrationEsDomain(t *testing.T) {
	w := integrationWorld()
	for i := range w.Boxes {
		if w.Boxes[i].Sub == isla.Subdomain {
			w.Boxes[i].Domain = "aimharder.es"
		}
	}
	const es = "es@integration.test"
	w.Users = append(w.Users, aimhardertest.UserConfig{ID: 4270, Email: es, Password: password, Name: "Eñe",
		Roles: []aimhardertest.RoleConfig{{Box: "isla"}}})

	e := startHostEnv(t, w)
	res, err := e.tryLogin(es, password, fpUI)
	if err != nil {
		t.Fatal(err)
	}
	creds := e.keep(res.Credentials)
	if res.Domain != "aimharder.es" || !res.DomainRelogin || len(res.User.Boxes) != 1 || res.User.Boxes[0].Domain != "aimharder.es" {
		t.Fatalf("result: domain %q relogin %v boxes %+v", res.Domain, res.DomainRelogin, res.User.Boxes)
	}
	logins := e.requests(aimhardertest.EndpointLogin)
	if len(logins) != 2 || !strings.HasPrefix(logins[1].Host, "login.aimharder.es") {
		t.Fatalf("logins = %+v", logins)
	}
	esClient := e.c.ForDomain(res.Domain)
	if login, portal, box := esClient.Hosts(); login != "http://login.aimharder.es" || portal != "http://aimharder.es" || box != "http://{box}.aimharder.es" {
		t.Errorf("hosts = %s %s %s", login, portal, box)
	}
	day, _, err := esClient.Day(e.ctx, creds, isla, d1, "")
	if err != nil || len(day.Classes) == 0 {
		t.Fatalf("day on .es: %v (%d classes)", err, len(day.Classes))
	}
	if r := e.lastRequest(aimhardertest.EndpointBookings); r.Session == "" {
		t.Error("the .es box did not know the session")
	}
	if r := e.lastRequest(aimhardertest.EndpointBookings); !strings.HasPrefix(r.Host, "isla.aimharder.es") {
		t.Errorf("bookings went to %q", r.Host)
	}
	if _, _, err := e.c.Day(e.ctx, creds, isla, d1, ""); err == nil {
		t.Error("the .es box answered on aimharder.com: the fake does not model the deployment")
	}
	if _, _, err := esClient.Whoami(e.ctx, creds); err != nil {
		t.Errorf("whoami on .es: %v", err)
	}

	// Single-host fake (URLs set by hand, as --login-url … would): they win.
	s := startEnv(t, w, t0, nil)
	res, err = s.tryLogin(es, password, fpUI)
	if err != nil {
		t.Fatal(err)
	}
	s.keep(res.Credentials)
	if res.Domain != "aimharder.es" || res.DomainRelogin || s.c.FollowsDomain("aimharder.es") {
		t.Errorf("hand-set URLs: domain %q relogin %v follows %v", res.Domain, res.DomainRelogin, s.c.FollowsDomain("aimharder.es"))
	}
	if s.c.ForDomain("evil.example") != s.c || e.c.ForDomain("example.org") != e.c {
		t.Error("a domain that is not AimHarder's was followed")
	}
}

// A BoxRef on another domain reaches its box from a client on
// aimharder.com (the scheduler's prepared bookings go this way).
func TestIntegrationBoxRefDomain(t *testing.T) {
	w := integrationWorld()
	for i := range w.Boxes {
		if w.Boxes[i].Sub == isla.Subdomain {
			w.Boxes[i].Domain = "aimharder.es"
		}
	}
	e := startHostEnv(t, w)
	res, err := e.tryLogin(ana, password, fpUI)
	if err != nil {
		t.Fatal(err)
	}
	creds := e.keep(res.Credentials)
	if res.Domain != "" || res.DomainRelogin {
		t.Errorf("a mixed account followed %q", res.Domain)
	}
	ref := isla
	ref.Domain = "aimharder.es"
	if _, _, err := e.c.Day(e.ctx, creds, ref, d1, ""); err != nil {
		t.Fatal(err)
	}
	if r := e.lastRequest(aimhardertest.EndpointBookings); !strings.HasPrefix(r.Host, "isla.aimharder.es") {
		t.Errorf("bookings went to %q", r.Host)
	}
	if _, err := e.c.Ping(e.ctx, ref); err != nil {
		t.Error(err)
	}
}
