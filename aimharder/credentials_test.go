package aimharder

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
)

func TestCookieChanges(t *testing.T) {
	before := map[string]string{"kept": "1", "changed": "old", "expired": "x"}
	after := map[string]string{"kept": "1", "changed": "new", "added": "y"}
	want := map[string]string{"changed": "new", "added": "y", "expired": ""}
	if got := CookieChanges(before, after); !maps.Equal(got, want) {
		t.Errorf("CookieChanges = %v, want %v", got, want)
	}
	if got := CookieChanges(before, before); len(got) != 0 {
		t.Errorf("no change: %v", got)
	}
	// Applied to other credentials, it carries the changes over and keeps
	// what they changed themselves.
	other := Credentials{Cookies: map[string]string{"kept": "1", "changed": "old", "expired": "x", "mine": "z"}}
	got := other.WithCookies(CookieChanges(before, after)).Cookies
	if !maps.Equal(got, map[string]string{"kept": "1", "changed": "new", "added": "y", "mine": "z"}) {
		t.Errorf("applied: %v", got)
	}
}

func TestAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.Canceled, false},
		{&TransportError{Endpoint: "book", Err: context.Canceled}, false},
		{&HTTPError{Endpoint: "book", Status: 502}, true},
		{&TransportError{Endpoint: "book", Err: context.DeadlineExceeded}, true},
		{fmt.Errorf("wrapped: %w", &ProtocolError{Endpoint: "book", Problem: "cut short"}), true},
		{ErrTooEarly, false},
		{ErrFull, false},
		{errors.New("something else"), false},
	} {
		if got := Ambiguous(tc.err); got != tc.want {
			t.Errorf("Ambiguous(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
