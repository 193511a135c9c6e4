package aimharder

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// NextBookings is the member's list of upcoming and past reservations at a
// box (docs/protocol.md §5.4).
type NextBookings struct {
	Upcoming []Reservation
	History  []Reservation
}

// Reservation is a row of nextBookings. Its ID joins nothing known (docs/protocol.md §5.4:
// it matched neither the session id nor the class type): match rows to
// classes by Date, Time and ClassName.
type Reservation struct {
	ID         int64
	Date       Date   // parsed from DayLabel; zero if the label is unreadable
	DayLabel   string // e.g. "Sábado, 26 de Septiembre de 2026"
	Time       string // e.g. "07:00 - 08:00"
	ClassName  string
	State      UserState
	Attended   bool // history: assist
	LateCancel bool // history: lateCancel
}

// NextBookings returns the member's upcoming and past reservations at a
// box. An HTML answer is an *UnexpectedAnswerError (ConfirmLogout tells
// whether the session is gone).
func (c *Client) NextBookings(ctx context.Context, creds Credentials, box BoxRef, familyID string) (NextBookings, Credentials, error) {
	boxURL, err := c.boxBase(box)
	if err != nil {
		return NextBookings{}, creds, err
	}
	query := "box=" + strconv.FormatInt(box.ID, 10) + "&familyId=" + url.QueryEscape(familyID)
	cl := boxCall("nextBookings", http.MethodGet, boxURL, "/api/nextBookings?"+query)
	cl.idempotent = true
	ans, creds, err := c.do(ctx, cl, creds)
	if err != nil {
		return NextBookings{}, creds, err
	}
	body, err := c.apiJSON(cl, ans, creds)
	if err != nil {
		return NextBookings{}, creds, err
	}
	next, err := decodeNextBookings(body)
	return next, creds, err
}

type wireReservation struct {
	ID         flexInt    `json:"id"`
	Day        flexString `json:"day"`
	Time       flexString `json:"time"`
	ClassName  flexString `json:"className"`
	BookState  flexInt    `json:"bookState"`
	Assist     flexBool   `json:"assist"`
	LateCancel flexBool   `json:"lateCancel"`
}

func (w wireReservation) reservation() Reservation {
	return Reservation{
		ID: w.ID.Value, Date: parseDayLabel(w.Day.trimmed()), DayLabel: w.Day.display(),
		Time: w.Time.trimmed(), ClassName: w.ClassName.display(), State: stateOf(w.BookState),
		Attended: w.Assist.Value, LateCancel: w.LateCancel.Value,
	}
}

func decodeNextBookings(body []byte) (NextBookings, error) {
	var reply struct {
		NextClasses *flexList[wireReservation] `json:"nextClasses"`
		History     flexList[wireReservation]  `json:"history"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return NextBookings{}, jsonProblem("nextBookings", err)
	}
	if reply.NextClasses == nil {
		return NextBookings{}, &ProtocolError{Endpoint: "nextBookings", Problem: "no nextClasses key"}
	}
	next := NextBookings{Upcoming: []Reservation{}, History: []Reservation{}}
	for _, w := range *reply.NextClasses {
		next.Upcoming = append(next.Upcoming, w.reservation())
	}
	for _, w := range reply.History {
		next.History = append(next.History, w.reservation())
	}
	return next, nil
}

// Month names of the day labels: Spanish is what AimHarder sends; Catalan
// and English are there because messages come localised too [GUESS].
var monthNames = map[string]time.Month{
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
	"agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
	"gener": 1, "febrer": 2, "març": 3, "maig": 5, "juny": 6, "juliol": 7, "agost": 8,
	"setembre": 9, "novembre": 11, "desembre": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

var (
	dayLabel   = regexp.MustCompile(`(?i)(\d{1,2})\s+(?:de\s+|d'|d’)?(\p{L}+)\s*(?:de\s+|,\s*)?(\d{4})`)
	dayLabelEN = regexp.MustCompile(`(?i)(\p{L}+)\s+(\d{1,2}),?\s+(\d{4})`)
)

// parseDayLabel reads "Sábado, 26 de Septiembre de 2026" (and a few
// localised or numeric forms); the zero Date when it cannot.
func parseDayLabel(label string) Date {
	if d, err := ParseDate(label); err == nil {
		return d
	}
	day, month, year := "", "", ""
	if m := dayLabel.FindStringSubmatch(label); m != nil {
		day, month, year = m[1], m[2], m[3]
	} else if m := dayLabelEN.FindStringSubmatch(label); m != nil {
		month, day, year = m[1], m[2], m[3]
	}
	mon, ok := monthNames[strings.ToLower(month)]
	if !ok {
		return Date{}
	}
	d, y := atoiDigits(day), atoiDigits(year)
	t := time.Date(y, mon, d, 12, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		return Date{}
	}
	return DateOf(t)
}
