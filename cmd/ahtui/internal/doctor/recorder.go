package doctor

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
)

// bodyRecorder keeps the last answer body of whoami and bookings, so
// doctor can compare their keys with the protocol's.
type bodyRecorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	bodies map[string][]byte
}

func (b *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	name := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	if name != "whoami" && name != "bookings" {
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if resp.StatusCode == http.StatusOK {
		b.bodies[name] = body
	}
	b.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// last is the last 200 answer of the endpoint (whoami or bookings), or nil.
func (b *bodyRecorder) last(name string) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bodies[name]
}
