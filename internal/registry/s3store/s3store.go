// Package s3store keeps the registry's blobs in S3 or S3-compatible
// object storage (MinIO, Ceph RGW, …): a [registry.ArtifactStore] for
// artifacts at a URL s3://BUCKET/PREFIX.
//
// Object "sha256/ab/abcd…" is stored under the key PREFIX/sha256/ab/abcd…,
// the layout of a home's blobs directory. The registry seals blobs
// (AES-256-GCM) and names them by an HMAC before they reach the store in
// an encrypted home, so the bucket never holds plaintext or content
// digests there; it checks every blob's sha256 when it reads it back.
//
// Credentials and region come from the AWS SDK's standard chain
// (environment, shared config and credentials files, SSO, container and
// instance roles); with no region configured, us-east-1 is used. The
// endpoint is AWS's unless OSLER_S3_ENDPOINT or AWS_ENDPOINT_URL_S3 names
// another (http://minio:9000), which is then addressed path-style
// (http://minio:9000/BUCKET/KEY) and sent checksums only where S3
// requires them, as S3-compatible servers expect.
//
// Blobs up to [Options.PartSize] are stored with one PUT, larger ones
// with a multipart upload (aborted on failure; add a lifecycle rule that
// aborts incomplete multipart uploads after a day for uploads a crash
// leaves behind). Both create the object conditionally (If-None-Match: *):
// a blob someone else stored meanwhile is kept, and servers that do not
// support the condition get an unconditional write, which for a
// content-addressed name stores the same bytes.
package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/osler-health/osler/internal/registry"
)

// Environment variables that name the endpoint, in order of precedence.
const (
	// EnvEndpoint is Osler's own endpoint setting (http://minio:9000).
	EnvEndpoint = "OSLER_S3_ENDPOINT"
	// EnvAWSEndpoint is the AWS SDKs' service-specific endpoint setting.
	EnvAWSEndpoint = "AWS_ENDPOINT_URL_S3"
)

// DefaultPartSize is the default [Options.PartSize]: 16 MiB.
const DefaultPartSize = 16 << 20

// maxParts is S3's limit on the parts of a multipart upload.
const maxParts = 10000

// Options configure [Open].
type Options struct {
	// Getenv reads OSLER_S3_ENDPOINT and AWS_ENDPOINT_URL_S3; nil means
	// os.Getenv. (The AWS SDK reads its standard settings itself.)
	Getenv func(string) string
	// Endpoint overrides the environment's endpoint; an endpoint other
	// than AWS's is addressed path-style.
	Endpoint string
	// Region overrides the SDK's region.
	Region string
	// Credentials overrides the SDK's credential chain.
	Credentials aws.CredentialsProvider
	// HTTPClient overrides the SDK's HTTP client.
	HTTPClient *http.Client
	// PartSize is the largest blob stored with one PUT and the part size
	// of larger ones; 0 means [DefaultPartSize]. S3 wants parts of at
	// least 5 MiB.
	PartSize int64
}

// Store is a [registry.ArtifactStore] in a bucket, under a prefix.
type Store struct {
	client   *s3.Client
	url      string // s3://bucket/prefix, as given
	bucket   string
	prefix   string // "" or ending in "/"
	partSize int64
}

var _ registry.ArtifactStore = (*Store)(nil)

// ParseURL splits s3://BUCKET/PREFIX into the bucket and the key prefix
// ("" or ending in "/").
func ParseURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("s3store: artifacts URL %q: %w", raw, err)
	}
	if u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("s3store: artifacts URL %q: want s3://BUCKET or s3://BUCKET/PREFIX", raw)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// Open opens the store at rawURL (s3://BUCKET/PREFIX) and checks that
// credentials are found and the bucket can be reached, so that a wrong
// setting fails here with the URL named rather than at the first blob.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	bucket, prefix, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var load []func(*awsconfig.LoadOptions) error
	if opts.Region != "" {
		load = append(load, awsconfig.WithRegion(opts.Region))
	}
	if opts.Credentials != nil {
		load = append(load, awsconfig.WithCredentialsProvider(opts.Credentials))
	}
	if opts.HTTPClient != nil {
		load = append(load, awsconfig.WithHTTPClient(opts.HTTPClient))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("s3store: %s: AWS configuration: %w", rawURL, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	endpoint := opts.Endpoint
	for _, v := range []string{EnvEndpoint, EnvAWSEndpoint} {
		if endpoint == "" {
			endpoint = strings.TrimSpace(getenv(v))
		}
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	part := opts.PartSize
	if part <= 0 {
		part = DefaultPartSize
	}
	s := &Store{client: client, url: rawURL, bucket: bucket, prefix: prefix, partSize: part}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("s3store: %s: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or task role", rawURL)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("s3store: %s: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance or task role (%w)", rawURL, err)
	}
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		where := "AWS"
		if endpoint != "" {
			where = endpoint
		}
		switch status(err) {
		case http.StatusNotFound:
			return nil, fmt.Errorf("s3store: %s: bucket %q does not exist at %s (create it, or fix the URL or the endpoint)", rawURL, bucket, where)
		case http.StatusForbidden:
			return nil, fmt.Errorf("s3store: %s: access to bucket %q at %s is denied to these credentials: %w", rawURL, bucket, where, err)
		}
		return nil, fmt.Errorf("s3store: %s: bucket %q at %s: %w", rawURL, bucket, where, err)
	}
	return s, nil
}

