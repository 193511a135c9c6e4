package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// startSim runs `ahtui sim` in-process on a free port with extra flags
// and returns the three URLs it prints; it stops when the test ends.
func startSim(t *testing.T, flags ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		args := append([]string{"sim", "--listen", "127.0.0.1:0"}, flags...)
		done <- run(ctx, args, strings.NewReader(""), outW, io.Discard)
		outW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("sim %v stopped with exit %d", flags, code)
		}
	})
	env := map[string]string{}
	var printed strings.Builder
	sc := bufio.NewScanner(outR)
	for sc.Scan() {
		line := sc.Text()
		printed.WriteString(line + "\n")
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			env[k] = v
		}
		if strings.HasPrefix(line, "Press Ctrl-C") {
			break
		}
	}
	go io.Copy(io.Discard, outR)
	if len(env) != 3 {
		t.Fatalf("sim %v printed:\n%s", flags, printed.String())
	}
	env["banner"] = printed.String()
	return env
}

// doctorAgainst runs `ahtui doctor` (with the demo login) against the URLs.
func doctorAgainst(t *testing.T, env map[string]string, db string, extra ...string) result {
	t.Helper()
	args := append([]string{"--db", db, "--login-url", env["AHTUI_LOGIN_URL"], "--portal-url", env["AHTUI_PORTAL_URL"],
		"--box-url", env["AHTUI_BOX_URL"], "doctor", "--email", aimhardertest.DemoEmail, "--password-stdin"}, extra...)
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(aimhardertest.DemoPassword+"\n"), &out, &errOut)
	r := result{out.String(), errOut.String(), code}
	if strings.Contains(r.stdout+r.stderr, aimhardertest.DemoPassword) || strings.Contains(r.stdout, aimhardertest.DemoEmail) {
		t.Errorf("the report shows the password or the e-mail:\n%s", r)
	}
	return r
}

// checkBlock returns the report line of the check whose title starts
// with title (after its status tag), and the lines under it.
func checkBlock(report, title string) string {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if len(l) > 7 && strings.HasPrefix(l[7:], title) {
			block := []string{l}
			for _, next := range lines[i+1:] {
				if !strings.HasPrefix(next, "       ") {
					break
				}
				block = append(block, next)
			}
			return strings.Join(block, "\n")
		}
	}
	return ""
}

func wantCheck(t *testing.T, r result, title, tag string, contains ...string) {
	t.Helper()
	block := checkBlock(r.stdout, title)
	if !strings.HasPrefix(block, tag) {
		t.Errorf("check %q: want %s, got:\n%s\n\nwhole report:\n%s", title, tag, block, r.stdout)
		return
	}
	for _, c := range contains {
		if !strings.Contains(block, c) {
			t.Errorf("check %q lacks %q:\n%s", title, c, block)
		}
	}
}

