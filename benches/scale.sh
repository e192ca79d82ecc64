#!/usr/bin/env bash
# Scale benchmark: `examgen check`, `examgen draw` and `examgen paper` on a generated bank of 20,000
# questions in 10 sections, with a 300-question blueprint that has difficulty mixes. See benches/README.md.
#
#   benches/scale.sh                 generate, build (if needed), time, report
#   KEEP=1 benches/scale.sh          keep the generated bank (its path is printed)
#   RUNS=20 benches/scale.sh         timed runs per command (default 10)
#   EXAMGEN=/path/to/examgen ...     time that binary instead of building target/release/examgen
#
# Targets (issue #28, 2-core machine, wall time of whole processes): check < 0.3 s, draw of 300 questions
# < 0.35 s, that draw's paper + key + review < 0.6 s. The sanity runs leave the bank's cache
# (.examgen-cache/) written, as a teacher's second run finds it; `check` without the cache (every file parsed and
# checked, as on a first run; EXAMGEN_NO_CACHE=1) is timed too, without a target.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-10}"
questions="${QUESTIONS:-20000}"
sections="${SECTIONS:-10}"
check_target=0.3
draw_target=0.35
paper_target=0.6

work="$(mktemp -d "${TMPDIR:-/tmp}/examgen-scale.XXXXXX")"
if [[ "${KEEP:-0}" == 1 ]]; then
    echo "keeping the generated bank in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

echo "== generating $questions questions in $sections sections"
python3 "$root/benches/gen_bank.py" "$work" --questions "$questions" --sections "$sections"
bank="$work/bank"
blueprint="$bank/exams/scale.yaml"
echo "   $(du -sh "$bank" | cut -f1) of YAML in $bank"

if [[ -n "${EXAMGEN:-}" ]]; then
    bin="$EXAMGEN"
else
    echo "== cargo build --release"
    (cd "$root" && cargo build --release --quiet)
    bin="$root/target/release/examgen"
fi

echo "== sanity runs"
"$bin" check "$bank"
"$bin" draw "$blueprint" --seed 1 > "$work/draw.txt"
"$bin" paper "$blueprint" --seed 1 -o "$work/out" > /dev/null
head -n 2 "$work/draw.txt" | sed 's/^/   /'

declare -A cmds
cmds[check]="$(printf '%q ' "$bin" check "$bank")"
cmds[cold]="$(printf '%q ' env EXAMGEN_NO_CACHE=1 "$bin" check "$bank")"
cmds[draw]="$(printf '%q ' "$bin" draw "$blueprint" --seed 1)"
cmds[paper]="$(printf '%q ' "$bin" paper "$blueprint" --seed 1 -o "$work/out")"

# Max RSS (KiB) and wall time (s) of one run, from GNU time.
measure_once() {
    /usr/bin/time -v "$@" > /dev/null 2> "$work/time.txt"
    local rss wall
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")"
    # h:mm:ss or m:ss.ss → seconds
    wall="$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.3f", s }')"
    echo "$wall $rss"
}

report() { # name target mean_seconds rss_kib
    local verdict
    verdict="$(awk -v m="$3" -v t="$2" 'BEGIN { print (m < t) ? "meets" : "MISSES" }')"
    printf '   %-6s mean %6.3f s  (target < %s s: %s), max RSS %s MiB\n' \
        "$1" "$3" "$2" "$verdict" "$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')"
}

echo "== timing ($runs runs each; load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
declare -A mean rss
for name in check cold draw paper; do
    eval "cmd=(${cmds[$name]})"
    rss[$name]="$(measure_once "${cmd[@]}" | cut -d' ' -f2)"
    if command -v hyperfine > /dev/null; then
        hyperfine --shell=none --warmup 2 --runs "$runs" --style basic --export-json "$work/$name.json" \
            --command-name "examgen $name" "${cmds[$name]}"
        mean[$name]="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$work/$name.json")"
    else
        echo "   (hyperfine not installed: $runs runs with /usr/bin/time -v)"
        total=0
        for ((i = 0; i < runs; i++)); do
            read -r wall r < <(measure_once "${cmd[@]}")
            total="$(awk -v a="$total" -v b="$wall" 'BEGIN { print a + b }')"
            (( r > ${rss[$name]} )) && rss[$name]=$r
        done
        mean[$name]="$(awk -v a="$total" -v n="$runs" 'BEGIN { print a / n }')"
    fi
done

echo "== results ($(nproc) cores, $(date -u +%Y-%m-%d), load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
report check "$check_target" "${mean[check]}" "${rss[check]}"
report draw "$draw_target" "${mean[draw]}" "${rss[draw]}"
report paper "$paper_target" "${mean[paper]}" "${rss[paper]}"
printf '   %-6s mean %6.3f s  (check, no cache: every file parsed and checked; no target), max RSS %s MiB\n' \
    cold "${mean[cold]}" "$(awk -v k="${rss[cold]}" 'BEGIN { printf "%.1f", k / 1024 }')"
