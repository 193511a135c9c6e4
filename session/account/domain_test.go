package account_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// Issue 14 item 4: an account whose boxes are on aimharder.es. The fake
// routes by Host for aimharder.com and .es; the client is configured with
// the production-shaped hosts and every connection goes to the fake.
func TestAccountOnEsDomain(t *testing.T) {
	w := world()
	w.Boxes[0].Domain = "aimharder.es"
	fake := aimhardertest.New(w, aimhardertest.WithHostDomain("aimharder.com"))
	hs := httptest.NewServer(fake)
	t.Cleanup(hs.Close)
	addr := hs.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	client, err := aimharder.New(aimharder.Config{LoginURL: "http://login.aimharder.com", PortalURL: "http://aimharder.com",
		BoxURLTemplate: "http://{box}.aimharder.com", HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.db")
	store, err := session.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass show aimharder"); err != nil {
		t.Fatal(err)
	}
	newSvc := func() *account.Service {
		return account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test"),
			PasswordCommand: func(context.Context, string) (string, error) { return password, nil }})
	}
	svc := newSvc()
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Boxes) != 1 || res.Boxes[0].Domain != "aimharder.es" {
		t.Fatalf("boxes = %+v", res.Boxes)
	}
	hosts := func(ep aimhardertest.Endpoint) []string {
		var out []string
		for _, r := range fake.Requests() {
			if r.Endpoint == ep {
				out = append(out, r.Host)
			}
		}
		return out
	}
	// The device login found the domain; the background one went there at once.
	if got := strings.Join(hosts(aimhardertest.EndpointLogin), " "); !strings.HasSuffix(got, "login.aimharder.es login.aimharder.es") {
		t.Errorf("logins at %s", got)
	}
	fake.ResetRequests()

	// Another process: the domain comes from the stored boxes.
	other := newSvc()
	if _, err := other.Day(t.Context(), session.KindDevice, res.Boxes[0], aimharder.DateOf(other.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Whoami(t.Context(), session.KindBackground); err != nil {
		t.Fatal(err)
	}
	for _, ep := range []aimhardertest.Endpoint{aimhardertest.EndpointBookings, aimhardertest.EndpointWhoami} {
		for _, h := range hosts(ep) {
			if !strings.HasSuffix(h, "aimharder.es") {
				t.Errorf("%s went to %s", ep, h)
			}
		}
	}
	// A re-login goes straight to the .es login host.
	fake.ResetRequests()
	fake.ForceLogout(email, "")
	if _, err := other.Whoami(t.Context(), session.KindDevice); err != nil {
		t.Fatal(err)
	}
	if got := hosts(aimhardertest.EndpointLogin); len(got) != 1 || got[0] != "login.aimharder.es" {
		t.Errorf("re-login at %v", got)
	}
	if d, _ := store.AccountDomain(t.Context()); d != "aimharder.es" {
		t.Errorf("account domain %q", d)
	}
}
