#!/usr/bin/env bash
# eng/test.sh - THE test command of this repository (CI runs it via .ci/run).
#
# Usage: eng/test.sh [extra dotnet test args...]
#   e.g. eng/test.sh --filter "FullyQualifiedName~Optimizer"
#
# Prepares the machine (eng/setup.sh: dataset, and on hosts whose libstdc++ is
# too old for TorchSharp a Debian trixie root; eng/setup-llama.sh: a Debian sid
# root with llama.cpp's llama-server, which LLM protocol tests start through
# $TRAININSIGHT_LLAMA_SERVER = eng/llama-server.sh, serving
# $TRAININSIGHT_LLAMA_MODEL = tests/Shared/Models/stories260K.gguf;
# TRAININSIGHT_SKIP_LLAMA=1 skips that step; eng/setup-browser.sh: Debian's
# Chromium and a CJK font where the tests run, for the dashboard's Playwright
# tests), then restores, builds and runs
# `dotnet test <solution> -c Release` through eng/torch-env.sh, so TorchSharp's
# native libraries load. Everything (restore, build, test) runs in that same
# environment; paths are identical inside and outside, so a later host build
# reuses the outputs. Per-test lines and a Passed!/Failed! summary per test
# project are printed, then the names of any failed tests and one closing line with the totals. The exit status is
# dotnet test's (0 = all tests passed).
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd -- "$REPO_ROOT"

eng/setup.sh
# Debian's Chromium and a CJK font for the dashboard's browser tests (TRAININSIGHT_SKIP_BROWSER=1 skips it).
eng/setup-browser.sh --quiet
if [[ ${TRAININSIGHT_SKIP_LLAMA:-0} != 1 ]]; then
  eng/setup-llama.sh --quiet
  # TRAININSIGHT_* variables also reach the tests inside eng/torch-env.sh.
  export TRAININSIGHT_LLAMA_SERVER="${TRAININSIGHT_LLAMA_SERVER:-$REPO_ROOT/eng/llama-server.sh}"
  export TRAININSIGHT_LLAMA_MODEL="${TRAININSIGHT_LLAMA_MODEL:-$REPO_ROOT/tests/Shared/Models/stories260K.gguf}"
fi

# The solution: TrainInsight.sln (or the .slnx format newer SDKs create).
solution=""
for s in TrainInsight.sln TrainInsight.slnx; do
  [[ -f $s ]] && { solution=$s; break; }
done
[[ -n $solution ]] || { echo "test.sh: error: TrainInsight.sln not found in $REPO_ROOT" >&2; exit 1; }

# VSTest's console logger at normal verbosity lists each test and a summary per
# project. (If global.json switches dotnet test to Microsoft.Testing.Platform,
# --logger is not understood there, so it is left out.)
logger=(--logger "console;verbosity=normal")
if [[ -f global.json ]] && grep -q 'Microsoft.Testing.Platform' global.json; then
  logger=()
fi

# Run through a pipe so the per-project summaries can be totalled into one closing line ("N passed, N failed"),
# which CI reads; the exit status stays dotnet test's.
log=$(mktemp "${TMPDIR:-/tmp}/traininsight-test.XXXXXX")
trap 'rm -f -- "$log"' EXIT
set +e
eng/torch-env.sh dotnet test "$solution" -c Release "${logger[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { grep -E "^[[:space:]]+$1:[[:space:]]+[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
echo
# The failed tests by name, just above the closing line, so that the tail of a CI log says which ones failed.
if grep -qE "^[[:space:]]+Failed [A-Za-z_]" "$log"; then
  echo "Failed tests:"
  grep -E "^[[:space:]]+Failed [A-Za-z_]" "$log" | sed -E 's/^[[:space:]]+Failed /  /' | head -n 50
fi
echo "TrainInsight tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
exit "$status"
