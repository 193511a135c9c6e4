package aimharder

import (
	"log/slog"
	"maps"
	"net/url"
	"sort"
	"strings"
)

// Credentials are what authenticates a member to AimHarder: the refresh
// token used by tokenUpdate, the device fingerprint the session is bound
// to, and the cookies the server set (amhrdrauth, PHPSESSID, AWSALB…).
//
// Cookies are kept as a flat name → value set: the real service scopes them
// to the parent domain (.aimharder.com), so every AimHarder host receives
// the same set.
//
// Credentials never print their secrets: String, GoString and LogValue
// redact the token and cookie values.
type Credentials struct {
	Token       string
	Fingerprint string
	Cookies     map[string]string
}

// AuthCookie is the name of the cookie that authenticates each request.
const AuthCookie = "amhrdrauth"

// Clone returns a deep copy, so a caller can keep the original unchanged.
func (c Credentials) Clone() Credentials {
	c.Cookies = maps.Clone(c.Cookies)
	return c
}

// Equal reports whether two credentials hold the same token, fingerprint
// and cookies.
func (c Credentials) Equal(o Credentials) bool {
	return c.Token == o.Token && c.Fingerprint == o.Fingerprint && maps.Equal(c.Cookies, o.Cookies)
}

// HasAuthCookie reports whether the authentication cookie is present.
func (c Credentials) HasAuthCookie() bool { return c.Cookies[AuthCookie] != "" }

// WithCookies returns a copy with the given cookies merged in; an empty
// value deletes the cookie (the server expired it).
func (c Credentials) WithCookies(set map[string]string) Credentials {
	out := c.Clone()
	if len(set) == 0 {
		return out
	}
	if out.Cookies == nil {
		out.Cookies = make(map[string]string, len(set))
	}
	for name, value := range set {
		if value == "" {
			delete(out.Cookies, name)
			continue
		}
		out.Cookies[name] = value
	}
	return out
}

// CookieChanges is what changed in the cookies from before to after, in
// the form WithCookies applies: a cookie set or changed with its new
// value, a deleted one with "". Applying it to other credentials carries
// one answer's changes over without undoing another's.
func CookieChanges(before, after map[string]string) map[string]string {
	changes := map[string]string{}
	for name, value := range after {
		if before[name] != value {
			changes[name] = value
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			changes[name] = ""
		}
	}
	return changes
}

// String describes the credentials without revealing any secret.
func (c Credentials) String() string {
	names := make([]string, 0, len(c.Cookies))
	for name := range c.Cookies {
		names = append(names, name)
	}
	sort.Strings(names)
	token := "none"
	if c.Token != "" {
		token = "set"
	}
	return "credentials{token:" + token + " fingerprint:" + redactFingerprint(c.Fingerprint) +
		" cookies:[" + strings.Join(names, ",") + "]}"
}

// GoString keeps %#v from printing secrets.
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps slog from printing secrets.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// redactFingerprint keeps a short prefix, enough to tell two devices apart
// in a log without making the fingerprint reusable.
func redactFingerprint(fp string) string {
	if len(fp) <= 6 {
		return strings.Repeat("*", len(fp))
	}
	return fp[:4] + "…"
}

// Redact replaces every secret of c (token, fingerprint, cookie values, also
// query-escaped) found in s. Values shorter than 4 characters are left:
// removing them would blank out ordinary text.
func (c Credentials) Redact(s string) string {
	secrets := []string{c.Token, c.Fingerprint, url.QueryEscape(c.Token), url.QueryEscape(c.Fingerprint)}
	for _, v := range c.Cookies {
		secrets = append(secrets, v)
	}
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
