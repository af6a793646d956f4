#!/usr/bin/env bash
# Schemathesis (from PyPI) against the registry's own /openapi.json on a live server with a
# throwaway SQLite file: generated and stateful requests to every operation, failing on any 5xx,
# any response that violates the schema we document, or a wrong content type.
#   bash tests/schemathesis.sh [MAX_EXAMPLES=30]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
examples="${1:-30}"
work="$(mktemp -d)"
server="$root/target/debug/registry-server"
[ -x "$server" ] || cargo build -q -p registry-server --manifest-path "$root/Cargo.toml"

venv="${SCHEMAGATE_ST_VENV:-$root/target/schemathesis}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$server" --listen "127.0.0.1:$port" --database-url "sqlite://$work/registry.db?mode=rwc" >"$work/server.log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz')" 2>/dev/null && break
  sleep 0.2
done
# One worker: schemathesis' generator is not reliable across threads (an internal error, not
# a finding). The NDJSON batch endpoint is left out: schemathesis has no serializer for
# application/x-ndjson (it is covered by tests/api.rs).
"$venv/bin/st" run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "$examples" --workers 1 --exclude-path-regex 'validate/batch' \
  --seed 1 2>&1 | tail -25
