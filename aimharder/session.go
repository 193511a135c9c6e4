package aimharder

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
)

// Whoami returns the user of the session and their boxes (docs/protocol.md §4.1). An empty
// answer ({"data":[]}, what the real service sends without a cookie) and
// {"logout":1} are *LoggedOutError.
func (c *Client) Whoami(ctx context.Context, creds Credentials) (User, Credentials, error) {
	cl := &call{endpoint: "whoami", method: http.MethodGet, url: c.portalURL + "/api/whoami",
		accept: acceptXHR, xhr: true, referer: c.portalURL + "/home", idempotent: true}
	ans, creds, err := c.do(ctx, cl, creds)
	if err != nil {
		return User{}, creds, err
	}
	body, err := c.apiJSON(cl, ans, creds)
	if err != nil {
		return User{}, creds, err
	}
	user, err := decodeWhoami(body)
	return user, creds, err
}

func decodeWhoami(body []byte) (User, error) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return User{}, jsonProblem("whoami", err)
	}
	if env.Data == nil {
		return User{}, &ProtocolError{Endpoint: "whoami", Problem: "no data key"}
	}
	users, err := decodeUsers(env.Data)
	if err != nil {
		return User{}, jsonProblem("whoami", err)
	}
	if len(users) == 0 {
		return User{}, &LoggedOutError{Endpoint: "whoami", Reason: "no user in the answer"}
	}
	if !users[0].ID.Set || users[0].ID.Value <= 0 {
		return User{}, &ProtocolError{Endpoint: "whoami", Problem: "user without a numeric id"}
	}
	return users[0].user(), nil
}

// SetRefresh calls setrefresh with the current token (docs/protocol.md §3.1): required
// after a legacy login, optional after the JSON one. It returns the
// credentials with the token and fingerprint the page stores; a page
// without a refreshToken is a *LoggedOutError.
func (c *Client) SetRefresh(ctx context.Context, creds Credentials) (Credentials, error) {
	if creds.Token == "" {
		return creds, &LoggedOutError{Endpoint: "setrefresh", Reason: "no refresh token to send"}
	}
	q := "token=" + url.QueryEscape(creds.Token) + "&fingerprint=" + url.QueryEscape(creds.Fingerprint)
	cl := &call{endpoint: "setrefresh", method: http.MethodGet, url: c.portalURL + "/setrefresh?" + q,
		referer: c.loginURL + "/"}
	ans, creds, err := c.do(ctx, cl, creds)
	if err != nil {
		return creds, err
	}
	if err := answerError(cl, ans); err != nil {
		return creds, err
	}
	token, fingerprint, ok := parseSetRefresh(ans.body)
	if !ok {
		return creds, &LoggedOutError{Endpoint: "setrefresh", Reason: "the page stored no refreshToken"}
	}
	creds.Token = token
	if fingerprint != "" { // a returned fingerprint replaces the one sent (docs/protocol.md §3.1)
		creds.Fingerprint = fingerprint
	}
	return creds, nil
}

// The setrefresh page stores both keys with localStorage.setItem("key", "value");
// read each as the quoted string after the key and a comma (docs/protocol.md §3.1, [ONE]).
var (
	storedRefreshToken = regexp.MustCompile(`["']refreshToken["']\s*,\s*["']([^"'\\<>\s]*)["']`)
	storedFingerprint  = regexp.MustCompile(`["']fingerprint["']\s*,\s*["']([^"'\\<>\s]*)["']`)
)

func parseSetRefresh(body []byte) (token, fingerprint string, ok bool) {
	m := storedRefreshToken.FindSubmatch(body)
	if m == nil || len(m[1]) == 0 {
		return "", "", false
	}
	token = string(m[1])
	if f := storedFingerprint.FindSubmatch(body); f != nil {
		fingerprint = string(f[1])
	}
	return token, fingerprint, true
}

// RefreshToken renews the session with tokenUpdate (docs/protocol.md §3.2). The token
// rotates: the returned credentials carry the new one, and the old one is
// (modelled as) dead, so the caller must store them before anything else
// uses the session. {"logout":1} is a *LoggedOutError. A failure after the
// request was sent is never retryable: the server may have rotated.
func (c *Client) RefreshToken(ctx context.Context, creds Credentials) (Credentials, error) {
	if creds.Token == "" {
		return creds, &LoggedOutError{Endpoint: "tokenUpdate", Reason: "no refresh token to send"}
	}
	form := "token=" + url.QueryEscape(creds.Token) + "&ciclo=1&fingerprint=" + url.QueryEscape(creds.Fingerprint)
	cl := &call{endpoint: "tokenUpdate", method: http.MethodPost, url: c.portalURL + "/api/tokenUpdate",
		body: []byte(form), contentType: formContentType, accept: acceptXHR, xhr: true,
		referer: c.portalURL + "/home", origin: c.portalURL}
	ans, creds, err := c.do(ctx, cl, creds)
	if err != nil {
		return creds, err
	}
	body, err := c.apiJSON(cl, ans, creds)
	if err != nil {
		return creds, err
	}
	var reply struct {
		NewToken flexString `json:"newToken"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return creds, jsonProblem(cl.endpoint, err)
	}
	if reply.NewToken.trimmed() == "" {
		return creds, &ProtocolError{Endpoint: cl.endpoint, Problem: "neither newToken nor logout"}
	}
	creds.Token = reply.NewToken.trimmed()
	return creds, nil
}

// Logout ends the session on the portal (docs/protocol.md §3.5). Whether it ends only this
// fingerprint's session or all of them is unknown [GUESS]. A redirect is
// the normal answer.
func (c *Client) Logout(ctx context.Context, creds Credentials) error {
	cl := &call{endpoint: "logout", method: http.MethodGet, url: c.portalURL + "/logout", referer: c.portalURL + "/home"}
	ans, _, err := c.do(ctx, cl, creds)
	if err != nil {
		return err
	}
	if ans.status >= 300 && ans.status < 400 {
		return nil
	}
	return answerError(cl, ans)
}
