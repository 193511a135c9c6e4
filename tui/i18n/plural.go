package i18n

import (
	"fmt"

	"github.com/ahtui/ahtui/session/outcome"
)

// Plural is a count's words in one language: the form for exactly one and
// the form for any other number, each with one %d.
type Plural [2]string

// N writes the form for n: "1 attempt", "3 attempts".
func (p Plural) N(n int) string {
	return fmt.Sprintf(outcome.Plural(n, p[0], p[1]), n)
}

// With writes the form for n with more arguments after it: the forms
// name n as %[1]d and the rest as %[2]s….
func (p Plural) With(n int, args ...any) string {
	return fmt.Sprintf(outcome.Plural(n, p[0], p[1]), append([]any{n}, args...)...)
}
