#!/usr/bin/env bash
# Runs every test: installs the packages the tests need, starts the services they need, then xunit.
# Under CI=true nothing skips: a missing capability fails its test.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$repo"
source eng/packages.sh
source eng/dockerd.sh
ensure_packages "${AGENTFENSE_TEST_PACKAGES[@]}"
ensure_dotnet
[ -e /dev/fuse ] || modprobe fuse 2>/dev/null || true
# A daemon this script started is stopped when it ends, whatever happens; one that was running is left alone.
ensure_dockerd "$repo/.build/dockerd.log"
trap stop_dockerd EXIT

results="$repo/.build/test-results"
rm -rf "$results"
mkdir -p "$results"
log="$results/test.log"
set +e
# The hang timeout turns a wedged test (a stuck mount, a lost child) into a failure with a dump
# instead of a CI run that never ends.
dotnet test AgentFense.slnx -c Release --nologo \
  --blame-hang-timeout 10m --blame-hang-dump-type none \
  --results-directory "$results" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line over all test assemblies; a build error or crash shows in the exit status.
[ "$status" -eq 0 ] || echo "test run FAILED (exit $status): see errors above" >&2
awk '/(Passed|Failed)! +- +Failed: /{
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
