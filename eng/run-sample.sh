#!/usr/bin/env bash
# eng/run-sample.sh - run the console sample where TorchSharp can load.
#
# Usage: eng/run-sample.sh [sample args...]
#   Runs `dotnet run -c Release --project samples/TrainInsight.Samples.Console -- ARGS`
#   through eng/torch-env.sh (directly on new-enough hosts, in the Debian trixie
#   root on e.g. Debian 12). The host's network is used, so a server the sample
#   starts on 127.0.0.1:<port> is reachable from the host. Ctrl+C stops it; the
#   exit status is the sample's.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd -- "$REPO_ROOT"

# The mode line goes to stderr so the sample's own stdout stays clean.
eng/setup.sh >&2

exec eng/torch-env.sh dotnet run -c Release \
  --project samples/TrainInsight.Samples.Console -- "$@"
