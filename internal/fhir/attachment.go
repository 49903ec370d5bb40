package fhir

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// DefaultMaxBytes is the size limit on fetched answers and decoded
// attachments when none is given: 16 MiB.
const DefaultMaxBytes = 16 << 20

// Fetcher fetches the content an attachment's URL points to; [*Client] is
// one. url is absolute or relative to the FHIR server's base. GetBinary
// returns the content and its media type ("" when unknown), and fails with
// [ErrTooLarge] beyond maxBytes.
type Fetcher interface {
	GetBinary(ctx context.Context, url string, maxBytes int64) ([]byte, string, error)
}

var (
	// ErrUnsupportedContent is returned (wrapped) by [Attachment.Text] for
	// a content type or charset it does not read as text.
	ErrUnsupportedContent = errors.New("fhir: attachment: content type not supported as text")
	// ErrNoContent is returned by [Attachment.Text] for an attachment with
	// neither data nor url.
	ErrNoContent = errors.New("fhir: attachment: no data and no url")
)

// Text returns the attachment's content as text, from its base64 data or,
// when it has none, fetched from its url through fetch (which may be nil
// for inline data). Content larger than maxBytes (<= 0: DefaultMaxBytes)
// fails with [ErrTooLarge].
//
// Base64 may be standard or URL-safe, padded or not, with line breaks. A
// fetched answer that is a FHIR Binary resource in JSON is unwrapped.
//
// Supported media types (the attachment's contentType, else the fetched
// one; text/plain when neither is given): text/plain, text/markdown and
// text/x-markdown as they are; text/html and application/xhtml+xml with
// the markup removed (tags dropped, script and style contents dropped,
// block elements ending lines, entities decoded). Supported charsets:
// utf-8 (the default; invalid bytes become U+FFFD, a BOM is dropped),
// us-ascii, iso-8859-1 (latin-1) and windows-1252. Other types (PDF, RTF,
// images) and charsets fail with [ErrUnsupportedContent].
func (a *Attachment) Text(ctx context.Context, fetch Fetcher, maxBytes int64) (string, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	ct := a.ContentType
	var raw []byte
	switch {
	case a.Data != "":
		var err error
		if raw, err = decodeBase64(a.Data, maxBytes); err != nil {
			return "", err
		}
	case a.URL != "":
		if fetch == nil {
			return "", errors.New("fhir: attachment: content is at a url and no fetcher was given")
		}
		body, fetchedType, err := fetch.GetBinary(ctx, a.URL, maxBytes)
		if err != nil {
			return "", err
		}
		if body, fetchedType, err = unwrapBinary(body, fetchedType, maxBytes); err != nil {
			return "", err
		}
		if int64(len(body)) > maxBytes {
			return "", fmt.Errorf("fhir: attachment: %w (limit %d bytes)", ErrTooLarge, maxBytes)
		}
		if ct == "" {
			ct = fetchedType
		}
		raw = body
	default:
		return "", ErrNoContent
	}
	return decodeText(raw, ct)
}

// decodeBase64 decodes FHIR base64 data: standard or URL-safe alphabet,
// with or without padding, ignoring whitespace.
func decodeBase64(data string, maxBytes int64) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, data)
	clean = strings.TrimRight(clean, "=")
	if int64(base64.RawStdEncoding.DecodedLen(len(clean))) > maxBytes {
		return nil, fmt.Errorf("fhir: attachment: %w (limit %d bytes)", ErrTooLarge, maxBytes)
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(clean, "-_") {
		enc = base64.RawURLEncoding
	}
	out, err := enc.DecodeString(clean)
	if err != nil {
		// CorruptInputError says only the offset.
		return nil, fmt.Errorf("fhir: attachment: data is not base64: %w", err)
	}
	return out, nil
}

// unwrapBinary returns the content of a FHIR Binary resource when body is
// one in JSON, else body and contentType unchanged.
func unwrapBinary(body []byte, contentType string, maxBytes int64) ([]byte, string, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/fhir+json" && mt != "application/json" && mt != "application/json+fhir" {
		return body, contentType, nil
	}
	var bin struct {
		ResourceType string `json:"resourceType"`
		ContentType  string `json:"contentType"`
		Data         string `json:"data"`
	}
	if json.Unmarshal(body, &bin) != nil || bin.ResourceType != "Binary" {
		return body, contentType, nil
	}
	if bin.Data == "" {
		return nil, "", errors.New("fhir: attachment: Binary resource has no data")
	}
	data, err := decodeBase64(bin.Data, maxBytes)
	if err != nil {
		return nil, "", err
	}
	return data, bin.ContentType, nil
}

