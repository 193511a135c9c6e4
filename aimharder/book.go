package aimharder

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// BookOptions are the optional parts of a booking.
type BookOptions struct {
	Insist   bool   // join the waitlist when the class is full (insist=1)
	FamilyID string // "" books for the account holder
}

// BookResult is an accepted booking.
type BookResult struct {
	State         UserState // StateBooked, or StateWaitlisted after Insist on a full class
	ReservationID int64     // the reply's id (sent as a string): what Cancel takes; 0 if absent
	PlanClasses   []string  // clasesContratadas: the class types the plan covers
}

// Book books a class session (docs/protocol.md §7). classID is the session id
// (Class.ID), never the class type. A refusal is a *BookingError; a too
// early one also carries a *TooEarlyError with the window the server
// stated. "Already booked at that time" (ErrAlreadyBooked) includes this
// very class, so after a burst it usually means success: re-read the day.
// A book is never retryable blindly: the reply may be lost after the
// booking happened.
func (c *Client) Book(ctx context.Context, creds Credentials, box BoxRef, classID int64, day Date, opts BookOptions) (BookResult, Credentials, error) {
	p, err := c.PrepareBook(creds, box, classID, day, opts)
	if err != nil {
		return BookResult{}, creds, err
	}
	return p.Send(ctx)
}

// PreparedBook is a booking request encoded in advance, so that sending
// it at the instant a window opens does no work but the request itself.
// It carries the credentials given to PrepareBook: prepare it after the
// last token refresh before the instant. Send may be called more than once
// (a burst) and concurrently.
type PreparedBook struct {
	c     *Client
	req   *http.Request
	cl    *call
	creds Credentials
}

// PrepareBook encodes a booking for a later Send.
func (c *Client) PrepareBook(creds Credentials, box BoxRef, classID int64, day Date, opts BookOptions) (*PreparedBook, error) {
	if classID <= 0 || day.IsZero() {
		return nil, fmt.Errorf("aimharder book: a class id and a day are required")
	}
	boxURL, err := c.boxBase(box)
	if err != nil {
		return nil, err
	}
	insist := "0"
	if opts.Insist {
		insist = "1"
	}
	// The order the official page sends (docs/protocol.md §7).
	form := "day=" + day.Compact() + "&familyId=" + url.QueryEscape(opts.FamilyID) +
		"&id=" + strconv.FormatInt(classID, 10) + "&insist=" + insist
	cl := boxCall("book", http.MethodPost, boxURL, "/api/book")
	cl.body, cl.contentType = []byte(form), formContentType
	creds = creds.Clone()
	req, err := c.newRequest(context.Background(), cl, creds)
	if err != nil {
		return nil, err
	}
	return &PreparedBook{c: c, req: req, cl: cl, creds: creds}, nil
}

// Send sends the prepared booking. The returned credentials are the
// prepared ones merged with the answer's Set-Cookie.
func (p *PreparedBook) Send(ctx context.Context) (BookResult, Credentials, error) {
	req := p.req.Clone(ctx) // a fresh request per send; only headers are copied
	req.Body, _ = p.req.GetBody()
	ans, creds, err := p.c.send(req, p.cl, p.creds)
	if err != nil {
		return BookResult{}, creds, err
	}
	body, err := p.c.apiJSON(p.cl, ans, creds)
	if err != nil {
		return BookResult{}, creds, err
	}
	result, err := decodeBookAnswer(body)
	return result, creds, err
}

