#!/usr/bin/env bash
# The console in a real browser: Debian's chromium driven by Python selenium (into a local
# venv) against a registry started here with the repository's schemas/, several versions and
# three tokens. Screenshots of every page go to target/console-screenshots/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
for bin in chromium chromedriver; do
  command -v "$bin" >/dev/null || { echo "tests/console needs $bin (Debian: apt-get install chromium chromium-driver)" >&2; exit 1; }
done
venv="${SCHEMAGATE_CONSOLE_VENV:-$root/target/py-console}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "selenium>=4.20"
[ -x "$root/target/debug/compat-cli" ] || cargo build -q -p compat-cli --manifest-path "$root/Cargo.toml"

tokens="$(mktemp)"
before_registry_start() {
  for role in read write admin; do
    echo "$role $("$1" --database-url "$2" token create --name "console-$role" --role "$role")" >>"$tokens"
  done
}
source "$root/tests/local-registry.sh"
token() { awk -v r="$1" '$1 == r { print $2 }' "$tokens"; }
admin="$(token admin)"

# The repository's schemas, then a second and third widget version (level NONE for them).
(cd "$root" && SCHEMAGATE_TOKEN="$admin" "$root/target/debug/compat-cli" publish --registry "$base" >/dev/null)
python3 - "$base" "$admin" "$root" <<'PY'
import json, sys, urllib.request
base, token, root = sys.argv[1:4]
def call(method, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
call("PUT", "/config/widgets.WidgetCreated", {"compatibility": "NONE"})
w = json.load(open(root + "/schemas/widgets/WidgetCreated.json"))
w["properties"]["schema_version"]["const"] = "2.0.0"
w["properties"]["color"]["enum"] = ["red", "green"]
call("POST", "/subjects/widgets.WidgetCreated/versions", {"schema": json.dumps(w)})
w["properties"]["schema_version"]["const"] = "2.1.0"
w["properties"]["size"] = {"type": "integer", "minimum": 0}
call("POST", "/subjects/widgets.WidgetCreated/versions", {"schema": json.dumps(w)})
PY
shots="$root/target/console-screenshots"
rm -rf "$shots"; mkdir -p "$shots"
"$venv/bin/python" "$root/tests/console/walk.py" "$base" "$(token read)" "$admin" "$shots"
rm -f "$tokens"
