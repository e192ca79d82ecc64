#!/usr/bin/env bash
# Grade scale benchmark (issue #28): `examgen grade` of a --per-student class of 40, 1,000, 10,000 and
# 20,000 students on the shipped mock blueprint, in one run. Prints wall time, CPU time (user + system), peak memory
# (GNU time's maximum RSS) and the size of graded.json for each, and whether the memory goal is met.
#
#   benches/grade-scale.sh                        all sizes
#   SIZES="40 1000" benches/grade-scale.sh        chosen sizes
#   EXAMGEN=/path/to/examgen benches/grade-scale.sh   time that binary instead of target/release/examgen
#   KEEP=DIR benches/grade-scale.sh               keep each size's class and grades under DIR (to compare
#                                                 two binaries' outputs byte for byte)
#
# The class: a --per-student batch of benches/fixtures/class-40.csv (seed 1) whose manifest
# benches/grade_class.py repeats under new variant labels until there is a variant per student, with a
# roster and seeded answers (responses.csv, as `examgen scan` writes it: 学号 and one column per question).
# Printing a real 10,000-student batch costs minutes of CPU; what grade holds per student is the same.
#
# Goal (2-core machine, release): peak memory <= 200 MB at every size, 10,000 and 20,000 close together.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="${SIZES:-40 1000 10000 20000}"
memory_goal_mb=200

if [[ -n "${EXAMGEN:-}" ]]; then
    bin="$(readlink -f "$EXAMGEN")"
else
    (cd "$root" && cargo build --release --locked --quiet) || exit 1
    bin="$root/target/release/examgen"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/examgen-grade-scale.XXXXXX")"
trap 'rm -rf "$work"' EXIT
keep="${KEEP:-}"

cd "$root" || exit 1
"$bin" batch --roster benches/fixtures/class-40.csv --seed 1 --per-student -o "$work/batch" >/dev/null 2>"$work/err" || {
    echo "the --per-student batch failed: $(tail -1 "$work/err")"
    exit 1
}

echo "== examgen grade at scale: $(nproc) cores, $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s %10s %10s %10s %14s  %s\n' students "wall (s)" "CPU (s)" "peak MB" "graded.json MB" goal
for n in $sizes; do
    class="$work/class-$n"
    python3 benches/grade_class.py "$work/batch/manifest.json" "$n" "$class" || exit 1
    out="$class/grades"
    # Run in the class folder with the bank beside the manifest (where grade also looks for it), so that
    # graded.json names the same relative paths whichever folder the class is in.
    ln -s "$root/question-bank" "$class/question-bank"
    (cd "$class" && /usr/bin/time -o "$work/time" -f "%e %M %U %S" \
        "$bin" grade manifest.json responses.csv -o grades >/dev/null 2>"$work/err")
    stats=$(tail -1 "$work/time")
    if grep -q 'non-zero status\|terminated by signal' "$work/time" || ! grep -q '^[0-9.]* [0-9]* [0-9.]* [0-9.]*$' <<<"$stats"; then
        printf '%8s  failed: %s\n' "$n" "$(tail -1 "$work/err")"
        continue
    fi
    read -r wall rss user sys <<<"$stats"
    peak_mb=$((rss / 1024))
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    graded_mb=$(awk -v b="$(stat -c %s "$out/graded.json")" 'BEGIN { printf "%.1f", b / 1048576 }')
    printf '%8s %10s %10s %10s %14s  %s\n' "$n" "$wall" "$cpu" "$peak_mb" "$graded_mb" \
        "memory $([[ $peak_mb -le $memory_goal_mb ]] && echo meets || echo MISSES)"
    if [[ -n "$keep" ]]; then
        mkdir -p "$keep" && rm -rf "${keep:?}/class-$n" && mv "$class" "$keep/"
    else
        rm -rf "$class"
    fi
done
