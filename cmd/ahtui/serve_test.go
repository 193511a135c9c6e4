package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/ahtui/ahtui/session"
)

// testKey is a client key pair and its authorized_keys line.
type testKey struct {
	signer gossh.Signer
	line   string
}

func newTestKey(t *testing.T) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{signer: signer, line: string(gossh.MarshalAuthorizedKey(signer.PublicKey()))}
}

// served is `ahtui serve` running in-process on a loopback port.
type served struct {
	t       *testing.T
	addr    string
	hostKey gossh.PublicKey
	stderr  *lockedBuffer
	cancel  context.CancelFunc
	done    chan int
}

var servingOn = regexp.MustCompile(`serving the TUI over SSH on (\S+) to`)

// startServe runs `ahtui serve --listen 127.0.0.1:0` on e's database and
// fake, with now as its clock, until stop.
func startServe(t *testing.T, e *cliEnv, now func() time.Time, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{t: t, stderr: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1)}
	full := append([]string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal,
		"--box-url", e.urls.BoxTemplate, "serve", "--listen", "127.0.0.1:0"}, args...)
	go func() { s.done <- runAt(ctx, now, full, strings.NewReader(""), io.Discard, s.stderr) }()
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := servingOn.FindStringSubmatch(s.stderr.String()); m != nil {
			s.addr = m[1]
			break
		}
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("serve exited %d:\n%s", code, s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", s.stderr.String())
		}
	}
	// The host key it presents is the one it keeps next to the database.
	pem, err := os.ReadFile(filepath.Join(filepath.Dir(e.db), hostKeyName))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	s.hostKey = signer.PublicKey()
	return s
}

// stop ends serve as SIGTERM would and returns its exit status; the limit
// only bounds a hung test.
func (s *served) stop() int {
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(60 * time.Second):
		s.t.Fatalf("serve did not stop:\n%s", s.stderr.String())
		return -1
	}
}

func (s *served) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", s.addr, &gossh.ClientConfig{
		User: "member", Auth: auth, HostKeyCallback: gossh.FixedHostKey(s.hostKey), Timeout: 30 * time.Second,
	})
}

// sshTerm is an SSH session on a terminal: what the server draws goes
// into a virtual terminal, and it answers the server's terminal queries
// (background colour, device attributes) as a terminal does.
type sshTerm struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	inMu   sync.Mutex
	mu     sync.Mutex
	vt     *vt.Emulator
	reader sync.WaitGroup
	exited chan error
}

func (s *served) openTerm(key testKey, w, h int) *sshTerm {
	s.t.Helper()
	client, err := s.dial(gossh.PublicKeys(key.signer))
	if err != nil {
		s.t.Fatalf("an authorised key was refused: %v", err)
	}
	return s.openTermOn(client, w, h)
}

