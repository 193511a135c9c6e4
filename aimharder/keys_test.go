package aimharder_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// bodyRecorder keeps the last body of each endpoint path, as the real
// service sent it.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies map[string][]byte
}

func (b *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.bodies[req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]] = body
	b.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// TestCheckKeysAgainstTheFake: the fake sends the documented keys, so a
// clean answer differs in nothing; its "extra keys" shape shows as
// unknown keys, and its "missing optional" shape is no problem.
func TestCheckKeysAgainstTheFake(t *testing.T) {
	now := time.Date(2026, 10, 13, 9, 0, 0, 0, madrid)
	fake, urls := aimhardertest.Start(t, aimhardertest.DemoWorld(now, 1), aimhardertest.WithClock(aimhardertest.NewManualClock(now)))
	rec := &bodyRecorder{bodies: map[string][]byte{}}
	c, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal, BoxURLTemplate: urls.BoxTemplate,
		HTTPClient: &http.Client{Transport: rec}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Login(t.Context(), aimhardertest.DemoEmail, aimhardertest.DemoPassword, fpUI)
	if err != nil {
		t.Fatal(err)
	}
	var box aimharder.BoxRef
	for _, b := range res.User.Boxes {
		if b.Subdomain == aimhardertest.DemoBoxMadrid {
			box = b.Ref(madrid)
		}
	}
	fetch := func() (whoami, bookings aimharder.KeyCheck) {
		t.Helper()
		if _, _, err := c.Whoami(t.Context(), res.Credentials); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Day(t.Context(), res.Credentials, box, aimharder.DateOf(now), ""); err != nil {
			t.Fatal(err)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if whoami, err = aimharder.CheckKeys("whoami", rec.bodies["whoami"]); err != nil {
			t.Fatal(err)
		}
		if bookings, err = aimharder.CheckKeys("bookings", rec.bodies["bookings"]); err != nil {
			t.Fatal(err)
		}
		return whoami, bookings
	}

	w, b := fetch()
	if !w.OK() || !b.OK() || w.Objects == 0 || b.Objects == 0 {
		t.Errorf("clean answers: whoami %+v, bookings %+v", w, b)
	}

	fake.SetShape(aimhardertest.Shape{ExtraKeys: true})
	w, b = fetch()
	if !slices.Contains(w.Unknown, "data[].roles[].logo") || !slices.Contains(w.Unknown, "data[].lang") {
		t.Errorf("whoami with extra keys: unknown %v", w.Unknown)
	}
	if !slices.Contains(b.Unknown, "bookings[].extraInfo") || !slices.Contains(b.Unknown, "isMember") {
		t.Errorf("bookings with extra keys: unknown %v", b.Unknown)
	}
	if len(w.Missing)+len(b.Missing)+len(w.Needed)+len(b.Needed) != 0 {
		t.Errorf("extra keys reported missing ones: %+v %+v", w, b)
	}

	fake.SetShape(aimhardertest.Shape{MissingOptional: true})
	if w, b = fetch(); !w.OK() || !b.OK() {
		t.Errorf("optional keys left out are not a difference: whoami %+v, bookings %+v", w, b)
	}
}

func TestCheckKeysMissingAndNeeded(t *testing.T) {
	// A row without bookState or idres decodes as "not booked": exactly
	// what a member must be told. time may stand in for timeid.
	body := `{"bookings":{"0":{"id":1,"time":"07:00 - 08:00","className":"WOD","ocupation":3,"limit":"14 (2)"}},` +
		`"timetable":[],"day":"x","clasesDisp":""}`
	k, err := aimharder.CheckKeys("bookings", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if k.Objects != 1 || len(k.Unknown) != 0 {
		t.Errorf("objects %d, unknown %v", k.Objects, k.Unknown)
	}
	if want := []string{"bookings[].bookState", "bookings[].idres"}; !slices.Equal(k.Needed, want) {
		t.Errorf("needed %v, want %v", k.Needed, want)
	}
	for _, m := range []string{"bookings[].timeid", "bookings[].limitc", "bookings[].cancelledId"} {
		if !slices.Contains(k.Missing, m) {
			t.Errorf("missing %v lacks %s", k.Missing, m)
		}
	}
	if slices.Contains(k.Missing, "bookings[].waitlist") || slices.Contains(k.Missing, "seminars") {
		t.Errorf("optional keys reported missing: %v", k.Missing)
	}

	// whoami's data as a single object is tolerated by the decoder.
	k, err = aimharder.CheckKeys("whoami", []byte(`{"data":{"id":4242,"name":"A","roles":[{"gym":"G","role":"client"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"data[].roles[].boid", "data[].roles[].centre_url"}; !slices.Equal(k.Needed, want) || k.Objects != 1 {
		t.Errorf("whoami: %+v", k)
	}
	if !slices.Contains(k.Missing, "data[].photo") {
		t.Errorf("whoami missing %v lacks data[].photo", k.Missing)
	}

	for _, bad := range []string{"<html>login</html>", `{"bookings":[`, `[1,2]`} {
		if _, err := aimharder.CheckKeys("bookings", []byte(bad)); err == nil {
			t.Errorf("CheckKeys(%q) accepted it", bad)
		}
	}
	if _, err := aimharder.CheckKeys("book", []byte(`{}`)); err == nil {
		t.Error("an endpoint without documented keys was accepted")
	}
}
