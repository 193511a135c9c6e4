package session

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/ahtui/ahtui/aimharder"
)

// One rule decides "the class at this time with this name" everywhere a
// class is found again by what the member chose rather than by its id: a
// weekly plan's occurrence, a prebooking made by name resolved at its
// opening (docs/protocol.md §10B), a plan's pending prebooking, the TUI's
// agenda. The name is compared in its normal form (NormalizeClassName),
// the time as the box's clock shows it.

// NormalizeClassName is the form class names are compared in: trimmed,
// runs of spaces made one, without accents, case-folded.
// "  Halterofília " → "halterofilia", "TEAM  WOD" → "team wod".
func NormalizeClassName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if ascii(name) {
		return strings.ToLower(name) // most names: no accents to remove
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, name)
	if err != nil {
		out = name
	}
	return strings.ToLower(out)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ClassNameMatches reports whether a class called name is the class a
// plan names: exactly equal in normal form (NormalizeClassName): case,
// accents and spacing aside. "WOD" does not match "TEAM WOD";
// "Halterofília" matches "halterofilia".
func ClassNameMatches(planned, name string) bool {
	return NormalizeClassName(planned) == NormalizeClassName(name)
}

// ClassAt is a class sought by what the member chose: its name and its
// start time of day on the box's clock (Loc, the box's zone).
type ClassAt struct {
	Name string
	At   ClockTime
	Loc  *time.Location
}

// Is reports whether a class called name starting at start is the class
// sought: the same time of day on the box's clock and a matching name.
// Two classes at the same time are told apart by their names.
func (w ClassAt) Is(name string, start time.Time) bool {
	return ClockOf(start.In(w.loc(start))) == w.At && ClassNameMatches(w.Name, name)
}

// loc is the box's zone; without one, start's own.
func (w ClassAt) loc(start time.Time) *time.Location {
	if w.Loc == nil {
		return start.Location()
	}
	return w.Loc
}

// FindClass is the first class of list (in the day's order) that is the
// class sought (ClassAt.Is); of reads a list item's name and start. Two
// classes of the same name at the same time (two rooms) cannot be told
// apart by the member's choice: the first listed is taken.
func FindClass[T any](list []T, w ClassAt, of func(T) (name string, start time.Time)) (T, bool) {
	want := NormalizeClassName(w.Name)
	for _, c := range list {
		name, start := of(c)
		if ClockOf(start.In(w.loc(start))) == w.At && NormalizeClassName(name) == want {
			return c, true
		}
	}
	var zero T
	return zero, false
}

// NameAndStart reads a listed class for FindClass.
func NameAndStart(c aimharder.Class) (string, time.Time) { return c.Name, c.Start }

// SameClass reports whether two classes known by their start instants are
// the same class by the same rule: the same start and a matching name
// (for a stored prebooking, whose start is an instant).
func SameClass(name string, start time.Time, otherName string, otherStart time.Time) bool {
	return start.Equal(otherStart) && ClassNameMatches(name, otherName)
}
