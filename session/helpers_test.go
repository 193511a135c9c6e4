package session

import (
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// testClock is a hand-driven clock for lease expiry and token age.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var testAccount = Account{Email: "ana@example.com", UserID: 4242, Name: "Ana"}

// tempDBPath returns a path whose folder does not exist yet.
func tempDBPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "data", "ahtui", "ahtui.db")
}

// openStore opens a fresh database with a test clock and closes it at the end.
func openStore(t *testing.T, opts ...Option) (*Store, *testClock) {
	t.Helper()
	clock := newTestClock()
	s := openAt(t, tempDBPath(t), append([]Option{WithClock(clock.Now)}, opts...)...)
	return s, clock
}

func openAt(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// credsFor builds credentials with recognisable secret values.
func credsFor(token string) aimharder.Credentials {
	return aimharder.Credentials{
		Token:       token,
		Fingerprint: "fp-0123456789",
		Cookies:     map[string]string{aimharder.AuthCookie: "auth-" + token, "PHPSESSID": "php-" + token},
	}
}

func login(t *testing.T, s *Store, kind Kind, token string) aimharder.Credentials {
	t.Helper()
	creds := credsFor(token)
	if err := s.SaveLogin(t.Context(), kind, testAccount, creds); err != nil {
		t.Fatalf("SaveLogin(%s): %v", kind, err)
	}
	return creds
}

func mustSession(t *testing.T, s *Store, kind Kind) Session {
	t.Helper()
	sess, err := s.Session(t.Context(), kind)
	if err != nil {
		t.Fatalf("Session(%s): %v", kind, err)
	}
	return sess
}

// rawDB opens the file without the Store, as another program would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// secretsOf lists the token and cookie values of creds, which must never
// show in output.
func secretsOf(creds ...aimharder.Credentials) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Token)
		for _, v := range c.Cookies {
			out = append(out, v)
		}
	}
	return out
}
