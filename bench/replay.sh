#!/usr/bin/env bash
# `compat-cli replay` over an archive of gzip'd NDJSON (about 1 GB of events before compression,
# in four parts as an hourly archiver writes them), against the floor of decompressing and
# counting its lines (`zcat | wc -l`), in the same run, medians of 3. Unpinned on an otherwise
# idle machine: `--jobs 2` needs both cores; the floor and `--jobs 1` use one.
#   bash bench/replay.sh [EVENTS=1200000]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SCHEMAGATE_SHARED:-$here/../shared}"
n="${1:-1200000}"
cargo build --release -q -p compat-cli --manifest-path "$here/Cargo.toml"
cli="$here/target/release/compat-cli"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 "$shared/bench/gen_payloads.py" "$n" "$work/all.ndjson" 7 >/dev/null
mkdir -p "$work/archive/2026/11/01"
split -n l/4 -d --additional-suffix=.ndjson "$work/all.ndjson" "$work/archive/2026/11/01/part-"
raw=$(du -cb "$work"/archive/2026/11/01/*.ndjson | tail -1 | cut -f1)
gzip -6 "$work"/archive/2026/11/01/*.ndjson
rm "$work/all.ndjson"
packed=$(du -cb "$work"/archive/2026/11/01/*.gz | tail -1 | cut -f1)
echo "$n events, $((raw / 1000000)) MB of NDJSON, $((packed / 1000000)) MB gzip'd in 4 files"

median() { sort -n | sed -n 2p; }
time_of() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
floor=(); one=(); two=()
for _ in 1 2 3; do
  floor+=("$(time_of sh -c "zcat '$work'/archive/2026/11/01/*.gz | wc -l")")
  one+=("$(time_of "$cli" replay --schema "$shared/bench/exposure.schema.json" --jobs 1 "$work/archive")")
  two+=("$(time_of "$cli" replay --schema "$shared/bench/exposure.schema.json" --jobs 2 "$work/archive")")
done
f=$(printf '%s\n' "${floor[@]}" | median)
o=$(printf '%s\n' "${one[@]}" | median)
t=$(printf '%s\n' "${two[@]}" | median)
{ "$cli" replay --schema "$shared/bench/exposure.schema.json" --examples 0 "$work/archive" || true; } | head -1
printf 'zcat | wc -l (the floor)  %6.2f s  %8.0f events/s\n' "$f" "$(echo "$n / $f" | bc -l)"
printf 'replay --jobs 1           %6.2f s  %8.0f events/s  %.2fx the floor'"'"'s time\n' "$o" "$(echo "$n / $o" | bc -l)" "$(echo "$o / $f" | bc -l)"
printf 'replay --jobs 2           %6.2f s  %8.0f events/s  %.2fx the floor'"'"'s time\n' "$t" "$(echo "$n / $t" | bc -l)" "$(echo "$t / $f" | bc -l)"
