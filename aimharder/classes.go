package aimharder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// UserState is the member's relation to a class (bookState, docs/protocol.md §5.2).
type UserState int

const (
	StateNone       UserState = iota // bookState null
	StateBooked                      // 1
	StateWaitlisted                  // 0
	StateUnknown                     // any other value: shown, never acted on
)

func (s UserState) String() string {
	switch s {
	case StateNone:
		return "none"
	case StateBooked:
		return "booked"
	case StateWaitlisted:
		return "waitlisted"
	}
	return "unknown"
}

func stateOf(bookState flexInt) UserState {
	switch {
	case !bookState.Set:
		return StateNone
	case bookState.Value == 1:
		return StateBooked
	case bookState.Value == 0:
		return StateWaitlisted
	}
	return StateUnknown
}

// Class is one class session of a day (a bookings row, docs/protocol.md §5.2).
type Class struct {
	ID          int64 // the session id /api/book takes
	TypeID      int64 // classId: the class type, not the session
	Name        string
	Description string
	Coach       string
	Color       string // "R, G, B" as sent

	Date       Date
	Start, End time.Time  // in the box's location; End is zero when the row gives no length
	TimeFrom   TimeSource // which fields gave Start and End (docs/protocol.md §10B)

	Occupancy int
	Capacity  int    // limitc, else the number in limit; 0 when unknown
	Waitlist  int    // waitlist, else the "(n)" of limit
	LimitText string // the raw limit when it is not a plain number, e.g. "20 (3)"

	State         UserState
	ReservationID int64 // idres, what Cancel takes; 0 = none
	Cancelled     bool  // cancelledId is set: a row for the user's cancelled reservation

	StaffManaged bool // resadmin: no self-service
	Enabled      bool // the button may show; NOT "the window is open" (docs/protocol.md §5.2)
	Included     bool // the class type is in the user's plan
	Hidden       bool
	Online       bool

	// Attendees is nil when the box does not share them or the session is
	// not fresh (see attendees.go); empty when shared and nobody is booked.
	Attendees []Attendee
}

// Full reports whether every place is taken (ocupation >= limitc, docs/protocol.md §5.3);
// false when the capacity is unknown.
func (c Class) Full() bool { return c.Capacity > 0 && c.Occupancy >= c.Capacity }

// Day is one day of a box's schedule.
type Day struct {
	Date     Date
	Label    string   // the server's date label, display only (localised)
	Address  string   // the box's address (boxDir of the first row that has one); "" when none
	Classes  []Class  // by start time
	Notices  []string // non-empty resmsgs, as readable text
	Warnings []string // rows this package could not read and skipped, with why

	// MemberData is true when any row carries the member's state or an
	// attendee list. Without a live session AimHarder still answers, with
	// the public schedule (docs/protocol.md §3.5); a day without member data may be that,
	// so confirm the session before presenting it as the member's view.
	MemberData bool
}

// Day returns one day of a box's classes (docs/protocol.md §5). familyID "" is the account
// holder.
func (c *Client) Day(ctx context.Context, creds Credentials, box BoxRef, day Date, familyID string) (Day, Credentials, error) {
	loc, err := box.location()
	if err != nil {
		return Day{}, creds, err
	}
	boxURL, err := c.boxBase(box)
	if err != nil {
		return Day{}, creds, err
	}
	query := "day=" + day.Compact() + "&familyId=" + url.QueryEscape(familyID) +
		"&box=" + strconv.FormatInt(box.ID, 10) + "&_=" + strconv.FormatInt(c.now().UnixMilli(), 10)
	cl := boxCall("bookings", http.MethodGet, boxURL, "/api/bookings?"+query)
	cl.idempotent = true
	ans, creds, err := c.do(ctx, cl, creds)
	if err != nil {
		return Day{}, creds, err
	}
	body, err := c.apiJSON(cl, ans, creds)
	if err != nil {
		return Day{}, creds, err
	}
	d, err := decodeDay(body, day, loc)
	// A skipped class is never silent (docs/protocol.md §10B): the log says
	// which and why; the caller may show Warnings too.
	for _, w := range d.Warnings {
		c.log.Warn("aimharder class row skipped", "box", box.Subdomain, "day", day.String(), "why", w)
	}
	return d, creds, err
}

// weekConcurrency bounds the parallel day requests of a week. One per day
// makes the week arrive in a single round trip (latencies of seconds are
// real, docs/protocol.md §10A); the bound keeps a longer span from opening more.
const weekConcurrency = 7

