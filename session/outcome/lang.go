package outcome

import "strings"

// ParseLang reads a language setting or locale name ("es",
// "es_ES.UTF-8", "English"); ok is false when it names neither language.
func ParseLang(s string) (Lang, bool) {
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

// DetectLang chooses the member's language, the one rule the TUI, the CLI
// and notifications share: the `language` setting when it names one, else
// the locale the way POSIX ranks it (the first of LC_ALL, LC_MESSAGES and
// LANG that is set decides), else English.
func DetectLang(setting string, getenv func(string) string) Lang {
	if l, ok := ParseLang(setting); ok {
		return l
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		if l, ok := ParseLang(v); ok {
			return l
		}
		// C, POSIX or another language: English, our fallback.
		return EN
	}
	return EN
}
