#!/usr/bin/env bash
# Hostile comparisons, measured: N mutually recursive object types joined by oneOf, one `id`
# type changed (the registration that once held 5.6 GB). For each rule set: wall time and peak
# RSS of `compat-cli diff` (release, pinned to one core, median of 3), beside a baseline from the
# same run: the same schema diffed with itself (parsing and validation of both documents only).
#   bash bench/hostile.sh [N...]     (default: 12 24)
set -eu
cd "$(dirname "$0")/.."
cargo build -q --release -p compat-cli
bin=target/release/compat-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(12 24)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # prints "seconds peak_kb" of one run
  /usr/bin/time -f "%e %M" taskset -c 1 "$bin" diff "$@" --format json >/dev/null 2>"$work/time" || true
  tail -n 1 "$work/time"
}
echo "| types | rules | baseline (same schema) | diff | peak RSS | verdict |"
echo "|---:|---|---:|---:|---:|---|"
for n in "${sizes[@]}"; do
  python3 - "$n" "$work" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
def gen(changed):
    union = lambda: [{"$ref": f"#/$defs/T{j}"} for j in range(n)]
    defs = {f"T{i}": {"type": "object", "required": ["id", "kind"], "properties": {
        "id": {"type": "integer" if changed == i else "string"}, "kind": {"const": f"t{i}"},
        "parent": {"oneOf": union()}, "children": {"type": "array", "items": {"oneOf": union()}},
        "next": {"$ref": f"#/$defs/T{(i + 1) % n}"}}} for i in range(n)}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "oneOf": union(), "$defs": defs}
json.dump(gen(None), open(f"{out}/old.json", "w"))
json.dump(gen(n // 2), open(f"{out}/new.json", "w"))
PY
  for rules in events standard lenient; do
    base=$(for _ in 1 2 3; do run "$work/old.json" "$work/old.json" --rules "$rules" | cut -d' ' -f1; done | median)
    times=(); rss=()
    for _ in 1 2 3; do
      r=$(run "$work/old.json" "$work/new.json" --rules "$rules")
      times+=("${r% *}"); rss+=("${r#* }")
    done
    t=$(printf '%s\n' "${times[@]}" | median)
    m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
    verdict=$("$bin" diff "$work/old.json" "$work/new.json" --rules "$rules" --format json 2>/dev/null \
      | python3 -c 'import json,sys; r=json.load(sys.stdin); k=sorted({c["kind"] for c in r["changes"]}); print(("compatible" if r["compatible"] else "breaking") + ": " + ", ".join(k))' || true)
    echo "| $n | $rules | ${base} s | ${t} s | $((m / 1024)) MB | $verdict |"
  done
done
