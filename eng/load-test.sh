#!/usr/bin/env bash
# eng/load-test.sh - loopback SSE load test of TrainInsight.Streaming (not part of eng/test.sh).
#
# Usage: eng/load-test.sh [--scenario p3|p4|all] [--connections N] [--rate R] [--seconds S]
#                         [--source-addresses K] [--server-kind traininsight|raw] [--out FILE.md]
#   P3: 1,000 SSE clients, 10 events/s for 30 s.  P4: 10,000 idle SSE connections, 1 event/s for 30 s.
#   --server-kind raw replaces Kestrel + TrainInsight with a raw-socket broadcaster sending the same bytes: the floor.
#
# Builds benchmarks/TrainInsight.LoadTests in Release, then runs it: it starts a server process (Kestrel on
# 127.0.0.1 + publisher) and a client process (raw-socket SSE clients) and prints a Markdown report on stdout
# (progress on stderr). Each process needs one file descriptor per connection, so the open-file limit is raised to
# the hard limit first. Takes about 1 minute per scenario.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd -- "$REPO_ROOT"

ulimit -n "$(ulimit -Hn)"
dotnet build benchmarks/TrainInsight.LoadTests -c Release --nologo -v quiet >&2
exec dotnet benchmarks/TrainInsight.LoadTests/bin/Release/net10.0/TrainInsight.LoadTests.dll run "$@"