// openTermOn opens the terminal session on a connection already made.
func (s *served) openTermOn(client *gossh.Client, w, h int) *sshTerm {
	s.t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := sess.Setenv("LANG", "en_US.UTF-8"); err != nil {
		s.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		s.t.Fatal(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	term := &sshTerm{t: s.t, client: client, sess: sess, stdin: stdin, vt: vt.NewEmulator(w, h), exited: make(chan error, 1)}
	if err := sess.Shell(); err != nil {
		s.t.Fatal(err)
	}
	term.reader.Go(func() { term.read(stdout) })
	go func() { term.exited <- sess.Wait() }()
	s.t.Cleanup(term.close)
	return term
}

// Queries the server sends; the emulator would answer them into a pipe
// nobody reads, so they are answered here and kept from it.
var terminalQueries = map[string]string{
	ansi.RequestBackgroundColor:         "\x1b]11;rgb:1c1c/1c1c/1c1c\x07",
	ansi.RequestPrimaryDeviceAttributes: "\x1b[?62;22c",
}

func (term *sshTerm) read(r io.Reader) {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := string(buf[:n])
			for q, answer := range terminalQueries {
				if strings.Contains(chunk, q) {
					chunk = strings.ReplaceAll(chunk, q, "")
					term.send(answer)
				}
			}
			term.mu.Lock()
			_, _ = term.vt.Write([]byte(chunk))
			term.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (term *sshTerm) send(s string) {
	term.inMu.Lock()
	defer term.inMu.Unlock()
	_, _ = io.WriteString(term.stdin, s)
}

func (term *sshTerm) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.vt.String()
}

// waitFor polls the screen until every sub shows; the limit only bounds a
// hung test.
func (term *sshTerm) waitFor(subs ...string) string {
	term.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := term.screen()
		missing := ""
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				missing = sub
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the screen never showed %q:\n%s", missing, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for the session to end; the limit only bounds a hung
// test.
func (term *sshTerm) waitExit() error {
	term.t.Helper()
	select {
	case err := <-term.exited:
		term.exited <- err
		return err
	case <-time.After(60 * time.Second):
		term.t.Fatalf("the session did not end; the screen:\n%s", term.screen())
		return nil
	}
}

func (term *sshTerm) close() {
	term.sess.Close()
	term.client.Close()
	term.reader.Wait()
}

// weekHeaders are the grid's day headers for the week of testNow.
var weekHeaders = []string{"Mon 23 Nov", "Tue 24 Nov", "Wed 25 Nov", "Thu 26 Nov", "Fri 27 Nov", "Sat 28 Nov", "Sun 29 Nov"}

// TestServeTwoViewers: `ahtui serve` on a logged-in database. Two
// members' terminals connect with an authorised key and each gets the
// TUI: the week's grid, the header saying it is served to two viewers and
// that this process fires the prebookings. A prebooking then appears
// whose window opened while no runner ran (another process stored it):
// the scheduler fires it at once and both screens show the outcome.
// Stopping the server with both sessions open ends them and the server,
// and gives the runner lease back.
func TestServeTwoViewers(t *testing.T) {
	e, clock, ahtui := newLiveEnv(t, testWorld(), 0)
	clock.set(testNow)
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
		{"config", "box." + testBox + ".window", "4d"},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}
	key := newTestKey(t)
	if err := os.WriteFile(filepath.Join(filepath.Dir(e.db), authorizedKeysName), []byte("# the member's laptop\n"+key.line), 0o600); err != nil {
		t.Fatal(err)
	}

	srv := startServe(t, e, clock.Now)
	a := srv.openTerm(key, 160, 48)
	b := srv.openTerm(key, 100, 30)
	a.waitFor(append([]string{"SSH · 2 viewers"}, weekHeaders...)...)
	b.waitFor("SSH · 2 viewers", "Mon 23", "Sun 29")
	a.send("S") // who fires is in the status view
	a.waitFor("firing here")
	a.send("S") // and S closes it

	// Tonight's 18:00 class: its window (4 days) opened on Saturday.
	store := e.open(clock.Now).store
	box, err := store.CurrentBox(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := e.classAt(testBox, testToday, "18:00")
	if _, err := store.AddPrebooking(t.Context(), session.NewPrebooking{BoxID: box.ID, ClassID: c.ID, Day: testToday,
		ClassName: c.Name, ClassStart: c.Start, OpensAt: c.Start.AddDate(0, 0, -4)}); err != nil {
		t.Fatal(err)
	}
	const outcome = "Prebooking fired: TEAM WOD Wed 25 Nov 18:00 booked"
	a.waitFor(outcome)
	b.waitFor(outcome)
	if !strings.Contains(srv.stderr.String(), "TEAM WOD Wed 25 Nov 18:00: booked (88 h late)") {
		t.Errorf("serve's log lacks the outcome:\n%s", srv.stderr.String())
	}

	if code := srv.stop(); code != exitOK {
		t.Errorf("serve exited %d:\n%s", code, srv.stderr.String())
	}
	for _, term := range []*sshTerm{a, b} {
		if err := term.waitExit(); err != nil {
			t.Errorf("a session ended with %v", err)
		}
	}
	if log := srv.stderr.String(); !strings.Contains(log, "stopped") {
		t.Errorf("serve's log lacks its stop:\n%s", log)
	}
	var st struct {
		Runner *runnerJSON `json:"runner"`
	}
	if err := json.Unmarshal([]byte(ahtui("status", "--json").stdout), &st); err != nil || st.Runner != nil {
		t.Errorf("runner lease after serve stopped: %v %+v", err, st.Runner)
	}
}

// TestServeRefuses: what is not an authorised key on a terminal gets
// nothing — an unknown key, a password, keyboard-interactive, a session
// without a terminal, a command; serve does not start without an
// allow-list it can trust; its host key is created 0600 next to the database (not in
// the working directory) and is the same after a restart.
func TestServeRefuses(t *testing.T) {
	e, clock, ahtui := newLiveEnv(t, testWorld(), 0)
	clock.set(testNow)
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}
	cwd := t.TempDir()
	t.Chdir(cwd)
	keysPath := filepath.Join(filepath.Dir(e.db), authorizedKeysName)

	// No allow-list, an empty one, one with options: serve refuses to start.
	for _, tc := range []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"missing", "", 0, "authorized_keys does not exist"},
		{"empty", "# nobody yet\n\n", 0o600, "lists no key"},
		{"options", `from="10.0.0.1" ` + newTestKey(t).line, 0o600, "has options"},
		{"others may write", newTestKey(t).line, 0o620, "can be changed by others"},
	} {
		if tc.content != "" {
			if err := os.WriteFile(keysPath, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(keysPath, tc.mode); err != nil {
				t.Fatal(err)
			}
		}
		r := ahtui("serve", "--listen", "127.0.0.1:0")
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s allow-list: serve exited %d, want %d with %q:\n%s", tc.name, r.code, exitUsage, tc.want, r)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.db), hostKeyName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a serve that refused to start left a host key: %v", err)
	}

	key := newTestKey(t)
	if err := os.WriteFile(keysPath, []byte(key.line), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(keysPath, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, e, clock.Now)

	// An unknown key.
	if _, err := srv.dial(gossh.PublicKeys(newTestKey(t).signer)); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("an unknown key: %v", err)
	}
	// A password and keyboard-interactive: not even offered.
	asked := false
	_, err := srv.dial(
		gossh.PasswordCallback(func() (string, error) { asked = true; return testPassword, nil }),
		gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { asked = true; return nil, nil }),
	)
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") || asked {
		t.Errorf("password/keyboard-interactive: %v (the server asked for one: %v)", err, asked)
	}

	// An authorised key without a terminal, and with a command.
	client, err := srv.dial(gossh.PublicKeys(key.signer))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for _, command := range []string{"", "ls"} {
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		sess.Stdout, sess.Stderr = &stdout, &stderr
		if command == "" {
			err = sess.Shell()
			if err == nil {
				err = sess.Wait()
			}
		} else {
			err = sess.Run(command)
		}
		var exit *gossh.ExitError
		if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(stderr.String(), "needs a terminal") ||
			strings.Contains(stdout.String(), "ahtui") {
			t.Errorf("session without a terminal (command %q): %v; stdout %q, stderr %q", command, err, stdout.String(), stderr.String())
		}
		sess.Close()
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var exit *gossh.ExitError
	if err := sess.Run("ls"); !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(stderr.String(), "runs no commands") {
		t.Errorf("a command on a terminal: %v; stderr %q", err, stderr.String())
	}
	sess.Close()

	// The host key: 0600, next to the database, nothing in the working
	// directory; after a restart, the same key (a client that pinned it
	// connects again) and the TUI on a terminal.
	info, err := os.Stat(filepath.Join(filepath.Dir(e.db), hostKeyName))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v, mode %v", err, info.Mode().Perm())
	}
	if left, _ := os.ReadDir(cwd); len(left) != 0 {
		t.Errorf("serve wrote into the working directory: %v", left)
	}
	pinned := srv.hostKey
	if code := srv.stop(); code != exitOK {
		t.Fatalf("serve exited %d:\n%s", code, srv.stderr.String())
	}
	again := startServe(t, e, clock.Now)
	again.hostKey = pinned
	term := again.openTerm(key, 80, 24)
	term.waitFor("SSH · 1 viewer", "Mon 23", "Sun 29")
	term.send("q")
	if err := term.waitExit(); err != nil {
		t.Errorf("q ended the session with %v", err)
	}
}

