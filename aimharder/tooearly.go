package aimharder

import (
	"regexp"
	"strconv"
	"strings"
)

// Reading the window from a "too early" answer (docs/protocol.md §7.3). The key
// (errorMssgLang) says days or hours; the localised text only gives N.
// The Spanish and Catalan/English days texts are [LIVE]; every hours text
// is [GUESS] (never captured), hence the generic fallbacks.
var (
	tooEarlyDays = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(\d+)\s+d[ií]as?\s+de\s+antelaci[oó]n`),                           // es
		regexp.MustCompile(`(?i)(\d+)\s+dies\s+d.?\s*antelaci[oó]`),                               // ca, ' or ’
		regexp.MustCompile(`(?i)(\d+)\s+days?\s+(?:of\s+anticipation|in\s+advance|of\s+advance)`), // en
	}
	tooEarlyHours = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(\d+)\s+horas?\s+de\s+antelaci[oó]n`),
		regexp.MustCompile(`(?i)(\d+)\s+hores?\s+d.?\s*antelaci[oó]`),
		regexp.MustCompile(`(?i)(\d+)\s+hours?\s+(?:of\s+anticipation|in\s+advance|of\s+advance)`),
	}
	anyDays  = regexp.MustCompile(`(?i)(\d+)\s+(?:d[ií]as?|dies|days?)\b`)
	anyHours = regexp.MustCompile(`(?i)(\d+)\s+(?:horas?|hores?|hours?)\b`)

	daysPatterns  = append(tooEarlyDays[:len(tooEarlyDays):len(tooEarlyDays)], anyDays)
	hoursPatterns = append(tooEarlyHours[:len(tooEarlyHours):len(tooEarlyHours)], anyHours)
)

// tooEarlyWindow reads the sliding window a "too early" answer states. The
// key decides days or hours; without a known key (the older −4 answer, or
// a new ERROR_ANTELACION… variant) the text decides. ok is false when no
// usable N is found: the window is then unknown, never guessed.
func tooEarlyWindow(key, message string) (Rule, bool) {
	switch {
	case key == KeyTooEarlyHours || strings.HasSuffix(key, "_HORAS"):
		return firstWindow(message, RuleSlidingHours, hoursPatterns)
	case key == KeyTooEarlyDays:
		return firstWindow(message, RuleSlidingDays, daysPatterns)
	}
	// The precise phrasings first, then the bare "N days/hours"; within a
	// tier the earliest match in the text wins.
	if r, ok := earliestWindow(message, tooEarlyDays, tooEarlyHours); ok {
		return r, true
	}
	return earliestWindow(message, []*regexp.Regexp{anyDays}, []*regexp.Regexp{anyHours})
}

func firstWindow(message string, kind RuleKind, patterns []*regexp.Regexp) (Rule, bool) {
	for _, re := range patterns {
		if m := re.FindStringSubmatch(message); m != nil {
			return windowRule(kind, m[1])
		}
	}
	return Rule{}, false
}

func earliestWindow(message string, days, hours []*regexp.Regexp) (Rule, bool) {
	best, bestAt := Rule{}, -1
	found := false
	try := func(kind RuleKind, patterns []*regexp.Regexp) {
		for _, re := range patterns {
			loc := re.FindStringSubmatchIndex(message)
			if loc == nil || (bestAt >= 0 && loc[0] >= bestAt) {
				continue
			}
			best, found = windowRule(kind, message[loc[2]:loc[3]])
			bestAt = loc[0]
		}
	}
	try(RuleSlidingDays, days)
	try(RuleSlidingHours, hours)
	return best, found
}

func windowRule(kind RuleKind, digits string) (Rule, bool) {
	n, err := strconv.Atoi(digits)
	if err != nil {
		return Rule{}, false
	}
	r := Rule{Kind: kind, Days: n}
	if kind == RuleSlidingHours {
		r = Rule{Kind: kind, Hours: n}
	}
	if !r.Valid() {
		return Rule{}, false
	}
	return r, true
}

// newTooEarly builds the TooEarlyError of a refusal.
func newTooEarly(key, message string) *TooEarlyError {
	window, ok := tooEarlyWindow(key, message)
	return &TooEarlyError{Key: key, Message: message, Window: window, WindowKnown: ok}
}

// Recognising a −12 (or a no-state refusal) by its words when it carries no
// errorMssgLang key (docs/protocol.md §10B; one client matches on the text
// alone). Spanish texts are [LIVE]; Catalan and English same-hour texts are
// [GUESS]. "Too early" needs "more than N days/hours" — "menos de 2 horas
// de antelación" is the minimum notice, not the window.
var (
	sameHourWords = regexp.MustCompile(`(?i)\b(?:misma|mateixa)\s+hora\b|\bsame\s+(?:time|hour)\b`)
	tooEarlyWords = regexp.MustCompile(`(?i)(?:\bm[aá]s\s+de|\bm[eé]s\s+de|\bmore\s+than)\s+\d+\s+(?:d[ií]as?|dies|days?|horas?|hores?|hours?)\b`)
)

// sameHourText: "No puedes hacer más de una reserva a la misma hora" and
// its translations.
func sameHourText(message string) bool { return sameHourWords.MatchString(message) }

// tooEarlyText: "No puedes reservar clases con más de 4 días de
// antelación" and its translations (days or hours).
func tooEarlyText(message string) bool { return tooEarlyWords.MatchString(message) }