// TestDoctorDiagnosesTheSimsFaults runs doctor against `ahtui sim` with
// each fault knob and checks the diagnosis, the exit status, and that a
// clean run passes.
func TestDoctorDiagnosesTheSimsFaults(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	fast := []string{"--clock-probe", "1ms"} // the answers' Date headers are enough here

	t.Run("clean", func(t *testing.T) {
		env := startSim(t)
		// By name, so that the name is resolved.
		for _, k := range []string{"AHTUI_LOGIN_URL", "AHTUI_PORTAL_URL", "AHTUI_BOX_URL"} {
			env[k] = strings.Replace(env[k], "127.0.0.1", "localhost", 1)
		}
		// A database whose current box is the Canary one: doctor reads it.
		db := filepath.Join(t.TempDir(), "ahtui.db")
		store, err := session.Open(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SyncBoxes(t.Context(), []session.BoxInfo{{ID: 10122, Subdomain: aimhardertest.DemoBoxMadrid, Name: "Madrid"},
			{ID: 20455, Subdomain: aimhardertest.DemoBoxCanarias, Name: "Las Palmas"}}); err != nil {
			t.Fatal(err)
		}
		if err := store.SetCurrentBox(t.Context(), 20455); err != nil {
			t.Fatal(err)
		}
		store.Close()
		r := doctorAgainst(t, env, db, "--clock-probe", "3s", "--logout") // room for a probe round or two
		if r.code != exitOK || !strings.Contains(r.stdout, "Summary: 0 problems, 0 warnings") {
			t.Fatalf("a clean run: %v", r)
		}
		if strings.Contains(r.stdout, "[FAIL]") || strings.Contains(r.stdout, "[warn]") {
			t.Errorf("a clean run reports trouble:\n%s", r.stdout)
		}
		wantCheck(t, r, "Name resolution of localhost (login, portal, box)", "[ok]", "IPv4", "127.0.0.1")
		wantCheck(t, r, "Connection to localhost", "[ok]", "connected in", "plain HTTP")
		wantCheck(t, r, "Login", "[ok]", "logged in")
		wantCheck(t, r, "Who you are", "[ok]", "3 boxes", "fields: as documented")
		wantCheck(t, r, "Classes of demo-canarias", "[ok]", " read", "fields: as documented")
		wantCheck(t, r, "Clock", "[ok]", "offset ", "samples")
		wantCheck(t, r, "Logout", "[ok]")
		if !strings.Contains(r.stdout, "checked with demo-canarias, your current box") {
			t.Errorf("the header does not name the current box:\n%s", r.stdout)
		}
	})

	t.Run("geo-block", func(t *testing.T) {
		env := startSim(t, "--fault", "geo-block")
		if !strings.Contains(env["banner"], "--fault geo-block: 403") {
			t.Errorf("sim's banner does not say it blocks:\n%s", env["banner"])
		}
		db := filepath.Join(t.TempDir(), "none", "ahtui.db")
		r := doctorAgainst(t, env, db, fast...)
		if r.code != exitFailed {
			t.Fatalf("exit %d, want 1:\n%s", r.code, r)
		}
		wantCheck(t, r, "HTTP answer", "[FAIL]", "HTTP 403", "outside Spain", "VPN")
		wantCheck(t, r, "Login", "[FAIL]", "login: HTTP 403")
		wantCheck(t, r, "Who you are", "[skip]")
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("doctor created a database: %v", err)
		}
		if !strings.Contains(r.stderr, "doctor found 3 problems") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})

	t.Run("html everywhere", func(t *testing.T) {
		env := startSim(t, "--fault", "html")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitFailed {
			t.Fatalf("exit %d:\n%s", r.code, r)
		}
		wantCheck(t, r, "Login", "[FAIL]", "an HTML page instead of JSON", "web page instead of data", "login has probably changed")
	})

	t.Run("html for the class list", func(t *testing.T) {
		env := startSim(t, "--fault", "html@bookings")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitFailed {
			t.Fatalf("exit %d:\n%s", r.code, r)
		}
		wantCheck(t, r, "Login", "[ok]")
		wantCheck(t, r, "Who you are", "[ok]")
		wantCheck(t, r, "Classes of demo-madrid", "[FAIL]", "a web page (a login page) instead of data", "did not accept the session")
	})

	t.Run("forced logout", func(t *testing.T) {
		env := startSim(t, "--fault", "logout")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitFailed {
			t.Fatalf("exit %d:\n%s", r.code, r)
		}
		wantCheck(t, r, "Login", "[ok]")
		wantCheck(t, r, "Who you are", "[FAIL]", "logged out", "ended the session right after logging in")
		// The class list still comes, as the public schedule: not taken
		// for the member's view.
		wantCheck(t, r, "Classes of demo-madrid", "[FAIL]", "as the public schedule")
	})

	t.Run("server errors", func(t *testing.T) {
		env := startSim(t, "--fault", "5xx@whoami")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitFailed {
			t.Fatalf("exit %d:\n%s", r.code, r)
		}
		wantCheck(t, r, "Who you are", "[FAIL]", "HTTP 503", "having trouble", "not a problem on your side")
	})

	t.Run("unknown and missing fields", func(t *testing.T) {
		env := startSim(t, "--fault", "extra-keys", "--fault", "missing-optional")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitOK {
			t.Fatalf("unknown fields are a warning, not a failure: %v", r)
		}
		wantCheck(t, r, "Who you are", "[warn]", "fields ahtui does not know: data[].lang, data[].roles[].logo")
		wantCheck(t, r, "Classes of demo-madrid", "[warn]", "bookings[].extraInfo", "isMember")
		if strings.Contains(r.stdout, "documented fields missing") {
			t.Errorf("optional fields left out were reported missing:\n%s", r.stdout)
		}
	})

	t.Run("clock 5 minutes ahead", func(t *testing.T) {
		env := startSim(t, "--clock-offset", "5m")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitOK {
			t.Fatalf("a clock 5 minutes off is reported, not a failure: %v", r)
		}
		wantCheck(t, r, "Clock", "[warn]", "NTP")
		// ± half a second: the Date header has whole seconds.
		if b := checkBlock(r.stdout, "Clock"); !strings.Contains(b, "offset +4m59") && !strings.Contains(b, "offset +5m0") {
			t.Errorf("the offset is not reported as 5 minutes:\n%s", b)
		}
	})

	t.Run("clock 11 minutes behind", func(t *testing.T) {
		env := startSim(t, "--clock-offset", "-11m")
		r := doctorAgainst(t, env, filepath.Join(t.TempDir(), "ahtui.db"), fast...)
		if r.code != exitFailed {
			t.Fatalf("exit %d:\n%s", r.code, r)
		}
		wantCheck(t, r, "Clock", "[FAIL]", "more than 10 minutes", "fires prebookings by this machine's clock")
		if b := checkBlock(r.stdout, "Clock"); !strings.Contains(b, "offset -10m59") && !strings.Contains(b, "offset -11m0") {
			t.Errorf("the offset is not reported as -11 minutes:\n%s", b)
		}
	})
}

