package augment

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	texts := func(ss ...string) []Item {
		items := make([]Item, len(ss))
		for i, s := range ss {
			items[i] = Item{Text: s}
		}
		return items
	}
	tests := []struct {
		name, reply string
		want        []Item // nil: ErrMalformed
	}{
		{"array of strings", `["First row here.", "Second row here."]`, texts("First row here.", "Second row here.")},
		{"array of objects", `[{"text": "A"}, {"sentence": "B"}, {"id": 3}]`, []Item{{Text: "A"}, {Text: "B"}, {NotText: true}}},
		{"object with list", `{"examples": ["A", "B"]}`, texts("A", "B")},
		{"object with other key", `{"zz": 1, "generated": [{"text": "A"}]}`, texts("A")},
		{"nested object", `{"result": {"sentences": ["A"]}}`, texts("A")},
		{"single object", `{"text": "Only one."}`, texts("Only one.")},
		{"non-strings", `["A", 1, null, true, ["x"]]`, []Item{{Text: "A"}, {NotText: true}, {NotText: true}, {NotText: true}, {NotText: true}}},
		{"code fence", "```json\n[\"A\", \"B\"]\n```", texts("A", "B")},
		{"fence after prose", "Sure, here:\n```\n[\"A\"]\n```\nDone.", texts("A")},
		{"prose then array", `Here are the examples: ["A", "B"] Hope that helps.`, texts("A", "B")},
		{"numbered lines", "Here you are:\n1. First one.\n2) Second one.\n(3) Third one.\nThanks!", texts("First one.", "Second one.", "Third one.")},
		{"bullets", "- A\n* B\n• C", texts("A", "B", "C")},
		{"quoted lines", "1. \"Quoted row.\"\n2. “Curly row.”,\n3. 'single'", texts("Quoted row.", "Curly row.", "single")},
		{"numbering inside json", `["1. Row one.", "2) Row two."]`, texts("Row one.", "Row two.")},
		{"whitespace collapsed", "[\"Row\\n  with   spaces \"]", texts("Row with spaces")},
		{"empty string kept for counting", `["", "  "]`, texts("", "")},
		{"prose", "I cannot help with that.", nil},
		{"empty", "", nil},
		{"empty array", "[]", nil},
		{"truncated json", `["A", "B`, nil},
		{"object without list", `{"error": "overloaded"}`, nil},
		{"number", "42", nil},
		{"times are not numbering", "12:30 the patient fell", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.reply)
			if tt.want == nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("Parse = %+v, %v; want ErrMalformed", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestIDSafe(t *testing.T) {
	for in, want := range map[string]string{"fall": "fall", "chest pain": "chest-pain", "a/b  c": "a-b-c", "É.1_x": "É.1_x"} {
		if got := idSafe(in); got != want {
			t.Errorf("idSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse checks that Parse never panics, that it returns rows or
// ErrMalformed and never both, and that rows are clean: valid UTF-8 when
// the reply is, no surrounding whitespace, no line breaks.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`["a", "b"]`, `[{"text": "a"}, 1]`, `{"examples": ["a"]}`, "```json\n[\"a\"]\n```", "1. a\n2. b",
		"- \"a\",\n- 'b'", `{"a": {"b": {"c": {"d": ["x"]}}}}`, "```", `"`, "1. \"", "[", "{}", "“”",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		items, err := Parse(reply)
		if (err == nil) == (len(items) == 0) {
			t.Fatalf("Parse(%q) = %d items, %v", reply, len(items), err)
		}
		for _, it := range items {
			if it.NotText && it.Text != "" {
				t.Fatalf("a non-text item has text %q", it.Text)
			}
			if strings.TrimSpace(it.Text) != it.Text || strings.ContainsAny(it.Text, "\n\r") {
				t.Fatalf("unclean row %q from %q", it.Text, reply)
			}
			if utf8.ValidString(reply) && !utf8.ValidString(it.Text) {
				t.Fatalf("invalid UTF-8 row %q from %q", it.Text, reply)
			}
		}
	})
}
