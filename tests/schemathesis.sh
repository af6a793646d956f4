#!/usr/bin/env bash
# Schemathesis (from PyPI) against the registry's own /openapi.json on a live server with a
# throwaway SQLite file: generated and stateful requests to every operation, failing on any 5xx,
# any response that violates the schema we document, or a wrong content type.
#   bash tests/schemathesis.sh [MAX_EXAMPLES=30]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
examples="${1:-30}"

venv="${SCHEMAGATE_ST_VENV:-$root/target/schemathesis}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"

source "$root/tests/local-registry.sh"
# One worker: schemathesis' generator is not reliable across threads (an internal error, not
# a finding). The NDJSON batch endpoint is left out: schemathesis has no serializer for
# application/x-ndjson (it is covered by tests/api.rs).
"$venv/bin/st" run "$base/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "$examples" --workers 1 --exclude-path-regex 'validate/batch' \
  --seed 1 2>&1 | tail -25
