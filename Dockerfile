# syntax=docker/dockerfile:1
#
# The osler image: one static binary on distroless, run as a non-root user.
#
#   docker build -t osler:dev --build-arg VERSION=$(git describe --tags --always) .
#   docker run --rm -p 8080:8080 -v "$PWD/model:/opt/ml/model:ro" osler:dev serve --no-auth
#
# ENTRYPOINT is the binary and CMD is "serve", so `docker run IMAGE serve`
# (how the managed inference service starts a bring-your-own container) and
# `docker run IMAGE` both run `osler serve`, and `docker run IMAGE models list`
# runs any other command. deploy/README.md has the details;
# scripts/build-image.sh builds the same binary without Docker.

# Build stage: the toolchain go.mod asks for (go 1.26.8). It runs on the
# builder's platform and cross-compiles for the target (buildx --platform).
ARG GO_VERSION=1.26.8
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
# VERSION is written into internal/version.Version (osler version, model
# artifacts, registry entries). .git is not sent to the build (.dockerignore),
# so the VCS revision is not stamped; put it in VERSION instead.
ARG VERSION=v0.1.0-dev
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# CGO_ENABLED=0: the registry's SQLite driver is pure Go (cmd/osler's TestDeps
# holds the binary to it), so the binary needs no libc and runs on distroless
# static. -trimpath and -s -w: no build paths, no symbol tables.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/osler-health/osler/internal/version.Version=${VERSION}" \
      -o /out/osler ./cmd/osler
# The registry home, owned by the runtime user so a volume mounted there
# (Docker copies the ownership into a new named volume) is writable. 0700:
# Osler keeps its home private.
RUN mkdir -p /out/var/lib/osler && chmod 0700 /out/var/lib/osler

# Runtime stage: distroless static (CA certificates for the LLM, JWKS and
# FHIR clients, tzdata, /etc/passwd with nonroot, /tmp); no shell, no package
# manager.
# The batch image (docker build --target batch -t osler-batch .): osler and,
# beside it, osler-batch with the Apache Beam pipelines that `osler batch`
# execs (deploy/kubernetes/jobs/batch-predict.yaml). Kept out of the server
# image: Beam triples the binary.
FROM build AS build-batch
ARG VERSION=v0.1.0-dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/osler-health/osler/internal/version.Version=${VERSION}" \
      -o /out/osler-batch ./cmd/osler-batch

FROM gcr.io/distroless/static-debian12:nonroot AS batch
COPY --from=build /out/osler /osler
COPY --from=build-batch /out/osler-batch /osler-batch
USER 65532:65532
ENTRYPOINT ["/osler"]
CMD ["batch", "--help"]

# The server image (the default target).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/osler /osler
COPY --from=build --chown=65532:65532 /out/var/lib/osler /var/lib/osler
# nonroot (65532:65532) by number, so Kubernetes' runAsNonRoot can check it.
USER 65532:65532
# The registry lives at /var/lib/osler when the container is given one:
#   docker run -e OSLER_HOME=/var/lib/osler -v osler-home:/var/lib/osler IMAGE serve
# OSLER_HOME is deliberately NOT set here: osler serve opens the registry
# whenever OSLER_HOME is set, even with --model-dir and --no-auth, and an
# empty home then stops the server ("no registry at /var/lib/osler"), which
# would break serving /opt/ml/model. The Kubernetes Deployment sets it.
#
# /opt/ml/model is where the managed service mounts the model; osler serve
# serves it whenever that directory exists. It is deliberately neither
# created here nor declared a VOLUME: an empty /opt/ml/model would make every
# container serve that empty directory instead of its registry.
EXPOSE 8080
# No HEALTHCHECK: distroless has no shell and no curl to run one, and the
# binary has no health-check subcommand. Orchestrators probe over HTTP
# instead: GET /ping (200 once a model is loaded, 503 before that and while
# draining) for readiness, GET /openapi.json (200 whenever the server
# answers) for liveness; deploy/kubernetes/deployment.yaml shows both.
ENTRYPOINT ["/osler"]
CMD ["serve"]
