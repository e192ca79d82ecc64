#!/usr/bin/env bash
# Times `examgen scan` on 40 and 400 answer sheets scanned at 300 dpi and reports pages per second and
# peak memory (issue #23's goal: 0.1 s a page on 2 cores, under 200 MB whatever the stack's size).
# The sheets are examgen's own blank mock sheet, rendered at 300 dpi as grey pages, with a different
# pattern of filled bubbles drawn on each of 40 pages so every page is read in full (registration, QR
# code, every bubble and the ring round it, the per-sheet pencil level), then put through a copier by
# examples/scan_bench_pages.rs (turned up to ±1.5°, blurred, noisy, JPEG quality 75); the 400-page stack
# is those 40 pages ten times over. Each stack is read twice: as a folder of JPEG files (a scanner's "scan
# to folder") and as one PDF of JPEG pages (what a copier writes: 400 pages is a 400 MB file).
# Reported per run: wall time, pages per second, CPU seconds a page (the fair figure on a shared
# machine) and peak memory (GNU time's maximum resident set size); the load average before each stack.
#
#   benches/scan.sh                  build (if needed), fabricate, time, report
#   RUNS=5 benches/scan.sh           timed runs (default 3)
#   EXAMGEN=/path/to/examgen ...     time that binary instead of building target/release/examgen
#   KEEP=/tmp/scan-bench ...         fabricate into that folder and leave it there (a second run with
#                                    the same KEEP reuses the pages)
#   STACKS="pdf400" ...              only some of folder40 folder400 pdf40 pdf400 doubtful400 colour600
#                                    colour600pdf class3
# doubtful400: 400 pages (40 ten times over) each with two fills on question 1, so every page goes to
# review.pdf (a scanner set too light, a wrong manifest). colour600 / colour600pdf: the 40 pages as a colour
# scanner at 600 dpi writes them (24-bit RGB JPEG, four times the pixels), as files and as one PDF.
# class3: a class batch's answer sheets of three pages (280 questions: 200 single, 60 multiple, 20 judge
# from the shipped bank), 14 students, every page filled and put through the same copier: 42 pages read
# against the batch manifest (each page's QR code names its layout).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
if [[ -n "${EXAMGEN:-}" ]]; then
  bin=$EXAMGEN
else
  cargo build --release --locked --quiet
  bin=target/release/examgen
fi
# The copier (examples/scan_bench_pages): next to EXAMGEN's binary, else built here.
copier() {
  local pages_bin=target/release/examples/scan_bench_pages
  if [[ -n "${EXAMGEN:-}" ]]; then
    pages_bin=$(dirname "$EXAMGEN")/examples/scan_bench_pages
  else
    cargo build --release --locked --quiet --example scan_bench_pages
  fi
  "$pages_bin" "$@"
}
if [[ -n "${KEEP:-}" ]]; then
  work=$KEEP; mkdir -p "$work"                      # KEEP=/tmp/dir: keep the pages to profile with
  rm -rf "$work"/out-*
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

if [[ ! -f "$work/colour600.pdf" ]]; then
rm -rf "$work/sheet" "$work/scans" "$work/copier" "$work/copier400" "$work/scans-doubtful" \
  "$work/copier-doubtful" "$work/doubtful400" "$work/colour600"
"$bin" sheet --seed 1 -o "$work/sheet" >/dev/null
pdftoppm -r 300 -gray -singlefile "$work/sheet/sheet-A.pdf" "$work/blank"   # blank.pgm
# Fill bubbles: dark ellipses at the centres the manifest records, a different answer on every page.
python3 - "$work" <<'PY'
import json, struct, sys, zlib, random, pathlib
sys.path.insert(0, "benches")
from pgm_png import read_pgm, write_png
work = pathlib.Path(sys.argv[1])
manifest = json.load(open(work / "sheet" / "manifest.json"))
sheet = manifest["variants"][0]["sheet"]
geometry = sheet[0] if isinstance(sheet, list) else sheet

width, height, blank = read_pgm(work / "blank.pgm")
px = width / geometry["page_width_mm"]
answers, digits = {}, {}
for b in geometry["bubbles"]:
    if b.get("kind") == "answer":
        answers.setdefault(b["question"], []).append(b["box"])
    if b.get("kind") == "id-digit":
        digits[(b["column"], b["digit"])] = b["box"]