// withServeLimits makes the serves the test starts next use l; the
// defaults come back once the test's serves have stopped.
func withServeLimits(t *testing.T, l serveLimits) {
	t.Helper()
	saved := defaultServeLimits
	defaultServeLimits = l
	t.Cleanup(func() { defaultServeLimits = saved })
}

// fakeDeadlines stand for the login deadlines' timers: they fire when the
// test says so.
type fakeDeadlines struct {
	mu    sync.Mutex
	armed []*fakeDeadline
}

type fakeDeadline struct {
	fire func()
	done bool // stopped or fired
}

func (fd *fakeDeadlines) afterFunc(_ time.Duration, f func()) func() bool {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	d := &fakeDeadline{fire: f}
	fd.armed = append(fd.armed, d)
	return func() bool {
		fd.mu.Lock()
		defer fd.mu.Unlock()
		was := !d.done
		d.done = true
		return was
	}
}

// expire fires every deadline armed and not stopped, and says how many.
func (fd *fakeDeadlines) expire() int {
	fd.mu.Lock()
	var due []func()
	for _, d := range fd.armed {
		if !d.done {
			d.done = true
			due = append(due, d.fire)
		}
	}
	fd.mu.Unlock()
	for _, f := range due {
		f()
	}
	return len(due)
}

