#!/usr/bin/env python3
"""Measures the print finish of PDFs from per-glyph positions (issue #15): punctuation compression, Han–Latin
spacing, stranded headings and page counts.

    benches/typography.py out/paper-A.pdf out/key-A.pdf out/review-A.pdf out/handout.pdf
    benches/typography.py --check --max-pages 8 out/*.pdf     # exit 1 when a goal is missed
    benches/typography.py --show 5 out/paper-A.pdf            # also list up to 5 misses of each kind per file

What is counted, on each visual line (glyphs on one baseline, in x order; a gap wider than 0.9 em splits a
line into separate runs, such as the cells of an options grid, and nothing is counted across it):

- punctuation pairs: two adjacent full-width marks (，。、；：？！“”‘’（）《》【】「」『』〈〉…); the pair is
  compressed when the first mark's advance (the next glyph's origin minus its own) is at most 0.75 em; an
  opening mark followed by a closing one (an empty pair such as 【】) is no pair: the empty halves are both
  outside, nothing between the two marks can be dropped (clreq, JLREQ; Typst sets 【】 at 1 em too);
- Han–Latin boundaries: a Han character next to an ASCII letter or digit, either way round; spaced when the
  gap between the two advance boxes is at least 0.15 em (a space glyph between them counts as gap);
- stranded headings: a heading line (it starts in a bold or sans face, the heading font, and either has
  extra space above it or continues a heading line) that is the last text line of its page above the
  footer, while the next page has text;
- pages.

em is the font size of the glyph in question. Space glyphs the PDF holds (including U+3000) are not marks:
two marks with a space between are no pair (（　） is an answer slot), and a space between Han and Latin
counts in the gap. MuPDF's synthesized spaces are turned off. Footers (第N页…, bare page numbers in the bottom 12% of the page)
and rotated text (the seal line) are left out. The stranded-heading test assumes one column of text.

Goals (--check): ≥ 95% of pairs compressed, ≥ 90% of boundaries spaced, 0 stranded headings, each file and
the total; a paper (--kind paper, or a file named paper*.pdf) on at most --max-pages pages. Needs PyMuPDF
(`pip install pymupdf`).
"""

import argparse
import re
import statistics
import sys
from pathlib import Path

import pymupdf

# Dashes (——) and ellipses (……) are two-em marks that must never be squeezed, so they are not here.
FULLWIDTH_PUNCT = set("，。、；：？！“”‘’（）《》【】「」『』〈〉〔〕［］｛｝〖〗")
OPENING_PUNCT = set("“‘（《【「『〈〔［｛〖")
HEADING_FONT = re.compile(r"sans|bold|hei|black|heavy", re.IGNORECASE)
FOOTER = re.compile(r"^(第\s*\d+\s*页.*|-?\s*\d+\s*-?|\d+\s*/\s*\d+)$")

COMPRESSED_MAX = 0.75  # em: a full-width mark squeezed by at least a quarter em
SPACED_MIN = 0.15  # em
RUN_BREAK = 0.9  # em: wider gaps are separate runs, not neighbours
GOAL_COMPRESSED = 95.0
GOAL_SPACED = 90.0


def is_han(c):
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def is_latin(c):
    return c.isascii() and c.isalnum()


class Glyph:
    __slots__ = ("c", "x", "y", "x0", "x1", "size", "font", "space")

    def __init__(self, c, origin, bbox, size, font, space=False):
        self.c, self.x, self.y = c, origin[0], origin[1]
        self.x0, self.x1 = bbox[0], bbox[2]
        self.size, self.font = size, font
        # A space glyph the PDF really holds: it separates two marks, and it widens a Han–Latin gap.
        self.space = space


