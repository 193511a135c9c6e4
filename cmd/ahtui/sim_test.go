package main

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// TestSimServesTheDemoGym starts `ahtui sim` on a free port, logs in with the
// credentials it prints through the URLs it prints, and stops it.
func TestSimServesTheDemoGym(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	logR, logW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sim", "--listen", "127.0.0.1:0", "--seed", "3"}, strings.NewReader(""), outW, logW)
		outW.Close()
		logW.Close()
	}()
	// The request log goes to stderr, one line per request.
	logLines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(logR)
		for sc.Scan() {
			logLines <- sc.Text()
		}
		close(logLines)
	}()

	env := map[string]string{}
	sc := bufio.NewScanner(outR)
	var printed strings.Builder
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
	for _, k := range []string{"AHTUI_LOGIN_URL", "AHTUI_PORTAL_URL", "AHTUI_BOX_URL"} {
		if env[k] == "" {
			t.Fatalf("sim did not print %s:\n%s", k, printed.String())
		}
	}
	if !strings.Contains(printed.String(), aimhardertest.DemoEmail) || !strings.Contains(printed.String(), aimhardertest.DemoPassword) {
		t.Errorf("sim did not print the demo credentials:\n%s", printed.String())
	}

	var out, errOut strings.Builder
	db := filepath.Join(t.TempDir(), "ahtui.db")
	code := run(context.Background(), []string{"--db", db, "--login-url", env["AHTUI_LOGIN_URL"], "--portal-url", env["AHTUI_PORTAL_URL"],
		"--box-url", env["AHTUI_BOX_URL"], "login", "--email", aimhardertest.DemoEmail, "--password-stdin"},
		strings.NewReader(aimhardertest.DemoPassword+"\n"), &out, &errOut)
	if code != exitOK || !strings.Contains(out.String(), "Logged in as Ana Pérez") {
		t.Fatalf("login against sim: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	select {
	case line := <-logLines:
		if !strings.Contains(line, "login") {
			t.Errorf("first request log line %q does not name the login", line)
		}
		if strings.Contains(line, aimhardertest.DemoPassword) {
			t.Error("the request log shows the password")
		}
	case <-time.After(10 * time.Second):
		t.Error("sim logged no request line")
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("sim stopped with exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop after its context ended")
	}
}
