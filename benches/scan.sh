#!/usr/bin/env bash
# Times `examgen scan` on 40 answer sheets scanned at 300 dpi (issue #17's goal: under 4 s on 2 cores).
# The sheets are examgen's own blank mock sheet, rendered at 300 dpi as grey JPEG pages the way a copier
# stores them, with a different pattern of filled bubbles drawn on each page so every page is read in full
# (registration, QR code, every bubble's darkness, the per-sheet threshold).
#
#   benches/scan.sh                  build (if needed), fabricate, time, report
#   RUNS=5 benches/scan.sh           timed runs (default 3)
#   EXAMGEN=/path/to/examgen ...     time that binary instead of building target/release/examgen
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
if [[ -n "${EXAMGEN:-}" ]]; then
  bin=$EXAMGEN
else
  cargo build --release --quiet
  bin=target/release/examgen
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
echo "examgen scan: 40 sheets at 300 dpi ($(du -sh "$work/scans" | cut -f1) of PNG), $runs runs on $(nproc) cores"
for i in $(seq "$runs"); do
  /usr/bin/time -f "  wall %e s, user %U s, sys %S s, peak %M KB" "$bin" scan "$work/sheet/manifest.json" "$work/scans" -o "$work/out-$i" >/dev/null
done
head -3 "$work/out-1/scan-report.csv"
