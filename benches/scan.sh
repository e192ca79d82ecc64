#!/usr/bin/env bash
# Times `examgen scan` on 40 and 400 answer sheets scanned at 300 dpi and reports pages per second and
# peak memory (issue #23's goal: 0.1 s a page on 2 cores, under 200 MB whatever the stack's size).
# The sheets are examgen's own blank mock sheet, rendered at 300 dpi as grey pages, with a different
# pattern of filled bubbles drawn on each of 40 pages so every page is read in full (registration, QR
# code, every bubble and the ring round it, the per-sheet pencil level), then put through a copier by
# examples/scan_bench_pages.rs (turned up to ±1.5°, blurred, noisy, JPEG quality 75); the 400-page stack
# is those 40 pages ten times over, a folder of files as a scanner's "scan to folder" writes.
#
#   benches/scan.sh                  build (if needed), fabricate, time, report
#   RUNS=5 benches/scan.sh           timed runs (default 3)
#   EXAMGEN=/path/to/examgen ...     time that binary instead of building target/release/examgen
#   KEEP=/tmp/scan-bench ...         fabricate into that folder and leave it there
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
if [[ -n "${EXAMGEN:-}" ]]; then
  bin=$EXAMGEN
else
  cargo build --release --locked --quiet
  bin=target/release/examgen
fi
if [[ -n "${KEEP:-}" ]]; then
  work=$KEEP; rm -rf "$work"; mkdir -p "$work"      # KEEP=/tmp/dir: keep the pages to profile with
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

"$bin" sheet --seed 1 -o "$work/sheet" >/dev/null
pdftoppm -r 300 -gray -singlefile "$work/sheet/sheet-A.pdf" "$work/blank"   # blank.pgm
# Fill bubbles: dark ellipses at the centres the manifest records, a different answer on every page.
python3 - "$work" <<'PY'
import json, struct, sys, zlib, random, pathlib
work = pathlib.Path(sys.argv[1])
manifest = json.load(open(work / "sheet" / "manifest.json"))
sheet = manifest["variants"][0]["sheet"]
geometry = sheet[0] if isinstance(sheet, list) else sheet

def read_pgm(path):
    data = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # P5, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    return width, height, [bytearray(pixels[y * width:(y + 1) * width]) for y in range(height)]

def write_png(path, width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

width, height, blank = read_pgm(work / "blank.pgm")
px = width / geometry["page_width_mm"]
answers, digits = {}, {}
for b in geometry["bubbles"]:
    if b.get("kind") == "answer":
        answers.setdefault(b["question"], []).append(b["box"])
    if b.get("kind") == "id-digit":
        digits[(b["column"], b["digit"])] = b["box"]
(work / "scans").mkdir()
for page in range(40):
    rnd = random.Random(page)
    rows = [bytearray(r) for r in blank]
    marked = [rnd.choice(boxes) for boxes in answers.values()]
    marked += [digits[(c, int(d))] for c, d in enumerate(f"2025{page + 1:04d}") if (c, int(d)) in digits]
    for box in marked:
        cx, cy = (box["x"] + box["w"] / 2) * px, (box["y"] + box["h"] / 2) * px
        rx, ry = box["w"] * px * 0.4, box["h"] * px * 0.4
        for y in range(int(cy - ry), int(cy + ry) + 1):
            for x in range(int(cx - rx), int(cx + rx) + 1):
                if ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1:
                    rows[y][x] = 60
    write_png(work / "scans" / f"page-{page:02d}.png", width, height, rows)
PY
# Through the copier: each page turned up to ±1.5°, shifted, blurred, noisy, stored as a JPEG.
if [[ -n "${EXAMGEN:-}" ]]; then
  pages_bin=$(dirname "$EXAMGEN")/examples/scan_bench_pages
else
  cargo build --release --locked --quiet --example scan_bench_pages
  pages_bin=target/release/examples/scan_bench_pages
fi
"$pages_bin" "$work/scans" "$work/copier"
mkdir "$work/copier400"
for copy in 0 1 2 3 4 5 6 7 8 9; do
  for f in "$work"/copier/*.jpg; do cp "$f" "$work/copier400/$copy-$(basename "$f")"; done
done
echo "examgen scan at 300 dpi ($(du -sh "$work/copier" | cut -f1) of JPEG per 40 pages), $runs runs each on $(nproc) cores"
for stack in copier:40 copier400:400; do
  dir=${stack%%:*}
  pages=${stack##*:}
  for i in $(seq "$runs"); do
    /usr/bin/time -v "$bin" scan "$work/sheet/manifest.json" "$work/$dir" -o "$work/out-$dir-$i" \
      >/dev/null 2>"$work/time.txt"
    wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/time.txt")
    peak=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$work/time.txt")
    secs=$(echo "$wall" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')
    awk -v p="$pages" -v s="$secs" -v c="$cpu" -v m="$peak" 'BEGIN {
      printf "  %4d pages: wall %6.2f s, %6.1f pages/s, %.3f s a page, CPU %6.2f s, peak %d MB\n", p, s, p / s, s / p, c, m }'
  done
done
head -3 "$work/out-copier-1/scan-report.csv"
