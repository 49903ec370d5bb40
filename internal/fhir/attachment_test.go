package fhir

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// fakeFetcher is a Fetcher with a func field.
type fakeFetcher struct {
	get func(url string, maxBytes int64) ([]byte, string, error)
}

func (f fakeFetcher) GetBinary(_ context.Context, url string, maxBytes int64) ([]byte, string, error) {
	return f.get(url, maxBytes)
}

func TestAttachmentText(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		a    Attachment
		want string
	}{
		{"plain", Attachment{ContentType: "text/plain", Data: b64("No acute distress.")}, "No acute distress."},
		{"no type", Attachment{Data: b64("x")}, "x"},
		{"unpadded", Attachment{Data: base64.RawStdEncoding.EncodeToString([]byte("ab"))}, "ab"},
		{"url-safe", Attachment{Data: base64.URLEncoding.EncodeToString([]byte("\xff\xfe?>"))[:4] + "", ContentType: "text/plain; charset=iso-8859-1"}, "ÿþ?"},
		{"line breaks", Attachment{Data: "aGVs\nbG8=\n"}, "hello"},
		{"bom", Attachment{Data: b64("\xef\xbb\xbfhi")}, "hi"},
		{"invalid utf-8", Attachment{Data: b64("a\xffb")}, "a\uFFFDb"},
		{"latin-1", Attachment{ContentType: "text/plain; charset=ISO-8859-1", Data: b64("caf\xe9")}, "café"},
		{"windows-1252", Attachment{ContentType: "text/plain; charset=windows-1252", Data: b64("\x93ok\x94")}, "“ok”"},
		{"markdown", Attachment{ContentType: "text/markdown", Data: b64("# Plan\n- rest")}, "# Plan\n- rest"},
		{"html", Attachment{ContentType: "text/html; charset=utf-8", Data: b64(
			"<html><head><title>T</title><style>p{}</style></head><body><p>Chest  pain &amp; SOB</p>" +
				"<SCRIPT>alert(1)</SCRIPT><!-- hidden --><ul><li>a &lt; b</li><li>c</li></ul>x<br/>y</body></html>")},
			"T\n\nChest pain & SOB\n\na < b\n\nc\n\nx\ny"},
		{"xhtml", Attachment{ContentType: "application/xhtml+xml", Data: b64(`<div xmlns="http://www.w3.org/1999/xhtml">1 < 2</div>`)}, "1 < 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Text(context.Background(), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAttachmentTextErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		a    Attachment
		want error
	}{
		{"pdf", Attachment{ContentType: "application/pdf", Data: "JVBERi0="}, ErrUnsupportedContent},
		{"charset", Attachment{ContentType: "text/plain; charset=utf-16", Data: "aGk="}, ErrUnsupportedContent},
		{"malformed type", Attachment{ContentType: "text/", Data: "aGk="}, ErrUnsupportedContent},
		{"too large", Attachment{Data: base64.StdEncoding.EncodeToString(make([]byte, 100))}, ErrTooLarge},
		{"empty", Attachment{}, ErrNoContent},
	}
	for _, tt := range tests {
		if _, err := tt.a.Text(ctx, nil, 50); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := (&Attachment{Data: "SECRET!!"}).Text(ctx, nil, 0); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("bad base64: %v", err)
	}
	if _, err := (&Attachment{URL: "Binary/1"}).Text(ctx, nil, 0); err == nil {
		t.Error("a url and no fetcher: no error")
	}
}

func TestAttachmentTextFetched(t *testing.T) {
	ctx := context.Background()
	var gotURL string
	var gotMax int64
	f := fakeFetcher{get: func(url string, maxBytes int64) ([]byte, string, error) {
		gotURL, gotMax = url, maxBytes
		switch url {
		case "Binary/html":
			return []byte("<p>fetched</p>"), "text/html", nil
		case "Binary/json":
			return []byte(`{"resourceType":"Binary","contentType":"text/plain","data":"aGVsbG8="}`), "application/fhir+json;charset=utf-8", nil
		}
		return nil, "", &StatusError{StatusCode: 404, URL: "/Binary/x"}
	}}
	if got, err := (&Attachment{URL: "Binary/html"}).Text(ctx, f, 1000); err != nil || got != "fetched" || gotURL != "Binary/html" || gotMax != 1000 {
		t.Errorf("html: %q, %v (url %s, max %d)", got, err, gotURL, gotMax)
	}
	if got, err := (&Attachment{URL: "Binary/json"}).Text(ctx, f, 0); err != nil || got != "hello" {
		t.Errorf("Binary: %q, %v", got, err)
	}
	var se *StatusError
	if _, err := (&Attachment{URL: "Binary/x"}).Text(ctx, f, 0); !errors.As(err, &se) || se.StatusCode != 404 {
		t.Errorf("404: %v", err)
	}
	// The attachment's own contentType wins over the fetched one.
	if got, err := (&Attachment{URL: "Binary/html", ContentType: "text/plain"}).Text(ctx, f, 0); err != nil || got != "<p>fetched</p>" {
		t.Errorf("typed: %q, %v", got, err)
	}
}
