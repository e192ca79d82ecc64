#!/usr/bin/env bash
# Times `examgen batch` for a class of 40 on the mock blueprint (40 papers, 40 answer sheets, keys,
# two print files). Target on a 2-core machine: under 2 s, peak memory under 300 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
cargo build --release --quiet
bin=target/release/examgen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/class.csv" <<'PY'
import sys
names = "张喆 李堃 王赟 陈昇 赵玥 孙珺 周翀 吴敏".split()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("学号,姓名,班级,座位号\n")
    for i in range(40):
        f.write(f"2025{i + 1:04d},{names[i % 8]}{i + 1},社工一班,{i + 1}\n")
PY
walls=()
peak=0
for i in $(seq "$runs"); do
  stats=$( { /usr/bin/time -f "%e %M" "$bin" batch --roster "$work/class.csv" --seed "$i" -o "$work/out" >/dev/null; } 2>&1 | tail -1)
  walls+=("${stats% *}")
  kb=${stats#* }
  (( kb > peak )) && peak=$kb
done
median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "examgen batch: 40 students, mock.yaml, 2 variants, $runs runs on $(nproc) cores"
echo "  wall time: median ${median} s"
echo "  peak memory: $((peak / 1024)) MB"
echo "  files: $(find "$work/out" -name '*.pdf' | wc -l) PDFs, $(du -sh "$work/out" | cut -f1)"