func TestSimRejectsUnknownFaults(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, spec := range []string{"meteor", "html@nowhere"} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"sim", "--listen", "127.0.0.1:0", "--fault", spec}, strings.NewReader(""), &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), "unknown") {
			t.Errorf("--fault %s: exit %d, %q", spec, code, errOut.String())
		}
	}
}

// secretRecorder sits in front of the fake and keeps what the report must
// never show: cookie values, refresh tokens, and the names in attendee
// lists.
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

// TestDoctorOverTLSShowsNoSecret runs doctor against the fake served over
// TLS: the certificate is described, every check passes, and the report
// holds no cookie value, token, password, e-mail or name of anyone.
func TestDoctorOverTLSShowsNoSecret(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	fake := aimhardertest.New(aimhardertest.DemoWorld(time.Now(), 1))
	rec := &secretRecorder{next: fake}
	srv := httptest.NewUnstartedServer(rec)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted handshakes below
	srv.StartTLS()
	defer srv.Close()
	urls := fake.URLs(srv.URL)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	db := filepath.Join(t.TempDir(), "ahtui.db")
	store, err := session.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SyncBoxes(t.Context(), []session.BoxInfo{{ID: 10122, Subdomain: aimhardertest.DemoBoxMadrid, Name: "Madrid"}}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetCurrentBox(t.Context(), 10122); err != nil {
		t.Fatal(err)
	}
	store.Close()

	g := &globalOptions{dbPath: db, loginURL: urls.Login, portalURL: urls.Portal, boxURL: urls.BoxTemplate, now: time.Now}
	opts := doctorOptions{email: aimhardertest.DemoEmail, passwordStdin: true, clockProbe: time.Millisecond, roots: roots}
	var out, errOut bytes.Buffer
	err = runDoctor(t.Context(), g, opts, strings.NewReader(aimhardertest.DemoPassword+"\n"), &out, &errOut)
	r := result{out.String(), errOut.String(), exitCode(err)}
	if err != nil {
		t.Fatalf("doctor over TLS: %v\n%s", err, r)
	}
	wantCheck(t, r, "Connection to 127.0.0.1", "[ok]", "TLS 1.3", "certificate for", "valid until")
	wantCheck(t, r, "Classes of demo-madrid", "[ok]", "attendee lists shared on", "names not shown")

	rec.mu.Lock()
	secrets := append([]string{aimhardertest.DemoPassword, aimhardertest.DemoEmail, "Ana Pérez"}, rec.secrets...)
	rec.mu.Unlock()
	names := 0
	for _, s := range secrets {
		if strings.TrimSpace(s) == "" {
			continue
		}
		names++
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("the report shows %q", s)
		}
	}
	if names < 10 {
		t.Fatalf("only %d secrets recorded: the check would prove little", names)
	}

	// The same server without its CA: the interception diagnosis.
	opts.roots = nil
	out.Reset()
	err = runDoctor(t.Context(), g, opts, strings.NewReader(aimhardertest.DemoPassword+"\n"), &out, &errOut)
	r = result{out.String(), errOut.String(), exitCode(err)}
	if r.code != exitFailed {
		t.Fatalf("an untrusted certificate passed: %v", r)
	}
	wantCheck(t, r, "Connection to 127.0.0.1", "[FAIL]", "TLS handshake failed", "intercepts the connection")
}
