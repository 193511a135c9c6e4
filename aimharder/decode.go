package aimharder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// AimHarder is a PHP back end: numbers arrive as strings, flags as 0/1,
// true or "1", and any optional key may be null or absent (docs/protocol.md §10A). These
// lenient types accept all of that. They fail only on a JSON shape that
// cannot be the value (an object or array where a scalar belongs), which
// becomes a *ProtocolError naming the field.

// flexInt is an integer sent as a number, a numeric string, or null.
// Set is false for null, "" and text that is not a number.
type flexInt struct {
	Value int64
	Set   bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	*f = flexInt{}
	switch b[0] {
	case '{', '[':
		return wrongType(b, reflect.TypeFor[int64]())
	case 'n', 't', 'f':
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f.Value, f.Set = parseInteger(strings.TrimSpace(s))
		return nil
	}
	f.Value, f.Set = parseInteger(string(b))
	return nil
}

// parseInteger accepts integers and integral floats ("14", "14.0", "1e3").
func parseInteger(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
		return 0, false
	}
	return int64(x), true
}

// flexBool is a flag sent as true/false, 0/1, "0"/"1" or "true"/"false".
// Set is false for null and unreadable text.
type flexBool struct {
	Value bool
	Set   bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	*f = flexBool{}
	switch b[0] {
	case '{', '[':
		return wrongType(b, reflect.TypeFor[bool]())
	case 'n':
		return nil
	case 't', 'f':
		f.Value, f.Set = b[0] == 't', true
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "1", "true":
			f.Value, f.Set = true, true
		case "0", "false":
			f.Set = true
		}
		return nil
	}
	if n, ok := parseInteger(string(b)); ok {
		f.Value, f.Set = n != 0, true
	}
	return nil
}

// flexString is text sent as a string, a number or a boolean; null is "".
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '{', '[':
		*f = ""
		return wrongType(b, reflect.TypeFor[string]())
	case 'n':
		*f = ""
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	*f = flexString(b)
	return nil
}

func (f flexString) trimmed() string { return strings.TrimSpace(string(f)) }

// display is a text AimHarder gives for people to read (a class, coach,
// gym or member name; a description keeps its line breaks with
// multiline): trimmed, with control characters and the invisible marks
// that reorder text turned into spaces, so that a name can never drive
// the member's terminal.
func (f flexString) display(multiline ...bool) string {
	keepLines := len(multiline) > 0 && multiline[0]
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if Unprintable(r) && !(r == '\n' && keepLines) {
			return ' '
		}
		return r
	}, string(f)))
}

// Unprintable reports a rune that must not reach a terminal as it is:
// a control character (it would drive the terminal) or an invisible mark
// that reorders or breaks text (bidi marks, overrides and isolates, line
// and paragraph separators: the text would read differently from what it
// says). Everything ahtui shows from AimHarder or echoes back goes
// through it.
func Unprintable(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u061c', r == '\u200e', r == '\u200f', r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// wrongType reports the JSON kind found (never the value) so that
// encoding/json adds the field name.
func wrongType(b []byte, want reflect.Type) error {
	return &json.UnmarshalTypeError{Value: jsonKind(b), Type: want}
}

func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// decodeList reads a JSON list that PHP may have sent as an array, as an
// object keyed by index (json_encode of an array with holes), or as null.
func decodeList(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		err := json.Unmarshal(raw, &items)
		return items, err
	case '{':
		var byKey map[string]json.RawMessage
		if err := json.Unmarshal(raw, &byKey); err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareIndexKeys)
		items := make([]json.RawMessage, 0, len(keys))
		for _, k := range keys {
			items = append(items, byKey[k])
		}
		return items, nil
	}
	return nil, errors.New("not a list")
}

// flexList is a list decoded with decodeList; a wrong element names its
// index in the error.
type flexList[T any] []T

func (l *flexList[T]) UnmarshalJSON(b []byte) error {
	items, err := decodeList(b)
	if err != nil {
		return wrongType(b, reflect.TypeFor[[]T]())
	}
	out := make([]T, len(items))
	for i, item := range items {
		if err := json.Unmarshal(item, &out[i]); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				typeErr.Field = joinField(strconv.Itoa(i), typeErr.Field)
			}
			return err
		}
	}
	*l = out
	return nil
}

func joinField(a, b string) string {
	if b == "" {
		return a
	}
	return a + "." + b
}

