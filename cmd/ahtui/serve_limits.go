package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// serveLimits bound what connections can take from `ahtui serve`, the
// process that also fires the prebookings: on a LAN address (--listen)
// anyone on the network reaches it, and a slow-loris or a flood of
// connections that never log in must not wear it down.
//
// There is no idle timeout (charmbracelet/ssh's IdleTimeout) and no
// connection lifetime (MaxTimeout): members leave the TUI open to watch
// it for days, and nothing flows while they watch (the server sends no
// keep-alives, and most clients send none either), so either would cut
// them off. What those timeouts would guard against is covered otherwise:
// a connection that has not logged in is closed by the login deadline,
// which a trickle of bytes does not extend as it would an idle timeout;
// a client that vanished (a phone out of range) is found by TCP
// keep-alives, on by default on Go listeners, and its session ends. Only
// authorised keys get past the login, and what they may hold is capped.
type serveLimits struct {
	// login: a connection must complete the SSH handshake and the
	// public-key authentication within it, or it is closed. It covers a
	// person at the client's prompts — the host key to accept on the
	// first connection, a key's passphrase, on a phone — so it is a
	// minute (OpenSSH allows two); a machine needs a fraction of a second.
	login time.Duration
	// pending: connections not logged in yet, at once (OpenSSH's
	// MaxStartups begins dropping at 10 too). While they are all taken
	// new connections are refused, but every logged-in session goes on
	// and so does the scheduler.
	pending int
	// conns: connections at once, logged in or not: a household's
	// laptops and phones, with room to spare.
	conns int
	// viewers: TUI sessions at once (one connection may open several).
	// Each is a program with its own renderer, refreshing the week.
	viewers int
	// afterFunc arms a connection's login deadline, returning what
	// disarms it; nil is time.AfterFunc. Tests fire deadlines themselves.
	afterFunc func(d time.Duration, f func()) (stop func() bool)
}

// defaultServeLimits: a variable so that tests can shorten them.
var defaultServeLimits = serveLimits{login: time.Minute, pending: 10, conns: 32, viewers: 16}

// noticeEvery: a kind of refusal is printed at most once in it, with the
// count of those not printed, so a flood cannot flood the log.
const noticeEvery = time.Minute

// errLoginTooLate: the login deadline passed while the client proved it
// holds its key.
var errLoginTooLate = errors.New("the login took too long")

// connGuard admits connections within serveLimits and closes those that
// do not log in in time.
type connGuard struct {
	limits serveLimits
	notice func(kind, msg string)

	mu      sync.Mutex
	closed  bool
	conns   int
	pending map[*guardedConn]func() bool // not logged in yet → disarms its deadline
}

type guardKey struct{}

func newConnGuard(limits serveLimits, notice func(kind, msg string)) *connGuard {
	if limits.afterFunc == nil {
		limits.afterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	return &connGuard{limits: limits, notice: notice, pending: map[*guardedConn]func() bool{}}
}

// options are the server options that apply the guard.
func (g *connGuard) options() []ssh.Option {
	return []ssh.Option{
		ssh.WrapConn(g.admit),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{VerifiedPublicKeyCallback: func(_ gossh.ConnMetadata, _ gossh.PublicKey,
					perms *gossh.Permissions, _ string) (*gossh.Permissions, error) {
					if c, _ := ctx.Value(guardKey{}).(*guardedConn); c == nil || !g.loggedIn(c) {
						return nil, errLoginTooLate
					}
					return perms, nil
				}}
			}
			return nil
		},
	}
}

