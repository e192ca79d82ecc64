#!/usr/bin/env bash
# Rebuild the shipped CJK fonts in fonts/ from pinned upstream sources.
#
#   bash scripts/subset-fonts.sh                 # rebuild fonts/*.ttf and fonts/SHA256SUMS
#   bash scripts/subset-fonts.sh --check         # rebuild in a temp dir, compare with fonts/SHA256SUMS,
#                                                # leave fonts/ untouched (exit 1 on mismatch)
#   bash scripts/subset-fonts.sh --twice         # also subset everything a second time and require
#                                                # byte-identical results (determinism check)
#
# Needs: bash, npm, python3 (with venv), tar, sha256sum. Network access to the npm
# registry and PyPI (unless PYFTSUBSET_PYTHON is given).
#
# Environment:
#   PYFTSUBSET_PYTHON  a python interpreter that already has fontTools==$FONTTOOLS_VERSION;
#                      if set, no venv is created and nothing is installed from PyPI.
#   KEEP_TMP=1         keep the temporary work directory (its path is printed).
#
# See fonts/README.md for what the files are and the licence (fonts/OFL.txt).
set -euo pipefail

# ---------------------------------------------------------------- pinned sources
FONTTOOLS_VERSION="4.68.0"

SERIF_PKG="@expo-google-fonts/noto-serif-sc"
SERIF_VERSION="0.4.3"
SERIF_INTEGRITY="sha512-fSmUpiSFtSeyHV45/2xUOy5SdfExklQwwMKN3cQjAZAujITHDmSbpMHCVdCMhRqMjQtu0ZRgc29u8A+CU3akfw=="
SERIF_MEMBER="package/400Regular/NotoSerifSC_400Regular.ttf"
SERIF_MEMBER_SHA256="c358a69de3df5f423a8946a7b03e3126fb6ba116f1130a463455b4e39e1f0742"
SERIF_OUT="NotoSerifSC-Regular.ttf"

SANS_PKG="@expo-google-fonts/noto-sans-sc"
SANS_VERSION="0.4.3"
SANS_INTEGRITY="sha512-9rAwdFTFHbO/u6Cs0gj2jZbW74TGIiaFNQnXYH2s5wA1bzVkwbaviL4t8YUV642eGYjg86eH6DkAEQmfNHDncQ=="
SANS_MEMBER="package/700Bold/NotoSansSC_700Bold.ttf"
SANS_MEMBER_SHA256="9a38ae0ab28cd5a256f9ea8e00dedc688aac17f7915fcb000572990afa956b96"
SANS_OUT="NotoSansSC-Bold.ttf"

# pyftsubset options (besides input, output and the code point list).
#  - only the 'kern' layout feature is kept (horizontal Simplified Chinese text; no
#    vertical writing, so no vert/vrt2);
#  - hinting dropped (the output goes into PDFs);
#  - every name record kept (copyright, licence, family names);
#  - head.created/head.modified copied from the source (no timestamp recalculation).
SUBSET_OPTS=(
  --layout-features=kern
  --no-hinting
  --name-IDs='*'
  --name-languages='*'
  --name-legacy
  --notdef-outline
  --no-recalc-timestamp
)

# ---------------------------------------------------------------- arguments
MODE=write
TWICE=0
for arg in "$@"; do
  case "$arg" in
    --check) MODE=check ;;
    --twice) TWICE=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "subset-fonts.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FONTS_DIR="$ROOT/fonts"

