package aimharder

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const (
	testEmail    = "ana@example.com"
	testPassword = "hunter2-password"
)

// loginOK is the [LIVE] shape of a JSON login success (docs/protocol.md §2.1), values invented.
const loginOK = `{"data":{"userData":{"id":4242,"name":"Ana Pérez","photo":"https://img.example/u4242.jpg",
  "roles":[{"id":100,"role":"client","gym":"Sample Gym ","centre_url":"sample-gym.aimharder.com","boid":10122,"perm_hash":"abc"}]},
  "auth":{"authOK":true,"refreshToken":"refresh-1"}},"extra":{"ignored":[1,2]}}`

func setLoginCookies(w http.ResponseWriter) {
	for name, value := range map[string]string{AuthCookie: "auth-1", "PHPSESSID": "php-1", "AWSALB": "alb-1", "AWSALBCORS": "albc-1"} {
		// Domain as production sends it; an IP test host still hands it to us.
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", Domain: ".aimharder.com", HttpOnly: true})
	}
}

func TestLoginJSON(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		setLoginCookies(w)
		reply(w, loginOK)
	})
	res, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
	if err != nil {
		t.Fatal(err)
	}
	wantUser := User{ID: 4242, Name: "Ana Pérez", Photo: "https://img.example/u4242.jpg",
		Boxes: []Box{{ID: 10122, Subdomain: "sample-gym", Name: "Sample Gym", Role: "client"}}}
	if !reflect.DeepEqual(res.User, wantUser) {
		t.Errorf("user = %+v, want %+v", res.User, wantUser)
	}
	wantCreds := Credentials{Token: "refresh-1", Fingerprint: testFingerprint,
		Cookies: map[string]string{AuthCookie: "auth-1", "PHPSESSID": "php-1", "AWSALB": "alb-1", "AWSALBCORS": "albc-1"}}
	if !res.Credentials.Equal(wantCreds) || res.Legacy {
		t.Errorf("credentials = %v legacy=%v", res.Credentials, res.Legacy)
	}

	r := f.only("/api/login")
	if r.Header.Get("Content-Type") != "application/json" || !strings.Contains(r.Header.Get("Accept"), "application/json") {
		t.Errorf("headers: %v", r.Header)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"username": testEmail, "password": testPassword, "fingerprint": testFingerprint, "iniframe": float64(0)}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("login body = %v", body)
	}
	if r.Header.Get("Cookie") != "" {
		t.Errorf("login sent cookies: %q", r.Header.Get("Cookie"))
	}
	if len(f.requests("/api/whoami")) != 0 {
		t.Error("whoami called although the login answer had roles")
	}
}

func TestLoginRolesOneBoxPerBoidPreferringClient(t *testing.T) {
	roles := []wireRole{
		{Role: "coach", Gym: " Box A ", CentreURL: "box-a.aimharder.com", Boid: flexInt{1, true}},
		{Role: "admin", Gym: "Box B", CentreURL: "https://Box-B.aimharder.es/schedule", Boid: flexInt{2, true}},
		{Role: "client", Gym: "Box A (member)", CentreURL: "box-a.aimharder.com", Boid: flexInt{1, true}},
		{Role: "coach", Gym: "Box B again", CentreURL: "box-b.aimharder.com", Boid: flexInt{2, true}},
		{Role: "client", Gym: "no boid", CentreURL: "x.aimharder.com"},
		{Role: "client", Gym: "www", CentreURL: "www.aimharder.com", Boid: flexInt{3, true}},
	}
	want := []Box{
		{ID: 1, Subdomain: "box-a", Name: "Box A (member)", Role: "client"},
		{ID: 2, Subdomain: "box-b", Name: "Box B", Role: "admin", Domain: "aimharder.es"},
		{ID: 3, Subdomain: "", Name: "www", Role: "client"}, // www is the portal, not a box (docs/protocol.md §1)
	}
	if got := boxesFromRoles(roles); !reflect.DeepEqual(got, want) {
		t.Errorf("boxes = %+v\nwant %+v", got, want)
	}
}

