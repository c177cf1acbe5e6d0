#!/usr/bin/env bash
# eng/advice-eval.sh - build the diagnosis benchmark (Release) and score the assistant's advice on labelled traces.
#
# Usage: eng/advice-eval.sh [--no-build] [ADVICE OPTIONS...]
#   Runs `advice`: every labelled trace is replayed through a real bus, store and DiagnosisEngine, the assistant's
#   SuggestAsync is asked for the run, and its ranked suggestions are scored against the expected-advice table (right
#   parameter in the right direction at rank 1 / within 3; healthy runs: no suggestion). docs/assistant-evaluation.md.
#     --traces DIR            labelled traces (default: the committed ones, tests/TrainInsight.Diagnostics.Tests/Traces;
#                             the full set: eng/diagnosis-benchmark.sh generate --out artifacts/diagnosis-benchmark/traces)
#     --models mlp,cnn        only these model families
#     --ask end|detection     ask after the whole trace (default) or at the first Warning finding
#     --output DIR            where advice.md and advice.json go (default artifacts/advice-eval)
#     --llm PROVIDER ...      the model behind the assistant, exactly as for `traininsight tb serve` (default
#                             $TRAININSIGHT_LLM, else rules only): openai | azure | openai-compatible | ollama | gguf | none,
#                             with --llm-model, --llm-endpoint, --llm-key, --llm-gguf (or the TRAININSIGHT_LLM_* variables)
#     --max-output-tokens N, --timeout SECONDS, --temperature X   LlmOptions for the model calls
#   Examples:
#     eng/advice-eval.sh                                                   # rules only, committed traces
#     eng/advice-eval.sh --traces artifacts/diagnosis-benchmark/traces --models cnn
#     eng/advice-eval.sh --llm openai --llm-model gpt-4o-mini              # key: $OPENAI_API_KEY
#     eng/advice-eval.sh --llm openai-compatible --llm-endpoint http://127.0.0.1:8080/v1 --llm-model qwen2.5-7b-instruct
#     eng/advice-eval.sh --llm ollama --llm-model llama3.1:8b
#     eng/advice-eval.sh --llm gguf --llm-gguf tests/Shared/Models/stories260K.gguf   # the protocol model: a floor
#   --no-build   skip the build (use the last Release build)
#   Runs through eng/torch-env.sh (as eng/diagnosis-benchmark.sh does; `advice` itself never loads libtorch, but the
#   in-process GGUF provider's llama.cpp wants the same newer C++ runtime). Traces or outputs outside the repository
#   must be listed in TRAININSIGHT_TORCH_EXTRA_MOUNTS on hosts where torch-env.sh uses its chroot. The exit status is
#   the command's (0 whatever the scores; 2 for a usage error).
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd -- "$REPO_ROOT"

project=benchmarks/TrainInsight.DiagnosisBenchmark
build=1
if [[ ${1:-} == --no-build ]]; then
  build=0
  shift
fi

eng/setup.sh >&2
if [[ $build -eq 1 ]]; then
  echo "advice-eval.sh: building $project (Release) ..." >&2
  log=$(mktemp "${TMPDIR:-/tmp}/traininsight-advice-build.XXXXXX")
  trap 'rm -f -- "$log"' EXIT
  if ! eng/torch-env.sh dotnet build -c Release --nologo -v quiet "$project" >"$log" 2>&1; then
    cat "$log" >&2
    echo "advice-eval.sh: error: the benchmark did not build (output above)." >&2
    exit 1
  fi
fi

exec eng/torch-env.sh dotnet "$project/bin/Release/net10.0/TrainInsight.DiagnosisBenchmark.dll" advice "$@"
