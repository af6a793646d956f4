#!/usr/bin/env bash
# The README's tour, run against a fresh registry (tests/readme_tour.py says how).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v jq >/dev/null || { echo "the tour needs jq (Debian: apt-get install jq)" >&2; exit 1; }
cargo build -q -p registry-server -p compat-cli --manifest-path "$root/Cargo.toml"
cargo build -q -p schemagate-edge --example ingest --manifest-path "$root/Cargo.toml"
source "$root/tests/local-registry.sh"
python3 "$root/tests/readme_tour.py" "$root" "$base"
