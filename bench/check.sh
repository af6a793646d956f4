#!/usr/bin/env bash
# `compat-cli check` on a repository of 1,000 event schemas with 50 changed, against the floor of
# reading what changed (`git diff --stat REF`), in the same run, pinned to one core, medians of 5.
#   bash bench/check.sh [N_SCHEMAS=1000] [N_CHANGED=50]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-1000}"; changed="${2:-50}"
cargo build --release -q -p compat-cli --manifest-path "$here/Cargo.toml"
cli="$here/target/release/compat-cli"
repo="$(mktemp -d)"; [ -n "${KEEP_REPO:-}" ] || trap 'rm -rf "$repo"' EXIT
python3 - "$here" "$repo" "$n" "$changed" <<'PY'
import json, os, random, subprocess, sys
here, repo, n, changed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(11)
bases = []
for root, _, files in os.walk(os.path.join(here, "schemas")):
    for f in sorted(files):
        if f.endswith(".json"):
            bases.append(json.load(open(os.path.join(root, f))))
def git(*a): subprocess.run(["git", "-C", repo, *a], check=True, capture_output=True)
git("init", "-q", "-b", "main"); git("config", "user.email", "b@x"); git("config", "user.name", "b")
paths = []
for i in range(n):
    s = json.loads(json.dumps(bases[i % len(bases)]))
    s["title"] = f"team{i % 40}.Event{i}"
    # a few extra optional fields so schemas differ in size and content
    for k in range(rng.randrange(0, 12)):
        s.setdefault("properties", {})[f"extra_{k}"] = {"type": "string", "maxLength": 64 + k}
    p = f"schemas/team{i % 40}/Event{i}.json"
    os.makedirs(os.path.join(repo, os.path.dirname(p)), exist_ok=True)
    json.dump(s, open(os.path.join(repo, p), "w"), indent=2)
    paths.append(p)
git("add", "-A"); git("commit", "-q", "-m", "base")
for j, p in enumerate(rng.sample(paths, changed)):
    full = os.path.join(repo, p)
    s = json.load(open(full))
    props = s.setdefault("properties", {})
    if j % 5 == 0:  # a breaking narrowing
        props["extra_x"] = {"type": "string", "maxLength": 8}
    else:           # an annotation, with the patch bump it needs
        s["description"] = (s.get("description") or "") + " (reworded)"
        sv = props.get("schema_version", {})
        if "const" in sv:
            a, b, c = sv["const"].split(".")
            sv["const"] = f"{a}.{b}.{int(c) + 1}"
    json.dump(s, open(full, "w"), indent=2)
print(f"{n} schemas, {changed} changed in {repo}")
PY
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
cd "$repo"
floor=(); check=()
for _ in 1 2 3 4 5; do
  floor+=("$(time_of taskset -c 1 git diff --stat main)")
  check+=("$(time_of taskset -c 1 "$cli" check --against main --format json)")
done
f=$(printf '%s\n' "${floor[@]}" | median); c=$(printf '%s\n' "${check[@]}" | median)
("$cli" check --against main || true) | tail -1
echo "| what | median ms | ratio to floor |"
echo "|---|---:|---:|"
awk -v f="$f" -v c="$c" 'BEGIN { printf "| git diff --stat main (floor) | %.1f | 1.00x |\n| compat-cli check --against main | %.1f | %.2fx |\n", f/1000, c/1000, c/f }'