func TestLoginFailures(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		cookie bool
		want   error
		msg    string
		shape  string
	}{
		{name: "wrong password", body: `{"error":{"message":"Correo electrónico y/o contraseña incorrecto."}}`,
			want: ErrBadCredentials, msg: "Correo electrónico y/o contraseña incorrecto."},
		{name: "lockout", body: `{"error":{"message":"Has fallado demasiadas veces. Inténtalo más tarde."}}`,
			want: ErrTooManyAttempts, msg: "demasiadas veces"},
		{name: "error as a string with data []", body: `{"data":[],"error":"Correo electrónico y/o contraseña incorrecto."}`,
			want: ErrBadCredentials},
		{name: "english wrong password", body: `{"error":{"message":"Incorrect email or password"}}`, want: ErrBadCredentials},
		{name: "unknown refusal keeps its text", body: `{"error":{"message":"Verifica tu cuenta con el código enviado"}}`,
			want: ErrLoginRefused, msg: "Verifica tu cuenta", shape: ShapeErrorMessage},
		{name: "authOK false", body: `{"data":{"auth":{"authOK":false}}}`, want: ErrLoginRefused, shape: ShapeAuthFalse},
		// Issue 14 item 1: danielcasanovasgayoso/aimharder_bot's shape.
		{name: "authOK false with info, wrong password", body: `{"data":{"auth":{"authOK":false}},"info":"Correo electrónico y/o contraseña incorrecto."}`,
			want: ErrBadCredentials, msg: "incorrecto", shape: ShapeAuthInfo},
		{name: "authOK false with info, lockout", body: `{"data":{"auth":{"authOK":false}},"info":"Has fallado demasiadas veces"}`,
			want: ErrTooManyAttempts, msg: "demasiadas veces", shape: ShapeAuthInfo},
		{name: "authOK false with info, other", body: `{"data":{"auth":{"authOK":false}},"info":"Cuenta pendiente de activación"}`,
			want: ErrLoginRefused, msg: "pendiente de activación", shape: ShapeAuthInfo},
		{name: "authOK false with info inside data", body: `{"data":{"auth":{"authOK":"0"},"info":{"message":"contraseña incorrecta"}}}`,
			want: ErrBadCredentials, shape: ShapeAuthInfo},
		// Issue 14 item 1: a fitbot fork's 401.
		{name: "401 LOGIN_ERROR_LOGIN", status: 401, body: `{"error":{"code":401,"message":"LOGIN_ERROR_LOGIN"}}`,
			want: ErrBadCredentials, msg: "LOGIN_ERROR_LOGIN", shape: ShapeHTTP401},
		{name: "401 lockout words", status: 401, body: `{"error":{"code":401,"message":"Has fallado demasiadas veces"}}`,
			want: ErrTooManyAttempts, shape: ShapeHTTP401},
		{name: "authOK missing", body: `{"data":{"userData":{"id":1}}}`, cookie: true, want: ErrLoginFailed},
		{name: "no auth cookie", body: loginOK, want: ErrLoginFailed},
		{name: "non-numeric id", body: `{"data":{"userData":{"id":"abc"},"auth":{"authOK":true}}}`, cookie: true, want: ErrProtocol},
		{name: "no userData", body: `{"data":{"auth":{"authOK":"1"}}}`, cookie: true, want: ErrProtocol},
		{name: "HTML page", body: loginPage, want: ErrProtocol},
		{name: "truncated", body: loginOK[:40], cookie: true, want: ErrProtocol},
		{name: "401", status: 401, want: ErrBadCredentials},
		{name: "403 geo-block", status: 403, body: "<html>Forbidden</html>", want: ErrBlocked},
		{name: "429", status: 429, want: ErrBlocked},
		{name: "redirect", status: 302, want: ErrLoginFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
				if tt.cookie {
					setLoginCookies(w)
				}
				if tt.status == 302 {
					w.Header().Set("Location", "/")
				}
				statusFunc(max(tt.status, 200), tt.body)(w, r)
			})
			_, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.msg != "" {
				var le *LoginError
				if !errors.As(err, &le) || !strings.Contains(le.Message, tt.msg) {
					t.Errorf("server message not kept: %v", err)
				}
			}
			if tt.shape != "" {
				var le *LoginError
				if !errors.As(err, &le) || le.Shape != tt.shape {
					t.Errorf("shape of %v = %q, want %q", err, le.Shape, tt.shape)
				}
			}
			assertNoSecrets(t, "login error", err.Error())
			if n := len(f.requests("/api/login")); n != 1 {
				t.Errorf("login sent %d times: a refusal must not be retried", n)
			}
		})
	}
	t.Run("5xx", func(t *testing.T) {
		f := newFake(t)
		f.handle("POST /api/login", statusFunc(503, "<html>down</html>"))
		_, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != 503 || he.Retryable {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("missing arguments", func(t *testing.T) {
		f := newFake(t)
		if _, err := f.client().Login(context.Background(), testEmail, testPassword, ""); err == nil {
			t.Error("a login without fingerprint was accepted")
		}
	})
}

func TestLoginWithoutRolesAsksWhoami(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		setLoginCookies(w)
		reply(w, `{"data":{"userData":{"id":"4242","name":"Ana"},"auth":{"authOK":1,"refreshToken":"refresh-1"}}}`)
	})
	f.handle("GET /api/whoami", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Cookie"), "amhrdrauth=auth-1") {
			reply(w, `{"data":[]}`)
			return
		}
		reply(w, whoamiOK)
	})
	res, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.User.Boxes) != 2 || res.Credentials.Token != "refresh-1" {
		t.Errorf("result = %+v", res)
	}
}

