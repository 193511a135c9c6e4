package doctor

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// fake serves the demo world over plain HTTP with the faults injected
// and returns a Config pointing at it, with the demo login.
func fake(t *testing.T, faults ...aimhardertest.Fault) (*aimhardertest.Server, Config) {
	t.Helper()
	f := aimhardertest.New(aimhardertest.DemoWorld(time.Now(), 1))
	for _, fault := range faults {
		f.Inject(fault)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, configFor(f.URLs(srv.URL))
}

func configFor(urls aimhardertest.URLs) Config {
	client := aimharder.DefaultConfig()
	client.LoginURL, client.PortalURL, client.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	return Config{
		Client:     client,
		Email:      aimhardertest.DemoEmail,
		Password:   aimhardertest.DemoPassword,
		ClockProbe: time.Millisecond, // the answers' Date headers are enough
	}
}

// run runs doctor and returns its report.
func run(t *testing.T, cfg Config) (string, Result) {
	t.Helper()
	var out bytes.Buffer
	cfg.Out = &out
	d, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res := d.Run(t.Context())
	report := out.String()
	if strings.Contains(report, cfg.Password) || strings.Contains(report, cfg.Email) {
		t.Errorf("the report shows the password or the e-mail:\n%s", report)
	}
	if !strings.Contains(report, "Summary: ") {
		t.Errorf("no summary:\n%s", report)
	}
	return report, res
}

// checkBlock returns the report line of the check whose title starts
// with title (after its status tag), and the lines under it.
func checkBlock(report, title string) string {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if len(l) > 7 && strings.HasPrefix(l[7:], title) {
			block := []string{l}
			for _, next := range lines[i+1:] {
				if !strings.HasPrefix(next, "       ") {
					break
				}
				block = append(block, next)
			}
			return strings.Join(block, "\n")
		}
	}
	return ""
}

func wantCheck(t *testing.T, report, title, tag string, contains ...string) {
	t.Helper()
	block := checkBlock(report, title)
	if !strings.HasPrefix(block, tag) {
		t.Errorf("check %q: want %s, got:\n%s\n\nwhole report:\n%s", title, tag, block, report)
		return
	}
	for _, c := range contains {
		if !strings.Contains(block, c) {
			t.Errorf("check %q lacks %q:\n%s", title, c, block)
		}
	}
}

func wantResult(t *testing.T, report string, got, want Result) {
	t.Helper()
	if got != want {
		t.Errorf("result %+v, want %+v:\n%s", got, want, report)
	}
}

// TestCleanRunPasses checks a run against the fake as it is: every check
// passes, the current box is the one read, the header says what was
// checked, and --logout ends the test session.
func TestCleanRunPasses(t *testing.T) {
	_, cfg := fake(t)
	// By name, so that the name is resolved.
	for _, u := range []*string{&cfg.Client.LoginURL, &cfg.Client.PortalURL, &cfg.Client.BoxURLTemplate} {
		*u = strings.Replace(*u, "127.0.0.1", "localhost", 1)
	}
	cfg.CurrentBox = &Box{ID: 20455, Subdomain: aimhardertest.DemoBoxCanarias, Timezone: "Atlantic/Canary",
		TimezoneSource: "detected", TimezoneClue: "Las Palmas", WindowNote: "48 h, counting elapsed hours"}
	cfg.Logout = true
	cfg.ClockProbe = 3 * time.Second // room for a probe round or two
	cfg.Version = "v1.2.3-test"
	report, res := run(t, cfg)
	wantResult(t, report, res, Result{})
	if !strings.Contains(report, "Summary: 0 problems, 0 warnings") {
		t.Errorf("a clean run:\n%s", report)
	}
	if strings.Contains(report, "[FAIL]") || strings.Contains(report, "[warn]") {
		t.Errorf("a clean run reports trouble:\n%s", report)
	}
	wantCheck(t, report, "Name resolution of localhost (login, portal, box)", "[ok]", "IPv4", "127.0.0.1")
	wantCheck(t, report, "Connection to localhost", "[ok]", "connected in", "plain HTTP")
	wantCheck(t, report, "HTTP answer of http://localhost:", "[ok]", "HTTP ")
	wantCheck(t, report, "Login", "[ok]", "logged in", "cookies set:", "values not shown")
	wantCheck(t, report, "Who you are", "[ok]", "3 boxes", "fields: as documented")
	wantCheck(t, report, "Classes of demo-canarias", "[ok]", " read", "fields: as documented",
		"time zone: Atlantic/Canary, detected from what AimHarder says about the box (Las Palmas)",
		"booking window: 48 h, counting elapsed hours")
	wantCheck(t, report, "Clock", "[ok]", "offset ", "samples")
	wantCheck(t, report, "Logout", "[ok]", "ended")
	for _, want := range []string{"ahtui doctor report, ", "ahtui v1.2.3-test, go", "checked with demo-canarias, your current box", "account: …@ahtui.test"} {
		if !strings.Contains(report, want) {
			t.Errorf("the header lacks %q:\n%s", want, report)
		}
	}
}