def page_lines(page):
    """Visual lines of a page, top to bottom, each a list of glyphs in x order; horizontal text only."""
    glyphs = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_INHIBIT_SPACES | pymupdf.TEXT_PRESERVE_LIGATURES)
    for block in raw["blocks"]:
        for line in block.get("lines", []):
            if abs(line["dir"][0] - 1) > 1e-3 or abs(line["dir"][1]) > 1e-3:
                continue  # rotated text: the seal line of the formal layouts
            for span in line["spans"]:
                for ch in span["chars"]:
                    glyphs.append(Glyph(ch["c"], ch["origin"], ch["bbox"], span["size"], span["font"],
                                        ch["c"].isspace()))
    glyphs.sort(key=lambda g: (g.y, g.x))
    lines = []
    for g in glyphs:
        # Same baseline within a fifth of an em: PDFs put one line's glyphs on one y, give or take rounding.
        if lines and abs(g.y - lines[-1][0].y) <= 0.2 * g.size:
            lines[-1].append(g)
        else:
            lines.append([g])
    for line in lines:
        line.sort(key=lambda g: g.x)
    return lines


def runs(line):
    """A line split where the gap between neighbours is wider than RUN_BREAK em."""
    out = [[line[0]]]
    for prev, g in zip(line, line[1:]):
        if g.x0 - prev.x1 > RUN_BREAK * prev.size:
            out.append([g])
        else:
            out[-1].append(g)
    return out


def text_of(glyphs):
    return "".join(g.c for g in glyphs)


def ink(glyphs):
    return [g for g in glyphs if not g.space]


def is_footer(line, page_height):
    return line[0].y > page_height * 0.88 and all(FOOTER.match(text_of(ink(r))) for r in runs(line))


def is_heading_start(line):
    """Starts in the heading font, with two glyphs at least: a single bold mark (a 【 or a label) is no heading.
    A table row (a label cell, then other cells) is not one either: its first run is short and others follow."""
    parts = [ink(r) for r in runs(line)]
    parts = [r for r in parts if r]
    first = parts[0]
    if len(first) < 2 or not all(HEADING_FONT.search(g.font) for g in first[:2]):
        return False
    return len(parts) == 1 or len(first) >= 3


def all_heading(line):
    return all(HEADING_FONT.search(g.font) for g in ink(line))


