// Package i18n holds the TUI's words in English and Spanish, and the small
// date tables both need. Server messages are never translated: they are
// shown as AimHarder sent them.
package i18n

import (
	"strings"
)

// Lang is a UI language.
type Lang string

const (
	EN Lang = "en"
	ES Lang = "es"
)

// Parse reads a language setting or locale name ("es", "es_ES.UTF-8",
// "English"); ok is false when it names neither language.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", false
	case strings.HasPrefix(s, "es"), strings.HasPrefix(s, "spanish"):
		return ES, true
	case strings.HasPrefix(s, "en"):
		return EN, true
	}
	return "", false
}

// Detect chooses the language: the `language` setting when it names one,
// else the locale the way POSIX ranks it (the first of LC_ALL, LC_MESSAGES
// and LANG that is set decides), else English.
func Detect(setting string, getenv func(string) string) Lang {
	if l, ok := Parse(setting); ok {
		return l
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		if l, ok := Parse(v); ok {
			return l
		}
		// C, POSIX or another language: English, our fallback.
		return EN
	}
	return EN
}

// For returns the text table of a language (English for unknown ones).
func For(l Lang) *Text {
	if l == ES {
		return &spanish
	}
	return &english
}