// legacyServer serves the old form login (docs/protocol.md §2.2): the JSON endpoint gives
// jsonStatus, the form answers with formPage and cookies, setrefresh and
// whoami answer as given.
func legacyServer(t *testing.T, jsonStatus int, formPage string, formCookies bool, setrefresh, whoami string) *fakeAH {
	f := newFake(t)
	f.handle("POST /api/login", statusFunc(jsonStatus, "<html>Not Found</html>"))
	f.handle("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		if formCookies {
			setLoginCookies(w)
		}
		reply(w, formPage)
	})
	f.handle("GET /setrefresh", replyFunc(setrefresh))
	f.handle("GET /api/whoami", replyFunc(whoami))
	return f
}

const (
	legacyOKPage = `<html><body><iframe style="display:none" src="/setrefresh?token=legacy-T1&amp;fingerprint=fp-from-frame&amp;user=4242"></iframe>
<script>window.location.href = "https://aimharder.com/home";</script></body></html>`
	setrefreshOK = `<html><script>localStorage.setItem("refreshToken",  "legacy-T2");
localStorage.setItem("fingerprint", "fp-from-frame");</script></html>`
	whoamiOK = `{"data":[{"id":4242,"name":" Ana Pérez ","photo":null,"roles":[
  {"id":100,"role":"client","gym":"Sample Gym ","centre_url":"sample-gym.aimharder.com","boid":10122,"perm_hash":"x"},
  {"id":101,"role":"client","gym":"Canary Box","centre_url":"canary-box.aimharder.com","boid":"20333"}]}]}`
)

func TestLegacyLoginFallback(t *testing.T) {
	for _, status := range []int{404, 405} {
		f := legacyServer(t, status, legacyOKPage, true, setrefreshOK, whoamiOK)
		res, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
		if err != nil {
			t.Fatalf("JSON login %d: %v", status, err)
		}
		if !res.Legacy || res.Credentials.Token != "legacy-T2" || res.Credentials.Fingerprint != "fp-from-frame" ||
			!res.Credentials.HasAuthCookie() || res.User.ID != 4242 || res.User.Name != "Ana Pérez" {
			t.Errorf("result = %+v", res)
		}
		form, err := url.ParseQuery(f.only("/").Body)
		if err != nil {
			t.Fatal(err)
		}
		if form.Get("mail") != testEmail || form.Get("pw") != testPassword || form.Get("login") == "" ||
			form.Get("loginfingerprint") != testFingerprint || form.Get("loginiframe") != "0" {
			t.Errorf("form = %v", form)
		}
		sr := f.only("/setrefresh")
		q, _ := url.ParseQuery(sr.RawQuery)
		if q.Get("token") != "legacy-T1" || q.Get("fingerprint") != "fp-from-frame" || !strings.Contains(sr.Header.Get("Cookie"), "amhrdrauth=auth-1") {
			t.Errorf("setrefresh query %q cookie %q", sr.RawQuery, sr.Header.Get("Cookie"))
		}
	}
}

