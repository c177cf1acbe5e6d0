#!/usr/bin/env bash
# eng/generate-tensorboard-protos.sh - regenerates the C# of src/TrainInsight.TensorBoard/Protos/*.proto.
#
# Usage: eng/generate-tensorboard-protos.sh
#
# Needs protoc (Debian: apt-get install -y protobuf-compiler; 3.21 was used). The generated files are committed, so
# building and CI never need protoc. The generated types are made internal: the package exposes its own model, not the
# protobuf messages.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
PROTOS="$REPO_ROOT/src/TrainInsight.TensorBoard/Protos"
OUT="$PROTOS/Generated"

command -v protoc >/dev/null || { echo "generate-tensorboard-protos.sh: error: protoc not found (apt-get install -y protobuf-compiler)" >&2; exit 1; }

rm -rf -- "$OUT"
mkdir -p -- "$OUT"
protoc --proto_path="$PROTOS" --csharp_out="$OUT" "$PROTOS"/*.proto

# Top-level generated types (two-space indent inside the namespace block) become internal; nested ones follow them.
for f in "$OUT"/*.cs; do
  sed -i -E 's/^  public (sealed partial class|static partial class|enum) /  internal \1 /' "$f"
done

echo "generated: $(cd "$REPO_ROOT" && ls "${OUT#"$REPO_ROOT"/}"/*.cs) ($(protoc --version))"
