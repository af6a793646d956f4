#!/usr/bin/env bash
# The action's first step: puts compat-cli on the job's PATH. A binary given as the
# `compat-cli` input is used as it is; otherwise this action's own source is built once
# (`cargo install --locked`, cached in the runner's tool cache folder when there is one).
set -euo pipefail
action_dir="${SCHEMAGATE_ACTION_DIR:?the folder of the action}"
bin_dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/schemagate/bin"
mkdir -p "$bin_dir"
if [ -n "${SCHEMAGATE_BIN:-}" ]; then
  given="$(command -v "$SCHEMAGATE_BIN" || true)"
  [ -n "$given" ] || { echo "::error::compat-cli input $SCHEMAGATE_BIN is not a program"; exit 2; }
  ln -sf "$given" "$bin_dir/compat-cli"
elif [ ! -x "$bin_dir/compat-cli" ]; then
  command -v cargo >/dev/null || { echo "::error::cargo is needed to build compat-cli (add a Rust toolchain step, or give the compat-cli input)"; exit 2; }
  cargo install --locked --quiet --path "$action_dir/compat-cli" --root "${bin_dir%/bin}"
fi
"$bin_dir/compat-cli" --version
echo "$bin_dir" >> "${GITHUB_PATH:?GITHUB_PATH is set by the runner}"
