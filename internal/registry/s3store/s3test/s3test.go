// Package s3test runs an in-process S3 for tests: gofakes3 with its
// memory backend behind an httptest server on 127.0.0.1, and a clock the
// test can turn back to make objects old. Only _test.go files import it.
package s3test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/osler-health/osler/internal/registry/s3store"
)

// Server is a fake S3 endpoint.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL     string
	Backend *s3mem.Backend
	clock   *clock
}

// clock is the backend's time: now, shifted by an offset.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).In(time.FixedZone("GMT", 0))
}

func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// New starts a fake S3 holding the given (empty) buckets; it stops when
// the test ends.
func New(t testing.TB, buckets ...string) *Server {
	t.Helper()
	c := &clock{}
	backend := s3mem.New(s3mem.WithTimeSource(c))
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, Backend: backend, clock: c}
}

// Options are store options for this server: its endpoint, a region and
// static test credentials, and 64 KiB parts so that small blobs take the
// multipart path too.
func (s *Server) Options() s3store.Options {
	return s3store.Options{
		Getenv:      func(string) string { return "" },
		Endpoint:    s.URL,
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test-access-key", "test-secret-key", ""),
		PartSize:    64 << 10,
	}
}

// Open opens the store at url (s3://BUCKET/PREFIX) on this server.
func (s *Server) Open(t testing.TB, url string) *s3store.Store {
	t.Helper()
	st, err := s3store.Open(context.Background(), url, s.Options())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Env is the environment that points the AWS SDK's standard chain at
// this server, for code that opens stores by URL (t.Setenv each pair):
// the endpoint, a region and static credentials, and no instance
// metadata lookups.
func (s *Server) Env() map[string]string {
	return map[string]string{
		s3store.EnvEndpoint:           s.URL,
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "test-access-key",
		"AWS_SECRET_ACCESS_KEY":       "test-secret-key",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             "/nonexistent/osler-test",
		"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/osler-test",
	}
}

// Backdate rewrites an object so that its modification time is age ago.
func (s *Server) Backdate(t testing.TB, bucket, key string, age time.Duration) {
	t.Helper()
	obj, err := s.Backend.GetObject(bucket, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if err != nil {
		t.Fatal(err)
	}
	s.clock.mu.Lock()
	s.clock.offset = -age
	s.clock.mu.Unlock()
	defer func() {
		s.clock.mu.Lock()
		s.clock.offset = 0
		s.clock.mu.Unlock()
	}()
	if _, err := s.Backend.PutObject(bucket, key, obj.Metadata, bytes.NewReader(b), int64(len(b)), nil); err != nil {
		t.Fatal(err)
	}
}

// Objects returns the bucket's objects by key.
func (s *Server) Objects(t testing.TB, bucket string) map[string][]byte {
	t.Helper()
	list, err := s.Backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, c := range list.Contents {
		obj, err := s.Backend.GetObject(bucket, c.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[c.Key] = b
	}
	return out
}

// Replace overwrites an object's bytes (to damage it).
func (s *Server) Replace(t testing.TB, bucket, key string, b []byte) {
	t.Helper()
	if _, err := s.Backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(b), int64(len(b)), nil); err != nil {
		t.Fatal(err)
	}
}
