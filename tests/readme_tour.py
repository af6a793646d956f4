"""Runs the README's tour: every `sh` block of the "A 60-second tour" section, command by
command, against the fresh registry at BASE (its `localhost:8081` is BASE; `cargo run` is the
built binary), and compares what the commands print with the plain block that follows, if any
(`…` stands for any text; the block is what the output starts with). A command this script
does not know how to run fails the test: the README shows nothing that is not run.

    python3 readme_tour.py ROOT BASE
"""

import os
import re
import socket
import subprocess
import sys
import time

root, base = sys.argv[1], sys.argv[2]
host_port = base.split("://", 1)[1]
readme = open(os.path.join(root, "README.md")).read()
tour = readme[readme.index("## A 60-second tour"):readme.index("## Reference")]

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
edge_port = sock.getsockname()[1]
sock.close()

substitutions = [
    ("http://127.0.0.1:8081", base),
    ("localhost:8081", host_port),
    ("127.0.0.1:8090", f"127.0.0.1:{edge_port}"),
    ("localhost:8090", f"127.0.0.1:{edge_port}"),
    ("cargo run -q -p compat-cli --", os.path.join(root, "target/debug/compat-cli")),
    ("cargo run -q -p schemagate-edge --example ingest --", os.path.join(root, "target/debug/examples/ingest")),
]
known = ("curl ", "cargo run -q -p compat-cli --", "cargo run -q -p schemagate-edge --example ingest --")

# A clone has origin/main; the repository it was cloned from may not (then HEAD stands in).
if subprocess.run(["git", "rev-parse", "--verify", "-q", "origin/main"], cwd=root, capture_output=True).returncode != 0:
    print("no origin/main here: `check --against origin/main` runs against HEAD")
    substitutions.append(("--against origin/main", "--against HEAD"))

blocks = re.findall(r"```(\w*)\n(.*?)```", tour, re.S)
background = []
failures = []
ran = 0
for i, (lang, body) in enumerate(blocks):
    if lang != "sh":
        continue
    expected = blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "" else None
    commands = re.sub(r"\\\n\s*", " ", body).strip().splitlines()
    printed = ""
    for command in commands:
        if not command.startswith(known):
            failures.append(f"the README shows a command the tour test does not run: {command}")
            continue
        run = command
        for a, b in substitutions:
            run = run.replace(a, b)
        ran += 1
        if run.endswith("&"):
            # Its own process group, output discarded: stopped whole at the end.
            background.append(subprocess.Popen(run[:-1], shell=True, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", edge_port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            continue
        out = subprocess.run(["bash", "-c", run], cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
        printed += out.stdout
        print(f"$ {command}\n{out.stdout}{out.stderr}")
        # 0 and 1 (findings) are answers; 2 and up are errors.
        if out.returncode >= 2:
            failures.append(f"exit {out.returncode}: {command}\n{out.stderr}")
    if expected is None:
        continue
    pattern = re.escape(expected.strip()).replace(re.escape("…"), ".*?")
    if not re.match(pattern, printed.strip(), re.S):
        failures.append(f"the README's output differs:\n--- README\n{expected}\n--- printed\n{printed}")

for p in background:
    os.killpg(p.pid, 15)
print(f"{ran} commands of the README run, {len(failures)} failures")
for f in failures:
    print("FAIL " + f)
sys.exit(1 if failures or ran < 5 else 0)
