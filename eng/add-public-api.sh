#!/usr/bin/env bash
# Brings a project's PublicAPI.Unshipped.txt up to date with what the build reports: adds every symbol reported as RS0016
# (public but not declared) and removes every one reported as RS0017 (declared but gone).
# Usage: eng/add-public-api.sh src/TrainInsight.X/TrainInsight.X.csproj
set -euo pipefail
proj="$1"
dir="$(dirname "$proj")"
out=$(dotnet build "$proj" -c Debug --no-incremental 2>&1 || true)
grep -o "error RS0016: Symbol '.*' is not part of the declared public API" <<<"$out" \
  | sed -E "s/error RS0016: Symbol '(.*)' is not part of the declared public API/\1/" | sort -u >> "$dir/PublicAPI.Unshipped.txt" || true
grep -o "error RS0017: Symbol '.*' is part of the declared API" <<<"$out" \
  | sed -E "s/error RS0017: Symbol '(.*)' is part of the declared API/\1/" | sort -u > "$dir/PublicAPI.removed" || true
python3 - "$dir" <<'PY'
import sys, os
d = sys.argv[1]
removed = set(open(os.path.join(d, "PublicAPI.removed")).read().splitlines())
for name in ("PublicAPI.Unshipped.txt", "PublicAPI.Shipped.txt"):
    p = os.path.join(d, name)
    lines = open(p).read().splitlines()
    head, body = lines[0], lines[1:]
    body = sorted(set(l for l in body if l and l not in removed and ("*REMOVED*" + l) not in removed))
    open(p, "w").write("\n".join([head] + body) + "\n")
PY
rm -f "$dir/PublicAPI.removed"