// Week returns the seven days from `from`, requested concurrently (there
// is no range endpoint, docs/protocol.md §5). Set-Cookie changes of all the answers are
// merged in day order. The first error fails the week and cancels the
// requests still running.
func (c *Client) Week(ctx context.Context, creds Credentials, box BoxRef, from Date, familyID string) ([]Day, Credentials, error) {
	days := make([]Day, 7)
	changed := make([]Credentials, 7)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(weekConcurrency)
	for i := range days {
		changed[i] = creds
		g.Go(func() error {
			d, after, err := c.Day(gctx, creds, box, from.AddDays(i), familyID)
			days[i], changed[i] = d, after
			return err
		})
	}
	err := g.Wait()
	merged := creds
	for _, after := range changed {
		merged = merged.WithCookies(CookieChanges(creds.Cookies, after.Cookies))
	}
	if err != nil {
		return nil, merged, err
	}
	return days, merged, nil
}

// boxBase checks a BoxRef and returns its base URL.
func (c *Client) boxBase(box BoxRef) (string, error) {
	if box.ID <= 0 {
		return "", fmt.Errorf("aimharder: box %q has no numeric id", box.Subdomain)
	}
	return c.boxURLFor(box) // on the box's own domain (docs/protocol.md §1)
}

// wireRow is a bookings row as sent. Only the keys used are declared;
// everything else is ignored (docs/protocol.md §10A).
type wireRow struct {
	ID          flexInt         `json:"id"`
	Time        flexString      `json:"time"`
	TimeID      flexString      `json:"timeid"`
	ClassLength flexInt         `json:"classLength"`
	ClassID     flexInt         `json:"classId"`
	ClassName   flexString      `json:"className"`
	ClassDesc   flexString      `json:"classDesc"`
	Color       flexString      `json:"color"`
	BoxDir      flexString      `json:"boxDir"`
	CoachName   flexString      `json:"coachName"`
	Ocupation   flexInt         `json:"ocupation"` // sic, one "c" [LIVE]
	Limit       json.RawMessage `json:"limit"`
	LimitC      flexInt         `json:"limitc"`
	Waitlist    flexInt         `json:"waitlist"`
	BookState   flexInt         `json:"bookState"`
	IDRes       flexInt         `json:"idres"`
	CancelledID json.RawMessage `json:"cancelledId"`
	ResAdmin    flexBool        `json:"resadmin"`
	Enabled     flexBool        `json:"enabled"`
	Included    flexBool        `json:"included"`
	Hidden      flexBool        `json:"hidden"`
	OnlineClass flexBool        `json:"onlineclass"`
	rawAttendees
}

