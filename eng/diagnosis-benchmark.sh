#!/usr/bin/env bash
# eng/diagnosis-benchmark.sh - build the diagnosis benchmark (Release) and run it where TorchSharp loads.
#
# Usage: eng/diagnosis-benchmark.sh [--no-build] [COMMAND [ARGS...]]
#   With no command: `all --out artifacts/diagnosis-benchmark` - generates the labelled traces (real TorchSharp on
#   real Fashion-MNIST: 17 scenarios x MLP and CNN x 3 seeds), scores the diagnosis on them (tune set = MLP,
#   report set = CNN) and measures fix efficacy on the CNN set. About an hour on 2 cores (docs/diagnosis-benchmark.md).
#   Other commands, for example:
#     eng/diagnosis-benchmark.sh generate --out artifacts/diagnosis-benchmark/traces --models mlp --seeds 3
#     eng/diagnosis-benchmark.sh score --traces artifacts/diagnosis-benchmark/traces --models cnn [--format json]
#     eng/diagnosis-benchmark.sh fix --traces artifacts/diagnosis-benchmark/traces --out artifacts/diagnosis-benchmark/fix
#   --no-build   skip the build (use the last Release build)
#   Output goes under artifacts/ (git-ignored). Runs through eng/torch-env.sh (directly on new-enough hosts, in the
#   Debian trixie root on e.g. Debian 12); the exit status is the benchmark's.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd -- "$REPO_ROOT"

project=benchmarks/TrainInsight.DiagnosisBenchmark
build=1
if [[ ${1:-} == --no-build ]]; then
  build=0
  shift
fi

if [[ $# -eq 0 ]]; then
  set -- all --out artifacts/diagnosis-benchmark
fi

eng/setup.sh >&2
if [[ $build -eq 1 ]]; then
  echo "diagnosis-benchmark.sh: building $project (Release) ..." >&2
  log=$(mktemp "${TMPDIR:-/tmp}/traininsight-diagnosis-build.XXXXXX")
  trap 'rm -f -- "$log"' EXIT
  if ! eng/torch-env.sh dotnet build -c Release --nologo -v quiet "$project" >"$log" 2>&1; then
    cat "$log" >&2
    echo "diagnosis-benchmark.sh: error: the benchmark did not build (output above)." >&2
    exit 1
  fi
fi

exec eng/torch-env.sh dotnet "$project/bin/Release/net10.0/TrainInsight.DiagnosisBenchmark.dll" "$@"
