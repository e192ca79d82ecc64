#!/usr/bin/env bash
# Batch scale benchmark (issue #28): `examgen batch` on the shipped mock blueprint for rosters of 40, 1,000
# and 10,000 students, with 2 variants and with --per-student, in one run. Prints wall time, CPU time (user +
# system: what the run costs on a loaded machine), time per student and peak memory (GNU time's maximum RSS)
# for each, and whether the goals are met: memory at every size, 8 s at 1,000 students, and time linear in
# students (ms per student at the largest size within 25% of that at 1,000).
#
#   benches/batch-scale.sh                       all sizes (10,000 students take a few minutes)
#   SIZES="40 1000" benches/batch-scale.sh       chosen sizes
#   MODES="variants" benches/batch-scale.sh      only the 2-variant batches (or "per-student")
#   EXAMGEN=/path/to/examgen benches/batch-scale.sh   time that binary instead of target/release/examgen
#
# Goals (2-core machine, release): peak memory <= 200 MB at every size and mode; 1,000 students <= 8 s;
# time linear in students. A size whose run fails (e.g. out of memory) is reported, and the others still run.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="${SIZES:-40 1000 10000}"
modes="${MODES:-variants per-student}"
memory_goal_mb=200
time_goal_1000=8

if [[ -n "${EXAMGEN:-}" ]]; then
    bin="$EXAMGEN"
else
    (cd "$root" && cargo build --release --locked --quiet) || exit 1
    bin="$root/target/release/examgen"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/examgen-batch-scale.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Rosters as teachers type them: 学号,姓名,班级,座位号, names from a pool of rarer characters so every
# roster's name characters are many (the font subset must cover them all).
make_roster() {
    python3 - "$1" "$2" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
surnames = "张李王陈赵孙周吴郑冯褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
given = "喆堃赟昇玥珺翀敏婧淼琰燚鑫垚瑄珩琛玮璟瑜晗昀昊暄曦"
with open(path, "w", encoding="utf-8") as f:
    f.write("学号,姓名,班级,座位号\n")
    for i in range(count):
        name = surnames[i % len(surnames)] + given[(i // len(surnames)) % len(given)] + given[(i * 7) % len(given)]
        f.write(f"2025{i + 1:06d},{name},社工{i // 40 + 1}班,{i % 40 + 1}\n")
PY
}

echo "== examgen batch at scale: $(nproc) cores, $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %8s %10s %10s %12s %10s %12s  %s\n' mode students "wall (s)" "CPU (s)" "ms/student" "peak MB" "manifest MB" goals
declare -A per_1000
for n in $sizes; do
    roster="$work/roster-$n.csv"
    make_roster "$roster" "$n"
    for mode in $modes; do
        out="$work/out-$n-$mode"
        args=(batch --roster "$roster" --seed 1 -o "$out")
        [[ "$mode" == per-student ]] && args+=(--per-student)
        /usr/bin/time -o "$work/time" -f "%e %M %U %S" "$bin" "${args[@]}" >/dev/null 2>"$work/err"
        stats=$(tail -1 "$work/time")
        if grep -q 'non-zero status\|terminated by signal' "$work/time" || ! grep -q '^[0-9.]* [0-9]* [0-9.]* [0-9.]*$' <<<"$stats"; then
            printf '%-12s %8s  failed: %s\n' "$mode" "$n" "$(tail -1 "$work/err")"
            continue
        fi
        read -r wall rss user sys <<<"$stats"
        peak_mb=$(( rss / 1024 ))
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
        per=$(awk -v w="$wall" -v n="$n" 'BEGIN { printf "%.1f", w * 1000 / n }')
        verdict="memory $([[ $peak_mb -le $memory_goal_mb ]] && echo meets || echo MISSES)"
        if [[ "$n" == 1000 ]]; then
            verdict+=", time $(awk -v w="$wall" -v g="$time_goal_1000" 'BEGIN { print (w <= g) ? "meets" : "MISSES" }')"
            per_1000[$mode]="$per"
        elif [[ "$n" -gt 1000 && -n "${per_1000[$mode]:-}" ]]; then
            # Linear: the cost of a student at this size is that at 1,000 (25% for noise on a shared machine).
            verdict+=", linear $(awk -v p="$per" -v q="${per_1000[$mode]}" 'BEGIN { print (p <= q * 1.25) ? "meets" : "MISSES" } ')"
        fi
        # manifest.json carries every variant's sheet geometry: with --per-student it grows with the class.
        manifest_mb=$(awk -v b="$(stat -c %s "$out/manifest.json" 2>/dev/null || echo 0)" 'BEGIN { printf "%.1f", b / 1048576 }')
        printf '%-12s %8s %10s %10s %12s %10s %12s  %s\n' "$mode" "$n" "$wall" "$cpu" "$per" "$peak_mb" "$manifest_mb" "$verdict"
        rm -rf "$out"
    done
done
