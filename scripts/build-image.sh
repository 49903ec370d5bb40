#!/usr/bin/env bash
# build-image.sh builds the osler container image from the Dockerfile at the
# repository root, or, with --binary-only, the same static binary the image
# holds, with the Go toolchain alone (no Docker, no make).
#
# Usage:
#   scripts/build-image.sh                      # image osler:$VERSION (needs docker with BuildKit)
#   IMAGE=registry.example.org/osler scripts/build-image.sh
#   PLATFORMS=linux/amd64,linux/arm64 PUSH=1 IMAGE=registry.example.org/osler scripts/build-image.sh
#   scripts/build-image.sh --binary-only        # dist/osler-$GOOS-$GOARCH, what the image's build stage runs
#   GOARCH=arm64 scripts/build-image.sh --binary-only
#
# VERSION defaults to `git describe --tags --always --dirty` (v0.1.0-dev
# outside a checkout); it is written into internal/version.Version with -X,
# exactly as the Dockerfile does.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo v0.1.0-dev)}"
IMAGE="${IMAGE:-osler}"
LDFLAGS="-s -w -X github.com/osler-health/osler/internal/version.Version=${VERSION}"

if [ "${1:-}" = "--binary-only" ]; then
  goos="${GOOS:-linux}"
  goarch="${GOARCH:-$(go env GOARCH)}"
  out="dist/osler-${goos}-${goarch}"
  mkdir -p dist
  # The same command as the Dockerfile's build stage.
  CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" \
    go build -trimpath -buildvcs=false -ldflags "$LDFLAGS" -o "$out" ./cmd/osler
  echo "built $out (version $VERSION, static, CGO_ENABLED=0)"
  exit 0
fi

if ! command -v docker >/dev/null 2>&1; then
  echo "build-image: docker is not installed; scripts/build-image.sh --binary-only builds the binary alone" >&2
  exit 1
fi
args=(--build-arg "VERSION=${VERSION}" -t "${IMAGE}:${VERSION}")
if [ -n "${PLATFORMS:-}" ]; then
  # Several platforms need buildx; the result can only be pushed, not loaded.
  args+=(--platform "$PLATFORMS")
  [ "${PUSH:-}" = 1 ] && args+=(--push)
  docker buildx build "${args[@]}" .
else
  DOCKER_BUILDKIT=1 docker build "${args[@]}" .
  [ "${PUSH:-}" = 1 ] && docker push "${IMAGE}:${VERSION}"
fi
echo "built ${IMAGE}:${VERSION}"
