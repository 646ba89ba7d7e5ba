#!/usr/bin/env bash
# The container lane, as root: install the engine and the Compose/buildx
# plugins where missing, start a private dockerd, build (or reuse) the
# stand-in base images, then build and run the project's images for real
# (npm run test:containers). dockerd is stopped at the end, by its PID,
# whether the tests passed or not. Extra arguments go to vitest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"
cd "$here/../.."

step() {
  local name="$1" started=$SECONDS
  shift
  "$@"
  echo "containers: $name took $((SECONDS - started)) s"
}

step "engine install" "$here/install-engine.sh"
step "dockerd start" "$here/dockerd.sh" start
# The project's images are never kept (the tests remove theirs): drop any
# image a failed build left untagged (the tagged stand-ins stay), then stop
# dockerd. The build cache is bounded by dockerd's own GC (dockerd.sh).
finish() {
  docker image prune --force >/dev/null 2>&1 || true
  "$here/dockerd.sh" stop
}
trap finish EXIT
step "stand-in base images" "$here/base-images.sh"
# CI=true: a container test never skips here; without an engine it fails.
step "image tests" env CI=true npx vitest run --config vitest.containers.config.ts "$@"