class Figures:
    def __init__(self, name, kind):
        self.name, self.kind = name, kind
        self.pairs = self.compressed = self.bounds = self.spaced = self.stranded = self.pages = 0
        self.missed_pairs, self.missed_bounds, self.stranded_at = [], [], []

    def add(self, other):
        for f in ("pairs", "compressed", "bounds", "spaced", "stranded", "pages"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


def context(run, i, j):
    lo, hi = max(0, i - 4), min(len(run), j + 5)
    return text_of(run[lo:hi]).replace("\u3000", "□")


def measure(path, kind):
    fig = Figures(Path(path).name, kind)
    doc = pymupdf.open(path)
    fig.pages = len(doc)
    pages = []
    for page in doc:
        lines = [l for l in page_lines(page) if ink(l) and not is_footer(l, page.rect.height)]
        pages.append(lines)
        for line in lines:
            for run in runs(line):
                marks = [i for i, g in enumerate(run) if not g.space]
                for i, j in zip(marks, marks[1:]):
                    a, b = run[i], run[j]
                    if a.c in FULLWIDTH_PUNCT and b.c in FULLWIDTH_PUNCT:
                        if j > i + 1:
                            continue  # （　）: a space between them, not a pair of neighbours
                        if a.c in OPENING_PUNCT and b.c not in OPENING_PUNCT:
                            continue  # 【】: ink faces ink, no empty half between them
                        fig.pairs += 1
                        advance = (b.x - a.x) / a.size
                        if advance <= COMPRESSED_MAX:
                            fig.compressed += 1
                        else:
                            fig.missed_pairs.append(
                                f"p{page.number + 1} {a.c}{b.c} {advance:.2f} em: {context(run, i, j)}")
                    elif (is_han(a.c) and is_latin(b.c)) or (is_latin(a.c) and is_han(b.c)):
                        fig.bounds += 1
                        em = a.size if is_han(a.c) else b.size
                        gap = (b.x0 - a.x1) / em
                        if gap >= SPACED_MIN:
                            fig.spaced += 1
                        else:
                            fig.missed_bounds.append(
                                f"p{page.number + 1} {a.c}{b.c} {gap:.2f} em: {context(run, i, j)}")
    for n, lines in enumerate(pages[:-1]):
        if not lines or not any(pages[n + 1]):
            continue
        # Line pitch of ordinary body lines: the median baseline distance on the page.
        pitches = [b[0].y - a[0].y for a, b in zip(lines, lines[1:])]
        pitch = statistics.median(pitches) if pitches else 0
        heading = [False] * len(lines)
        for i, line in enumerate(lines):
            above = line[0].y - lines[i - 1][0].y if i else float("inf")
            heading[i] = is_heading_start(line) and (
                above > pitch * 1.2 + 1 or (i > 0 and heading[i - 1] and all_heading(line))
            )
        if heading[-1]:
            fig.stranded += 1
            fig.stranded_at.append(f"p{n + 1}: {text_of(ink(lines[-1]))[:40]}")
    return fig


def pct(part, whole):
    return 100.0 * part / whole if whole else None


def fmt_pct(part, whole):
    p = pct(part, whole)
    return f"{part}/{whole} {p:5.1f}%" if p is not None else f"{part}/{whole}    n/a"


def misses(fig, max_pages):
    out = []
    p = pct(fig.compressed, fig.pairs)
    if p is not None and p < GOAL_COMPRESSED:
        out.append(f"{fig.name}: {p:.1f}% of punctuation pairs compressed (goal ≥ {GOAL_COMPRESSED:g}%)")
    p = pct(fig.spaced, fig.bounds)
    if p is not None and p < GOAL_SPACED:
        out.append(f"{fig.name}: {p:.1f}% of Han–Latin boundaries spaced (goal ≥ {GOAL_SPACED:g}%)")
    if fig.stranded:
        out.append(f"{fig.name}: {fig.stranded} stranded heading(s) (goal 0)")
    if fig.kind == "paper" and fig.pages > max_pages:
        out.append(f"{fig.name}: {fig.pages} pages (goal ≤ {max_pages})")
    return out


def kind_of(path, forced):
    if forced:
        return forced
    stem = Path(path).stem.lower()
    for kind in ("paper", "key", "review", "handout"):
        if kind in stem:
            return kind
    return "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="+", metavar="PDF")
    ap.add_argument("--kind", choices=["paper", "key", "review", "handout"],
                    help="what the files are (default: guessed from each file name); a paper has a page goal")
    ap.add_argument("--max-pages", type=int, default=8, help="page goal for a paper (default 8)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="list up to N misses of each kind per file")
    ap.add_argument("--label", default="", help="a word printed in the table's title, e.g. examgen or typst")
    args = ap.parse_args()

    figures = [measure(p, kind_of(p, args.kind)) for p in args.pdfs]
    total = Figures("total", "total")
    for f in figures:
        total.add(f)

    title = f"typography{' (' + args.label + ')' if args.label else ''}"
    print(f"{title}: compressed = punctuation pairs ≤ {COMPRESSED_MAX} em, spaced = Han–Latin gap ≥ {SPACED_MIN} em")
    width = max(len(f.name) for f in figures + [total])
    print(f"{'file':{width}}  {'kind':7}  {'pairs compressed':>17}  {'boundaries spaced':>17}  {'stranded':>8}  {'pages':>5}")
    for f in figures + [total]:
        print(f"{f.name:{width}}  {f.kind:7}  {fmt_pct(f.compressed, f.pairs):>17}  {fmt_pct(f.spaced, f.bounds):>17}"
              f"  {f.stranded:>8}  {f.pages:>5}")
    if args.show:
        for f in figures:
            for label, items in (("uncompressed", f.missed_pairs), ("unspaced", f.missed_bounds),
                                 ("stranded", f.stranded_at)):
                for item in items[: args.show]:
                    print(f"  {f.name} {label}: {item}")

    missed = [m for f in figures for m in misses(f, args.max_pages)]
    if len(figures) > 1:
        missed += [m for m in misses(total, args.max_pages)]
    if missed:
        print("goals missed:" if args.check else "goals not met:")
        for m in missed:
            print(f"  {m}")
    else:
        print("all goals met")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
