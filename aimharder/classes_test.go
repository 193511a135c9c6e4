package aimharder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

// dayBody has the [LIVE] envelope and row keys of docs/protocol.md §5, with the quirks of
// docs/protocol.md §10A on the second row (numbers as strings, "N (w)" limit, flags as
// strings, padded names, extra keys).
const dayBody = `{"bookings":[
 {"id":106015104,"time":"07:00 - 08:00","timeid":"0700_60","classLength":60,"classId":3,
  "className":" OPEN BOX ","classDesc":"Free training ","color":"39, 174, 96","boxName":"Sample Gym ",
  "boxDir":"Calle Mayor 1","boxPic":null,"coachName":" Marta ","coachPic":null,"ocupation":12,"limit":14,
  "limitc":14,"bookState":1,"idres":106028586,"cancelledId":null,"resadmin":0,"enabled":1,"spotres":null,
  "included":1,"checkAthletesNum":0,"onlineclass":0,"zoomid":null,"zoomJoinUrl":null,"zoomJoinPw":null,
  "athletes":[{"id":4242,"name":"Ana P. ","pic":null},{"id":"77","name":"Luis G.","pic":"https://img.example/77.jpg"}]},
 {"id":"106015105","time":"18:00-19:30","timeid":"1800_90","classLength":"90","classId":"5","className":"TEAM WOD",
  "classDesc":null,"color":"200, 0, 0","coachName":null,"ocupation":"14","limit":"14 (2)","limitc":"14",
  "bookState":null,"idres":null,"cancelledId":null,"resadmin":"0","enabled":"1","included":true,"hidden":"0",
  "onlineclass":false,"newUnknownKey":{"nested":[1,2,3]}}
],
"timetable":[{"id":"0700_60","time":"07:00 - 08:00"},{"id":"1800_90","time":"18:00 - 19:30"}],
"day":" Martes, 27 de Octubre de 2026 ","clasesDisp":"","seminars":[],"resmsgs":[]}`

