package text

import "testing"

// TestTerminalSafe escapes what would act on a terminal and leaves the
// rest.
func TestTerminalSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, accents é and 中文":     "plain text, accents é and 中文",
		"\x1b[2Jclear":                     `\x1b[2Jclear`,
		"bell\x07 tab\t nl\n cr\r del\x7f": `bell\x07 tab\x09 nl\x0a cr\x0d del\x7f`,
		"c1 \u009b31m":                     `c1 \u009b31m`,
		"file\u202egnp.exe":                `file\u202egnp.exe`,
		"bad \xff utf8":                    `bad \xff utf8`,
	} {
		if got := TerminalSafe(in); got != want {
			t.Errorf("TerminalSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
