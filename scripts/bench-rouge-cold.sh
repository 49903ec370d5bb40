#!/usr/bin/env bash
# bench-rouge-cold.sh times `osler eval rouge` cold, as docs/BENCHMARKS.md
# records it: every run is a fresh process (process start, package init,
# reading and decoding the JSONL, Porter-stemming each distinct token once,
# scoring, the bootstrap, the distribution tables and printing), on one
# core (GOMAXPROCS=1, pinned with taskset), with hyperfine, against the
# reference's 9.6 s for the same file (../shared/fixtures/rouge/timing.json).
#
# It builds the binary first (CGO off, as releases are), prints the machine
# and its load average (the machine is shared: rerun when it is quiet), then
# runs, interleaved by hyperfine's order:
#   default      --stemmer (1,000-resample bootstrap: the default output)
#   bootstrap 0  --stemmer --bootstrap 0
#
# Usage: scripts/bench-rouge-cold.sh
#        RUNS=20 scripts/bench-rouge-cold.sh
#        PAIRS=../shared/fixtures/rouge/bench_pairs_30_60.jsonl scripts/bench-rouge-cold.sh
#        CPU=1 scripts/bench-rouge-cold.sh      (pin to another core)
# Needs hyperfine (apt-get install -y hyperfine) and taskset (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:${PATH}"

RUNS=${RUNS:-10}
CPU=${CPU:-0}
PAIRS=${PAIRS:-../shared/fixtures/rouge/bench_pairs.jsonl}

for tool in hyperfine taskset; do
  command -v "$tool" >/dev/null || { echo "bench-rouge-cold: $tool is required (apt-get install -y $tool)" >&2; exit 1; }
done
[ -f "$PAIRS" ] || { echo "bench-rouge-cold: $PAIRS not found (the shared fixtures live beside the checkout)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CGO_ENABLED=0 go build -o "$WORK/osler" ./cmd/osler

echo "commit:  $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "input:   $PAIRS ($(wc -l <"$PAIRS") pairs)"
echo

run="taskset -c $CPU env GOMAXPROCS=1 $WORK/osler eval rouge --pairs $PAIRS --stemmer"
echo "output (default options):"
$run
echo
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$WORK/times.json" \
  -n default "$run" \
  -n "bootstrap 0" "$run --bootstrap 0"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
echo
python3 - "$WORK/times.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:<12} min {r["min"]*1000:7.1f} ms  mean {r["mean"]*1000:7.1f} ms  '
          f'user {r["user"]*1000:6.1f} ms  sys {r["system"]*1000:5.1f} ms  ({len(r["times"])} runs)  '
          f'reference 9.6 s / min = {9.6/r["min"]:.0f}x')
EOF