// TestWithoutCurrentBox: the sample box's host is checked, the account's
// first box is read, and the test session is left to expire.
func TestWithoutCurrentBox(t *testing.T) {
	_, cfg := fake(t)
	report, res := run(t, cfg)
	wantResult(t, report, res, Result{})
	if !strings.Contains(report, "checked with "+sampleBox+", a sample box: no current box in the database") {
		t.Errorf("the header does not say a sample box was checked:\n%s", report)
	}
	wantCheck(t, report, "Classes of demo-madrid", "[ok]",
		"time zone: Europe/Madrid, detected from what AimHarder says about the box (28012)")
	wantCheck(t, report, "Logout", "[skip]", "left to expire by itself")
}

// TestZoneThatIsAGuess: a box whose address places it nowhere is at the
// default zone, and doctor says how to set it.
func TestZoneThatIsAGuess(t *testing.T) {
	w := aimhardertest.DemoWorld(time.Now(), 1)
	w.Boxes[0].Address = "Calle Sin Código 1"
	srv := httptest.NewServer(aimhardertest.New(w))
	t.Cleanup(srv.Close)
	cfg := configFor(aimhardertest.New(w).URLs(srv.URL))
	report, res := run(t, cfg)
	wantResult(t, report, res, Result{})
	wantCheck(t, report, "Classes of demo-madrid", "[ok]", "time zone: Europe/Madrid, a guess",
		"`ahtui config box.demo-madrid.timezone Atlantic/Canary`")
}

// TestDiagnosesFaults runs doctor against the fake with each way the real
// service misbehaves and checks the diagnosis and the count.
func TestDiagnosesFaults(t *testing.T) {
	type want struct {
		title, tag string
		contains   []string
	}
	for _, tc := range []struct {
		name   string
		faults []aimhardertest.Fault
		offset time.Duration
		result Result
		want   []want
	}{
		{
			name: "geo-block", faults: []aimhardertest.Fault{{Kind: aimhardertest.FaultGeoBlock}},
			result: Result{Problems: 3}, // the HTTP answer of the shared base, the login, and the clock
			want: []want{
				{"HTTP answer", "[FAIL]", []string{"HTTP 403", "this network", "HTTPS_PROXY"}},
				{"Login", "[FAIL]", []string{"login: HTTP 403", "as above"}},
				{"Who you are", "[skip]", []string{"not logged in"}},
				{"Classes", "[skip]", []string{"not logged in"}},
			},
		},
		{
			name: "rate limit", faults: []aimhardertest.Fault{{Kind: aimhardertest.FaultRateLimit, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointLogin}}},
			result: Result{Problems: 1},
			want:   []want{{"Login", "[FAIL]", []string{"login: HTTP 429", "limiting requests"}}},
		},
		{
			name: "html everywhere", faults: []aimhardertest.Fault{{Kind: aimhardertest.FaultLoginPage}},
			want: []want{{"Login", "[FAIL]", []string{"an HTML page instead of JSON", "web page instead of data", "login has probably changed"}}},
		},
		{
			name: "html for the class list", faults: []aimhardertest.Fault{{Kind: aimhardertest.FaultLoginPage, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}}},
			result: Result{Problems: 1},
			want: []want{
				{"Login", "[ok]", nil},
				{"Who you are", "[ok]", nil},
				{"Classes of demo-madrid", "[FAIL]", []string{"an HTML page instead of JSON", "whoami says the session is alive", "never takes them for a logout"}},
			},
		},
		{
			name: "html for the class list, logged out", faults: []aimhardertest.Fault{
				{Kind: aimhardertest.FaultLogout, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}, Times: 1},
				{Kind: aimhardertest.FaultLoginPage, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}}},
			result: Result{Problems: 1},
			want: []want{
				{"Login", "[ok]", nil},
				{"Who you are", "[ok]", nil},
				{"Classes of demo-madrid", "[FAIL]", []string{"a web page (a login page) instead of data", "did not accept the session"}},
			},
		},
		{
			name: "forced logout", faults: []aimhardertest.Fault{{Kind: aimhardertest.FaultLogout}},
			want: []want{
				{"Login", "[ok]", nil},
				{"Who you are", "[FAIL]", []string{"logged out", "ended the session right after logging in"}},
				// The class list still comes, as the public schedule: not
				// taken for the member's view.
				{"Classes of demo-madrid", "[FAIL]", []string{"as the public schedule"}},
			},
		},
		{
			name: "server errors", faults: []aimhardertest.Fault{{Kind: aimhardertest.FaultStatus, Status: http.StatusServiceUnavailable, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointWhoami}}},
			want: []want{{"Who you are", "[FAIL]", []string{"HTTP 503", "having trouble", "not a problem on your side"}}},
		},
		{
			name: "unknown and missing fields",
			faults: []aimhardertest.Fault{
				{Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{ExtraKeys: true}},
				{Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{MissingOptional: true}},
			},
			result: Result{Warnings: 2}, // unknown fields are a warning, not a failure
			want: []want{
				{"Who you are", "[warn]", []string{"fields ahtui does not know: data[].lang, data[].roles[].logo"}},
				{"Classes of demo-madrid", "[warn]", []string{"bookings[].extraInfo", "isMember", "as above"}},
			},
		},
		{
			name: "clock 5 minutes ahead", offset: 5 * time.Minute, result: Result{Warnings: 1},
			want: []want{{"Clock", "[warn]", []string{"NTP"}}},
		},
		{
			name: "clock 11 minutes behind", offset: -11 * time.Minute, result: Result{Problems: 1},
			want: []want{{"Clock", "[FAIL]", []string{"more than 10 minutes", "fires prebookings by this machine's clock"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, cfg := fake(t, tc.faults...)
			f.SetClockOffset(tc.offset)
			report, res := run(t, cfg)
			if tc.result != (Result{}) {
				wantResult(t, report, res, tc.result)
			} else if res.Problems == 0 {
				t.Errorf("no problem found:\n%s", report)
			}
			for _, w := range tc.want {
				wantCheck(t, report, w.title, w.tag, w.contains...)
			}
		})
	}
}

