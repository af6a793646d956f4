#!/usr/bin/env bash
# Runs each fuzz target for a fixed time (default 60 s each), seeded with the engine's fixtures.
#   bash fuzz/run.sh [SECONDS]
# Needs cargo-fuzz (installed here if missing). The machine has only a stable toolchain, so
# libFuzzer's instrumentation flags are allowed with RUSTC_BOOTSTRAP; no sanitizer is used.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
secs="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cd "$here"
mkdir -p corpus/parse_and_diff corpus/payload corpus/structured
# Seeds: every fixture pair as `old 0xFF new`, and the shared payload sample.
python3 - <<'PY'
import glob, json, os
for f in glob.glob("../schema-core/tests/fixtures/*/*.json"):
    d = json.load(open(f))
    if "old" in d and "new" in d:
        name = f.replace("/", "_").replace(".", "_")
        with open(os.path.join("corpus/parse_and_diff", name), "wb") as out:
            out.write(json.dumps(d["old"]).encode() + b"\xff" + json.dumps(d["new"]).encode())
PY
if [ -f ../../shared/bench/gen_payloads.py ]; then
  python3 ../../shared/bench/gen_payloads.py 50 /tmp/schemagate-fuzz-seeds.ndjson 3 >/dev/null
  split -l 1 /tmp/schemagate-fuzz-seeds.ndjson corpus/payload/seed-
fi
export RUSTC_BOOTSTRAP=1
for target in parse_and_diff payload structured; do
  echo "fuzzing $target for ${secs}s"
  cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
    | grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done|ERROR|panicked" || true
  # A crash leaves an artifact and a non-zero exit: fail the run.
  if ls artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "fuzz target $target crashed: see fuzz/artifacts/$target" >&2
    exit 1
  fi
done
