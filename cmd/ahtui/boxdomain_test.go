package main

import (
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Issue 14 item 4: boxes shows the box's AimHarder domain, and whether the
// hosts follow it or the URLs set by hand win.
func TestBoxesShowTheDomain(t *testing.T) {
	com := toBoxJSON(session.Box{ID: 1, Subdomain: "norte", Timezone: "Europe/Madrid"}, false)
	es := toBoxJSON(session.Box{ID: 2, Subdomain: "sur", Timezone: "Europe/Madrid", Domain: "aimharder.es"}, true)
	if com.Domain != "aimharder.com" || es.Domain != "aimharder.es" {
		t.Fatalf("domains %q %q", com.Domain, es.Domain)
	}
	prod, err := aimharder.New(aimharder.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	byHand, err := aimharder.New(aimharder.Config{LoginURL: "http://127.0.0.1:8088", PortalURL: "http://127.0.0.1:8088",
		BoxURLTemplate: "http://127.0.0.1:8088/b/{box}"})
	if err != nil {
		t.Fatal(err)
	}
	if domainNote(com, prod) != "" {
		t.Error("a note for an aimharder.com box")
	}
	if n := domainNote(es, prod); !strings.Contains(n, "sur is on aimharder.es") || !strings.Contains(n, "uses that domain's") {
		t.Errorf("production note %q", n)
	}
	if n := domainNote(es, byHand); !strings.Contains(n, "set other hosts") {
		t.Errorf("by-hand note %q", n)
	}
}