// compareIndexKeys orders "2" before "10", and any text after numbers.
func compareIndexKeys(a, b string) int {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return na - nb
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// bodyKind tells a JSON object from an HTML page (what a logged-out
// session gets, docs/protocol.md §3.5, but not only then: §10) and from
// anything else.
type bodyKind int

const (
	bodyEmpty bodyKind = iota
	bodyJSONObject
	bodyJSONOther
	bodyHTML
	bodyOther
)

// trimBody drops surrounding white space and a UTF-8 byte-order mark (PHP
// files saved with one emit it before the JSON).
func trimBody(body []byte) []byte {
	body = bytes.TrimSpace(body)
	return bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
}

func sniffBody(body []byte) bodyKind {
	body = trimBody(body)
	if len(body) == 0 {
		return bodyEmpty
	}
	switch body[0] {
	case '{':
		return bodyJSONObject
	case '[', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return bodyJSONOther
	case '<':
		return bodyHTML
	}
	return bodyOther
}

// checkAPIBody classifies the body of a 200 answer from /api/…: a logout
// flag means the session is gone; an HTML page or other text is an
// unexpected answer, only a hint of a logout (docs/protocol.md §10, the
// caller confirms with ConfirmLogout); anything else but a JSON object is
// a protocol error. It returns the body ready to decode.
func checkAPIBody(endpoint string, body []byte) ([]byte, error) {
	switch sniffBody(body) {
	case bodyEmpty:
		return nil, &ProtocolError{Endpoint: endpoint, Problem: "empty body", Retryable: true}
	case bodyHTML:
		return nil, &UnexpectedAnswerError{Endpoint: endpoint, HTML: true}
	case bodyJSONOther:
		return nil, &ProtocolError{Endpoint: endpoint, Problem: "JSON is not an object"}
	case bodyOther:
		return nil, &UnexpectedAnswerError{Endpoint: endpoint}
	}
	body = trimBody(body)
	var probe struct {
		Logout json.RawMessage `json:"logout"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, jsonProblem(endpoint, err)
	}
	if logoutFlag(probe.Logout) {
		return nil, &LoggedOutError{Endpoint: endpoint, Reason: "the server answered logout"}
	}
	return body, nil
}

// logoutFlag reads `logout`: AimHarder's page leaves on any non-null
// value, and 1 and true are both seen (docs/protocol.md §3.2). An explicit 0/false is read
// as "not logged out" ([GUESS]: never observed).
func logoutFlag(raw json.RawMessage) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	var flag flexBool
	if err := json.Unmarshal(raw, &flag); err != nil || !flag.Set {
		return true // an object or odd text: non-null is what the page tests
	}
	return flag.Value
}

// jsonProblem turns an encoding/json error into a ProtocolError that names
// the field and kind, never a value.
func jsonProblem(endpoint string, err error) *ProtocolError {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "the answer"
		}
		return &ProtocolError{Endpoint: endpoint, Problem: fmt.Sprintf("%s has the wrong type (%s)", field, typeErr.Value)}
	case errors.As(err, &syntaxErr) && strings.Contains(syntaxErr.Error(), "unexpected end"):
		return &ProtocolError{Endpoint: endpoint, Problem: "truncated JSON", Retryable: true}
	case errors.As(err, &syntaxErr):
		return &ProtocolError{Endpoint: endpoint, Problem: fmt.Sprintf("invalid JSON at byte %d", syntaxErr.Offset)}
	}
	return &ProtocolError{Endpoint: endpoint, Problem: "invalid JSON"}
}

var (
	htmlTags = regexp.MustCompile(`(?s)<[^>]*>`)
)

// plainText strips tags and squeezes white space and control characters
// into single spaces, for server messages that may carry markup.
func plainText(s string) string {
	s = htmlTags.ReplaceAllString(s, " ")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || Unprintable(r) }), " ")
}

// snippet returns the start of a body for an error message: at most 80
// characters of plain text, with credential values removed.
func snippet(body []byte, creds Credentials) string {
	const limit = 80
	s := plainText(string(body[:min(len(body), 4*limit)]))
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return creds.Redact(s)
}

// answerError turns a non-2xx status into an error for an /api/… call: a
// redirect or 401 means logged out (docs/protocol.md §10: /api/… never redirects), 403 and
// 429 are blocks, the rest HTTP errors.
func answerError(cl *call, ans answer) error {
	switch {
	case ans.status >= 200 && ans.status < 300:
		return nil
	case ans.status >= 300 && ans.status < 400:
		return &LoggedOutError{Endpoint: cl.endpoint, Reason: fmt.Sprintf("redirected with HTTP %d", ans.status)}
	case ans.status == 401:
		return &LoggedOutError{Endpoint: cl.endpoint, Reason: "HTTP 401"}
	case ans.status == 403 || ans.status == 429:
		return blocked(cl, ans)
	}
	return &HTTPError{Endpoint: cl.endpoint, Status: ans.status, Retryable: cl.idempotent && ans.status >= 500}
}

func blocked(cl *call, ans answer) *BlockedError {
	e := &BlockedError{Endpoint: cl.endpoint, Status: ans.status}
	if secs, err := strconv.Atoi(strings.TrimSpace(ans.header.Get("Retry-After"))); err == nil && secs > 0 {
		e.RetryAfter = time.Duration(secs) * time.Second
	}
	return e
}

// apiJSON runs an /api/… call and returns its JSON object body, or the
// error its status or body means. Body-level errors of box endpoints carry
// a redacted snippet.
func (c *Client) apiJSON(cl *call, ans answer, creds Credentials) ([]byte, error) {
	if err := answerError(cl, ans); err != nil {
		return nil, err
	}
	body, err := checkAPIBody(cl.endpoint, ans.body)
	var perr *ProtocolError
	var uerr *UnexpectedAnswerError
	switch {
	case errors.As(err, &perr):
		perr.Retryable = perr.Retryable && cl.idempotent
		if cl.snippets {
			perr.Snippet = snippet(ans.body, creds)
		}
	case errors.As(err, &uerr):
		uerr.Status, uerr.Retryable = ans.status, cl.idempotent
		uerr.ContentType = plainText(ans.header.Get("Content-Type"))
		if len(uerr.ContentType) > 60 {
			uerr.ContentType = uerr.ContentType[:60]
		}
		if cl.snippets {
			uerr.Snippet = snippet(ans.body, creds)
		}
	}
	return body, err
}
