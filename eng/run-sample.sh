#!/usr/bin/env bash
# eng/run-sample.sh - run the console sample where TorchSharp can load.
#
# Usage: eng/run-sample.sh [sample args...]
#   Runs `dotnet run -c Release --project samples/TrainInsight.Samples.Console -- ARGS`
#   through eng/torch-env.sh (directly on new-enough hosts, in the Debian trixie
#   root on e.g. Debian 12), after building it with a progress line. The host's
#   network is used, so a server the sample starts on 127.0.0.1:<port> is
#   reachable from the host. Ctrl+C stops it; the exit status is the sample's.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd -- "$REPO_ROOT"

# The mode line goes to stderr so the sample's own stdout stays clean.
eng/setup.sh >&2

# Build first, saying so: a cold first run restores packages (libtorch is a few hundred MB) and compiles for about
# half a minute to a few minutes, which `dotnet run` would spend in silence. A warm build takes seconds.
project=samples/TrainInsight.Samples.Console
echo "run-sample.sh: building the sample (the first time this restores packages and compiles: 30 s to a few minutes) ..." >&2
log=$(mktemp "${TMPDIR:-/tmp}/traininsight-sample-build.XXXXXX")
trap 'rm -f -- "$log"' EXIT
if ! eng/torch-env.sh dotnet build -c Release --nologo -v quiet "$project" >"$log" 2>&1; then
  cat "$log" >&2
  echo "run-sample.sh: error: the sample did not build (output above)." >&2
  exit 1
fi

eng/torch-env.sh dotnet run -c Release --no-build --project "$project" -- "$@"