// TestClockOffsetIsReported: the offset the fake's clock runs at is the
// one reported (± half a second: the Date header has whole seconds).
func TestClockOffsetIsReported(t *testing.T) {
	for _, tc := range []struct {
		offset time.Duration
		either []string
	}{
		{5 * time.Minute, []string{"offset +4m59", "offset +5m0"}},
		{-11 * time.Minute, []string{"offset -10m59", "offset -11m0"}},
	} {
		f, cfg := fake(t)
		f.SetClockOffset(tc.offset)
		report, _ := run(t, cfg)
		b := checkBlock(report, "Clock")
		if !strings.Contains(b, tc.either[0]) && !strings.Contains(b, tc.either[1]) {
			t.Errorf("offset %s is not reported as such:\n%s", tc.offset, b)
		}
	}
}

// TestBadEndpoint: a base URL without a host is a configuration mistake
// New reports; an unreachable one is a failed connection.
func TestBadEndpoint(t *testing.T) {
	// A port nothing listens on: one that was free a moment ago.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	cfg := configFor(aimhardertest.URLs{Login: base, Portal: base, BoxTemplate: base + "/b"})
	if _, err := New(cfg); err == nil {
		t.Errorf("a box URL without {box} was accepted")
	}
	cfg.Client.BoxURLTemplate = base + "/b/{box}"
	report, res := run(t, cfg)
	wantCheck(t, report, "Connection to 127.0.0.1 (login, portal, box)", "[FAIL]", "cannot connect to "+ln.Addr().String(), "no connection to AimHarder")
	wantCheck(t, report, "HTTP answer of "+base+" (login, portal)", "[FAIL]", "no answer:")
	if strings.Contains(checkBlock(report, "HTTP answer of "+base+" (login, portal)"), base+"/") {
		t.Errorf("the HTTP error repeats the URL:\n%s", report)
	}
	wantCheck(t, report, "Login", "[FAIL]")
	wantCheck(t, report, "Clock", "[warn]")
	if res.Problems < 4 {
		t.Errorf("result %+v:\n%s", res, report)
	}
}

// TestReportsAnswerShapes: doctor says which minority shapes
// (docs/protocol.md §10B) it met in the class list, and that the book and
// cancel ones need a booking it does not make.
func TestReportsAnswerShapes(t *testing.T) {
	_, cfg := fake(t)
	report, _ := run(t, cfg)
	wantCheck(t, report, "Answer shapes other clients report", "[ok]", `every class as "HH:MM - HH:MM"`,
		"without bookState/cancelState: not checked (needs a booking)", "−12 without errorMssgLang: not checked",
		"bookState 0 for a booked place: not checked", "classes listed only once their booking opens: not checked")

	_, cfg = fake(t, aimhardertest.Fault{Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{TimeIDOnly: true},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}})
	report, _ = run(t, cfg)
	wantCheck(t, report, "Answer shapes other clients report", "[ok]", `0 as "HH:MM - HH:MM", 0 as a start time with a length`,
		`from timeid only ("900_60"), 0 unreadable`)
}