// Opener returns a function that opens s3:// artifact URLs with the
// endpoint settings getenv reads, for [registry.HomeOptions].
func Opener(getenv func(string) string) func(ctx context.Context, url string) (registry.ArtifactStore, error) {
	return func(ctx context.Context, url string) (registry.ArtifactStore, error) {
		return Open(ctx, url, Options{Getenv: getenv})
	}
}

// String returns the store's URL.
func (s *Store) String() string { return s.url }

func (s *Store) key(name string) string { return s.prefix + name }

// Location returns the object's URL, for messages.
func (s *Store) Location(name string) string { return "s3://" + s.bucket + "/" + s.key(name) }

// status is the HTTP status of a failed request (0: none).
func status(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// code is the S3 error code of a failed request ("" when none).
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// notFound reports whether err says the object does not exist (and not
// that the bucket is missing).
func notFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	return errors.As(err, &nsk) || errors.As(err, &nf) || (status(err) == http.StatusNotFound && code(err) != "NoSuchBucket")
}

// exists reports whether a conditional create failed because the object
// is there already.
func exists(err error) bool {
	return status(err) == http.StatusPreconditionFailed || code(err) == "PreconditionFailed"
}

// unsupported reports whether the server refused the condition itself.
func unsupported(err error) bool {
	return status(err) == http.StatusNotImplemented || code(err) == "NotImplemented"
}

func (s *Store) fail(op, name string, err error) error {
	if notFound(err) {
		return fmt.Errorf("s3store: %s %s: %w", op, s.Location(name), registry.ErrNotExist)
	}
	return fmt.Errorf("s3store: %s %s: %w", op, s.Location(name), err)
}

// Put stores r under name: with one conditional PUT up to the part size,
// else with a multipart upload.
func (s *Store) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	if size < 0 || size > s.partSize {
		return s.putMultipart(ctx, name, r)
	}
	body, ok := r.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(io.LimitReader(r, size+1))
		if err != nil {
			return fmt.Errorf("s3store: put %s: %w", s.Location(name), err)
		}
		body = bytes.NewReader(b)
	}
	start, err := body.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("s3store: put %s: %w", s.Location(name), err)
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name)),
		Body: body, ContentLength: aws.Int64(size), IfNoneMatch: aws.String("*")}
	_, err = s.client.PutObject(ctx, in)
	if unsupported(err) {
		if _, err = body.Seek(start, io.SeekStart); err == nil {
			in.IfNoneMatch = nil
			_, err = s.client.PutObject(ctx, in)
		}
	}
	if err != nil && !exists(err) {
		return s.fail("put", name, err)
	}
	return nil
}

// putMultipart uploads r in parts of the part size, aborting the upload
// on any failure.
func (s *Store) putMultipart(ctx context.Context, name string, r io.Reader) (err error) {
	bucket, key := aws.String(s.bucket), aws.String(s.key(name))
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		return s.fail("put", name, err)
	}
	completed := false
	defer func() {
		if !completed {
			_, aerr := s.client.AbortMultipartUpload(context.WithoutCancel(ctx),
				&s3.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId})
			err = errors.Join(err, aerr)
		}
	}()
	buf := make([]byte, s.partSize)
	var parts []types.CompletedPart
	for num := int32(1); ; num++ {
		n, rerr := io.ReadFull(r, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return fmt.Errorf("s3store: put %s: %w", s.Location(name), rerr)
		}
		if n > 0 || num == 1 {
			if num > maxParts {
				return fmt.Errorf("s3store: put %s: more than %d parts of %d bytes: raise the part size", s.Location(name), maxParts, s.partSize)
			}
			out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
				PartNumber: aws.Int32(num), Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
			if err != nil {
				return s.fail(fmt.Sprintf("put (part %d)", num), name, err)
			}
			parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		}
		if rerr != nil {
			break
		}
	}
	in := &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, IfNoneMatch: aws.String("*")}
	_, err = s.client.CompleteMultipartUpload(ctx, in)
	if unsupported(err) {
		in.IfNoneMatch = nil
		_, err = s.client.CompleteMultipartUpload(ctx, in)
	}
	switch {
	case err == nil:
		completed = true
	case exists(err):
		return nil // stored meanwhile; the deferred abort drops these parts
	default:
		return s.fail("put", name, err)
	}
	return nil
}

// Open opens an object for reading.
func (s *Store) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))})
	if err != nil {
		return nil, s.fail("get", name, err)
	}
	return out.Body, nil
}

// Stat describes an object.
func (s *Store) Stat(ctx context.Context, name string) (registry.ObjectInfo, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))})
	if err != nil {
		return registry.ObjectInfo{}, s.fail("stat", name, err)
	}
	info := registry.ObjectInfo{Name: name, Size: aws.ToInt64(out.ContentLength)}
	if out.LastModified != nil {
		info.ModTime = *out.LastModified
	}
	return info, nil
}

// Delete removes an object.
func (s *Store) Delete(ctx context.Context, name string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))})
	if err != nil && !notFound(err) {
		return s.fail("delete", name, err)
	}
	return nil
}

// List calls fn for each object under prefix, a page of keys at a time.
func (s *Store) List(ctx context.Context, prefix string, fn func(registry.ObjectInfo) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(s.key(prefix))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3store: list %s: %w", s.Location(prefix), err)
		}
		for _, o := range page.Contents {
			name, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			if !ok {
				continue
			}
			info := registry.ObjectInfo{Name: name, Size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				info.ModTime = *o.LastModified
			}
			if err := fn(info); err != nil {
				return err
			}
		}
	}
	return nil
}
