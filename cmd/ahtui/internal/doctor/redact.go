package doctor

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// redactor removes secrets and names from report lines. Every line of
// the report goes through it (Doctor.println): the password and the
// e-mail from the start, the token, fingerprint, cookie values and names
// as the checks learn them.
type redactor struct {
	mu      sync.Mutex
	secrets []string
}

func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		v = strings.TrimSpace(v)
		// Very short values would blank ordinary words.
		if len(v) < 4 || slices.Contains(r.secrets, v) {
			continue
		}
		r.secrets = append(r.secrets, v)
	}
	// Longest first, so a secret containing another is removed whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

func (r *redactor) clean(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// redactURLError drops the URL from an http.Client error (the words
// after it are what matter).
func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// withoutUserinfo drops a user and password from a configured URL.
func withoutUserinfo(raw string) string {
	u, err := url.Parse(strings.ReplaceAll(raw, "{box}", "ahtui-box-placeholder"))
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return strings.ReplaceAll(u.String(), "ahtui-box-placeholder", "{box}")
}
