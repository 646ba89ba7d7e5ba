#!/usr/bin/env bash
# Issue 14 item 3, proof in a fork's layout. Clones HEAD into a temporary folder
# with nothing beside it, gives it its own S3 remote (s3rver on loopback, the
# data pushed there as a fork owner pushes theirs), names that remote exactly as
# README.md's "A fork's data remote" tells a fork to, then runs the built-in
# pull over S3, `npm start -- --no-serve` and the whole test suite there. A
# path beside the checkout finds nothing: whatever reaches for one fails. DVC itself does not run here (it cannot be installed on this machine).
#
#   .ci/fork-layout.sh <node-dir> <vitest JSON report>
#
# <node-dir> is the Node whose bin/ runs everything in the clone (.ci/run's
# Node 24 lane); the report path is where vitest's JSON report goes. The data
# pushed is this checkout's pulled data/ (checked against data.dvc first).
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$(cd "$1" && pwd)"
report="$(realpath -m "$2")"
export PATH="$node_dir/bin:$PATH"

# Two private folders: one holds the clone and nothing else, the other the
# S3 server's objects and log, so nothing of the proof sits beside the clone.
work="$(mktemp -d "${TMPDIR:-/tmp}/housing-fork-XXXXXX")"
store="$(mktemp -d "${TMPDIR:-/tmp}/housing-fork-s3-XXXXXX")"
# mktemp makes its folder 700; a checkout is readable by all, and a test runs the
# service as nobody (service/test/connections.test.ts), which must read it.
chmod 755 "$work"
s3_pid=""
step_pid=""
cleanup() {
  local status=$?
  # A step cut short by a signal: its program stops its own children on SIGTERM.
  if [[ -n "$step_pid" ]]; then
    kill "$step_pid" 2>/dev/null || true
    wait "$step_pid" 2>/dev/null || true
  fi
  if [[ -n "$s3_pid" ]]; then
    kill "$s3_pid" 2>/dev/null || true
    wait "$s3_pid" 2>/dev/null || true
  fi
  rm -rf "$work" "$store"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs one long step in the background and waits for it, so a signal to this
# script runs cleanup at once instead of after the step (bash defers traps
# while a foreground command runs); its exit status is the step's.
step() {
  "$@" &
  step_pid=$!
  local status=0
  wait "$step_pid" || status=$?
  step_pid=""
  return "$status"
}

# --- the clone: HEAD, nothing beside it -------------------------------------------
clone="$work/housing-mlops"
git clone --quiet "$src" "$clone"
# HEAD itself, even a detached commit that no branch of the origin holds.
git -C "$clone" fetch --quiet "$src" HEAD
git -C "$clone" checkout --quiet --detach FETCH_HEAD
echo "fork layout: $(git -C "$clone" rev-parse --short HEAD) cloned into $clone"

# node_modules as hard links (no download, no copy): the workspace links in it
# are relative, so they resolve inside the clone. Across file systems, npm ci.
mapfile -t module_dirs < <(cd "$src" && find . \( -path ./.git -o -path ./.ci \) -prune \
  -o -type d -name node_modules -prune -print)
if cp -al "$src/node_modules" "$clone/node_modules" 2>/dev/null; then
  for dir in "${module_dirs[@]}"; do
    [[ "$dir" == ./node_modules ]] || cp -al "$src/$dir" "$clone/$dir"
  done
  # vitest's cache is written in place: a hard link would write into the source's.
  rm -rf "$clone/node_modules/.vite"
else
  rm -rf "$clone/node_modules"
  (cd "$clone" && npm ci --no-audit --no-fund)
fi
if [[ "$(ls -A "$work")" != housing-mlops ]]; then
  echo "error: $work holds more than the clone: $(ls -A "$work" | tr '\n' ' ')" >&2
  exit 1
fi

# --- the fork owner's remote: s3rver on loopback, the data pushed ---------------
(cd "$src" && exec node --import tsx .ci/fork-layout/s3-remote.ts \
  --data-from "$src" --store "$store") >"$store/log" 2>&1 &
s3_pid=$!
line=""
for _ in $(seq 1 600); do
  line="$(grep -m1 '^remote ' "$store/log" || true)"
  [[ -n "$line" ]] && break
  if ! kill -0 "$s3_pid" 2>/dev/null; then
    cat "$store/log" >&2
    echo "error: the S3 remote stopped before it served" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$line" ]]; then
  echo "error: the S3 remote did not serve within 60 s" >&2
  exit 1
fi
read -r _ remote_url _ endpoint <<<"$line"
echo "fork layout: data pushed to $remote_url at $endpoint"

# --- as README.md tells a fork: the remote in .dvc/config.local, keys in the env ---
cd "$clone"
DVC_REMOTE_URL="$remote_url" DVC_REMOTE_ENDPOINT="$endpoint" .github/actions/pull-data/remote-config.sh
# s3rver's one account. Only the commands that pull get them, as a fork's
# workflow step does; the tests bring their own servers and credentials.
fork_credentials=(env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER)

step "${fork_credentials[@]}" npm run data:pull
step "${fork_credentials[@]}" npm start -- --no-serve

# --- the whole suite, in the clone --------------------------------------------------
mkdir -p "$(dirname "$report")"
step npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
