package s3store_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/osler-health/osler/internal/registry/s3store"
	"github.com/osler-health/osler/internal/registry/s3store/s3test"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct{ url, bucket, prefix, err string }{
		{"s3://models", "models", "", ""},
		{"s3://models/", "models", "", ""},
		{"s3://models/osler/prod", "models", "osler/prod/", ""},
		{"s3://models/osler/prod/", "models", "osler/prod/", ""},
		{"s3:///prefix", "", "", "want s3://BUCKET"},
		{"https://models/x", "", "", "want s3://BUCKET"},
		{"s3://models/x?versionId=1", "", "", "want s3://BUCKET"},
		{"s3://key:secret@models/x", "", "", "want s3://BUCKET"},
	} {
		b, p, err := s3store.ParseURL(c.url)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), c.url) {
				t.Errorf("ParseURL(%q) = %q, %q, %v; want an error naming the URL", c.url, b, p, err)
			}
			continue
		}
		if err != nil || b != c.bucket || p != c.prefix {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", c.url, b, p, err, c.bucket, c.prefix)
		}
	}
}

// noCredentials empties the AWS SDK's standard credential chain.
func noCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/osler-test-config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/osler-test-credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true") // no instance role lookups off the machine
}

func TestOpenErrorsNameTheURL(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "models")

	opts := srv.Options()
	if _, err := s3store.Open(ctx, "s3://no-such-bucket/osler", opts); err == nil ||
		!strings.Contains(err.Error(), "s3://no-such-bucket/osler") || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing bucket: %v; want an error naming the URL that says the bucket does not exist", err)
	}

	noCredentials(t)
	opts.Credentials = nil
	_, err := s3store.Open(ctx, "s3://models/osler", opts)
	if err == nil || !strings.Contains(err.Error(), "s3://models/osler") || !strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("no credentials: %v; want an error naming the URL that says no credentials were found", err)
	}

	if _, err := s3store.Open(ctx, "s3:/models", opts); err == nil || !strings.Contains(err.Error(), "s3:/models") {
		t.Errorf("bad URL: %v", err)
	}
}

// TestOpenFromEnvironment opens a store the way osler does: endpoint and
// credentials from the environment alone.
func TestOpenFromEnvironment(t *testing.T) {
	srv := s3test.New(t, "models")
	noCredentials(t)
	for k, v := range srv.Env() {
		t.Setenv(k, v)
	}
	st, err := s3store.Opener(func(k string) string {
		if k == s3store.EnvAWSEndpoint {
			return srv.URL
		}
		return ""
	})(context.Background(), "s3://models/osler")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(context.Background(), "sha256/aa/x", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Objects(t, "models")["osler/sha256/aa/x"]; !ok {
		t.Fatalf("object not under the prefix: %v", srv.Objects(t, "models"))
	}
}

// TestPutKeepsAnExistingObject: puts are conditional creates, so a
// second put under a name keeps the first object (names are content
// addresses; the registry deletes a damaged object before replacing it).
func TestPutKeepsAnExistingObject(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "models")
	st := srv.Open(t, "s3://models/p")
	for _, size := range []int{10, 200 << 10} { // one PUT, multipart
		name := "sha256/aa/" + strings.Repeat("n", size%7+1)
		first, second := strings.Repeat("a", size), strings.Repeat("b", size)
		if err := st.Put(ctx, name, strings.NewReader(first), int64(size)); err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, name, strings.NewReader(second), int64(size)); err != nil {
			t.Fatalf("second put of %d bytes: %v", size, err)
		}
		r, err := st.Open(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if size == 10 && string(got) != first {
			t.Errorf("a conditional PUT replaced the object")
		}
		if len(got) != size {
			t.Errorf("%d bytes read back, want %d", len(got), size)
		}
		if err := st.Delete(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
}
