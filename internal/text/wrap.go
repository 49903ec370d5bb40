package text

import "strings"

// Wrap breaks text into lines of at most width columns, keeping blank lines.
func Wrap(text string, width int) string {
	var out strings.Builder
	for i, para := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		col := 0
		for j, word := range strings.Fields(para) {
			if j > 0 && col+1+len(word) > width {
				out.WriteByte('\n')
				col = 0
			} else if j > 0 {
				out.WriteByte(' ')
				col++
			}
			out.WriteString(word)
			col += len(word)
		}
	}
	return out.String()
}