func TestDayDecodesRows(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", replyFunc(dayBody))
	box := testBox(t)
	day := Date{2026, 10, 27}
	d, _, err := f.client().Day(context.Background(), testCreds(), box, day, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Date != day || d.Label != "Martes, 27 de Octubre de 2026" || len(d.Notices) != 0 || len(d.Warnings) != 0 || !d.MemberData {
		t.Errorf("day = %+v", d)
	}
	if len(d.Classes) != 2 {
		t.Fatalf("%d classes", len(d.Classes))
	}
	madrid := box.Location
	want0 := Class{
		ID: 106015104, TypeID: 3, Name: "OPEN BOX", Description: "Free training", Coach: "Marta", Color: "39, 174, 96",
		Date: day, Start: time.Date(2026, 10, 27, 7, 0, 0, 0, madrid), End: time.Date(2026, 10, 27, 8, 0, 0, 0, madrid),
		TimeFrom:  TimeFromRange,
		Occupancy: 12, Capacity: 14, State: StateBooked, ReservationID: 106028586,
		Enabled: true, Included: true,
		Attendees: []Attendee{{ID: 4242, Name: "Ana P."}, {ID: 77, Name: "Luis G.", Photo: "https://img.example/77.jpg"}},
	}
	if !reflect.DeepEqual(d.Classes[0], want0) {
		t.Errorf("class 0 =\n%+v\nwant\n%+v", d.Classes[0], want0)
	}
	want1 := Class{
		ID: 106015105, TypeID: 5, Name: "TEAM WOD", Color: "200, 0, 0",
		Date: day, Start: time.Date(2026, 10, 27, 18, 0, 0, 0, madrid), End: time.Date(2026, 10, 27, 19, 30, 0, 0, madrid),
		TimeFrom:  TimeFromRange,
		Occupancy: 14, Capacity: 14, Waitlist: 2, LimitText: "14 (2)", State: StateNone,
		Enabled: true, Included: true,
	}
	if !reflect.DeepEqual(d.Classes[1], want1) {
		t.Errorf("class 1 =\n%+v\nwant\n%+v", d.Classes[1], want1)
	}
	if !d.Classes[1].Full() || d.Classes[0].Full() {
		t.Error("Full disagrees with §5.3")
	}
}

// row wraps one row's JSON in a day envelope.
func row(fields string) string {
	return `{"bookings":[{"id":1,"time":"07:00 - 08:00"` + fields + `}],"day":"x","resmsgs":[]}`
}

func decodeOne(t *testing.T, body string) Class {
	t.Helper()
	d, err := decodeDay([]byte(body), Date{2026, 10, 27}, mustLoad(t, "Europe/Madrid"))
	if err != nil {
		t.Fatalf("decodeDay: %v", err)
	}
	if len(d.Classes) != 1 {
		t.Fatalf("%d classes, warnings %v", len(d.Classes), d.Warnings)
	}
	return d.Classes[0]
}

// Each item of docs/protocol.md §10A "What the client must tolerate" that concerns rows.
func TestDayToleratesQuirks(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	at := func(h, m int) time.Time { return time.Date(2026, 10, 27, h, m, 0, 0, madrid) }
	tests := []struct {
		name  string
		body  string
		check func(Class) bool
	}{
		{"numbers as strings", row(`,"id":"106015104","ocupation":"3","limitc":"20","idres":"106028586","bookState":"1"`),
			func(c Class) bool {
				return c.ID == 106015104 && c.Occupancy == 3 && c.Capacity == 20 && c.ReservationID == 106028586 && c.State == StateBooked
			}},
		{"limit N (w)", row(`,"limit":"20 (3)"`), func(c Class) bool { return c.Capacity == 20 && c.Waitlist == 3 && c.LimitText == "20 (3)" }},
		{"limit plain string", row(`,"limit":" 20 "`), func(c Class) bool { return c.Capacity == 20 && c.LimitText == "" }},
		{"limit other text", row(`,"limit":"Sin límite","limitc":30`), func(c Class) bool { return c.Capacity == 30 && c.LimitText == "Sin límite" }},
		{"limitc wins over limit", row(`,"limit":15,"limitc":"12"`), func(c Class) bool { return c.Capacity == 12 }},
		{"waitlist key wins", row(`,"limit":"20 (3)","waitlist":5`), func(c Class) bool { return c.Waitlist == 5 }},
		{"flags as booleans", row(`,"enabled":true,"resadmin":false,"included":true,"hidden":true,"onlineclass":true`),
			func(c Class) bool { return c.Enabled && !c.StaffManaged && c.Included && c.Hidden && c.Online }},
		{`flags as "0"/"1"`, row(`,"enabled":"1","resadmin":"1","included":"0","hidden":"1"`),
			func(c Class) bool { return c.Enabled && c.StaffManaged && !c.Included && c.Hidden }},
		{"missing optional keys", row(``), func(c Class) bool {
			return c.State == StateNone && c.Attendees == nil && c.Waitlist == 0 && !c.Hidden && c.Capacity == 0 && !c.Full()
		}},
		{"nulls", row(`,"bookState":null,"idres":null,"cancelledId":null,"coachName":null,"boxPic":null,"spotres":null,"limit":null,"waitlist":null`),
			func(c Class) bool {
				return c.State == StateNone && c.ReservationID == 0 && !c.Cancelled && c.Coach == ""
			}},
		{"unknown extra keys", row(`,"brandNew":{"a":[{"b":null}]},"another":[1,"x"]`), func(c Class) bool { return c.ID == 1 }},
		{"padded names", row(`,"className":"  WOD ","coachName":" Marta  ","classDesc":"\tdesc\n"`),
			func(c Class) bool { return c.Name == "WOD" && c.Coach == "Marta" && c.Description == "desc" }},
		{"time with spaces", row(`,"time":"07:00 - 08:00"`), func(c Class) bool { return c.Start.Equal(at(7, 0)) && c.End.Equal(at(8, 0)) }},
		{"time without spaces", row(`,"time":"18:00-19:30"`), func(c Class) bool { return c.Start.Equal(at(18, 0)) && c.End.Equal(at(19, 30)) }},
		{"time with an en dash", row(`,"time":"9:15 – 10:00"`), func(c Class) bool { return c.Start.Equal(at(9, 15)) && c.End.Equal(at(10, 0)) }},
		{"only timeid", row(`,"time":null,"timeid":"1800_90"`), func(c Class) bool { return c.Start.Equal(at(18, 0)) && c.End.Equal(at(19, 30)) }},
		{"timeid and classLength", row(`,"time":"","timeid":"0630_60","classLength":"45"`),
			func(c Class) bool { return c.Start.Equal(at(6, 30)) && c.End.Equal(at(7, 15)) }},
		{"past midnight", row(`,"time":"23:30 - 00:30"`),
			func(c Class) bool { return c.End.Equal(time.Date(2026, 10, 28, 0, 30, 0, 0, madrid)) }},
		{"cancelledId number", row(`,"cancelledId":106028586`), func(c Class) bool { return c.Cancelled }},
		{"cancelledId string", row(`,"cancelledId":"106028586"`), func(c Class) bool { return c.Cancelled }},
		{"waitlisted", row(`,"bookState":0,"idres":9,"enabled":0`), func(c Class) bool { return c.State == StateWaitlisted && c.ReservationID == 9 }},
		{"unknown bookState", row(`,"bookState":7,"idres":9,"enabled":1`),
			func(c Class) bool { return c.State == StateUnknown }},
		{"float numbers", row(`,"ocupation":3.0,"limitc":"14.0"`), func(c Class) bool { return c.Occupancy == 3 && c.Capacity == 14 }},
		{"non-numeric count", row(`,"ocupation":"n/a","limitc":"-"`), func(c Class) bool { return c.Occupancy == 0 && c.Capacity == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := decodeOne(t, tt.body); !tt.check(c) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestDayDSTAndZones(t *testing.T) {
	madrid, canary := mustLoad(t, "Europe/Madrid"), mustLoad(t, "Atlantic/Canary")
	// The change day itself: 09:00 on Sun 25 Oct 2026 is CET (UTC+1).
	d, err := decodeDay([]byte(row(`,"time":"09:00 - 10:00"`)), Date{2026, 10, 25}, madrid)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Classes[0].Start.UTC(); !got.Equal(time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("Madrid start = %v", got)
	}
	d, err = decodeDay([]byte(row(`,"time":"09:00 - 10:00"`)), Date{2026, 10, 25}, canary)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Classes[0].Start; !got.Equal(time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC)) || got.Location() != canary {
		t.Errorf("Canary start = %v", got)
	}
}

func TestDaySkipsUnusableRowsWithWarnings(t *testing.T) {
	body := `{"bookings":[{"id":1,"time":"nonsense"},{"time":"07:00 - 08:00"},{"id":"abc","time":"07:00 - 08:00"},
	  {"id":2,"time":"25:00 - 26:00"},{"id":3,"time":"08:00 - 09:00"}]}`
	d, err := decodeDay([]byte(body), Date{2026, 10, 27}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Classes) != 1 || d.Classes[0].ID != 3 || len(d.Warnings) != 4 {
		t.Errorf("classes %+v warnings %q", d.Classes, d.Warnings)
	}
}

func TestDaySortsByStart(t *testing.T) {
	body := `{"bookings":[{"id":2,"time":"18:00 - 19:00"},{"id":1,"time":"07:00 - 08:00"},{"id":3,"time":"07:00-08:00"}]}`
	d, err := decodeDay([]byte(body), Date{2026, 10, 27}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range d.Classes {
		ids = append(ids, c.ID)
	}
	if !reflect.DeepEqual(ids, []int64{1, 3, 2}) {
		t.Errorf("order = %v", ids)
	}
}

func TestDayBookingsAsIndexedObject(t *testing.T) {
	// PHP's json_encode of an array with holes.
	body := `{"bookings":{"10":{"id":3,"time":"09:00 - 10:00"},"2":{"id":2,"time":"08:00 - 09:00"}},"resmsgs":{}}`
	d, err := decodeDay([]byte(body), Date{2026, 10, 27}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Classes) != 2 || d.Classes[0].ID != 2 || d.Classes[1].ID != 3 {
		t.Errorf("classes = %+v", d.Classes)
	}
}

func TestDayEmptyAndClosed(t *testing.T) {
	for _, body := range []string{emptyDay, `{"bookings":null}`, `{"bookings":[],"resmsgs":null,"seminars":null}`} {
		d, err := decodeDay([]byte(body), Date{2026, 10, 27}, time.UTC)
		if err != nil || len(d.Classes) != 0 || d.Classes == nil || d.MemberData {
			t.Errorf("%s: %+v %v", body, d, err)
		}
	}
}

func TestDayNotices(t *testing.T) {
	tests := []struct {
		resmsgs string
		want    []string
	}{
		{`[]`, nil},
		{`["Box cerrado por <b>festivo</b> "]`, []string{"Box cerrado por festivo"}},
		{`[{"title":"Aviso","message":"Sin clases el lunes"}]`, []string{"Aviso — Sin clases el lunes"}},
		{`[{"msg":"Solo socios"},{"foo":"bar","baz":"qux"},{"n":1}]`, []string{"Solo socios", "qux — bar", `{"n":1}`}},
		{`"one plain notice"`, []string{"one plain notice"}},
		{`[null, 42, ["a","b"]]`, []string{"42", "a — b"}},
		{`{"0":"first","1":"second"}`, []string{"first", "second"}},
	}
	for _, tt := range tests {
		body := `{"bookings":[{"id":1,"time":"07:00 - 08:00"}],"resmsgs":` + tt.resmsgs + `}`
		d, err := decodeDay([]byte(body), Date{2026, 10, 27}, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", tt.resmsgs, err)
		}
		if !reflect.DeepEqual(d.Notices, tt.want) || len(d.Classes) != 1 {
			t.Errorf("resmsgs %s: notices %q, want %q (rows kept: %d)", tt.resmsgs, d.Notices, tt.want, len(d.Classes))
		}
	}
}

func TestAttendeesNilMeansNotShared(t *testing.T) {
	tests := []struct {
		name, field string
		want        []Attendee
	}{
		{"missing", ``, nil},
		{"null", `,"athletes":null`, nil},
		{"string", `,"athletes":"Ana, Luis"`, nil},
		{"number", `,"athletes":3`, nil},
		{"single object", `,"athletes":{"id":1,"name":"Ana"}`, nil},
		{"list of names", `,"athletes":["Ana","Luis"]`, nil},
		{"list with a bad element", `,"athletes":[{"id":1,"name":"Ana"},7]`, nil},
		{"bad element type", `,"athletes":[{"id":{},"name":"Ana"}]`, nil},
		{"empty", `,"athletes":[]`, []Attendee{}},
		{"list", `,"athletes":[{"id":"1","name":" Ana ","pic":null},{"name":"Luis","photo":"p.jpg"}]`,
			[]Attendee{{ID: 1, Name: "Ana"}, {Name: "Luis", Photo: "p.jpg"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := decodeOne(t, row(tt.field))
			if !reflect.DeepEqual(c.Attendees, tt.want) || (tt.want != nil) != (c.Attendees != nil) {
				t.Errorf("attendees = %#v, want %#v", c.Attendees, tt.want)
			}
		})
	}
}

func TestMemberData(t *testing.T) {
	public := `{"bookings":[{"id":1,"time":"07:00 - 08:00","bookState":null,"idres":null},{"id":2,"time":"08:00 - 09:00"}]}`
	for body, want := range map[string]bool{
		public:                          false,
		row(`,"bookState":1,"idres":5`): true,
		row(`,"athletes":[]`):           true,
	} {
		d, err := decodeDay([]byte(body), Date{2026, 10, 27}, time.UTC)
		if err != nil || d.MemberData != want {
			t.Errorf("%s: MemberData = %v (%v)", body, d.MemberData, err)
		}
	}
}

func TestDayBadAnswers(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
		problem    string
	}{
		{"HTML instead of JSON", loginPage, ErrUnexpectedAnswer, ""},
		{"logout flag", `{"logout":1}`, ErrLoggedOut, ""},
		{"truncated", dayBody[:200], ErrProtocol, "truncated"},
		{"empty body", "", ErrProtocol, "empty"},
		{"not JSON", "Fatal error in line 3", ErrUnexpectedAnswer, ""},
		{"bookings is text", `{"bookings":"none"}`, ErrProtocol, "bookings is a string"},
		{"no bookings key", `{"day":"x"}`, ErrProtocol, "no bookings"},
		{"row is a number", `{"bookings":[1]}`, ErrProtocol, "bookings[0] is a number"},
		{"id is an object", `{"bookings":[{"id":1,"time":"07:00 - 08:00"},{"id":{"x":1}}]}`, ErrProtocol, "bookings[1]: id has the wrong type"},
		{"className is a list", row(`,"className":["a"]`), ErrProtocol, "className has the wrong type (array)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("GET /b/sample-gym/api/bookings", replyFunc(tt.body))
			_, _, err := f.client().Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 27}, "")
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.problem != "" {
				var pe *ProtocolError
				if !errors.As(err, &pe) || !strings.Contains(pe.Problem, tt.problem) || pe.Endpoint != "bookings" {
					t.Errorf("err = %v, want a problem about %q", err, tt.problem)
				}
			}
		})
	}
	t.Run("truncated is retryable", func(t *testing.T) {
		f := newFake(t)
		f.handle("GET /b/sample-gym/api/bookings", replyFunc(dayBody[:100]))
		_, _, err := f.client().Day(context.Background(), testCreds(), testBox(t), Date{2026, 10, 27}, "")
		if !IsRetryable(err) {
			t.Errorf("err = %v: a truncated read may be retried", err)
		}
	})
}

func TestDayArguments(t *testing.T) {
	f := newFake(t)
	c := f.client()
	if _, _, err := c.Day(context.Background(), testCreds(), BoxRef{ID: 0, Subdomain: "x"}, Date{2026, 10, 27}, ""); err == nil {
		t.Error("a box without id was accepted")
	}
	if _, _, err := c.Day(context.Background(), testCreds(), BoxRef{ID: 1, Subdomain: "../x"}, Date{2026, 10, 27}, ""); err == nil {
		t.Error("a bad subdomain was accepted")
	}
	f.handle("GET /b/sample-gym/api/bookings", replyFunc(emptyDay))
	box := testBox(t)
	box.Location = nil // Europe/Madrid by default
	if _, _, err := c.Day(context.Background(), testCreds(), box, Date{2026, 10, 27}, "fam 7"); err != nil {
		t.Fatal(err)
	}
	if q, _ := url.ParseQuery(f.only("/b/sample-gym/api/bookings").RawQuery); q.Get("familyId") != "fam 7" {
		t.Errorf("familyId = %q", q.Get("familyId"))
	}
}

func TestWeek(t *testing.T) {
	f := newFake(t)
	var inFlight, peak atomic.Int32
	var release sync.Once
	gate := make(chan struct{})
	f.handle("GET /b/sample-gym/api/bookings", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if n == weekConcurrency { // all the allowed requests are in: let them go
			release.Do(func() { close(gate) })
		}
		<-gate
		day := r.URL.Query().Get("day")
		if day == "20261028" {
			http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "from-wednesday"})
		}
		if day == "20261029" {
			http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "", MaxAge: -1})
		}
		reply(w, fmt.Sprintf(`{"bookings":[{"id":%s,"time":"07:00 - 08:00"}],"day":"%s"}`, day, day))
	})
	from := Date{2026, 10, 26}
	days, out, err := f.client().Week(context.Background(), testCreds(), testBox(t), from, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 7 {
		t.Fatalf("%d days", len(days))
	}
	for i, d := range days {
		want := from.AddDays(i)
		if d.Date != want || d.Label != want.Compact() || len(d.Classes) != 1 {
			t.Errorf("day %d = %+v", i, d)
		}
	}
	if p := peak.Load(); p > weekConcurrency || p < 2 {
		t.Errorf("peak concurrency %d, want 2..%d", p, weekConcurrency)
	}
	if len(f.requests("/b/sample-gym/api/bookings")) != 7 {
		t.Error("not 7 requests")
	}
	want := map[string]string{AuthCookie: testAuthCookie, "AWSALB": "from-wednesday"}
	if !reflect.DeepEqual(out.Cookies, want) {
		t.Errorf("merged cookies = %v, want %v", out.Cookies, want)
	}
}

