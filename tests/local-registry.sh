# Sourced by the test scripts: starts the debug registry (built if missing) on a free loopback
# port over a throwaway SQLite file, stops it on exit, and sets $root, $work, $db and $base.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
server="$root/target/debug/registry-server"
[ -x "$server" ] || cargo build -q -p registry-server --manifest-path "$root/Cargo.toml"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
db="sqlite://$work/registry.db?mode=rwc"
# A caller may prepare the database first (tokens, say) by defining before_registry_start.
if declare -F before_registry_start >/dev/null; then before_registry_start "$server" "$db"; fi
(cd "$work" && exec "$server" --listen "127.0.0.1:$port" --database-url "$db" >"$work/server.log" 2>&1) &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('$base/healthz')" 2>/dev/null && break
  sleep 0.2
done
