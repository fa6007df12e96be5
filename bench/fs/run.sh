#!/usr/bin/env bash
# Whole-filesystem figures: the shared fsbench on a native directory and on an AgentFense mount of an
# equivalent directory, side by side in one run, so the ratios compare with ../shared/ANCHORS.md.
#   usage: [AGENTFENSE_MOUNT_OPTIONS=--passthrough] bench/fs/run.sh [fsbench options]   (as root; results on stdout and in .build/bench/fs/)
# The mount serves the full-access preset over an empty source with its delta on the same disk as the
# native directory, so every file fsbench creates lives in the delta, as an agent's files would.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
fsbench="${FSBENCH:-$repo/../shared/bench/fsbench/run.sh}"
[ -x "$fsbench" ] || { echo "fsbench not found at $fsbench (set FSBENCH)" >&2; exit 2; }
out="$repo/.build/bench/fs"
work="$(mktemp -d /var/tmp/agentfense-fsbench.XXXXXX)"
mkdir -p "$out" "$work/native" "$work/source" "$work/mnt"
"$repo/agentfense" presets >/dev/null   # builds the CLI if needed
"$repo/.build/cli/agentfense" mount ${AGENTFENSE_MOUNT_OPTIONS:-} --preset full-access --delta "$work/delta" "$work/source" "$work/mnt" >"$out/mount.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q serving "$out/mount.log" 2>/dev/null && break; sleep 0.1; done
grep -q serving "$out/mount.log" || { cat "$out/mount.log" >&2; exit 1; }
{
  echo "# $(date -u +%F) $(uname -r) $(nproc) cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  "$fsbench" "$work/native" -l native "$@"
  "$fsbench" "$work/mnt" -l agentfense "$@"
} | tee "$out/results.txt"
