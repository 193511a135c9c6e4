//go:build unix

package session

// Tests that need more than one OS process: the test binary re-executes
// itself with an environment variable naming a helper role. TestMain runs
// the role instead of the tests. Helpers print "ready", wait for a line on
// stdin (so the parent starts them at the same moment), do their part, and
// print result lines; a non-zero exit carries the reason on stderr.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

const (
	helperRoleEnv = "AHTUI_SESSION_TEST_HELPER"
	helperDBEnv   = "AHTUI_SESSION_TEST_DB"
	helperURLEnv  = "AHTUI_SESSION_TEST_URL"
	helperNEnv    = "AHTUI_SESSION_TEST_N"
	helperIDsEnv  = "AHTUI_SESSION_TEST_IDS"
	helperDirEnv  = "AHTUI_SESSION_TEST_DIR"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(helperRoleEnv); role != "" {
		if err := runHelper(role); err != nil {
			fmt.Fprintln(os.Stderr, "helper "+role+":", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runHelper(role string) error {
	ctx := context.Background()
	switch role {
	case "rotate":
		return helperRotate(ctx)
	case "claim":
		return helperClaim(ctx)
	case "readonly":
		return helperReadOnly(ctx)
	}
	if helper, ok := helperRoles[role]; ok {
		return helper(ctx)
	}
	return fmt.Errorf("unknown role %q", role)
}

// helperRoles are roles that test files for one platform add.
var helperRoles = map[string]func(context.Context) error{}

// waitForGo tells the parent this process is set up and blocks until the
// parent releases every helper at once.
func waitForGo() error {
	fmt.Println("ready")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "go" {
		return fmt.Errorf("waiting for go: %q, %v", line, err)
	}
	return nil
}

// helper is a running child process.
type helper struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *bytes.Buffer
}

func startHelper(t *testing.T, binary, role string, env map[string]string, cred *syscall.Credential) *helper {
	t.Helper()
	cmd := exec.Command(binary, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperRoleEnv+"="+role)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	h := &helper{cmd: cmd, lines: make(chan string, 1024), stderr: &bytes.Buffer{}}
	cmd.Stderr = h.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return h
}

func (h *helper) waitReady(t *testing.T) {
	t.Helper()
	line, ok := <-h.lines
	if !ok || line != "ready" {
		h.cmd.Wait()
		t.Fatalf("helper did not get ready (%q): %s", line, h.stderr)
	}
}

func (h *helper) release(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(h.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
}

// finish waits for the helper and returns its remaining output lines.
func (h *helper) finish(t *testing.T) []string {
	t.Helper()
	var out []string
	for line := range h.lines {
		out = append(out, line)
	}
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper failed: %v\nstderr:\n%s\nstdout:\n%s", err, h.stderr, strings.Join(out, "\n"))
	}
	return out
}

// singleUseServer models AimHarder's token rotation as the protocol
// assumes it (docs/protocol.md §3.4): each token rotates once; any other token gets
// {"logout":1}. It records every token presented, to catch a reuse.
type singleUseServer struct {
	mu        sync.Mutex
	current   string
	issued    int
	calls     int
	presented map[string]int
}

func newSingleUseServer(first string) *singleUseServer {
	return &singleUseServer{current: first, presented: map[string]int{}}
}

func (s *singleUseServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	token := r.PostForm.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.presented[token]++
	// Hold the lock a moment, as a server round trip would, to widen any race.
	time.Sleep(time.Millisecond)
	if token != s.current {
		fmt.Fprint(w, `{"logout":1}`)
		return
	}
	s.issued++
	s.current = fmt.Sprintf("tok-%04d", s.issued)
	json.NewEncoder(w).Encode(map[string]string{"newToken": s.current, "cookie": "auth-" + s.current})
}

func (s *singleUseServer) reused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for tok, n := range s.presented {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s×%d", tok, n))
		}
	}
	return out
}

// rotateOverHTTP is the RotateFunc the helpers pass: one POST to the fake.
func rotateOverHTTP(client *http.Client, endpoint string) RotateFunc {
	return func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint,
			strings.NewReader(url.Values{"token": {c.Token}}.Encode()))
		if err != nil {
			return c, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			return c, err
		}
		defer resp.Body.Close()
		var body struct {
			NewToken string `json:"newToken"`
			Cookie   string `json:"cookie"`
			Logout   any    `json:"logout"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return c, err
		}
		if body.Logout != nil || body.NewToken == "" {
			return c, errors.New("tokenUpdate answered logout")
		}
		out := c.WithCookies(map[string]string{aimharder.AuthCookie: body.Cookie})
		out.Token = body.NewToken
		return out, nil
	}
}

func helperRotate(ctx context.Context) error {
	n, err := strconv.Atoi(os.Getenv(helperNEnv))
	if err != nil {
		return err
	}
	s, err := Open(ctx, os.Getenv(helperDBEnv))
	if err != nil {
		return err
	}
	defer s.Close()
	call := rotateOverHTTP(&http.Client{Timeout: 10 * time.Second}, os.Getenv(helperURLEnv))
	owner := NewOwner("rotate-helper")
	if err := waitForGo(); err != nil {
		return err
	}
	for i := range n {
		if _, err := s.Rotate(ctx, KindBackground, owner, call); err != nil {
			return fmt.Errorf("rotation %d: %w", i, err)
		}
	}
	fmt.Println("rotated", n)
	return nil
}

// TestRotationAcrossTwoProcesses starts two processes rotating the same
// background session at the same moment against a server where every
// token is single-use. The lease and the compare-and-swap must make them
// take turns: no token is ever presented twice, the stored token is the
// server's current one, and every attempt is counted.
func TestRotationAcrossTwoProcesses(t *testing.T) {
	const perProcess = 15
	path := tempDBPath(t)
	s := openAt(t, path)
	login(t, s, KindBackground, "tok-0000")
	server := newSingleUseServer("tok-0000")
	httpServer := httptest.NewServer(server)
	defer httpServer.Close()

	env := map[string]string{helperDBEnv: path, helperURLEnv: httpServer.URL, helperNEnv: strconv.Itoa(perProcess)}
	helpers := []*helper{
		startHelper(t, os.Args[0], "rotate", env, nil),
		startHelper(t, os.Args[0], "rotate", env, nil),
	}
	for _, h := range helpers {
		h.waitReady(t)
	}
	for _, h := range helpers {
		h.release(t)
	}
	for _, h := range helpers {
		if out := h.finish(t); !slices.Equal(out, []string{"rotated " + strconv.Itoa(perProcess)}) {
			t.Errorf("helper output %q", out)
		}
	}

	if reused := server.reused(); len(reused) > 0 {
		t.Errorf("tokens presented more than once: %v", reused)
	}
	sess := mustSession(t, s, KindBackground)
	server.mu.Lock()
	current, calls := server.current, server.calls
	server.mu.Unlock()
	if sess.Credentials.Token != current {
		t.Errorf("stored token %q, server's current %q: the session was lost", sess.Credentials.Token, current)
	}
	if sess.Credentials.Cookies[aimharder.AuthCookie] != "auth-"+current {
		t.Error("stored auth cookie is not the one issued with the current token")
	}
	if calls != 2*perProcess || sess.TokenUpdateCount != 2*perProcess {
		t.Errorf("server calls %d, token_update_count %d, want %d each", calls, sess.TokenUpdateCount, 2*perProcess)
	}
	if sess.LastError != "" || sess.LeaseOwner != "" {
		t.Errorf("last error %q, lease owner %q after all rotations", sess.LastError, sess.LeaseOwner)
	}
}

func helperClaim(ctx context.Context) error {
	var ids []int64
	for _, f := range strings.Split(os.Getenv(helperIDsEnv), ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	s, err := Open(ctx, os.Getenv(helperDBEnv))
	if err != nil {
		return err
	}
	defer s.Close()
	owner := NewOwner("claim-helper")
	fmt.Println("owner", owner)
	if err := waitForGo(); err != nil {
		return err
	}
	for _, id := range ids {
		p, won, err := s.Claim(ctx, id, owner)
		if err != nil {
			return err
		}
		if won {
			if p.ClaimedBy != owner || p.Status != PrebookFiring {
				return fmt.Errorf("won %d but it reads %s by %s", id, p.Status, p.ClaimedBy)
			}
			fmt.Println("won", id)
		}
	}
	return nil
}

// TestClaimAcrossTwoProcesses has two processes claim the same prebookings
// in the same order at the same moment: each is won exactly once.
func TestClaimAcrossTwoProcesses(t *testing.T) {
	path := tempDBPath(t)
	s := openAt(t, path)
	ids := addPrebookings(t, s, 60)
	idList := make([]string, len(ids))
	for i, id := range ids {
		idList[i] = strconv.FormatInt(id, 10)
	}
	env := map[string]string{helperDBEnv: path, helperIDsEnv: strings.Join(idList, ",")}
	helpers := []*helper{
		startHelper(t, os.Args[0], "claim", env, nil),
		startHelper(t, os.Args[0], "claim", env, nil),
	}
	owners := make([]string, len(helpers))
	for i, h := range helpers {
		line := <-h.lines
		owners[i] = strings.TrimPrefix(line, "owner ")
		h.waitReady(t)
	}
	for _, h := range helpers {
		h.release(t)
	}
	winner := map[int64]string{}
	for i, h := range helpers {
		for _, line := range h.finish(t) {
			id, err := strconv.ParseInt(strings.TrimPrefix(line, "won "), 10, 64)
			if err != nil {
				t.Fatalf("helper line %q", line)
			}
			if other, dup := winner[id]; dup {
				t.Errorf("prebooking %d claimed by both %s and %s", id, other, owners[i])
			}
			winner[id] = owners[i]
		}
	}
	for _, id := range ids {
		p, err := s.Prebooking(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if winner[id] == "" || p.ClaimedBy != winner[id] || p.Status != PrebookFiring {
			t.Errorf("prebooking %d: winner %q, stored %s by %q", id, winner[id], p.Status, p.ClaimedBy)
		}
	}
}

// helperReadOnly runs as an unprivileged user (root ignores permission
// bits): it makes a database, takes write permission away from the file
// and then the folder, and checks Open refuses with ErrReadOnly and that
// nothing was lost.
func helperReadOnly(ctx context.Context) error {
	base := os.Getenv(helperDirEnv)
	dir := filepath.Join(base, "db")
	path := filepath.Join(dir, "ahtui.db")
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	creds := credsFor("tok-readonly")
	if err := s.SaveLogin(ctx, KindDevice, testAccount, creds); err != nil {
		return err
	}
	if err := s.SetSetting(ctx, SettingLanguage, "es"); err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	before, err := os.ReadFile(path)
	if err != nil {
		return err
	}

	expectReadOnly := func(what, wantPath string) error {
		_, err := Open(ctx, path)
		var ro *ReadOnlyError
		if !errors.Is(err, ErrReadOnly) || !errors.As(err, &ro) || ro.Path != wantPath {
			return fmt.Errorf("%s: Open = %v, want ErrReadOnly naming %s", what, err, wantPath)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(before, after) {
			return fmt.Errorf("%s: the file changed", what)
		}
		return nil
	}

	if err := os.Chmod(path, 0o400); err != nil {
		return err
	}
	if err := expectReadOnly("file 0400", path); err != nil {
		return err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return err
	}

	if err := os.Chmod(dir, 0o500); err != nil {
		return err
	}
	if err := expectReadOnly("folder 0500", dir); err != nil {
		return err
	}
	// A folder that cannot be created is the same problem.
	_, err = Open(ctx, filepath.Join(dir, "sub", "ahtui.db"))
	if !errors.Is(err, ErrReadOnly) {
		return fmt.Errorf("folder not creatable: Open = %v, want ErrReadOnly", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}

	s, err = Open(ctx, path)
	if err != nil {
		return fmt.Errorf("reopen after restoring permissions: %w", err)
	}
	defer s.Close()
	sess, err := s.Session(ctx, KindDevice)
	if err != nil {
		return err
	}
	if !sess.Credentials.Equal(creds) {
		return errors.New("credentials changed")
	}
	if v, _, err := s.Setting(ctx, SettingLanguage); err != nil || v != "es" {
		return fmt.Errorf("setting = %q, %v", v, err)
	}
	fmt.Println("ok euid", os.Geteuid())
	return nil
}

func TestReadOnlyDatabase(t *testing.T) {
	base, err := os.MkdirTemp("", "ahtui-session-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	binary, cred := os.Args[0], (*syscall.Credential)(nil)
	if os.Geteuid() == 0 {
		// Root writes through any permission bits, so run the scenario as
		// nobody, from a copy of this binary that nobody can execute.
		const nobody = 65534
		if err := os.Chmod(base, 0o755); err != nil {
			t.Fatal(err)
		}
		work := filepath.Join(base, "work")
		if err := os.Mkdir(work, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(work, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		binary = filepath.Join(base, "session.test")
		if err := os.WriteFile(binary, readFile(t, os.Args[0]), 0o755); err != nil {
			t.Fatal(err)
		}
		base, cred = work, &syscall.Credential{Uid: nobody, Gid: nobody}
	}
	h := startHelper(t, binary, "readonly", map[string]string{helperDirEnv: base}, cred)
	// The scenario proves nothing if it ran with root's override.
	out := h.finish(t)
	if len(out) != 1 || !strings.HasPrefix(out[0], "ok euid ") || out[0] == "ok euid 0" {
		t.Errorf("helper output %q, want ok from a non-root user", out)
	}
}
