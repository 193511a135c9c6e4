// Package i18n holds the TUI's words in English and Spanish, and the small
// date tables both need. Server messages are never translated: they are
// shown as AimHarder sent them.
package i18n

import (
	"github.com/ahtui/ahtui/session/outcome"
)

// Lang is a UI language.
type Lang string

const (
	EN Lang = "en"
	ES Lang = "es"
)

// Parse reads a language setting or locale name ("es", "es_ES.UTF-8",
// "English"); ok is false when it names neither language
// (outcome.ParseLang).
func Parse(s string) (Lang, bool) {
	l, ok := outcome.ParseLang(s)
	return Lang(l), ok
}

// Detect chooses the language: the `language` setting when it names one,
// else the locale the way POSIX ranks it, else English — the rule
// notifications follow too (outcome.DetectLang).
func Detect(setting string, getenv func(string) string) Lang {
	return Lang(outcome.DetectLang(setting, getenv))
}

// For returns the text table of a language (English for unknown ones).
func For(l Lang) *Text {
	if l == ES {
		return &spanish
	}
	return &english
}