// decodeBookAnswer reads a book reply (docs/protocol.md §7.1) already checked by
// checkAPIBody.
func decodeBookAnswer(body []byte) (BookResult, error) {
	var reply struct {
		BookState     flexInt    `json:"bookState"`
		ID            flexInt    `json:"id"`
		PlanClasses   flexString `json:"clasesContratadas"`
		ErrorMssg     flexString `json:"errorMssg"`
		ErrorMssgLang flexString `json:"errorMssgLang"`
		Max           flexInt    `json:"max"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return BookResult{}, jsonProblem("book", err)
	}
	if !reply.BookState.Set {
		// A box rule (a class maximum, the plan, a penalty) may refuse with
		// its reason in errorMssg, sometimes HTML, and no bookState
		// (docs/protocol.md §10B): a refusal in AimHarder's words, not an
		// unreadable answer. Without a reason it stays unreadable.
		if msg := serverText(reply.ErrorMssg); msg != "" {
			e := &BookingError{NoState: true, Key: reply.ErrorMssgLang.trimmed(), Message: msg, Max: count(reply.Max)}
			if e.reason() == ErrTooEarly {
				e.TooEarly = newTooEarly(e.Key, e.Message)
			}
			return BookResult{}, e
		}
		return BookResult{}, &ProtocolError{Endpoint: "book", Problem: "no numeric bookState"}
	}
	switch reply.BookState.Value {
	case 1, 0:
		result := BookResult{State: stateOf(reply.BookState), PlanClasses: splitPlan(reply.PlanClasses)}
		if reply.ID.Set && reply.ID.Value > 0 {
			result.ReservationID = reply.ID.Value
		}
		return result, nil
	}
	code := reply.BookState.Value
	e := &BookingError{
		Code:    int(max(min(code, 1<<31-1), -1<<31)),
		Key:     reply.ErrorMssgLang.trimmed(),
		Message: serverText(reply.ErrorMssg),
		Max:     count(reply.Max),
	}
	if e.reason() == ErrTooEarly {
		e.TooEarly = newTooEarly(e.Key, e.Message)
	}
	return BookResult{}, e
}

// serverText is an errorMssg as a member reads it: markup removed (the
// no-state refusals of docs/protocol.md §10B may be HTML), entities
// decoded, whitespace and control characters collapsed.
func serverText(s flexString) string {
	text := htmlTags.ReplaceAllString(string(s), " ")
	return plainText(html.UnescapeString(text))
}

func splitPlan(s flexString) []string {
	var out []string
	for _, name := range strings.Split(string(s), ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// CancelOptions are the optional parts of a cancel.
type CancelOptions struct {
	// Late confirms a cancel inside the late window, forfeiting the credit
	// (late=1). Send it only with the user's consent or an explicit setting.
	Late     bool
	FamilyID string
}

// Cancel cancels a reservation (docs/protocol.md §8). reservationID is Class.ReservationID
// (idres) or BookResult.ReservationID, never the session id: with a
// session id the server answers cancelState 1 and cancels nothing, so
// re-read the day to confirm. The late-cancel warning is a *CancelError
// matching ErrLateCancel (nothing was cancelled).
func (c *Client) Cancel(ctx context.Context, creds Credentials, box BoxRef, reservationID int64, opts CancelOptions) (Credentials, error) {
	if reservationID <= 0 {
		return creds, fmt.Errorf("aimharder cancelBook: a reservation id is required")
	}
	boxURL, err := c.boxBase(box)
	if err != nil {
		return creds, err
	}
	late := "0"
	if opts.Late {
		late = "1"
	}
	cl := boxCall("cancelBook", http.MethodPost, boxURL, "/api/cancelBook")
	cl.body = []byte("id=" + strconv.FormatInt(reservationID, 10) + "&late=" + late + "&familyId=" + url.QueryEscape(opts.FamilyID))
	cl.contentType = formContentType
	ans, creds, err := c.do(ctx, cl, creds)
	if err != nil {
		return creds, err
	}
	body, err := c.apiJSON(cl, ans, creds)
	if err != nil {
		return creds, err
	}
	return creds, decodeCancelAnswer(body)
}

// decodeCancelAnswer reads {"cancelState":N}: 1 cancelled, 2 the late
// warning, 3 refused [ONE]; anything else is an unknown refusal.
func decodeCancelAnswer(body []byte) error {
	var reply struct {
		CancelState flexInt    `json:"cancelState"`
		ErrorMssg   flexString `json:"errorMssg"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return jsonProblem("cancelBook", err)
	}
	if !reply.CancelState.Set {
		// As for a book answer: a reason without a state is a refusal in
		// AimHarder's words (docs/protocol.md §10B).
		if msg := serverText(reply.ErrorMssg); msg != "" {
			return &CancelError{NoState: true, Message: msg}
		}
		return &ProtocolError{Endpoint: "cancelBook", Problem: "no numeric cancelState"}
	}
	if reply.CancelState.Value == 1 {
		return nil
	}
	state := int(max(min(reply.CancelState.Value, 1<<31-1), -1<<31))
	return &CancelError{State: state, Message: serverText(reply.ErrorMssg)}
}
