package doctor

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// secretRecorder sits in front of the fake and keeps what the report must
// never show: cookie values, refresh tokens, and the names in attendee
// lists and of coaches.
type secretRecorder struct {
	next    http.Handler
	mu      sync.Mutex
	secrets []string
}

func (s *secretRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	res := rec.Result()
	body := rec.Body.Bytes()
	s.mu.Lock()
	for _, c := range res.Cookies() {
		s.secrets = append(s.secrets, c.Value)
	}
	var reply struct {
		Data struct {
			Auth struct {
				RefreshToken string `json:"refreshToken"`
			} `json:"auth"`
		} `json:"data"`
		Bookings []struct {
			Athletes []struct {
				Name string `json:"name"`
			} `json:"athletes"`
		} `json:"bookings"`
	}
	if json.Unmarshal(body, &reply) == nil {
		s.secrets = append(s.secrets, reply.Data.Auth.RefreshToken)
		for _, b := range reply.Bookings {
			for _, a := range b.Athletes {
				s.secrets = append(s.secrets, a.Name)
			}
		}
	}
	s.mu.Unlock()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(body)
}

// TestTLSReportShowsNoSecret runs doctor against the fake served over
// TLS: the certificate is described, every check passes, and the report
// holds no cookie value, token, password, e-mail, e-mail local part or
// name of anyone. Without the fake's CA, the handshake fails with the
// interception diagnosis.
func TestTLSReportShowsNoSecret(t *testing.T) {
	world := aimhardertest.DemoWorld(time.Now(), 1)
	const email, local = "ana.perez.1987@ahtui.test", "ana.perez.1987"
	world.Users[0].Email = email
	f := aimhardertest.New(world)
	rec := &secretRecorder{next: f}
	srv := httptest.NewUnstartedServer(rec)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted handshakes below
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	cfg := configFor(f.URLs(srv.URL))
	cfg.Email = email
	cfg.RootCAs = roots
	cfg.CurrentBox = &Box{ID: 10122, Subdomain: aimhardertest.DemoBoxMadrid, Timezone: "Europe/Madrid"}
	report, res := run(t, cfg)
	wantResult(t, report, res, Result{})
	wantCheck(t, report, "Connection to 127.0.0.1", "[ok]", "TLS 1.3", "certificate for", "valid until")
	wantCheck(t, report, "Classes of demo-madrid", "[ok]", "attendee lists shared on", "names not shown")

	rec.mu.Lock()
	secrets := append([]string{aimhardertest.DemoPassword, email, local, "Ana Pérez", "Leo Pérez"}, rec.secrets...)
	rec.mu.Unlock()
	for _, b := range world.Boxes {
		secrets = append(secrets, b.Coaches...)
	}
	names := 0
	for _, s := range secrets {
		if strings.TrimSpace(s) == "" {
			continue
		}
		names++
		if strings.Contains(report, s) {
			t.Errorf("the report shows %q", s)
		}
	}
	if names < 15 {
		t.Fatalf("only %d secrets recorded: the check would prove little", names)
	}

	// The same server without its CA: the interception diagnosis.
	cfg.RootCAs = nil
	report, res = run(t, cfg)
	if res.Problems == 0 {
		t.Fatalf("an untrusted certificate passed:\n%s", report)
	}
	wantCheck(t, report, "Connection to 127.0.0.1", "[FAIL]", "TLS handshake failed", "intercepts the connection")
}

// TestEchoedSecretsAreRedacted: a login that answers with the e-mail, its
// local part and the password in its error text (and URLs with a user and
// password in them) leaves none of them in the report.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	const email, password = "maria.lopez.42@example.test", "s3cret-Pw!"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var got struct {
			Mail     string `json:"mail"`
			Password string `json:"password"`
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.Header().Set("Content-Type", "application/json")
		msg := fmt.Sprintf("Hola %s: %s / %s no es correcto", strings.Split(email, "@")[0], email, password)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg}})
	}))
	defer srv.Close()
	withUser := strings.Replace(srv.URL, "http://", "http://admin:url-secret-77@", 1)
	cfg := configFor(aimhardertest.URLs{Login: withUser, Portal: withUser, BoxTemplate: withUser + "/b/{box}"})
	cfg.Email, cfg.Password = email, password
	var out bytes.Buffer
	cfg.Out = &out
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := d.Run(t.Context())
	report := out.String()
	if res.Problems == 0 {
		t.Fatalf("a refused login passed:\n%s", report)
	}
	wantCheck(t, report, "Login", "[FAIL]", "server:", "[redacted]")
	// The same base with a user in it is still one base.
	wantCheck(t, report, "HTTP answer of "+srv.URL+" (login, portal)", "[ok]")
	for _, s := range []string{email, "maria.lopez.42", password, "url-secret-77", "admin:"} {
		if strings.Contains(report, s) {
			t.Errorf("the report shows %q:\n%s", s, report)
		}
	}
	if !strings.Contains(report, "account: …@example.test") {
		t.Errorf("the header does not name the e-mail's domain:\n%s", report)
	}
}

func TestRedactor(t *testing.T) {
	var r redactor
	r.add("abc", "  ", "token-1", "token-1-and-more", "Ana Pérez", "Ana Pérez")
	for in, want := range map[string]string{
		"token-1-and-more then token-1": "[redacted] then [redacted]", // the longer one whole
		"hi Ana Pérez, abc":             "hi [redacted], abc",         // too short to redact
		"nothing here":                  "nothing here",
	} {
		if got := r.clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if len(r.secrets) != 3 {
		t.Errorf("secrets %q: duplicates or short values kept", r.secrets)
	}
}

// TestShortLocalPartKeepsBoxNames: a local part of a few letters ("demo")
// is not redacted on its own, or box names like demo-madrid would vanish;
// the whole e-mail still is.
func TestShortLocalPartKeepsBoxNames(t *testing.T) {
	_, cfg := fake(t)
	report, _ := run(t, cfg)
	wantCheck(t, report, "Classes of demo-madrid", "[ok]")
	if strings.Contains(report, aimhardertest.DemoEmail) {
		t.Errorf("the report shows the e-mail")
	}
}

func TestWithoutUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@login.aimharder.com": "https://login.aimharder.com",
		"https://u:p@{box}.aimharder.com/x":   "https://{box}.aimharder.com/x",
		"https://{box}.aimharder.com":         "https://{box}.aimharder.com",
		"http://127.0.0.1:8088/b/{box}":       "http://127.0.0.1:8088/b/{box}",
		"::not a url":                         "::not a url",
	} {
		if got := withoutUserinfo(in); got != want {
			t.Errorf("withoutUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}
