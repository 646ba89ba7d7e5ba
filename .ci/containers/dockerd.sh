#!/usr/bin/env bash
# Starts or stops the lane's own dockerd: private data root, exec root (its
# containerd lives there too), socket, config file, bridge and address pool,
# so it shares nothing with a system engine or another lane. Stopped by the
# PID it wrote, never by name.
#   .ci/containers/dockerd.sh start   # then DOCKER_HOST=unix://$HOUSING_DOCKER_STATE/docker.sock
#   .ci/containers/dockerd.sh stop
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

state="$HOUSING_DOCKER_STATE"
pidfile="$state/dockerd.pid"
log="$state/dockerd.log"

running() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  if running; then
    echo "dockerd already running (pid $(cat "$pidfile"), $DOCKER_HOST)"
    return
  fi
  mkdir -p "$state/data" "$state/exec"
  # Our own bridge, so that the default docker0 (and whatever owns it) is never touched.
  if ! ip link show "$HOUSING_DOCKER_BRIDGE" >/dev/null 2>&1; then
    ip link add name "$HOUSING_DOCKER_BRIDGE" type bridge
    ip addr add "$HOUSING_DOCKER_BRIDGE_CIDR" dev "$HOUSING_DOCKER_BRIDGE"
  fi
  ip link set "$HOUSING_DOCKER_BRIDGE" up
  # Our own config file: /etc/docker/daemon.json belongs to the machine. The
  # project's images are built with --no-cache, but BuildKit still stores
  # their layers; its garbage collector keeps that store bounded in the
  # background (pruning it at the end of a run took minutes of disk time).
  echo '{"builder": {"gc": {"enabled": true, "defaultKeepStorage": "3GB"}}}' >"$state/daemon.json"
  dockerd \
    --config-file "$state/daemon.json" \
    --data-root "$state/data" \
    --exec-root "$state/exec" \
    --pidfile "$pidfile" \
    -H "$DOCKER_HOST" \
    --bridge "$HOUSING_DOCKER_BRIDGE" \
    --default-address-pool "base=$HOUSING_DOCKER_POOL,size=24" \
    >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    if docker version >/dev/null 2>&1; then
      echo "dockerd started (pid $pid, $DOCKER_HOST, log $log)"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      echo "error: dockerd exited at start; its log: $log" >&2
      exit 1
    fi
    sleep 0.5
  done
  tail -n 30 "$log" >&2
  echo "error: dockerd did not answer on $DOCKER_HOST within 60 s; its log: $log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  if ! running; then
    echo "dockerd not running"
    return
  fi
  local pid
  pid="$(cat "$pidfile")"
  # SIGTERM: dockerd stops its containers and its containerd, then exits.
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || {
      echo "dockerd stopped (pid $pid)"
      ip link delete "$HOUSING_DOCKER_BRIDGE" 2>/dev/null || true
      return
    }
    sleep 0.5
  done
  echo "error: dockerd (pid $pid) still running 30 s after SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
