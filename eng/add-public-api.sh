#!/usr/bin/env bash
# Adds every symbol the build reports as RS0016 (not declared) to the project's PublicAPI.Unshipped.txt.
# Usage: eng/add-public-api.sh src/TrainInsight.X/TrainInsight.X.csproj
set -euo pipefail
proj="$1"
dir="$(dirname "$proj")"
dotnet build "$proj" -c Debug --no-incremental 2>&1 \
  | grep -o "error RS0016: Symbol '.*' is not part of the declared public API" \
  | sed -E "s/error RS0016: Symbol '(.*)' is not part of the declared public API/\1/" \
  | sort -u >> "$dir/PublicAPI.Unshipped.txt" || true
{ head -1 "$dir/PublicAPI.Unshipped.txt"; tail -n +2 "$dir/PublicAPI.Unshipped.txt" | sort -u; } > "$dir/PublicAPI.tmp" && mv "$dir/PublicAPI.tmp" "$dir/PublicAPI.Unshipped.txt"