// rawConn opens a TCP connection to serve and reads the SSH version line
// serve sends once it has admitted the connection (and armed its login
// deadline). The connection then says nothing.
func (s *served) rawConn() net.Conn {
	s.t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		s.t.Fatal(err)
	}
	var line []byte
	b := make([]byte, 1)
	for !bytes.HasSuffix(line, []byte("\n")) {
		if _, err := c.Read(b); err != nil {
			s.t.Fatalf("serve did not admit a connection (%v after %q):\n%s", err, line, s.stderr.String())
		}
		line = append(line, b[0])
	}
	if string(line) != "SSH-2.0-ahtui\r\n" {
		s.t.Fatalf("serve's version line: %q", line)
	}
	return c
}

// refused opens a TCP connection to serve, which must close it at once:
// without sending anything, not even its version line.
func (s *served) refused() {
	s.t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		s.t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if len(got) > 0 || isTimeout(err) {
		s.t.Fatalf("a connection over the limits was admitted: read %q, %v", got, err)
	}
}

// waitClosed reads c until serve closes it; the limit only bounds a hung
// test.
func (s *served) waitClosed(c net.Conn) {
	s.t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		s.t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, c); isTimeout(err) {
		s.t.Fatalf("serve did not close a connection that never logged in:\n%s", s.stderr.String())
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// allowKeys writes the allow-list next to e's database.
func allowKeys(t *testing.T, e *cliEnv, keys ...testKey) {
	t.Helper()
	var lines string
	for _, k := range keys {
		lines += k.line
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(e.db), authorizedKeysName), []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestServeLoginDeadline: with the real timers (the deadline shortened),
// a connection that has not logged in by the deadline is closed, whether
// it says nothing or trickles bytes, as a slow-loris does to keep an idle
// timeout from firing; and serve's log says why.
func TestServeLoginDeadline(t *testing.T) {
	e, clock, _ := newLiveEnv(t, testWorld(), 0)
	clock.set(testNow)
	allowKeys(t, e, newTestKey(t))
	const login = 200 * time.Millisecond
	withServeLimits(t, serveLimits{login: login, pending: 10, conns: 32, viewers: 16})
	srv := startServe(t, e, clock.Now)

	start := time.Now()
	silent := srv.rawConn()
	trickle := srv.rawConn()
	var trickling sync.WaitGroup
	trickling.Go(func() {
		// A version line, a byte every 20 ms: far from done (255 bytes
		// at most) when the deadline comes.
		for _, b := range []byte("SSH-2.0-" + strings.Repeat("x", 240)) {
			if _, err := trickle.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	srv.waitClosed(silent)
	srv.waitClosed(trickle)
	// Not closed for anything else first: a lower bound, which a slow
	// machine only makes longer.
	if elapsed := time.Since(start); elapsed < login {
		t.Errorf("the connections were closed after %v, before the %v deadline", elapsed, login)
	}
	trickle.Close()
	trickling.Wait()
	if log := srv.stderr.String(); !strings.Contains(log, "closed an SSH connection from 127.0.0.1:") ||
		!strings.Contains(log, "it did not log in within 200ms") {
		t.Errorf("serve's log does not say why it closed the connections:\n%s", log)
	}
}

// TestServeLimits, with login deadlines the test fires itself: a member
// who logged in is past the deadline (firing it leaves the connection
// open); connections still logging in are closed by it; while as many
// connections as allowed are logging in, or open in all, another is
// refused at once, and the log says why; the places are given back when
// connections end; TUI sessions beyond the limit are refused with a
// message; and sessions work again once there is room.
func TestServeLimits(t *testing.T) {
	e, clock, ahtui := newLiveEnv(t, testWorld(), 0)
	clock.set(testNow)
	for _, args := range [][]string{
		{"login", "--email", testEmail, "--password-stdin"},
		{"box", "use", testBox},
	} {
		if r := ahtui(args...); r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
	}
	key := newTestKey(t)
	allowKeys(t, e, key)
	var deadlines fakeDeadlines
	withServeLimits(t, serveLimits{login: time.Minute, pending: 2, conns: 4, viewers: 1, afterFunc: deadlines.afterFunc})
	srv := startServe(t, e, clock.Now)
	logHas := func(want string) {
		t.Helper()
		if log := srv.stderr.String(); !strings.Contains(log, want) {
			t.Errorf("serve's log lacks %q:\n%s", want, log)
		}
	}

	// A member's TUI; then two connections that say nothing fill the
	// places for connections logging in: a third is refused.
	a := srv.openTerm(key, 100, 30)
	a.waitFor("SSH · 1 viewer", "Mon 23", "Sun 29")
	silent := []net.Conn{srv.rawConn(), srv.rawConn()}
	srv.refused()
	logHas("refused an SSH connection from 127.0.0.1:")
	logHas("2 connections are still logging in, the most ahtui serve lets wait")

	// The deadline: the two are closed; the member, logged in, is not.
	if n := deadlines.expire(); n != 2 {
		t.Errorf("%d login deadlines were due, want the 2 connections' (the member's was disarmed)", n)
	}
	for _, c := range silent {
		srv.waitClosed(c)
	}
	logHas("it did not log in within 1m0s")

	// The member's connection is open: a second TUI session on it is
	// refused, one screen being the most.
	sess, err := a.client.NewSession()
	if err != nil {
		t.Fatalf("the member's connection did not survive the deadline: %v", err)
	}
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	var exit *gossh.ExitError
	select {
	case <-time.After(30 * time.Second): // only bounds a hung test
		t.Fatalf("a TUI session over the limit was not refused; stderr %q", stderr.String())
	case err = <-ended:
	}
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 ||
		!strings.Contains(stderr.String(), "ahtui serve already shows 1 screen, the most it shows at once") {
		t.Errorf("a TUI session over the limit: %v; stderr %q", err, stderr.String())
	}
	sess.Close()
	logHas("refused a TUI session to 127.0.0.1:")

	// Four connections in all (the member's, two more logged in, one
	// logging in): a fifth is refused, though few are logging in.
	var clients []*gossh.Client
	for range 2 {
		c, err := srv.dial(gossh.PublicKeys(key.signer))
		if err != nil {
			t.Fatalf("the places of the closed connections were not given back: %v", err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	pending := srv.rawConn()
	srv.refused()
	logHas("4 connections are open, the most ahtui serve takes")

	// Connections that end give their places back (serve notices it a
	// moment later), and the viewer's place is given back when its TUI
	// quits: a TUI session works again.
	pending.Close()
	clients[0].Close()
	a.send("q")
	if err := a.waitExit(); err != nil {
		t.Errorf("q ended the session with %v", err)
	}
	var b *gossh.Client
	for deadline := time.Now().Add(30 * time.Second); b == nil; {
		if b, err = srv.dial(gossh.PublicKeys(key.signer)); err != nil && time.Now().After(deadline) {
			t.Fatalf("no connection is let in after others ended: %v\n%s", err, srv.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.openTermOn(b, 100, 30).waitFor("SSH · 1 viewer", "Mon 23", "Sun 29")
}
