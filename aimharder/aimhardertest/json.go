package aimhardertest

import (
	"bytes"
	"encoding/json"
)

// object is a JSON object that keeps its key order, so replies read like
// the captured ones and shape variants can add, drop or retype keys.
type object []field

type field struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	out := []byte{'{'}
	for i, f := range o {
		if i > 0 {
			out = append(out, ',')
		}
		buf.Reset()
		if err := enc.Encode(f.key); err != nil {
			return nil, err
		}
		out = append(out, bytes.TrimRight(buf.Bytes(), "\n")...)
		out = append(out, ':')
		buf.Reset()
		if err := enc.Encode(f.value); err != nil {
			return nil, err
		}
		out = append(out, bytes.TrimRight(buf.Bytes(), "\n")...)
	}
	return append(out, '}'), nil
}

func (o object) get(key string) (any, bool) {
	for _, f := range o {
		if f.key == key {
			return f.value, true
		}
	}
	return nil, false
}

// set replaces a key's value in place, or appends the key.
func (o *object) set(key string, v any) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].value = v
			return
		}
	}
	*o = append(*o, field{key, v})
}

func (o *object) del(keys ...string) {
	out := (*o)[:0]
	for _, f := range *o {
		drop := false
		for _, k := range keys {
			drop = drop || f.key == k
		}
		if !drop {
			out = append(out, f)
		}
	}
	*o = out
}

// marshal encodes a reply body without HTML escaping (the real service
// sends "é", not "\u00e9", and "<" as is).
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("aimhardertest: encoding a reply: " + err.Error()) // our own values: a bug
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// nullable turns "" into JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
