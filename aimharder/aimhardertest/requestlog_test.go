package aimhardertest

import (
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestRequestLog(t *testing.T) {
	var mu sync.Mutex
	var seen []Request
	f := newFixture(t, WithRequestLog(func(r Request) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
	}))
	fp := "fingerprint-abcdefghijklmnop"
	ana := f.login("ana@test.es", fp)
	ana.get(f.u.Portal + "/setrefresh?" + url.Values{"token": {ana.token}, "fingerprint": {fp}}.Encode())
	ana.tokenUpdate(ana.token, fp)
	day := date(2026, 10, 21)
	ana.family = "601"
	id := ana.classID("alpha", day, "07:00", "WOD")
	ana.book("alpha", id, day, false)

	log := f.s.Requests()
	if len(log) != 5 {
		t.Fatalf("%d entries", len(log))
	}
	login, refresh, update, list, book := log[0], log[1], log[2], log[3], log[4]
	if login.Role != RoleLogin || login.Endpoint != EndpointLogin || login.Form["password"] != "[redacted]" ||
		login.Form["username"] != "ana@test.es" || login.Code != "authOK" || login.Session == "" || login.Fingerprint != fp || login.User != "ana@test.es" {
		t.Fatalf("login entry %+v", login)
	}
	if strings.Contains(refresh.Query, ana.token) || !strings.Contains(refresh.Query, "token=redacted") {
		t.Fatalf("setrefresh query leaks the token: %q", refresh.Query)
	}
	if update.Form["token"] != "[redacted]" || update.Code != "newToken" || update.Session != login.Session {
		t.Fatalf("tokenUpdate entry %+v", update)
	}
	if list.Role != RoleBox || list.Box != "alpha" || list.Endpoint != EndpointBookings || list.FamilyID != "601" ||
		list.Method != "GET" || list.Path != "/b/alpha/api/bookings" || !strings.Contains(list.Query, "day=20261021") {
		t.Fatalf("bookings entry %+v", list)
	}
	if book.Code != "bookState=1" || book.Status != 200 || book.FamilyID != "601" || strings.Join(book.BodyKeys(), ",") != "day,familyId,id,insist" {
		t.Fatalf("book entry %+v", book)
	}
	if !book.Arrived.Equal(t0) || !book.ArrivedClock.Equal(t0) || !book.Completed.Equal(t0) {
		t.Fatalf("times %v %v %v", book.Arrived, book.ArrivedClock, book.Completed)
	}
	for i, e := range log {
		if e.Seq != i+1 {
			t.Fatalf("seq %d at %d", e.Seq, i)
		}
		line := e.String()
		if strings.Contains(line, pw) || strings.Contains(line, fp) || strings.Contains(line, ana.token) {
			t.Fatalf("log line leaks a secret: %s", line)
		}
	}
	mu.Lock()
	if len(seen) != 5 || seen[4].Seq != 5 {
		t.Fatalf("callback saw %d", len(seen))
	}
	mu.Unlock()
	f.s.ResetRequests()
	if len(f.s.Requests()) != 0 {
		t.Fatalf("reset")
	}
}
