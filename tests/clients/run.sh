#!/usr/bin/env bash
# Runs real Confluent clients that no one on the team wrote against a registry started here on
# a free loopback port with a throwaway SQLite file: the Python confluent-kafka client (into a
# local venv) and the npm @kafkajs/confluent-schema-registry client (into target/node-clients).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
server="$root/target/debug/registry-server"
[ -x "$server" ] || cargo build -q -p registry-server --manifest-path "$root/Cargo.toml"

venv="${SCHEMAGATE_PY_VENV:-$root/target/py-clients}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "confluent-kafka[schemaregistry,json]>=2.6"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$server" --listen "127.0.0.1:$port" --database-url "sqlite://$work/registry.db?mode=rwc" >"$work/server.log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz')" 2>/dev/null && break
  sleep 0.2
done
echo "python confluent-kafka client:"
"$venv/bin/python" "$root/tests/clients/confluent_python.py" "http://127.0.0.1:$port"

node_dir="$root/target/node-clients"
mkdir -p "$node_dir"
cp "$root/tests/clients/package.json" "$node_dir/package.json"
(cd "$node_dir" && npm install --silent --no-audit --no-fund >/dev/null)
echo "npm @kafkajs/confluent-schema-registry client:"
NODE_PATH="$node_dir/node_modules" node "$root/tests/clients/confluent_node.js" "http://127.0.0.1:$port"
