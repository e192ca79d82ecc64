#!/usr/bin/env bash
# Times `examgen paper` on the default mock blueprint (80 questions: paper + key + review) and reports wall
# time, peak memory and PDF sizes. Targets on a 2-core machine: < 0.1 s, < 80 MB, paper PDF < 200 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
cargo build --release --quiet
bin=target/release/examgen
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$bin" paper --seed 1 -o "$out" >/dev/null   # warm the page cache
walls=()
peak=0
for i in $(seq "$runs"); do
  stats=$( { /usr/bin/time -f "%e %M" "$bin" paper --seed "$i" -o "$out" >/dev/null; } 2>&1 | tail -1)
  walls+=("${stats% *}")
  kb=${stats#* }
  (( kb > peak )) && peak=$kb
done
sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
best=$(echo "$sorted" | head -1)
echo "examgen paper (mock.yaml, 80 questions, paper + key + review), $runs runs on $(nproc) cores"
echo "  wall time: median ${median} s, best ${best} s"
echo "  peak memory: $((peak / 1024)) MB"
for f in paper-A key-A review-A; do
  echo "  $f.pdf: $(( $(stat -c %s "$out/$f.pdf") / 1024 )) KB"
done
