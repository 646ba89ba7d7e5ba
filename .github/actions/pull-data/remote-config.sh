#!/usr/bin/env bash
# Names a fork's own DVC remote in .dvc/config.local, as
#   dvc remote add --local --default fork "$DVC_REMOTE_URL"
#   dvc remote modify --local fork endpointurl "$DVC_REMOTE_ENDPOINT"
# would, without needing DVC: both `dvc pull` and the built-in pull
# (npm run data:pull) read config.local over the committed .dvc/config.
# Credentials stay in the environment (AWS_*, DVC_HTTP_*), except for an http
# remote's, which DVC itself only reads from the config: those are written
# with mode 600 and never echoed.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: DVC_REMOTE_URL=<url> [DVC_REMOTE_ENDPOINT=<http(s) url>] .github/actions/pull-data/remote-config.sh

Writes .dvc/config.local (mode 600) naming the DVC remote 'fork' as the default,
as `dvc remote add --local --default fork <url>` would; run it at the checkout's root.
  DVC_REMOTE_URL       the remote: s3://, gs://, azure://, ssh://, http(s)://...
  DVC_REMOTE_ENDPOINT  an S3-compatible store's address (MinIO...), DVC's endpointurl
  DVC_HTTP_USER, DVC_HTTP_PASSWORD, DVC_HTTP_AUTH_HEADER
                       an http remote's credentials, written for DVC (the built-in
                       pull also reads them from the environment)
Other credentials stay in the environment (AWS_ACCESS_KEY_ID...). Exit 0 written, 2 refused.
EOF
}
# Its input is the environment: an argument is a mistake, and --help must not write.
if [[ $# -gt 0 ]]; then
  if [[ "$1" == "-h" || "$1" == "--help" ]]; then
    usage
    exit 0
  fi
  echo "remote-config.sh takes no arguments ('$*'): set DVC_REMOTE_URL instead; see --help" >&2
  exit 2
fi

url="${DVC_REMOTE_URL:-}"
endpoint="${DVC_REMOTE_ENDPOINT:-}"
if [[ -z "$url" ]]; then
  echo "DVC_REMOTE_URL is empty: set the repository variable DVC_REMOTE_URL (e.g. s3://bucket/housing)" >&2
  exit 2
fi
# One line each: a newline would let a variable write other config keys.
for name in DVC_REMOTE_URL DVC_REMOTE_ENDPOINT DVC_HTTP_USER DVC_HTTP_PASSWORD DVC_HTTP_AUTH_HEADER; do
  if [[ "${!name:-}" == *$'\n'* || "${!name:-}" == *$'\r'* ]]; then
    echo "$name holds a line break: it must be one line" >&2
    exit 2
  fi
done
if [[ ! "$url" =~ ^(s3|gs|azure|ssh|https?|webdav|hdfs|oss)://[^[:space:]]+$ ]]; then
  echo "DVC_REMOTE_URL '$url' is not a remote url DVC knows (s3://, gs://, azure://, ssh://, http(s)://...)" >&2
  exit 2
fi

# An S3-compatible store's address (MinIO, s3rver...): DVC's endpointurl.
if [[ -n "$endpoint" && ! "$endpoint" =~ ^https?://[^[:space:]/]+(/[^[:space:]]*)?$ ]]; then
  echo "DVC_REMOTE_ENDPOINT '$endpoint' is not an http(s) url (e.g. https://minio.example.com:9000)" >&2
  exit 2
fi

mkdir -p .dvc
umask 077
# A new file, renamed over the old: a redirect into a config.local already
# there would keep its mode (644 too) for the password, and a failed write
# would leave half a config.
tmp="$(mktemp .dvc/config.local.XXXXXX)"
trap 'rm -f "$tmp"' EXIT
{
  printf '[core]\n    remote = fork\n'
  printf "['remote \"fork\"']\n"
  printf '    url = %s\n' "$url"
  if [[ -n "$endpoint" ]]; then printf '    endpointurl = %s\n' "$endpoint"; fi
  if [[ "$url" =~ ^https?:// && -n "${DVC_HTTP_PASSWORD:-}" ]]; then
    if [[ -n "${DVC_HTTP_AUTH_HEADER:-}" ]]; then
      printf '    auth = custom\n    custom_auth_header = %s\n' "$DVC_HTTP_AUTH_HEADER"
    else
      printf '    auth = basic\n    user = %s\n' "${DVC_HTTP_USER:-}"
    fi
    printf '    password = %s\n' "$DVC_HTTP_PASSWORD"
  fi
} > "$tmp"
mv -f "$tmp" .dvc/config.local
echo "DVC remote 'fork' -> $url${endpoint:+ at $endpoint} (in .dvc/config.local)"
