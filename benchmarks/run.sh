#!/usr/bin/env bash
# Runs every benchmark of this module COUNT times (default 10), saves the
# raw output to results/<date>.txt, benchstat's summary beside it
# (results/<date>.benchstat.txt), and redraws results/chart.svg and
# results/table.md from it.
#
#   ./run.sh                  # the full set, -count 10 (about 30 minutes on 2 cores)
#   COUNT=3 ./run.sh          # fewer samples
#   BENCH=FileThroughput ./run.sh   # a subset (a -bench regexp)
#
# Redraw the chart from any saved run with:
#   go run ./cmd/chart results/<date>.txt
set -euo pipefail
cd "$(dirname "$0")"

count="${COUNT:-10}"
bench="${BENCH:-.}"
day="$(date -u +%Y-%m-%d)"
out="results/${day}.txt"
mkdir -p results

# Config lines ("key: value") that benchstat and cmd/chart read.
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "go: $(go env GOVERSION)"
  echo "command: go test -run '^\$' -bench '${bench}' -benchmem -count ${count} -timeout 0 ./..."
} >"$out"
go test -run '^$' -bench "$bench" -benchmem -count "$count" -timeout 0 ./... | tee -a "$out"

go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out" >"results/${day}.benchstat.txt"
go run ./cmd/chart "$out"
echo "wrote $out, results/${day}.benchstat.txt, results/chart.svg, results/table.md"
