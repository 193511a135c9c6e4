package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// The checks themselves are tested in cmd/ahtui/internal/doctor; these
// tests cover the command: its flags, the password and the current box
// it reads, and its exit status.

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

// doctorAgainst runs `ahtui doctor` (with the demo login on standard
// input) against the URLs.
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

// TestDoctorCommand runs `ahtui doctor` against `ahtui sim`: a clean run
// reads the database's current box, honours --logout and exits 0; a
// geo-blocked one exits 1 with the count on stderr and creates no
// database.
func TestDoctorCommand(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())

	t.Run("clean", func(t *testing.T) {
		env := startSim(t)
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
		r := doctorAgainst(t, env, db, "--clock-probe", "1ms", "--logout")
		if r.code != exitOK || !strings.Contains(r.stdout, "Summary: 0 problems, 0 warnings") || r.stderr != "" {
			t.Fatalf("a clean run: %v", r)
		}
		for _, want := range []string{"checked with demo-canarias, your current box", "[ok]   Classes of demo-canarias",
			"[ok]   Logout of the test session"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the report lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("geo-block", func(t *testing.T) {
		env := startSim(t, "--fault", "geo-block")
		if !strings.Contains(env["banner"], "--fault geo-block: 403") {
			t.Errorf("sim's banner does not say it blocks:\n%s", env["banner"])
		}
		db := filepath.Join(t.TempDir(), "none", "ahtui.db")
		r := doctorAgainst(t, env, db, "--clock-probe", "1ms")
		if r.code != exitFailed {
			t.Fatalf("exit %d, want 1:\n%s", r.code, r)
		}
		// Not logged in: nothing to log out.
		if !strings.Contains(r.stdout, "a sample box: no current box in the database") ||
			!strings.Contains(r.stdout, "[FAIL] Login") || strings.Contains(r.stdout, "Logout") {
			t.Errorf("report:\n%s", r.stdout)
		}
		if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
			t.Errorf("doctor created a database: %v", err)
		}
		if !strings.Contains(r.stderr, "doctor found 3 problems: see the report above") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})
}

// TestDoctorUsage: what the command needs and cannot get is a usage error
// (exit 2), before any check runs.
func TestDoctorUsage(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "ahtui.db")
	for _, tc := range []struct {
		name, stdin, stderr string
		args                []string
	}{
		{"no e-mail and no terminal", "", "use --email", []string{"doctor", "--password-stdin"}},
		{"no password", "", "no password on standard input", []string{"doctor", "--email", aimhardertest.DemoEmail, "--password-stdin"}},
		{"no terminal for the password", "", "use --password-stdin", []string{"doctor", "--email", aimhardertest.DemoEmail}},
		{"a box URL without {box}", aimhardertest.DemoPassword + "\n", "BoxURLTemplate",
			[]string{"--box-url", "http://127.0.0.1:1/b", "doctor", "--email", aimhardertest.DemoEmail, "--password-stdin"}},
		{"an argument", "", "", []string{"doctor", "extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(t.Context(), append([]string{"--db", db}, tc.args...), strings.NewReader(tc.stdin), &out, &errOut)
			if code != exitUsage || !strings.Contains(errOut.String(), tc.stderr) || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out.String(), errOut.String(), tc.stderr)
			}
		})
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a usage error created the database: %v", err)
	}
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
