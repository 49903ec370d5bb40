package text

import (
	"strconv"
	"strings"
)

// Thousands formats n with comma separators: 1234567 -> "1,234,567", as
// Osler's reports print counts.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
