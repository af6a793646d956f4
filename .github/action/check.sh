#!/usr/bin/env bash
# The action's second step: `compat-cli check` against the ref (fetched first when the
# checkout is shallow or lacks it), in the job's working directory.
set -euo pipefail
against="${SCHEMAGATE_AGAINST:?the against input}"
if [[ "$against" != registry:* ]] && ! git rev-parse --verify --quiet "$against^{commit}" >/dev/null; then
  if [[ "$against" == origin/* ]]; then
    git fetch --quiet --no-tags origin "${against#origin/}:refs/remotes/$against" \
      || git fetch --quiet --no-tags --deepen=1000 origin "${against#origin/}"
  fi
fi
args=(check --against "$against" --format "${SCHEMAGATE_FORMAT:-github}")
[ -n "${SCHEMAGATE_DIR:-}" ] && args+=(--dir "$SCHEMAGATE_DIR")
exec compat-cli "${args[@]}"