(work / "scans").mkdir()
(work / "scans-doubtful").mkdir()
for page in range(40):
    rnd = random.Random(page)
    rows = [bytearray(r) for r in blank]
    marked = [rnd.choice(boxes) for boxes in answers.values()]
    marked += [digits[(c, int(d))] for c, d in enumerate(f"2025{page + 1:04d}") if (c, int(d)) in digits]
    def fill(rows, box):
        cx, cy = (box["x"] + box["w"] / 2) * px, (box["y"] + box["h"] / 2) * px
        rx, ry = box["w"] * px * 0.4, box["h"] * px * 0.4
        for y in range(int(cy - ry), int(cy + ry) + 1):
            for x in range(int(cx - rx), int(cx + rx) + 1):
                if ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1:
                    rows[y][x] = 60
    for box in marked:
        fill(rows, box)
    write_png(work / "scans" / f"page-{page:02d}.png", width, height, rows)
    # The same page with a second fill on question 1: doubtful.
    first = list(answers.values())[0]
    fill(rows, next(b for b in first if b is not marked[0]))
    write_png(work / "scans-doubtful" / f"page-{page:02d}.png", width, height, rows)
PY
# Through the copier: each page turned up to ±1.5°, shifted, blurred, noisy, stored as a JPEG.
copier "$work/scans" "$work/copier"
copier "$work/scans-doubtful" "$work/copier-doubtful"
copier --colour-600 "$work/copier" "$work/colour600"
mkdir "$work/copier400" "$work/doubtful400"
for copy in 0 1 2 3 4 5 6 7 8 9; do
  for f in "$work"/copier/*.jpg; do cp "$f" "$work/copier400/$copy-$(basename "$f")"; done
  for f in "$work"/copier-doubtful/*.jpg; do cp "$f" "$work/doubtful400/$copy-$(basename "$f")"; done
done
# The same pages as one PDF each, as a copier writes it: a JPEG image (DCTDecode) filling every A4 page,
# written a page at a time so the 400-page file is never built in memory here either.
python3 - "$work" <<'PY'
import pathlib, sys
work = pathlib.Path(sys.argv[1])

def jpeg_size(data):
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            colour = {1: b"DeviceGray", 3: b"DeviceRGB", 4: b"DeviceCMYK"}[data[at + 9]]
            return int.from_bytes(data[at + 7:at + 9], "big"), int.from_bytes(data[at + 5:at + 7], "big"), colour
        at += 2 + length
    raise ValueError("no SOF marker")

def write_pdf(path, files):
    offsets = {}
    with open(path, "wb") as out:
        def obj(n, body, stream=None):
            offsets[n] = out.tell()
            out.write(b"%d 0 obj\n" % n + body)
            if stream is not None:
                out.write(b"\nstream\n" + stream + b"\nendstream")
            out.write(b"\nendobj\n")
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        count = len(files)
        kids = b" ".join(b"%d 0 R" % (3 + 3 * k) for k in range(count))
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (count, kids))
        for k, f in enumerate(files):
            data = f.read_bytes()
            w, h, colour = jpeg_size(data)
            page, image, content = 3 + 3 * k, 4 + 3 * k, 5 + 3 * k
            obj(page, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] "
                b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (image, content))
            obj(image, b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s "
                b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>" % (w, h, colour, len(data)), data)
            draw = b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q"
            obj(content, b"<< /Length %d >>" % len(draw), draw)
        xref = out.tell()
        size = 3 + 3 * count
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for n in range(1, size):
            out.write(b"%010d 00000 n \n" % offsets[n])
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))

for name in ["copier", "copier400", "colour600"]:
    write_pdf(work / f"{name}.pdf", sorted((work / name).glob("*.jpg")))
PY
fi
if [[ ! -d "$work/class-copier" ]]; then
  rm -rf "$work/class" "$work/class-scans"
  mkdir -p "$work/class"
  printf 'title: 长卷测验\nbank: %s\nparts:\n  - {title: 单项选择题, type: single, count: 200, points: 1, sections: weighted}\n  - {title: 多项选择题, type: multiple, count: 60, points: 2, sections: weighted, scoring: {partial: 0.5}}\n  - {title: 判断题, type: judge, count: 20, points: 1, sections: weighted}\n' \
    "$PWD/question-bank" >"$work/class/long.yaml"
  { echo '学号,姓名,班级'; for i in $(seq 1 14); do printf '2025%04d,学生%d,一班\n' "$i" "$i"; done; } \
    >"$work/class/roster.csv"
  "$bin" batch "$work/class/long.yaml" --roster "$work/class/roster.csv" --seed 3 -o "$work/class/batch" \
    >/dev/null
  pdftoppm -r 300 -gray "$work/class/batch/print-sheets.pdf" "$work/class/page"   # page-01.pgm …
  # Every student's pages in order (three each): random answers (one to three on a multiple-choice
  # question) and the student's id filled on each page's grid.
  python3 - "$work" <<'PY'
import json, struct, sys, zlib, random, pathlib
sys.path.insert(0, "benches")
from pgm_png import read_pgm, write_png
work = pathlib.Path(sys.argv[1])
manifest = json.load(open(work / "class" / "batch" / "manifest.json"))
own = {v["label"]: v for v in manifest["variants"]}
sheets = {k: v["sheet"] if "sheet" in v else own[v["sheet_same_as"]]["sheet"] for k, v in own.items()}

(work / "class-scans").mkdir()
for n, path in enumerate(sorted((work / "class").glob("page-*.pgm"))):
    student = manifest["students"][n // 3]
    geometry = sheets[student["variant"]][n % 3]
    width, height, rows = read_pgm(path)
    px = width / geometry["page_width_mm"]
    rnd = random.Random(n)
    multiple = {q["number"] for q in geometry["questions"] if q["kind"] == "multiple"}
    answers, digits = {}, {}
    for b in geometry["bubbles"]:
        if b.get("kind") == "answer":
            answers.setdefault(b["question"], []).append(b["box"])
        if b.get("kind") == "id-digit":
            digits[(b["column"], b["digit"])] = b["box"]
    marked = []
    for q, boxes in answers.items():
        marked += rnd.sample(boxes, rnd.randint(1, min(3, len(boxes)))) if q in multiple else [rnd.choice(boxes)]
    marked += [digits[(c, int(d))] for c, d in enumerate(student["id"]) if (c, int(d)) in digits]
    for box in marked:
        cx, cy = (box["x"] + box["w"] / 2) * px, (box["y"] + box["h"] / 2) * px
        rx, ry = box["w"] * px * 0.4, box["h"] * px * 0.4
        for y in range(int(cy - ry), int(cy + ry) + 1):
            for x in range(int(cx - rx), int(cx + rx) + 1):
                if ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1:
                    rows[y][x] = 60
    write_png(work / "class-scans" / f"page-{n:02d}.png", width, height, rows)
PY
  rm -f "$work"/class/page-*.pgm
  copier "$work/class-scans" "$work/class-copier"
fi
echo "examgen scan at 300 dpi ($(du -sh "$work/copier" | cut -f1) of JPEG per 40 pages, the 400-page PDF" \
  "$(du -h "$work/copier400.pdf" | cut -f1)), $runs runs each on $(nproc) cores"
for stack in ${STACKS:-folder40 folder400 pdf40 pdf400 doubtful400 colour600 colour600pdf class3}; do
  manifest=$work/sheet/manifest.json
  case $stack in
    folder40) input=$work/copier; pages=40 ;;
    folder400) input=$work/copier400; pages=400 ;;
    pdf40) input=$work/copier.pdf; pages=40 ;;
    pdf400) input=$work/copier400.pdf; pages=400 ;;
    doubtful400) input=$work/doubtful400; pages=400 ;;
    colour600) input=$work/colour600; pages=40 ;;
    colour600pdf) input=$work/colour600.pdf; pages=40 ;;
    class3) input=$work/class-copier; pages=42; manifest=$work/class/batch/manifest.json ;;
    *) echo "unknown stack $stack" >&2; exit 2 ;;
  esac
  echo " $stack (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  for i in $(seq "$runs"); do
    /usr/bin/time -v "$bin" scan "$manifest" "$input" -o "$work/out-$stack-$i" \
      >"$work/stdout.txt" 2>"$work/time.txt"
    wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/time.txt")
    peak=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$work/time.txt")
    secs=$(echo "$wall" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')
    awk -v p="$pages" -v s="$secs" -v c="$cpu" -v m="$peak" 'BEGIN {
      printf "  %4d pages: wall %6.2f s, %6.1f pages/s, %.3f s a page, CPU %6.2f s (%.3f s a page), peak %d MB\n",
        p, s, p / s, s / p, c, c / p, m }'
    [[ $i == 1 ]] && grep '^read ' "$work/stdout.txt" | sed 's/^/    /' || true
  done
done
# Folder and PDF give the same readings (only the file column differs).
for n in 40 400; do
  a=$work/out-folder$n-1/responses.csv b=$work/out-pdf$n-1/responses.csv
  if [[ -f $a && -f $b ]]; then
    cmp -s "$a" "$b" && echo " responses.csv of folder$n and pdf$n: identical" \
      || echo " responses.csv of folder$n and pdf$n: DIFFER"
  fi
done
