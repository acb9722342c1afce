#!/usr/bin/env bash
# Builds every image under test/images/*/build.sh as an OCI archive (no registry, no
# Docker) into OUT_DIR and prints one archive path per line.
#   usage: test/images/build-images.sh OUT_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mkdir -p "${1:?usage: build-images.sh OUT_DIR}" && cd "$1" && pwd)"
WORK="$(mktemp -d /tmp/vh-images.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
export OUT WORK
for b in "$HERE"/*/build.sh; do bash "$b"; done
