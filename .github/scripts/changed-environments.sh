#!/usr/bin/env bash
# Which environments this deploy.yml run deploys, as `<environment>=true|false`
# lines in $GITHUB_OUTPUT: on a push, those whose deploy/<environment>.yml the
# push changed (git diff BEFORE AFTER); on a workflow_dispatch, the one it
# names. Each deploy job runs only for its own file, so a staging merge neither
# asks production's reviewers to approve a no-op nor holds production's
# concurrency group.
#   EVENT_NAME            push or workflow_dispatch
#   BEFORE, AFTER         the push's commits (github.event.before, github.sha)
#   DISPATCH_ENVIRONMENT  the dispatch's environment input
set -euo pipefail

environments=(staging production)
zero=0000000000000000000000000000000000000000
changed=()
case "${EVENT_NAME:-}" in
  workflow_dispatch)
    changed=("${DISPATCH_ENVIRONMENT:-}")
    ;;
  push)
    before="${BEFORE:-$zero}"
    if [[ "$before" == "$zero" ]] || ! git cat-file -e "$before^{commit}" 2>/dev/null; then
      # A new branch, or a before that a force push took out of the history:
      # nothing to compare with, so every file counts as changed (deploys of
      # what already runs are no-ops).
      echo "no earlier commit to compare with ($before): every environment counts as changed"
      changed=("${environments[@]}")
    else
      files="$(git diff --name-only "$before" "${AFTER:?AFTER is the pushed commit}" -- deploy/)"
      for env in "${environments[@]}"; do
        if grep --quiet --line-regexp --fixed-strings "deploy/$env.yml" <<<"$files"; then
          changed+=("$env")
        fi
      done
    fi
    ;;
  *)
    echo "EVENT_NAME '${EVENT_NAME:-}' is neither push nor workflow_dispatch" >&2
    exit 2
    ;;
esac

for env in "${environments[@]}"; do
  hit=false
  for c in "${changed[@]}"; do
    if [[ "$c" == "$env" ]]; then hit=true; fi
  done
  echo "$env=$hit" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT names the output file of the step}"
  echo "$env: $hit"
done