func TestLegacyLoginAbsoluteFrameURL(t *testing.T) {
	page := `<iframe src='https://aimharder.com/setrefresh?token=abs-T&fingerprint=abs-FP'></iframe>`
	f := legacyServer(t, 404, page, true, `localStorage.setItem('refreshToken','abs-T')`, whoamiOK)
	res, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
	if err != nil {
		t.Fatal(err)
	}
	// setrefresh went to the configured portal, not to the frame's host.
	if res.Credentials.Token != "abs-T" || res.Credentials.Fingerprint != "abs-FP" || len(f.requests("/setrefresh")) != 1 {
		t.Errorf("credentials = %v", res.Credentials)
	}
}

func TestLegacyLoginFailures(t *testing.T) {
	errorPage := func(text string) string {
		return `<form><input name="mail"><input name="pw"><div id="loginErrors" class="alert"><p>` + text + `</p></div></form>`
	}
	tests := []struct {
		name       string
		jsonStatus int
		page       string
		cookies    bool
		setrefresh string
		whoami     string
		want       error
	}{
		{"marketing page, no cookie", 404, "<html><h1>Reserva tus clases</h1></html>", false, setrefreshOK, whoamiOK, ErrLoginFailed},
		{"wrong password", 404, errorPage("Correo electrónico y/o contraseña incorrecto."), false, "", "", ErrBadCredentials},
		{"lockout", 405, errorPage("Has fallado demasiadas veces"), false, "", "", ErrTooManyAttempts},
		{"whoami does not confirm", 404, legacyOKPage, true, setrefreshOK, `{"data":[]}`, ErrLoginFailed},
		{"setrefresh without token", 404, legacyOKPage, true, "<html>nothing</html>", whoamiOK, ErrLoginFailed},
		{"no login endpoint at all", 404, "", false, "", "", ErrLoginFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := legacyServer(t, tt.jsonStatus, tt.page, tt.cookies, tt.setrefresh, tt.whoami)
			if tt.name == "no login endpoint at all" {
				f = newFake(t) // nothing is served: both endpoints 404
			}
			_, err := f.client().Login(context.Background(), testEmail, testPassword, testFingerprint)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			assertNoSecrets(t, "legacy login error", err.Error())
		})
	}
}

func TestLegacyLoginEmptyErrorsBlockIsNoError(t *testing.T) {
	if got := legacyLoginError([]byte(loginPage)); got != "" {
		t.Errorf("empty #loginErrors read as %q", got)
	}
	if got := legacyLoginError([]byte(`<div id="loginErrors"><b>Email</b> incorrecto &amp; más</div><div>other</div>`)); got != "Email incorrecto & más" {
		t.Errorf("got %q", got)
	}
	// Issue 14 item 8: an empty span must not turn what follows into an error.
	for _, page := range []string{
		`<form><span id="loginErrors"></span><p>Introduce tu correo electrónico y contraseña</p></form>`,
		`<form><span id="loginErrors" class="err"/><p>¿Contraseña incorrecta? Recupérala</p></form>`,
		`<form><SPAN ID='loginErrors'>  </SPAN></div><p>Has olvidado tu contraseña</p></form>`,
	} {
		if got := legacyLoginError([]byte(page)); got != "" {
			t.Errorf("empty #loginErrors in %q read as %q", page, got)
		}
	}
	if got := legacyLoginError([]byte(`<span id="loginErrors"><span>Correo</span> incorrecto</span><p>after</p>`)); got != "Correo incorrecto" {
		t.Errorf("nested span: got %q", got)
	}
}
