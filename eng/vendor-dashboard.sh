#!/usr/bin/env bash
# eng/vendor-dashboard.sh - refresh the browser libraries TrainInsight.Dashboard embeds.
#
# Usage: eng/vendor-dashboard.sh           # install from the pinned lock, copy the built files, rewrite SHA256SUMS
#        eng/vendor-dashboard.sh --check   # install from the pinned lock and fail unless the vendored files match it
#
# The dashboard's libraries (uPlot) are pinned in src/TrainInsight.Dashboard/vendor/package.json and package-lock.json
# (exact version + the registry's sha512 integrity, which `npm ci` verifies). This script runs `npm ci` in a temporary
# folder, copies the built files into src/TrainInsight.Dashboard/wwwroot/vendor/, and records their SHA-256 in
# src/TrainInsight.Dashboard/vendor/SHA256SUMS. The vendored files are committed, so building the package (or using
# it from NuGet) never needs npm; a test checks the embedded files against SHA256SUMS.
# To upgrade: edit the version in package.json, run `npm install --package-lock-only` in that folder, then this script.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
PKG="$REPO_ROOT/src/TrainInsight.Dashboard"
SRC="$PKG/vendor"
DEST="$PKG/wwwroot/vendor"
check=0
[[ ${1:-} == --check ]] && check=1

command -v npm >/dev/null 2>&1 || { echo "vendor-dashboard.sh: error: npm not found (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/traininsight-vendor.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cp "$SRC/package.json" "$SRC/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

# source (in node_modules) -> destination (under wwwroot/vendor)
files=(
  "uplot/dist/uPlot.iife.min.js:uplot/uPlot.iife.min.js"
  "uplot/dist/uPlot.min.css:uplot/uPlot.min.css"
  "uplot/LICENSE:uplot/LICENSE"
)

sums=""
for entry in "${files[@]}"; do
  from="$work/node_modules/${entry%%:*}"
  to="${entry#*:}"
  [[ -f $from ]] || { echo "vendor-dashboard.sh: error: $from is not in the installed package" >&2; exit 1; }
  sums+="$(sha256sum "$from" | cut -d' ' -f1)  $to"$'\n'
  if [[ $check == 0 ]]; then
    mkdir -p "$(dirname "$DEST/$to")"
    cp "$from" "$DEST/$to"
  fi
done

if [[ $check == 1 ]]; then
  (cd "$DEST" && printf '%s' "$sums" | sha256sum --check --quiet) ||
    { echo "vendor-dashboard.sh: the vendored files differ from the pinned packages; run eng/vendor-dashboard.sh" >&2; exit 1; }
  diff <(printf '%s' "$sums") "$SRC/SHA256SUMS" >/dev/null ||
    { echo "vendor-dashboard.sh: vendor/SHA256SUMS is out of date; run eng/vendor-dashboard.sh" >&2; exit 1; }
  echo "vendored files match the pinned packages"
else
  printf '%s' "$sums" > "$SRC/SHA256SUMS"
  echo "vendored into $DEST:"
  cat "$SRC/SHA256SUMS"
fi