// admit is the server's ConnCallback, called for each accepted
// connection before the SSH handshake: a connection over the limits is
// closed at once (nil); one let in must log in before its deadline.
//
// The deadline is a timer closing the connection, not a deadline set on
// it: charmbracelet/ssh sets (clears) the connection's deadline on every
// read and write. It is disarmed when the client has proved it holds an
// authorised key (VerifiedPublicKeyCallback), the end of the login.
func (g *connGuard) admit(ctx ssh.Context, conn net.Conn) net.Conn {
	c, refused := g.take(conn)
	if refused != "" {
		g.notice(refused, fmt.Sprintf("refused an SSH connection from %s: %s", conn.RemoteAddr(), g.why(refused)))
		return nil
	}
	if c == nil {
		return nil // stopping
	}
	ctx.SetValue(guardKey{}, c)
	return c
}

// take counts conn in, or says why it is refused ("" and nil when
// the server is stopping).
func (g *connGuard) take(conn net.Conn) (c *guardedConn, refused string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.closed:
		return nil, ""
	case g.conns >= g.limits.conns:
		return nil, "conns"
	case len(g.pending) >= g.limits.pending:
		return nil, "pending"
	}
	c = &guardedConn{Conn: conn, guard: g}
	g.conns++
	remote := conn.RemoteAddr().String()
	g.pending[c] = g.limits.afterFunc(g.limits.login, func() { g.expire(c, remote) })
	return c, ""
}

func (g *connGuard) why(refused string) string {
	if refused == "conns" {
		return fmt.Sprintf("%d connections are open, the most ahtui serve takes", g.limits.conns)
	}
	return fmt.Sprintf("%d connections are still logging in, the most ahtui serve lets wait", g.limits.pending)
}

// loggedIn ends c's login: false when its deadline passed first.
func (g *connGuard) loggedIn(c *guardedConn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	stop, ok := g.pending[c]
	if ok {
		delete(g.pending, c)
		stop()
	}
	return ok
}

// expire closes c if it is still logging in.
func (g *connGuard) expire(c *guardedConn, remote string) {
	g.mu.Lock()
	_, ok := g.pending[c]
	// Forgotten under the lock: a login finishing now fails (loggedIn)
	// instead of succeeding on a connection about to be closed.
	delete(g.pending, c)
	g.mu.Unlock()
	if !ok {
		return
	}
	g.notice("login", fmt.Sprintf("closed an SSH connection from %s: it did not log in within %v", remote, g.limits.login))
	_ = c.Close()
}

// release forgets c, closed.
func (g *connGuard) release(c *guardedConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if stop, ok := g.pending[c]; ok {
		delete(g.pending, c)
		stop()
	}
	g.conns--
}

// close refuses connections from now on and closes those still logging
// in (the SSH server closes the others).
func (g *connGuard) close() {
	g.mu.Lock()
	g.closed = true
	var pending []*guardedConn
	for c := range g.pending {
		pending = append(pending, c)
	}
	g.mu.Unlock()
	for _, c := range pending {
		_ = c.Close()
	}
}

// guardedConn is an admitted connection; closing it gives its place back.
type guardedConn struct {
	net.Conn
	guard *connGuard
	once  sync.Once
}

func (c *guardedConn) Close() error {
	c.once.Do(func() { c.guard.release(c) })
	return c.Conn.Close()
}

// notices prints a line for an event of a kind at most once every
// noticeEvery, saying how many were not printed since the last.
type notices struct {
	print func(string)
	mu    sync.Mutex
	last  map[string]time.Time
	quiet map[string]int
}

func newNotices(print func(string)) *notices {
	return &notices{print: print, last: map[string]time.Time{}, quiet: map[string]int{}}
}

func (n *notices) note(kind, msg string) {
	n.mu.Lock()
	now := time.Now()
	if last, ok := n.last[kind]; ok && now.Sub(last) < noticeEvery {
		n.quiet[kind]++
		n.mu.Unlock()
		return
	}
	n.last[kind] = now
	if quiet := n.quiet[kind]; quiet > 0 {
		msg += fmt.Sprintf(" (and %d more since the last such line)", quiet)
	}
	n.quiet[kind] = 0
	n.mu.Unlock()
	n.print(msg)
}