for tool in npm python3 tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "subset-fonts.sh: '$tool' not found" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/subset-fonts.XXXXXX")"
cleanup() {
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- python + fontTools
if [[ -n "${PYFTSUBSET_PYTHON:-}" ]]; then
  PY="$PYFTSUBSET_PYTHON"
else
  log "creating venv with fonttools==$FONTTOOLS_VERSION"
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input "fonttools==$FONTTOOLS_VERSION"
  PY="$WORK/venv/bin/python"
fi
have_ft="$("$PY" -c 'import fontTools; print(fontTools.version)')"
if [[ "$have_ft" != "$FONTTOOLS_VERSION" ]]; then
  echo "subset-fonts.sh: fontTools $have_ft found, $FONTTOOLS_VERSION required" >&2
  exit 1
fi

# ---------------------------------------------------------------- download + verify
# fetch PKG VERSION INTEGRITY MEMBER MEMBER_SHA256 DEST
fetch() {
  local pkg="$1" version="$2" integrity="$3" member="$4" member_sha="$5" dest="$6"
  local dir="$WORK/npm-$(basename "$pkg")"
  mkdir -p "$dir"
  log "npm pack $pkg@$version"
  (cd "$dir" && npm pack --silent --ignore-scripts "$pkg@$version" >/dev/null)
  local tgz
  tgz="$(ls "$dir"/*.tgz)"
  local got
  got="sha512-$("$PY" -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$tgz")"
  if [[ "$got" != "$integrity" ]]; then
    echo "subset-fonts.sh: integrity mismatch for $pkg@$version" >&2
    echo "  expected $integrity" >&2
    echo "  got      $got" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$dir" "$member"
  got="$(sha256sum "$dir/$member" | cut -d' ' -f1)"
  if [[ "$got" != "$member_sha" ]]; then
    echo "subset-fonts.sh: sha256 mismatch for $member in $pkg@$version: $got" >&2
    exit 1
  fi
  cp "$dir/$member" "$dest"
}

fetch "$SERIF_PKG" "$SERIF_VERSION" "$SERIF_INTEGRITY" "$SERIF_MEMBER" "$SERIF_MEMBER_SHA256" "$WORK/serif-src.ttf"
fetch "$SANS_PKG"  "$SANS_VERSION"  "$SANS_INTEGRITY"  "$SANS_MEMBER"  "$SANS_MEMBER_SHA256"  "$WORK/sans-src.ttf"

# ---------------------------------------------------------------- character set
log "computing character set"
"$PY" - "$WORK/unicodes.txt" <<'PYEOF'
import sys

def in_gbk(cp):
    try:
        chr(cp).encode("gbk")
        return True
    except UnicodeEncodeError:
        return False

def rng(lo, hi):
    return range(lo, hi + 1)

cps = set()
# every hanzi GBK encodes (URO, Ext-A, compatibility ideographs, radicals)
for lo, hi in [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x2E80, 0x2FDF)]:
    cps.update(cp for cp in rng(lo, hi) if in_gbk(cp))
# explicit ranges (glyphs a font lacks are skipped by pyftsubset)
for lo, hi in [
    (0x0020, 0x007E),  # printable ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE6),  # full-width signs
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x2010, 0x2027),  # general punctuation
    (0x2030, 0x205E),  # general punctuation
    (0x2460, 0x2473),  # circled numbers 1-20
    (0x2474, 0x249B),  # parenthesized / full-stop numbers
    (0x2160, 0x217F),  # Roman numerals
    (0x2190, 0x2199),  # arrows
    (0x2500, 0x257F),  # box drawing
]:
    cps.update(rng(lo, hi))
cps.update(ord(c) for c in "√×÷±≤≥≠∞○●□■△▲◇◆★☆※§№℃‰°")
# every other character GBK encodes outside the private use area: Greek, Cyrillic,
# pinyin letters with tone marks (āáǎà ü ê ń ň ɑ ɡ), bopomofo, kana, math symbols
# (∵ ∴ ∠ ⊥ ∥ ≌ ∽ ≈ ∈ ∩ ∪ ∫ ∑), ㈠–㈩, ㎡ ㎏, small and vertical forms, ...
cps.update(cp for cp in rng(0x0080, 0xFFFF)
           if not (0xD800 <= cp <= 0xF8FF) and in_gbk(cp))
# U+2212 MINUS SIGN (not in GBK, but the proper minus for maths)
cps.add(0x2212)

with open(sys.argv[1], "w", encoding="ascii") as f:
    for cp in sorted(cps):
        f.write("U+%04X\n" % cp)
print("%d code points requested" % len(cps), file=sys.stderr)
PYEOF

