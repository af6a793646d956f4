#!/usr/bin/env bash
# Runs real Confluent clients that no one on the team wrote against a registry started here on
# a free loopback port with a throwaway SQLite file: the Python confluent-kafka client (into a
# local venv, with its data-contract rules), Confluent's own npm client @confluentinc/schemaregistry
# and the npm @kafkajs/confluent-schema-registry client (both into target/node-clients).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

venv="${SCHEMAGATE_PY_VENV:-$root/target/py-clients}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "confluent-kafka[schemaregistry,json,rules]>=2.6"

source "$root/tests/local-registry.sh"
echo "python confluent-kafka client:"
"$venv/bin/python" "$root/tests/clients/confluent_python.py" "$base"

node_dir="$root/target/node-clients"
mkdir -p "$node_dir"
cp "$root/tests/clients/package.json" "$node_dir/package.json"
(cd "$node_dir" && npm install --silent --no-audit --no-fund >/dev/null)
echo "npm @kafkajs/confluent-schema-registry client:"
NODE_PATH="$node_dir/node_modules" node "$root/tests/clients/confluent_node.js" "$base"
echo "npm @confluentinc/schemaregistry client:"
NODE_PATH="$node_dir/node_modules" node "$root/tests/clients/confluent_js.js" "$base"
