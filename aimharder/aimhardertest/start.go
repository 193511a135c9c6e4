package aimhardertest

import "net/http/httptest"

// TB is the part of testing.TB that Start needs. Taking an interface keeps
// package testing out of binaries that import this package (`ahtui sim`).
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Start serves a new fake on a local httptest listener, closed when the
// test ends, and returns it with the URLs to configure a client with.
func Start(t TB, w World, opts ...Option) (*Server, URLs) {
	t.Helper()
	if err := w.Validate(); err != nil {
		t.Fatalf("aimhardertest: %v", err)
		return nil, URLs{}
	}
	s := New(w, opts...)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, s.URLs(hs.URL)
}