// decodeText turns content of media type ct into text (see
// [Attachment.Text]).
func decodeText(raw []byte, ct string) (string, error) {
	mt, params := "text/plain", map[string]string(nil)
	if ct != "" {
		var err error
		if mt, params, err = mime.ParseMediaType(ct); err != nil {
			return "", fmt.Errorf("%w: malformed content type", ErrUnsupportedContent)
		}
	}
	var isHTML bool
	switch mt {
	case "text/plain", "text/markdown", "text/x-markdown":
	case "text/html", "application/xhtml+xml":
		isHTML = true
	default:
		if len(mt) > 80 {
			mt = mt[:80] + "..."
		}
		return "", fmt.Errorf("%w: %s (want text/plain, text/markdown or text/html)", ErrUnsupportedContent, mt)
	}
	text, err := decodeCharset(raw, params["charset"])
	if err != nil {
		return "", err
	}
	if isHTML {
		text = stripHTML(text)
	}
	return text, nil
}

// decodeCharset converts raw in the charset to valid UTF-8.
func decodeCharset(raw []byte, charset string) (string, error) {
	switch strings.ToLower(charset) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		if utf8.Valid(raw) {
			return string(raw), nil
		}
		return strings.ToValidUTF8(string(raw), "\uFFFD"), nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		out, err := charmap.ISO8859_1.NewDecoder().Bytes(raw)
		return string(out), err
	case "windows-1252", "cp1252":
		out, err := charmap.Windows1252.NewDecoder().Bytes(raw)
		return string(out), err
	}
	return "", fmt.Errorf("%w: charset (want utf-8, us-ascii, iso-8859-1 or windows-1252)", ErrUnsupportedContent)
}

// blockTags are the HTML elements that start or end a line of text.
var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "table": true,
	"ul": true, "ol": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "hr": true, "pre": true, "blockquote": true,
	"section": true, "article": true, "header": true, "footer": true,
	"dt": true, "dd": true, "dl": true, "title": true,
}

// stripHTML returns the text of an HTML document: tags and comments
// removed, script and style contents removed, block elements as line
// breaks, runs of spaces collapsed and entities decoded. It is a simple
// scanner, not a full HTML parser, which is enough for clinical notes
// rendered as HTML.
func stripHTML(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			s = skipPast(s, "-->")
			continue
		}
		name, closing := tagName(s)
		if name == "" && !strings.HasPrefix(s, "<!") && !strings.HasPrefix(s, "<?") {
			b.WriteByte('<') // a literal '<' in text
			s = s[1:]
			continue
		}
		s = skipPast(s, ">")
		switch {
		case (name == "script" || name == "style") && !closing:
			s = skipPast(skipPastFold(s, "</"+name), ">")
		case blockTags[name]:
			b.WriteByte('\n')
		case name == "td" || name == "th":
			b.WriteByte(' ')
		}
	}
	return tidyLines(html.UnescapeString(b.String()))
}

// tagName returns the lower-cased element name of the tag s starts with,
// and whether it is a closing tag; "" when s does not start a tag.
func tagName(s string) (string, bool) {
	s = s[1:]
	closing := strings.HasPrefix(s, "/")
	if closing {
		s = s[1:]
	}
	n := 0
	for n < len(s) && (isASCIILetter(s[n]) || (n > 0 && s[n] >= '0' && s[n] <= '9')) {
		n++
	}
	return strings.ToLower(s[:n]), closing
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// skipPast returns s after the first sep, or "" when there is none.
func skipPast(s, sep string) string {
	if i := strings.Index(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return ""
}

// skipPastFold is skipPast with sep matched case-insensitively (sep is
// lower case ASCII).
func skipPastFold(s, sep string) string {
	for i := 0; i+len(sep) <= len(s); i++ {
		if asciiEqualFold(s[i:i+len(sep)], sep) {
			return s[i+len(sep):]
		}
	}
	return ""
}

// asciiEqualFold reports whether a equals lower-case b when ASCII letters
// of a are lower-cased.
func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(b); i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

// tidyLines collapses runs of spaces and tabs, trims each line and keeps
// at most one empty line in a row.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
