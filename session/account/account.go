// Package account is what a member does with AimHarder — log in, list a
// box's classes, book, cancel — carried out with the credentials in the
// store. It is the one place that pairs the stateless aimharder client with
// the session store, so every caller (CLI, TUI, scheduler) reads the
// current token from the store for each request and persists whatever the
// server changed (docs/product.md invariants 1–4).
//
// Every operation names the session kind it uses: there is no default.
package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Errors callers branch on (the CLI turns the first two into exit status 3).
var (
	// ErrNotLoggedIn: there is no session of the kind asked for.
	ErrNotLoggedIn = errors.New("you are not logged in: run `ahtui login`")
	// ErrSessionExpired: AimHarder ended the session and no password_command
	// could log in again.
	ErrSessionExpired = errors.New("your AimHarder session has expired: log in again with `ahtui login`")
	// ErrNoBox: no current box is chosen.
	ErrNoBox = errors.New("no box chosen: run `ahtui boxes` and `ahtui box use <box>`")
	// ErrClassNotFound: the class id is not in that day's schedule.
	ErrClassNotFound = errors.New("there is no class with that id on that day")
	// ErrNotBooked: cancel found no reservation of the member for the class.
	ErrNotBooked = errors.New("you have no booking for that class")
	// ErrLateCancelNeedsConsent: the cancel falls inside the late-cancel
	// window and the member has not agreed to lose the credit.
	ErrLateCancelNeedsConsent = errors.New("this is a late cancel: the class credit will be lost")
	// ErrCancelNotApplied: the server said cancelled but the booking is still there.
	ErrCancelNotApplied = errors.New("AimHarder answered the cancel but the booking is still there")
)

// Config wires a Service.
type Config struct {
	Store  *session.Store
	Client *aimharder.Client
	// Owner names this process in session leases (session.NewOwner).
	Owner string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives redacted diagnostics (default: discard).
	Logger *slog.Logger
	// PasswordCommand runs a password_command and returns its output
	// (default: through the shell, see runPasswordCommand). Tests replace it.
	PasswordCommand func(ctx context.Context, command string) (string, error)
}

// Service performs member operations with the store's credentials.
type Service struct {
	store  *session.Store
	client *aimharder.Client // as configured, on aimharder.com's hosts
	// onDomain is client following the account's AimHarder domain (api);
	// nil until known.
	onDomain atomic.Pointer[aimharder.Client]
	owner    string
	now      func() time.Time
	log      *slog.Logger
	password func(ctx context.Context, command string) (string, error)
}

// New returns a Service. Store and Client are required.
func New(cfg Config) *Service {
	s := &Service{
		store:    cfg.Store,
		client:   cfg.Client,
		owner:    cfg.Owner,
		now:      cfg.Now,
		log:      cfg.Logger,
		password: cfg.PasswordCommand,
	}
	if s.owner == "" {
		s.owner = session.NewOwner("account")
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.password == nil {
		s.password = runPasswordCommand
	}
	return s
}

// api is the client for the account: on its AimHarder domain
// (docs/protocol.md §1, .es deployments) when its boxes are all on one
// other than aimharder.com and the configured hosts are the production
// ones; the configured client otherwise (URLs set by hand win).
func (s *Service) api(ctx context.Context) *aimharder.Client {
	if c := s.onDomain.Load(); c != nil {
		return c
	}
	domain, err := s.store.AccountDomain(ctx)
	if err != nil {
		return s.client // not remembered: asked again next time
	}
	c := s.client.ForDomain(domain)
	s.onDomain.Store(c)
	return c
}

// Client returns the client for the account's AimHarder domain (see
// api), for callers that talk to AimHarder themselves (the scheduler).
func (s *Service) Client(ctx context.Context) *aimharder.Client { return s.api(ctx) }

// Store returns the store the service works on.
func (s *Service) Store() *session.Store { return s.store }

// Now returns the service's current time.
func (s *Service) Now() time.Time { return s.now() }

// BoxRef turns a stored box into what box calls need.
func BoxRef(b session.Box) (aimharder.BoxRef, error) {
	loc, err := b.Location()
	if err != nil {
		return aimharder.BoxRef{}, fmt.Errorf("box %s: %w", b.Subdomain, err)
	}
	return aimharder.BoxRef{ID: b.ID, Subdomain: b.Subdomain, Location: loc, Domain: b.Domain}, nil
}

// CurrentBox returns the member's current box, or ErrNoBox.
func (s *Service) CurrentBox(ctx context.Context) (session.Box, error) {
	if _, err := s.store.Account(ctx); errors.Is(err, session.ErrNoAccount) {
		return session.Box{}, ErrNotLoggedIn
	}
	b, err := s.store.CurrentBox(ctx)
	if errors.Is(err, session.ErrNotFound) {
		return session.Box{}, ErrNoBox
	}
	return b, err
}

// FindBox finds a box by subdomain or numeric id.
func (s *Service) FindBox(ctx context.Context, key string) (session.Box, error) {
	boxes, err := s.store.Boxes(ctx)
	if err != nil {
		return session.Box{}, err
	}
	for _, b := range boxes {
		if b.Subdomain == key || fmt.Sprint(b.ID) == key {
			return b, nil
		}
	}
	return session.Box{}, fmt.Errorf("no box %q among your boxes (see `ahtui boxes`)", key)
}