// decodeDay reads a bookings envelope (docs/protocol.md §5.1) already checked by
// checkAPIBody.
func decodeDay(body []byte, day Date, loc *time.Location) (Day, error) {
	var env struct {
		Bookings json.RawMessage `json:"bookings"`
		Day      flexString      `json:"day"`
		ResMsgs  json.RawMessage `json:"resmsgs"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Day{}, jsonProblem("bookings", err)
	}
	if env.Bookings == nil {
		return Day{}, &ProtocolError{Endpoint: "bookings", Problem: "no bookings key"}
	}
	rows, err := decodeList(env.Bookings)
	if err != nil {
		return Day{}, &ProtocolError{Endpoint: "bookings", Problem: "bookings is a " + jsonKind(env.Bookings) + ", not a list"}
	}
	d := Day{Date: day, Label: env.Day.display(), Classes: make([]Class, 0, len(rows)), Notices: notices(env.ResMsgs)}
	for i, raw := range rows {
		if kind := jsonKind(raw); kind != "object" {
			return Day{}, &ProtocolError{Endpoint: "bookings", Problem: fmt.Sprintf("bookings[%d] is a %s", i, kind)}
		}
		var row wireRow
		if err := json.Unmarshal(raw, &row); err != nil {
			perr := jsonProblem("bookings", err)
			perr.Problem = fmt.Sprintf("bookings[%d]: %s", i, perr.Problem)
			return Day{}, perr
		}
		if d.Address == "" {
			d.Address = row.BoxDir.display()
		}
		class, problem := row.class(day, loc)
		if problem != "" {
			d.Warnings = append(d.Warnings, fmt.Sprintf("bookings[%d] skipped: %s", i, problem))
			continue
		}
		d.MemberData = d.MemberData || class.State != StateNone || class.ReservationID != 0 || class.Attendees != nil
		d.Classes = append(d.Classes, class)
	}
	sort.SliceStable(d.Classes, func(i, j int) bool { return d.Classes[i].Start.Before(d.Classes[j].Start) })
	return d, nil
}

// class converts a row; a non-empty problem means the row is unusable.
func (r wireRow) class(day Date, loc *time.Location) (Class, string) {
	if !r.ID.Set || r.ID.Value <= 0 {
		return Class{}, "no numeric id"
	}
	start, end, from, ok := r.times(day, loc)
	if !ok {
		return Class{}, fmt.Sprintf("class %d (%s) has no readable start time (time %q, timeid %q)",
			r.ID.Value, r.ClassName.display(), r.Time.display(), r.TimeID.display())
	}
	c := Class{
		ID: r.ID.Value, TypeID: r.ClassID.Value,
		Name: r.ClassName.display(), Description: r.ClassDesc.display(true),
		Coach: r.CoachName.display(), Color: r.Color.trimmed(),
		Date: day, Start: start, End: end, TimeFrom: from,
		Occupancy:    count(r.Ocupation),
		State:        stateOf(r.BookState),
		Cancelled:    cancelledFlag(r.CancelledID),
		StaffManaged: r.ResAdmin.Value, Enabled: r.Enabled.Value, Included: r.Included.Value,
		Hidden: r.Hidden.Value, Online: r.OnlineClass.Value,
		Attendees: r.attendees(),
	}
	if r.IDRes.Set && r.IDRes.Value > 0 {
		c.ReservationID = r.IDRes.Value
	}
	limit := parseLimit(r.Limit)
	c.LimitText = limit.text
	c.Capacity = limit.capacity
	if r.LimitC.Set {
		c.Capacity = count(r.LimitC)
	}
	c.Waitlist = limit.waitlist
	if r.Waitlist.Set {
		c.Waitlist = count(r.Waitlist)
	}
	return c, ""
}

func count(f flexInt) int {
	return int(max(0, min(f.Value, math.MaxInt32)))
}

// cancelledFlag: a non-null cancelledId marks the user's cancelled
// reservation [ONE]. 0 and "" are read as null ([GUESS]: PHP's usual
// stand-ins for "none").
func cancelledFlag(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "", "null", "0", `""`, `"0"`, "false":
		return false
	}
	return true
}

type limitInfo struct {
	capacity, waitlist int
	text               string
}

// "20 (3)": capacity 20 and 3 waiting [ONE]; any other text is kept raw.
var limitWithQueue = regexp.MustCompile(`^\s*(\d{1,9})\s*(?:\(\s*(\d{1,9})\s*\))?\s*$`)

func parseLimit(raw json.RawMessage) limitInfo {
	var f flexInt
	switch jsonKind(raw) {
	case "number":
		if json.Unmarshal(raw, &f) == nil {
			return limitInfo{capacity: count(f)}
		}
	case "string":
		var s string
		_ = json.Unmarshal(raw, &s)
		m := limitWithQueue.FindStringSubmatch(s)
		if m == nil {
			return limitInfo{text: strings.TrimSpace(s)}
		}
		info := limitInfo{}
		info.capacity, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			info.waitlist, _ = strconv.Atoi(m[2])
			info.text = strings.TrimSpace(s)
		}
		return info
	}
	return limitInfo{}
}

var (
	// "07:00 - 08:00", "07:00-08:00" (docs/protocol.md §5.2); an en dash is tolerated too.
	timeRange = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2})\s*(?:-|–)\s*(\d{1,2}):(\d{2})\s*$`)
	// "09:00" alone, the end then from classLength or the timeid length
	// (docs/protocol.md §10B).
	timeStart = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2})\s*$`)
	// "0700_60": start and length in minutes. The start may have lost its
	// leading zero ("900_60", an integer HHMM: docs/protocol.md §10B).
	timeID = regexp.MustCompile(`^\s*(\d{1,4})_(\d{1,4})\s*$`)
)

// times reads the start from `time`, else from `timeid`; the end from
// `time`, else start + classLength or the timeid length. A `time` holding
// the start alone ("09:00") gives the start.
func (r wireRow) times(day Date, loc *time.Location) (start, end time.Time, from TimeSource, ok bool) {
	var length int
	if m := timeID.FindStringSubmatch(string(r.TimeID)); m != nil {
		hhmm := atoiDigits(m[1])
		h, mi := hhmm/100, hhmm%100
		length = atoiDigits(m[2])
		if validClock(h, mi) {
			start, from, ok = wallTime(day.Year, day.Month, day.Day, h, mi, 0, 0, loc), TimeFromTimeID, true
		}
	}
	if r.ClassLength.Set && r.ClassLength.Value > 0 && r.ClassLength.Value < 24*60 {
		length = int(r.ClassLength.Value)
	}
	if m := timeRange.FindStringSubmatch(string(r.Time)); m != nil {
		h1, m1, h2, m2 := atoiDigits(m[1]), atoiDigits(m[2]), atoiDigits(m[3]), atoiDigits(m[4])
		if validClock(h1, m1) && (validClock(h2, m2) || h2 == 24 && m2 == 0) {
			from, to := h1*60+m1, h2*60+m2
			if to <= from { // ends after midnight
				to += 24 * 60
			}
			endDay := day.AddDays(to / (24 * 60))
			to %= 24 * 60
			start = wallTime(day.Year, day.Month, day.Day, h1, m1, 0, 0, loc)
			end = wallTime(endDay.Year, endDay.Month, endDay.Day, to/60, to%60, 0, 0, loc)
			return start, end, TimeFromRange, true
		}
	}
	if m := timeStart.FindStringSubmatch(string(r.Time)); m != nil {
		if h, mi := atoiDigits(m[1]), atoiDigits(m[2]); validClock(h, mi) {
			start, from, ok = wallTime(day.Year, day.Month, day.Day, h, mi, 0, 0, loc), TimeFromStart, true
		}
	}
	if ok && length > 0 && length < 24*60 {
		end = start.Add(time.Duration(length) * time.Minute)
	}
	return start, end, from, ok
}

// TimeSource says which fields gave a class its times (docs/protocol.md
// §5.2; the last two are the minority shapes of §10B).
type TimeSource string

const (
	TimeFromRange  TimeSource = "time"       // "HH:MM - HH:MM", the usual shape
	TimeFromStart  TimeSource = "time-start" // "HH:MM" alone; the end from classLength or the timeid
	TimeFromTimeID TimeSource = "timeid"     // no readable `time`: "HHMM_LEN" (or "900_60")
)

func validClock(h, m int) bool { return h >= 0 && h <= 23 && m >= 0 && m <= 59 }

// notices turns a non-empty resmsgs (element shape unknown, docs/protocol.md §5.1) into
// readable text: strings as they are (without markup), objects by their
// text-like fields.
func notices(raw json.RawMessage) []string {
	if jsonKind(raw) == "string" {
		raw = json.RawMessage("[" + string(raw) + "]")
	}
	items, err := decodeList(raw)
	if err != nil {
		return nil
	}
	var out []string
	for _, item := range items {
		if text := noticeText(item); text != "" {
			out = append(out, text)
		}
	}
	return out
}

// Field names a notice object plausibly uses, in display order [GUESS].
var noticeFields = []string{"title", "titulo", "message", "msg", "mensaje", "text", "texto", "description", "descripcion"}

const maxNoticeLen = 300

func noticeText(item json.RawMessage) string {
	var text string
	switch jsonKind(item) {
	case "null":
		return ""
	case "object":
		var fields map[string]json.RawMessage
		if json.Unmarshal(item, &fields) != nil {
			return ""
		}
		text = objectText(fields)
	case "array": // its string elements; deeper nesting is not worth reading
		var elems []json.RawMessage
		_ = json.Unmarshal(item, &elems)
		var parts []string
		for _, e := range elems {
			var s string
			if jsonKind(e) == "string" && json.Unmarshal(e, &s) == nil && strings.TrimSpace(s) != "" {
				parts = append(parts, strings.TrimSpace(s))
			}
		}
		text = strings.Join(parts, " — ")
	default:
		var s flexString
		_ = json.Unmarshal(item, &s)
		text = string(s)
	}
	text = plainText(text)
	if r := []rune(text); len(r) > maxNoticeLen {
		text = string(r[:maxNoticeLen]) + "…"
	}
	return text
}

// objectText joins the known text fields of a notice object, else all its
// string fields in key order, else its compact JSON.
func objectText(fields map[string]json.RawMessage) string {
	str := func(raw json.RawMessage) string {
		var s string
		if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	}
	var parts []string
	lower := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		lower[strings.ToLower(k)] = v
	}
	for _, name := range noticeFields {
		if s := str(lower[name]); s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s := str(fields[k]); s != "" {
				parts = append(parts, s)
			}
		}
	}
	if len(parts) == 0 {
		compact, _ := json.Marshal(fields)
		return string(compact)
	}
	return strings.Join(parts, " — ")
}