# ---------------------------------------------------------------- subset
# subset SRC OUT
subset() {
  local src="$1" out="$2"
  # pyftsubset keeps head.modified as in the source (--no-recalc-timestamp); if anything
  # recalculates it anyway, fontTools takes SOURCE_DATE_EPOCH instead of the clock.
  local epoch
  epoch="$("$PY" -c 'import sys; from fontTools.ttLib import TTFont; from fontTools.misc.timeTools import epoch_diff; print(TTFont(sys.argv[1], lazy=True)["head"].modified + epoch_diff)' "$src")"
  log "pyftsubset $(basename "$src") -> $(basename "$out")"
  SOURCE_DATE_EPOCH="$epoch" "$PY" -m fontTools.subset "$src" \
    --output-file="$out" \
    --unicodes-file="$WORK/unicodes.txt" \
    "${SUBSET_OPTS[@]}"
}

mkdir -p "$WORK/out" "$WORK/out2"
subset "$WORK/serif-src.ttf" "$WORK/out/$SERIF_OUT"
subset "$WORK/sans-src.ttf"  "$WORK/out/$SANS_OUT"

if [[ "$TWICE" == 1 ]]; then
  subset "$WORK/serif-src.ttf" "$WORK/out2/$SERIF_OUT"
  subset "$WORK/sans-src.ttf"  "$WORK/out2/$SANS_OUT"
  for f in "$SERIF_OUT" "$SANS_OUT"; do
    a="$(sha256sum "$WORK/out/$f" | cut -d' ' -f1)"
    b="$(sha256sum "$WORK/out2/$f" | cut -d' ' -f1)"
    if [[ "$a" != "$b" ]]; then
      echo "subset-fonts.sh: NOT deterministic: $f $a vs $b" >&2
      exit 1
    fi
    log "deterministic: $f $a"
  done
fi

# ---------------------------------------------------------------- sanity checks
log "checking outputs"
"$PY" - "$WORK/serif-src.ttf" "$WORK/out/$SERIF_OUT" "$WORK/sans-src.ttf" "$WORK/out/$SANS_OUT" <<'PYEOF'
import sys
from fontTools.ttLib import TTFont

must = "喆堃赟昇玥珺翀、。（）「」①⑳√×\u3000"
ok = True
args = sys.argv[1:]
for src_path, out_path in zip(args[0::2], args[1::2]):
    src = TTFont(src_path, lazy=True)
    out = TTFont(out_path)
    cmap = out.getBestCmap()
    missing = [c for c in must if ord(c) not in cmap]
    problems = []
    if "glyf" not in out:
        problems.append("no glyf table (not TrueType)")
    if missing:
        problems.append("missing " + " ".join("U+%04X" % ord(c) for c in missing))
    for attr in ("created", "modified"):
        if getattr(out["head"], attr) != getattr(src["head"], attr):
            problems.append("head.%s differs from source" % attr)
    fam = out["name"].getDebugName(1)
    if fam != src["name"].getDebugName(1):
        problems.append("family name changed: %r" % fam)
    print("%s: family %r, %d glyphs, %d code points%s" % (
        out_path.rsplit("/", 1)[-1], fam, out["maxp"].numGlyphs, len(cmap),
        "" if not problems else "; PROBLEMS: " + "; ".join(problems)), file=sys.stderr)
    ok = ok and not problems
sys.exit(0 if ok else 1)
PYEOF

(cd "$WORK/out" && sha256sum "$SERIF_OUT" "$SANS_OUT" | sed 's#  #  fonts/#') > "$WORK/SHA256SUMS"

# ---------------------------------------------------------------- install or compare
if [[ "$MODE" == check ]]; then
  if [[ ! -f "$FONTS_DIR/SHA256SUMS" ]]; then
    echo "subset-fonts.sh: $FONTS_DIR/SHA256SUMS not found" >&2
    exit 1
  fi
  if diff -u "$FONTS_DIR/SHA256SUMS" "$WORK/SHA256SUMS"; then
    log "rebuilt fonts match fonts/SHA256SUMS"
  else
    echo "subset-fonts.sh: rebuilt fonts differ from fonts/SHA256SUMS" >&2
    exit 1
  fi
else
  mkdir -p "$FONTS_DIR"
  cp "$WORK/out/$SERIF_OUT" "$WORK/out/$SANS_OUT" "$FONTS_DIR/"
  cp "$WORK/SHA256SUMS" "$FONTS_DIR/SHA256SUMS"
  log "wrote fonts/$SERIF_OUT, fonts/$SANS_OUT, fonts/SHA256SUMS"
  cat "$FONTS_DIR/SHA256SUMS"
fi
