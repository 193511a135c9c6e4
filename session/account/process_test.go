//go:build unix

package account_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// A child process rotating the device token: the test binary re-executed
// with these variables set.
const (
	childDBEnv   = "AHTUI_ACCOUNT_TEST_DB"
	childURLsEnv = "AHTUI_ACCOUNT_TEST_URLS"
	childNEnv    = "AHTUI_ACCOUNT_TEST_N"
)

func TestMain(m *testing.M) {
	if db := os.Getenv(childDBEnv); db != "" {
		if err := rotateChild(db); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// rotateChild waits for the parent's "go", then rotates the device token N
// times as fast as it can.
func rotateChild(db string) error {
	var urls aimhardertest.URLs
	if err := json.Unmarshal([]byte(os.Getenv(childURLsEnv)), &urls); err != nil {
		return err
	}
	n, _ := strconv.Atoi(os.Getenv(childNEnv))
	t := &childTB{}
	svc := newService(t, db, urls)
	defer t.cleanup()
	fmt.Println("ready")
	if line, _ := bufio.NewReader(os.Stdin).ReadString('\n'); strings.TrimSpace(line) != "go" {
		return fmt.Errorf("no go: %q", line)
	}
	for i := range n {
		if err := svc.Refresh(context.Background(), session.KindDevice); err != nil {
			return fmt.Errorf("rotation %d: %w", i, err)
		}
	}
	return nil
}

// TestTwoProcessesRotateOneSession proves docs/product.md invariant 4 against the fake's
// single-use rotation, with reuse of an old token ending the session: two
// OS processes rotating the same session at the same moment never present
// a token twice and never lose the session.
func TestTwoProcessesRotateOneSession(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	fake.SetReuseEndsSession(true)
	db := filepath.Join(t.TempDir(), "a.db")
	svc := newService(t, db, urls)
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	fake.ResetRequests()

	const perChild = 15
	rawURLs, _ := json.Marshal(urls)
	var children []*exec.Cmd
	var gos []io.WriteCloser
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childDBEnv+"="+db, childURLsEnv+"="+string(rawURLs), childNEnv+"="+strconv.Itoa(perChild))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(stdout).ReadString('\n'); strings.TrimSpace(line) != "ready" {
			t.Fatalf("child not ready: %q %s", line, stderr.String())
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Log("child stderr:", stderr.String())
			}
		})
		children = append(children, cmd)
		gos = append(gos, stdin)
	}
	for _, w := range gos {
		io.WriteString(w, "go\n")
		w.Close()
	}
	for _, c := range children {
		if err := c.Wait(); err != nil {
			t.Errorf("child failed: %v", err)
		}
	}

	var rotations, refusals int
	for _, r := range fake.Requests() {
		if r.Endpoint != aimhardertest.EndpointTokenUpdate {
			continue
		}
		switch r.Code {
		case "newToken":
			rotations++
		default:
			refusals++
		}
	}
	if rotations != 2*perChild || refusals != 0 {
		t.Errorf("server saw %d rotations and %d refusals, want %d and 0", rotations, refusals, 2*perChild)
	}
	sess, err := svc.Store().Session(t.Context(), session.KindDevice)
	if err != nil {
		t.Fatal(err)
	}
	if sess.State != session.StateLive || sess.TokenUpdateCount != 2*perChild || sess.LastError != "" {
		t.Errorf("stored session %s, %d updates, last error %q", sess.State, sess.TokenUpdateCount, sess.LastError)
	}
	// The stored token is the server's current one: it rotates once more.
	if err := svc.Refresh(t.Context(), session.KindDevice); err != nil {
		t.Errorf("the stored token no longer works: %v", err)
	}
}

// childTB is the little of testing.TB newService needs, for a child process.
type childTB struct {
	testing.TB
	cleanups []func()
}

func (c *childTB) Helper()           {}
func (c *childTB) Cleanup(f func())  { c.cleanups = append(c.cleanups, f) }
func (c *childTB) Fatal(args ...any) { fmt.Fprintln(os.Stderr, args...); os.Exit(1) }
func (c *childTB) cleanup() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}
