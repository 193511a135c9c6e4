package outcome

import "strconv"

// Count writes n things with the word for their number: "1 attempt",
// "3 attempts", "0 attempts" (English and Spanish both use the singular
// for exactly one).
func Count(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Plural(n, one, many)
}

// Plural picks the word for n things.
func Plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}
