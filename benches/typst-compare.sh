#!/usr/bin/env bash
# examgen against its Typst peer on the same 80 questions, in one run (issues #20 and #15). See
# benches/README.md.
#
#   benches/typst-compare.sh                   time both, print the speed table and the typography figures
#   RUNS=20 CLASS_RUNS=5 benches/typst-compare.sh     timed runs (default 10 for one paper, 3 for the class)
#   EXAMGEN=/path/to/examgen ...               the binary to time (default target/release/examgen; builds nothing)
#   CHECK=1 ...                                exit 1 when a print-finish goal of #15 is missed
#   KEEP=1 ...                                 keep the outputs (their folder is printed)
#
# (a) `examgen paper` (paper + key + review) against one Typst compile of paper + answers;
# (b) `examgen batch --per-student` for a class of 40 (benches/fixtures/class-40.csv) against 40 Typst
#     compiles, one per student, each student's own variant with their name.
# Whole processes both sides, median of the runs; hyperfine when installed, else a Python timer.
# Needs: pip install typst pymupdf pyyaml; apt-get install -y fonts-noto-cjk (and hyperfine, optional).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${RUNS:-10}"
class_runs="${CLASS_RUNS:-3}"
bin="${EXAMGEN:-target/release/examgen}"
roster="benches/fixtures/class-40.csv"

if [[ ! -x "$bin" ]]; then
    echo "typst-compare: no examgen binary at $bin (build it, or set EXAMGEN=/path/to/examgen)" >&2
    exit 2
fi
if ! python3 -c 'import typst, pymupdf, yaml' 2> /dev/null; then
    echo "typst-compare: needs the Python packages typst, pymupdf and pyyaml: pip install typst pymupdf pyyaml" >&2
    exit 2
fi
# Not `grep -q`: it exits at the first match, fc-list dies of SIGPIPE and pipefail calls the fonts missing.
if ! fc-list 2> /dev/null | grep 'Noto Serif CJK SC' > /dev/null; then
    echo "typst-compare: needs the Noto CJK fonts: apt-get install -y fonts-noto-cjk" >&2
    exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/examgen-typst.XXXXXX")"
if [[ "${KEEP:-0}" == 1 ]]; then
    echo "keeping the outputs in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

echo "== workload: question-bank/exams/mock.yaml, seed 1, 80 questions; examgen: $bin"
"$bin" draw question-bank/exams/mock.yaml --seed 1 --format json > "$work/draw.json"
python3 benches/typst-workload.py "$work/draw.json" -o "$work/workload.json"
"$bin" batch --roster "$roster" --per-student --seed 1 -o "$work/eg-class" > /dev/null
cp "$work/eg-class/manifest.json" "$work/class-manifest.json"
python3 benches/typst-workload.py "$work/class-manifest.json" --all-variants -o "$work/class-workloads"

paper_eg=("$bin" paper question-bank/exams/mock.yaml --seed 1 -o "$work/eg")
paper_ty=(python3 benches/typst/compile.py "$work/workload.json" --answers -o "$work/typst-answers.pdf")
class_eg=("$bin" batch --roster "$roster" --per-student --seed 1 -o "$work/eg-class")
class_ty=(python3 benches/typst/compile.py --class "$work/class-manifest.json" --workloads "$work/class-workloads"
    -o "$work/typst-class")

# Median wall time in seconds of N runs of a command, after one warm-up run; with hyperfine also the mean
# user+sys CPU time (the machine is shared: CPU time moves less with the load than wall time does).
median() { # name runs command...
    local name="$1" n="$2"
    shift 2
    if command -v hyperfine > /dev/null; then
        hyperfine --shell=none --warmup 1 --runs "$n" --style none --export-json "$work/$name.json" \
            "$(printf '%q ' "$@")" > /dev/null
        python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]; print("%.3f" % r["median"])
print("%.3f" % (r["user"] + r["system"]), file=open(sys.argv[2], "w"))' "$work/$name.json" "$work/$name.cpu"
    else
        python3 - "$n" "$@" << 'PY'
import statistics, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
walls = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    walls.append(time.perf_counter() - t)
print("%.3f" % statistics.median(walls))
PY
    fi
}

timer="hyperfine"
command -v hyperfine > /dev/null || timer="a Python timer (hyperfine not installed)"
echo "== timing: $runs runs per paper command, $class_runs per class command, $timer; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t_paper_eg="$(median paper-eg "$runs" "${paper_eg[@]}")"
t_paper_ty="$(median paper-ty "$runs" "${paper_ty[@]}")"
t_class_eg="$(median class-eg "$class_runs" "${class_eg[@]}")"
t_class_ty="$(median class-ty "$class_runs" "${class_ty[@]}")"

pages() { python3 -c 'import pymupdf,sys; print(sum(len(pymupdf.open(p)) for p in sys.argv[1:]))' "$@"; }
eg_pages="$(pages "$work"/eg/{paper,key,review}-A.pdf)"
ty_pages="$(pages "$work/typst-answers.pdf")"
eg_class_files="$(find "$work/eg-class" -name '*.pdf' | wc -l)"
ty_class_files="$(find "$work/typst-class" -name '*.pdf' | wc -l)"

echo
echo "== #20 speed ($(nproc) cores, $(date -u +%Y-%m-%d), median wall time of whole processes; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
row() { printf '%-48s %-44s %8s s %8s s %6s\n' "$1" "$2" "$3" "$4" "$(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.1f×", b / a }')"; }
cpu() { cat "$work/$1.cpu" 2> /dev/null || echo "?"; }
printf '%-48s %-44s %10s %10s %6s\n' "examgen" "Typst" "examgen" "Typst" "ratio"
row "paper + key + review ($eg_pages pages)" "paper + answers, one compile ($ty_pages pages)" "$t_paper_eg" "$t_paper_ty"
row "class of 40, --per-student ($eg_class_files PDFs)" "40 compiles, one per student ($ty_class_files PDFs)" "$t_class_eg" "$t_class_ty"
echo "(ratio = Typst time / examgen time: above 1, examgen is faster)"
echo "user+sys CPU, mean: examgen paper $(cpu paper-eg) s, Typst $(cpu paper-ty) s; examgen class $(cpu class-eg) s, Typst $(cpu class-ty) s"

echo
echo "== #15 print finish"
"$bin" handout -o "$work/eg" > /dev/null
python3 benches/typst/compile.py "$work/workload.json" -o "$work/typst-paper.pdf"
status=0
check=()
[[ "${CHECK:-0}" == 1 ]] && check=(--check)
python3 benches/typography.py "${check[@]}" --label examgen \
    "$work"/eg/paper-A.pdf "$work"/eg/key-A.pdf "$work"/eg/review-A.pdf "$work"/eg/handout.pdf || status=1
echo
python3 benches/typography.py --label typst "$work/typst-paper.pdf" "$work/typst-answers.pdf"
exit "$status"