func TestWeekFailsOnAnyDay(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/bookings", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("day") == "20261030" {
			http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "x"})
			reply(w, loginPage)
			return
		}
		reply(w, emptyDay)
	})
	days, out, err := f.client().Week(context.Background(), testCreds(), testBox(t), Date{2026, 10, 26}, "")
	if !errors.Is(err, ErrUnexpectedAnswer) || days != nil {
		t.Fatalf("days %v err %v", days, err)
	}
	if out.Cookies["AWSALB"] != "x" {
		t.Errorf("cookies of the failing day were lost: %v", out.Cookies)
	}
}

func TestClassFull(t *testing.T) {
	base := Class{ID: 1, Enabled: true, Capacity: 10, Occupancy: 3}
	tests := []struct {
		name string
		mod  func(*Class)
		full bool
	}{
		{"open", func(*Class) {}, false},
		{"full", func(c *Class) { c.Occupancy = 10 }, true},
		{"over full", func(c *Class) { c.Occupancy = 12 }, true},
		{"unknown capacity", func(c *Class) { c.Capacity = 0 }, false},
	}
	for _, tt := range tests {
		c := base
		tt.mod(&c)
		if c.Full() != tt.full {
			t.Errorf("%s: full %v", tt.name, c.Full())
		}
	}
}

// TestNamesCannotDriveTheTerminal: what AimHarder gives people to read
// reaches the screen without control characters or text-reordering marks;
// a description keeps its line breaks.
func TestNamesCannotDriveTheTerminal(t *testing.T) {
	c := decodeOne(t, row(`,"className":"WOD\u001b[2J\u001b]0;pwned\u0007","coachName":" Ana\u202eatreB ",`+
		`"classDesc":"Line one\nLine\ttwo\r"`))
	for _, s := range []string{c.Name, c.Coach, c.Description} {
		if strings.ContainsFunc(s, func(r rune) bool { return (r != '\n' && unicode.IsControl(r)) || r == '\u202e' }) {
			t.Errorf("%q still holds control characters", s)
		}
	}
	if c.Name != "WOD [2J ]0;pwned" || c.Coach != "Ana atreB" || c.Description != "Line one\nLine two" {
		t.Errorf("name %q, coach %q, description %q", c.Name, c.Coach, c.Description)
	}
}
