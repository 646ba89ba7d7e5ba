#!/usr/bin/env bash
# Installs what the container lane needs, as root, only where it is missing:
#   - Debian's docker.io (dockerd, containerd, runc), debootstrap for the
#     stand-in base images, docker-registry for the deploy tests;
#   - Compose v2 and buildx as docker CLI plugins. bookworm's docker-compose
#     is v1, which rejects this repository's compose file (top-level `name`,
#     `secrets.*.environment`); Debian 13 packages both as static binaries.
#     They are fetched with a private sources list and lists folder, so the
#     machine's own sources never gain trixie, and unpacked, not installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "error: install-engine.sh must run as root (it installs packages and starts dockerd)" >&2
  exit 1
fi

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-registry >/dev/null || missing+=(docker-registry)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The plugins, at the versions trixie ships; kept in the state folder so a
# warm run neither updates the lists nor downloads again.
plugins_ok() {
  docker compose version 2>/dev/null | grep -Eq 'version v?2\.' \
    && docker buildx version >/dev/null 2>&1
}
if ! plugins_ok; then
  trixie="$HOUSING_DOCKER_STATE/trixie-apt"
  mkdir -p "$trixie/lists/partial" "$trixie/cache/archives/partial" "$trixie/debs" "$trixie/parts"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$trixie/sources.list"
  apt_private=(
    -o "Dir::Etc::SourceList=$trixie/sources.list"
    -o "Dir::Etc::SourceParts=$trixie/parts"
    -o "Dir::State::Lists=$trixie/lists"
    -o "Dir::Cache=$trixie/cache"
    -o "APT::Get::List-Cleanup=0"
    # The folder is root's: apt's _apt sandbox user could not write into it.
    -o "APT::Sandbox::User=root"
  )
  if ! ls "$trixie"/debs/docker-compose_*.deb "$trixie"/debs/docker-buildx_*.deb >/dev/null 2>&1; then
    echo "fetching docker-compose and docker-buildx from Debian 13 (trixie)"
    apt-get "${apt_private[@]}" update -qq
    (cd "$trixie/debs" && apt-get "${apt_private[@]}" download docker-compose docker-buildx)
  fi
  rm -rf "$trixie/unpacked"
  for deb in "$trixie"/debs/*.deb; do dpkg-deb -x "$deb" "$trixie/unpacked"; done
  mkdir -p "$HOUSING_DOCKER_PLUGINS"
  install -m 0755 "$trixie/unpacked/usr/libexec/docker/cli-plugins/docker-compose" \
    "$trixie/unpacked/usr/libexec/docker/cli-plugins/docker-buildx" "$HOUSING_DOCKER_PLUGINS/"
  plugins_ok || {
    echo "error: docker compose v2 / buildx not usable after installing into $HOUSING_DOCKER_PLUGINS" >&2
    exit 1
  }
fi
echo "engine: $(dockerd --version)"
echo "compose: $(docker compose version --short), buildx: $(docker buildx version | cut -d' ' -f2)"
