#!/usr/bin/env python3
"""A third field check of `examgen scan`: hands, tools and damages that neither scan-field.py nor
scan-field-b.py makes, each drawn from how ink and light behave, not from either check's mark code.

The scanner has been tuned against the first two checks for several rounds, so they no longer show blind
spots. This one draws marks with its own model (strokes rasterised at 3x with the pressure varying along
each stroke; graphite as coverage of the paper's tooth, reaching deeper valleys as it is pressed harder;
pens as dye layers absorbing per colour channel, felt pens bleeding along the fibres; highlighters as a
wide transparent chisel) and its own hands: single slashes, bars through the box, a dot in the centre, half
fills, fills shifted half out of the box, spirals, a few heavy strokes with white gaps, the printed letter
traced over, a tiny check outside the box's right edge, a highlighter over the box, marks pressed through a
second sheet (grooves, no ink), hard erasures (residue, scuffed paper, worn print) and correction tape over
a pen mark; red ballpoint, green gel, black felt pen, a left-hander's smear down the page. Damages: a
coffee ring, punched holes and a staple, the back's print and pencil showing through, a crease's bright
line, a phone photo under a desk lamp with vignetting and barrel distortion, a shaken phone photo, a photo
of the scan on a screen (moire), 600 and 240 dpi scans, JPEG quality 30, a grey low-contrast scan, a 2-3
degree skew with a cropped margin, a page on a coloured background, a red 已阅 stamp. See benches/README.md,
"A third field check".

The plumbing (the batch, the manifest's bubble boxes, the copier stack, running `examgen scan`, the
verdicts and the table layout) is scan-field-b.py's, copied, so that the numbers of the checks compare.

Usage: scripts/scan-field-c.py [--seed N] [--pages N] [--examgen PATH] [--cases DIR] [--keep DIR] [--jobs N]
                               [--results FILE]   (every mark's verdict as JSON lines)
Exit status: 0 when no mark was silently wrong, 1 when one was, 2 when the check itself could not run.
Needs python3 with Pillow and numpy, poppler-utils (pdftoppm, pdftotext), qpdf, a CJK font (fc-match) and a
built examgen.
"""
import argparse
import collections
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

try:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
except ImportError as err:  # a clear message instead of a traceback
    print(f"scan-field-c.py needs Pillow and numpy ({err}); install them with `pip install pillow numpy`",
          file=sys.stderr)
    sys.exit(2)


def fail(message):
    """The check itself could not run: exit 2, apart from 1 (a mark silently wrong)."""
    print(f"scan-field-c.py: {message}", file=sys.stderr)
    sys.exit(2)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROSTER = os.path.join(REPO, "benches", "fixtures", "class-40.csv")
DPI = 300  # the sheets are rendered and marked at this; scans come out at 240, 300 or 600
SS = 3  # a mark's strokes are rasterised at 3x and averaged down: coverage, not PIL's jagged lines

# ---------------------------------------------------------------------------------------------------------
# Hands. Styles whose truth is "no letter": `erased` (filled, then rubbed out hard, or taped over with
# correction tape when the writer uses a pen) and `blank`: a `?` is a flag, any letter read is wrong:other.
# `indent` is meant (the student pressed through a sheet lying on top) but leaves no ink: it is "too
# faint" unless its groove's shading reaches the visible limit in the scan.
# ---------------------------------------------------------------------------------------------------------

STYLES = ["fill", "fill-spiral", "gappy", "half", "shifted", "slash", "bar", "dot", "trace-letter",
          "tick-out", "highlight", "indent", "erased", "erased-double", "blank"]
CLEAR_STYLES = ["fill", "fill-spiral"]
# A page leans on one habit for half its questions: a way of marking a student keeps up for a whole sheet.
# Rubbing out, taping over and pressing through a sheet happen now and then, not on every question.
HABITS = [s for s in STYLES if s not in ("indent", "erased", "erased-double", "blank")]
DAMAGES = ["clean", "coffee", "punch-staple", "show-through", "crease-bright", "phone-lamp", "phone-shake",
           "screen-moire", "dpi600", "dpi240", "jpeg30", "low-contrast", "skew-crop", "colour-bg", "stamp"]
PHOTOS = ("phone-lamp", "phone-shake", "screen-moire")  # separate JPEG files, not in the copier stack


class Tool:
    """`graphite`: opaque flakes caught on the paper's tooth; `grey` is burnished graphite's reflectance.
    `dye`: a transparent layer; `absorb` is its absorbance per channel (R, G, B) for one full pass.
    `none`: nothing comes off (a stylus, or a pencil pressing through a sheet lying on top)."""

    def __init__(self, name, kind, width_mm, grey=0.3, absorb=(0, 0, 0), bleed_px=0.0, skip=0.0, chisel=False):
        self.name, self.kind, self.width_mm, self.grey = name, kind, width_mm, grey
        self.absorb = np.array(absorb, np.float32)
        self.bleed_px, self.skip, self.chisel = bleed_px, skip, chisel


def make_tool(kind, rng):
    u = rng.uniform
    if kind == "2B":  # soft: flakes cover the tooth readily; burnished grey ~50-65
        return Tool("2B", "graphite", u(0.7, 1.0), grey=u(0.17, 0.24))
    if kind == "HB":  # harder: a lighter, shinier grey even where it covers (~95-115)
        return Tool("HB", "graphite", u(0.5, 0.7), grey=u(0.36, 0.44))
    if kind == "red-ball":  # red ballpoint: a thin dye line, grey ~95-120 in a grey scan; skips on fibres
        return Tool("red-ball", "dye", u(0.3, 0.4), absorb=(u(0.05, 0.15), u(1.4, 1.9), u(1.2, 1.6)), skip=0.45)
    if kind == "green-gel":  # green gel pen: even and wet, grey ~110-140 in grey (green passes the luma)
        return Tool("green-gel", "dye", u(0.45, 0.55), absorb=(u(1.5, 2.0), u(0.25, 0.45), u(0.9, 1.3)))
    if kind == "felt":  # black felt-tip: wide, dense, and the dye runs along the fibres past the stroke
        return Tool("felt", "dye", u(0.8, 1.2), absorb=(2.6, 2.6, 2.4), bleed_px=u(1.5, 3.5))
    if kind == "highlighter":  # a chisel tip 3.5-4.5 mm wide, a thin fluorescent dye
        colour = int(rng.integers(3))
        absorb = [(0.02, 0.07, u(0.9, 1.3)), (u(0.4, 0.6), 0.03, u(0.5, 0.8)), (0.02, u(0.45, 0.6), u(0.15, 0.3))][colour]
        return Tool("highlighter-" + ["yellow", "green", "pink"][colour], "dye", u(3.5, 4.5), absorb=absorb,
                    chisel=True)
    if kind == "none":
        return Tool("none", "none", u(0.4, 0.6))
    raise ValueError(kind)


# Per writer: the tool, the pressure (a fraction of a firm hand), how much it varies along a stroke, the
# fill's stroke direction and a hand wander (mm). `smear`: the hand drags graphite down the page.
WRITERS = {
    "2B-firm": dict(tool="2B", pressure=(0.8, 1.0), vary=(0.08, 0.2), angle="any", wander=0.2),
    "HB-light": dict(tool="HB", pressure=(0.3, 0.5), vary=(0.2, 0.4), angle="any", wander=0.25),
    "red-ball": dict(tool="red-ball", pressure=(0.8, 1.0), vary=(0.1, 0.25), angle="flat", wander=0.2),
    "green-gel": dict(tool="green-gel", pressure=(0.85, 1.0), vary=(0.05, 0.15), angle="flat", wander=0.2),
    "felt-black": dict(tool="felt", pressure=(0.85, 1.0), vary=(0.05, 0.15), angle="upright", wander=0.3),
    "lefty-smear": dict(tool="2B", pressure=(0.7, 0.95), vary=(0.1, 0.3), angle="any", wander=0.3, smear=True),
}
WRITER_NAMES = list(WRITERS)


def blur(a, sigma):
    """A separable Gaussian blur of a float array (numpy only: PIL does not blur float images)."""
    if sigma <= 0.05:
        return a
    r = max(1, int(math.ceil(sigma * 2.5)))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2).astype(np.float32)
    k /= k.sum()
    out = a
    for axis in (0, 1):
        pad = [(0, 0)] * a.ndim
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="edge")
        acc = np.zeros_like(out, dtype=np.float32)
        n = out.shape[axis]
        for i, w in enumerate(k):
            acc += w * (p[i:i + n] if axis == 0 else p[:, i:i + n])
        out = acc
    return out


def noise_field(rng, shape, sigma, stretch=(1, 1)):
    """Smooth noise, zero mean and unit deviation, drawn small and stretched (fibres run one way)."""
    h, w = shape
    small = rng.standard_normal((max(2, h // stretch[0]), max(2, w // stretch[1]))).astype(np.float32)
    small = blur(small, sigma)
    big = np.asarray(Image.fromarray(small, "F").resize((w, h), Image.BILINEAR), np.float32)
    return (big - big.mean()) / (big.std() + 1e-6)


class Page:
    """A printed sheet being marked: RGB reflectance x 255 in float32, and the paper's tooth (a 512 px tile
    of valley depths, uniform 0..1: light pressure only reaches the shallow ones)."""

    def __init__(self, grey, rng):
        self.rgb = np.repeat(grey[:, :, None], 3, axis=2).astype(np.float32)
        self.printed = grey.astype(np.float32)  # the print alone, for erasers and the truth
        self.H, self.W = grey.shape
        self.rng = rng
        t = 0.6 * noise_field(rng, (512, 512), 0.6, (1, 1)) + 0.4 * noise_field(rng, (512, 512), 0.8, (3, 2))
        order = np.argsort(t, axis=None)
        depth = np.empty(t.size, np.float32)
        depth[order] = np.linspace(0, 1, t.size, dtype=np.float32)
        self.tooth = depth.reshape(t.shape)
        self.blots = noise_field(rng, (512, 512), 1.5)  # where a ballpoint's ball skips

    def tile(self, field, y0, y1, x0, x1):
        ys = np.arange(y0, y1) % 512
        xs = np.arange(x0, x1) % 512
        return field[ys[:, None], xs[None, :]]


def px(mm):
    return int(round(mm * DPI / 25.4))


def fpx(mm):
    return mm * DPI / 25.4


class Mark:
    """One tool's strokes on a patch (mm region) of the page: density accumulates as passes add up, and
    `commit` turns it into reflectance and multiplies it into the page."""

    def __init__(self, page, region, tool, pressure, vary, rng):
        x0, y0, x1, y1 = region
        self.page, self.tool, self.pressure, self.vary, self.rng = page, tool, pressure, vary, rng
        self.x0, self.y0 = max(0, px(x0)), max(0, px(y0))
        self.x1, self.y1 = min(page.W, px(x1)), min(page.H, px(y1))
        self.D = np.zeros((max(1, self.y1 - self.y0), max(1, self.x1 - self.x0)), np.float32)

    def stroke(self, pts_mm, p=1.0, width_mm=None, taper=True):
        """One pass along a polyline. Pressure rises over the first tenth, falls over the last, and wanders
        along the way; a pencil's line widens as it is pressed (the cone of lead meets more paper)."""
        if len(pts_mm) == 1:
            pts_mm = [pts_mm[0], (pts_mm[0][0] + 0.02, pts_mm[0][1] + 0.01)]
        pts = np.array([(fpx(x) - self.x0, fpx(y) - self.y0) for x, y in pts_mm], np.float32)
        corners = pts
        seg = np.hypot(*(pts[1:] - pts[:-1]).T)
        # resample every ~1 px so the pressure can vary along long straight legs
        dense = [pts[0]]
        for a, b, L in zip(pts[:-1], pts[1:], seg):
            n = max(1, int(L / 3))
            for k in range(1, n + 1):
                dense.append(a + (b - a) * k / n)
        pts = np.array(dense, np.float32)
        s = np.concatenate([[0], np.cumsum(np.hypot(*(pts[1:] - pts[:-1]).T))])
        t = s / max(s[-1], 1e-6)
        phase, cycles = self.rng.uniform(0, 2 * math.pi), self.rng.uniform(0.7, 2.5)
        q = p * self.pressure * (1 + self.vary * np.sin(2 * math.pi * cycles * t + phase))
        if taper:
            q *= np.clip(0.35 + t / 0.1 * 0.65, 0.35, 1) * np.clip(0.25 + (1 - t) / 0.15 * 0.75, 0.25, 1)
        q = np.clip(q, 0.02, 1.3)
        width = fpx(width_mm or self.tool.width_mm)
        h, w = self.D.shape
        lo = np.floor(pts.min(axis=0) - width - 2).astype(int)
        hi = np.ceil(pts.max(axis=0) + width + 3).astype(int)
        X0, Y0, X1, Y1 = max(0, lo[0]), max(0, lo[1]), min(w, hi[0]), min(h, hi[1])
        if X1 <= X0 or Y1 <= Y0:
            return
        img = Image.new("L", ((X1 - X0) * SS, (Y1 - Y0) * SS), 0)
        d = ImageDraw.Draw(img)
        P = (pts - [X0, Y0]) * SS
        scale = 200 / 1.3
        if self.tool.chisel:  # a felt chisel lays one even band: one polygon, no pressure in it
            d.line([tuple(p_) for p_ in (corners - [X0, Y0]) * SS], fill=int(min(255, p * scale)),
                   width=max(1, int(round(width * SS))))
        for i in range(len(P) - 1 if not self.tool.chisel else 0):
            qi = float(q[i + 1])
            wi = width * (0.7 + 0.3 * min(qi, 1)) if self.tool.kind == "graphite" else width
            wd = max(1, int(round(wi * SS)))
            val = int(min(255, qi * scale))
            a, b = tuple(P[i]), tuple(P[i + 1])
            d.line([a, b], fill=val, width=wd)
            if not self.tool.chisel:
                r = wd / 2
                d.ellipse([b[0] - r, b[1] - r, b[0] + r, b[1] + r], fill=val)
        S = np.asarray(img.reduce(SS), np.float32) / scale
        if self.tool.skip:
            bl = self.page.tile(self.page.blots, self.y0 + Y0, self.y0 + Y1, self.x0 + X0, self.x0 + X1)
            S *= 1 - self.tool.skip * (bl > 1.1)
        self.D[Y0:Y1, X0:X1] += S

    def commit(self, emboss_amp=0.0, light=(0.7, 0.7)):
        page = self.page
        sl = (slice(self.y0, self.y1), slice(self.x0, self.x1))
        if self.tool.kind == "graphite":
            v = page.tile(page.tooth, self.y0, self.y1, self.x0, self.x1)
            # a flake sticks where the pressure reaches the valley; passes add pressure-time
            c = 1 / (1 + np.exp(-(self.D * 1.3 - v) / 0.15))
            c *= np.clip(self.D * 8, 0, 1)
            # a light hand also leaves a thinner film on each peak it reaches
            dark = c * (1 - self.tool.grey) * np.clip(0.45 + 0.55 * self.D, 0, 1.1)
            m = np.clip(1 - dark, 0, 1)
            page.rgb[sl] *= m[:, :, None] * np.array([1, 1, 1.02], np.float32)
        elif self.tool.kind == "dye":
            od = self.D
            if self.tool.bleed_px:
                fib = page.tile(page.blots, self.y0, self.y1, self.x0, self.x1)
                od = np.maximum(od, blur(od, self.tool.bleed_px) * np.clip(1.1 + 0.5 * fib, 0.3, 1.8))
            if self.tool.chisel:  # a highlighter's dye does not darken much where strokes overlap
                od = 1 - np.exp(-1.6 * od)
            page.rgb[sl] *= np.exp(-od[:, :, None] * self.tool.absorb[None, None, :])
        else:  # a groove: lit from one side, its near wall is shaded and its far wall catches light
            g = blur(np.clip(self.D, 0, 1), 0.8)
            dy, dx = np.gradient(g)
            shade = (dx * light[0] + dy * light[1]) * emboss_amp
            page.rgb[sl] *= np.clip(1 - shade / 255, 0.9, 1.05)[:, :, None]
        np.clip(page.rgb[sl], 0, 255, out=page.rgb[sl])


def J(rng, s):
    return rng.uniform(-s, s)


def chords(rect, ang, spacing, rng, over=0.0):
    """Parallel chords of the rectangle (mm) along `ang`, `spacing` apart, each end jittered by `over`."""
    x, y, w, h = rect
    c, s = math.cos(ang), math.sin(ang)
    nx, ny = -s, c
    cx, cy = x + w / 2, y + h / 2
    e = abs(w / 2 * nx) + abs(h / 2 * ny)
    out = []
    o = -e + spacing * rng.uniform(0.3, 0.7)
    while o < e:
        px_, py_ = cx + o * nx, cy + o * ny
        lo, hi = -1e9, 1e9
        for d, p0, a, b in ((c, px_, x, x + w), (s, py_, y, y + h)):
            if abs(d) < 1e-9:
                if not a <= p0 <= b:
                    lo, hi = 1, 0
                continue
            t0, t1 = sorted(((a - p0) / d, (b - p0) / d))
            lo, hi = max(lo, t0), min(hi, t1)
        if hi > lo:
            t0, t1 = lo + J(rng, over), hi + J(rng, over)
            out.append(((px_ + t0 * c, py_ + t0 * s), (px_ + t1 * c, py_ + t1 * s)))
        o += spacing * rng.uniform(0.88, 1.12)
    return out


def zigzag(legs):
    """Chords joined end to end, as a hand fills without lifting the tool."""
    pts = []
    for i, (a, b) in enumerate(legs):
        pts += [a, b] if i % 2 == 0 else [b, a]
    return pts


def fill_angle(writer, rng):
    kind = writer["angle"]
    if kind == "flat":
        return J(rng, 0.15)
    if kind == "upright":
        return math.pi / 2 + J(rng, 0.2)
    return [0.0, math.pi / 4, -math.pi / 4, math.pi / 2][int(rng.integers(4))] + J(rng, 0.15)


def solid_fill(m, rng, rect, writer, second=None):
    """Back-and-forth strokes, close enough to merge, and for pencil often a second pass across."""
    w = m.tool.width_mm
    m.stroke(zigzag(chords(rect, fill_angle(writer, rng), w * rng.uniform(0.5, 0.7), rng, over=0.25)),
             rng.uniform(0.9, 1.05))
    if second if second is not None else (m.tool.kind == "graphite" and rng.random() < 0.6):
        m.stroke(zigzag(chords(rect, fill_angle(writer, rng) + math.pi / 2, w * 0.9, rng, over=0.2)),
                 rng.uniform(0.6, 0.9))


# Capitals as a hand traces the printed serif letter: strokes in a unit box (y down), centred on the letter
LETTERS = {
    "A": [[(0.05, 1), (0.5, 0), (0.95, 1)], [(0.25, 0.62), (0.75, 0.62)]],
    "B": [[(0.1, 0), (0.1, 1)], [(0.1, 0), (0.65, 0), (0.85, 0.12), (0.85, 0.36), (0.62, 0.48), (0.1, 0.48)],
          [(0.62, 0.48), (0.92, 0.6), (0.92, 0.88), (0.68, 1), (0.1, 1)]],
    "C": [[(0.5 + 0.45 * math.cos(a), 0.5 + 0.5 * math.sin(a)) for a in np.linspace(-0.6, -2 * math.pi + 0.6, 16)]],
    "D": [[(0.1, 0), (0.1, 1)], [(0.1, 0), (0.55, 0), (0.9, 0.25), (0.95, 0.5), (0.9, 0.75), (0.55, 1), (0.1, 1)]],
    "E": [[(0.85, 0), (0.1, 0), (0.1, 1), (0.88, 1)], [(0.1, 0.5), (0.7, 0.5)]],
}


def draw_style(page, rng, style, box, letter, writer, tool, pressure, vary, region, damage):
    """Draws one mark of `style` on the box (mm) and commits it."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    wander = writer["wander"]
    if style == "highlight":
        tool = make_tool("highlighter", rng)
    elif style == "indent":
        tool = make_tool("none", rng)
    m = Mark(page, region, tool, pressure, vary, rng)
    inset = rng.uniform(0.15, 0.35)
    inner = (x + inset + J(rng, wander * 0.3), y + inset + J(rng, wander * 0.3), w - 2 * inset, h - 2 * inset)
    if style in ("fill", "erased", "erased-double"):
        solid_fill(m, rng, inner, writer)
    elif style == "fill-spiral":
        # from the centre outwards, as many rounds as the tool's width needs, ending on the box's edge
        ax, ay = w / 2 - rng.uniform(0.1, 0.3), h / 2 - rng.uniform(0.1, 0.3)
        turns = max(2.0, ay / (tool.width_mm * rng.uniform(0.55, 0.75)))
        a0 = rng.uniform(0, 2 * math.pi)
        n = int(turns * 36)
        ox, oy = cx + J(rng, 0.2), cy + J(rng, 0.15)
        pts = [(ox + ax * (i / n) * math.cos(a0 + 2 * math.pi * turns * i / n),
                oy + ay * (i / n) * math.sin(a0 + 2 * math.pi * turns * i / n)) for i in range(n + 1)]
        m.stroke(pts, rng.uniform(0.9, 1.05))
    elif style == "gappy":
        # three to five heavy strokes, back and forth, with white paper between them
        n = int(rng.integers(3, 6))
        ang = fill_angle(writer, rng)
        span = (h if abs(math.cos(ang)) > 0.7 else w) - 0.5
        m.stroke(zigzag(chords(inner, ang, max(tool.width_mm * 1.5, span / n), rng, over=0.3)), 1.15)
    elif style == "half":
        if rng.random() < 0.5:  # the left part
            f = rng.uniform(0.4, 0.55)
            solid_fill(m, rng, (inner[0], inner[1], inner[2] * f, inner[3]), writer)
        else:  # the lower part
            f = rng.uniform(0.4, 0.55)
            solid_fill(m, rng, (inner[0], inner[1] + inner[3] * (1 - f), inner[2], inner[3] * f), writer)
    elif style == "shifted":
        # the hand was off: the fill lies a third to a half out of the box, up, down, left or right
        # (sideways at most 2 mm: the gap to the next box is 1.2 mm, so a neighbour gets at most its edge)
        d = int(rng.integers(4))
        dx = [0, 0, -1, 1][d] * rng.uniform(0.3, 0.4) * w
        dy = [-1, 1, 0, 0][d] * rng.uniform(0.35, 0.5) * h
        solid_fill(m, rng, (inner[0] + dx, inner[1] + dy, inner[2], inner[3]), writer)
    elif style == "slash":
        if rng.random() < 0.5:  # /
            a = (x + J(rng, 0.4), y + h + J(rng, 0.4))
            b = (x + w + J(rng, 0.4), y + J(rng, 0.4))
        else:  # \
            a = (x + J(rng, 0.4), y + J(rng, 0.4))
            b = (x + w + J(rng, 0.4), y + h + J(rng, 0.4))
        m.stroke([a, ((a[0] + b[0]) / 2 + J(rng, 0.15), (a[1] + b[1]) / 2 + J(rng, 0.15)), b], rng.uniform(0.9, 1.1))
    elif style == "bar":
        yy = cy + J(rng, 0.5)
        tilt = J(rng, 0.07) * w
        a, b = (x + J(rng, 0.4), yy - tilt / 2), (x + w + J(rng, 0.4), yy + tilt / 2)
        m.stroke([a, b], rng.uniform(0.9, 1.1))
        if rng.random() < 0.5:  # gone over again
            m.stroke([b, a], rng.uniform(0.7, 1.0))
    elif style == "dot":
        r = rng.uniform(0.3, 0.75)
        ox, oy = cx + J(rng, 0.4), cy + J(rng, 0.3)
        turns = rng.uniform(2, 4)
        pts = [(ox + r * (0.3 + 0.7 * i / 60) * math.cos(2 * math.pi * turns * i / 60),
                oy + r * (0.3 + 0.7 * i / 60) * math.sin(2 * math.pi * turns * i / 60)) for i in range(61)]
        m.stroke(pts, 1.2, taper=False)
    elif style == "trace-letter":
        # the printed letter (cap height ~1.75 mm) traced over, a little bigger and off
        hh = 1.75 * rng.uniform(1.0, 1.3)
        ww = hh * rng.uniform(0.75, 0.95)
        ox, oy = cx - ww / 2 + J(rng, 0.2), cy - hh / 2 + J(rng, 0.15)
        for _ in range(1 if rng.random() < 0.6 else 2):
            for s in LETTERS[letter]:
                m.stroke([(ox + u * ww + J(rng, 0.06), oy + v * hh + J(rng, 0.06)) for u, v in s],
                         rng.uniform(0.9, 1.15), width_mm=tool.width_mm * 0.8)
    elif style == "tick-out":
        # a small check beside the box: its foot on the right edge, its arm in the 1.2 mm gap
        s = rng.uniform(1.8, 2.6)
        vx, vy = x + w + rng.uniform(-0.15, 0.2), y + h * rng.uniform(0.6, 0.8)
        a = (vx - 0.4 * s, vy - 0.35 * s)
        b = (vx + 0.45 * s * rng.uniform(0.6, 0.9), vy - s)
        m.stroke([a, (vx - 0.1 * s, vy - 0.05 * s), (vx, vy), ((vx + b[0]) / 2, (vy + b[1]) / 2 + 0.05), b],
                 rng.uniform(0.9, 1.1), width_mm=tool.width_mm * 0.6)
    elif style == "highlight":
        yy = cy + J(rng, 0.3)
        a, b = (x - rng.uniform(0, 0.7), yy), (x + w + rng.uniform(0, 0.7), yy + J(rng, 0.2))
        m.stroke([a, b], 1.0, taper=False)
        if rng.random() < 0.3:
            m.stroke([b, a], 0.8, taper=False)
    elif style == "indent":
        # pressed through the question paper lying on top: a tick or a fill's strokes, grooves only
        if rng.random() < 0.5:
            solid_fill(m, rng, inner, writer, second=False)
        else:
            s = rng.uniform(2.2, 3.0)
            m.stroke([(cx - 0.45 * s, cy - 0.1 * s), (cx - 0.1 * s, cy + 0.4 * s), (cx + 0.5 * s, cy - 0.5 * s)], 1.2)
    else:
        raise ValueError(style)
    if style == "indent":
        # a flatbed lights from one side at a low angle: a groove shows as a faint light-dark pair
        amp = rng.uniform(8, 14) if damage in PHOTOS else rng.uniform(3, 7)
        m.commit(emboss_amp=amp, light=(0.5, 0.85))
    else:
        m.commit()
    return m


def erase(page, box, rng, tool):
    """Takes a mark back. Pencil: rubbed out hard with a rubber a little wider than the box — most of the
    graphite lifts, streaks stay along the rubbing, some is dragged out round the box, the paper's
    surface is scuffed and the laser toner of the outline wears. Pen: covered with correction tape
    (修正带, 5 mm white film) across the box, hiding the printed outline too."""
    x, y, w, h = box
    H, W = page.H, page.W
    if tool.kind == "dye":
        th = rng.uniform(4.6, 5.2)
        ty = y + h / 2 - th / 2 + J(rng, 0.4)
        tx0, tx1 = x - rng.uniform(0.3, 1.5), x + w + rng.uniform(0.3, 1.5)
        ys, xs = slice(max(0, px(ty)), min(H, px(ty + th))), slice(max(0, px(tx0)), min(W, px(tx1)))
        under = page.rgb[ys, xs]
        cover = rng.uniform(0.9, 0.96)  # a little of what is under shows through the film
        film = np.array([252, 253, 255], np.float32) * (1 + 0.01 * rng.standard_normal(under.shape[:2])[:, :, None])
        page.rgb[ys, xs] = under * (1 - cover) + film * cover
        for edge in (ys.start, ys.stop - 1):  # the film's raised edges throw a thin shadow
            page.rgb[edge, xs] *= rng.uniform(0.8, 0.9)
        return "taped"
    g = rng.uniform(0.4, 1.0)
    X0, X1 = max(0, px(x - g - 1.5)), min(W, px(x + w + g + 1.5))
    Y0, Y1 = max(0, px(y - g - 1.5)), min(H, px(y + h + g + 1.5))
    sl = (slice(Y0, Y1), slice(X0, X1))
    yy, xx = np.mgrid[Y0:Y1, X0:X1].astype(np.float32)
    # the rubbed area: a rounded rectangle, soft at its edge
    ex = np.maximum(np.abs(xx - fpx(x + w / 2)) - fpx(w / 2 + g), 0)
    ey = np.maximum(np.abs(yy - fpx(y + h / 2)) - fpx(h / 2 + g * 0.6), 0)
    mask = np.clip(1 - np.hypot(ex, ey) / 4, 0, 1)
    cur = page.rgb[sl]
    base = page.printed[sl][:, :, None]
    ink = np.clip(base - cur, 0, 255)
    shape = mask.shape
    streak = noise_field(rng, shape, 1.0, (1, 8))  # rubbing runs along x: streaks along x
    left = np.clip(rng.uniform(0.04, 0.14) * (1 + 0.7 * streak), 0, 0.4)[:, :, None]
    wear = 1 - rng.uniform(0.1, 0.35) * mask  # toner rubbed off the outline
    scuff = 1 - rng.uniform(0.01, 0.035) * np.abs(noise_field(rng, shape, 0.5))  # raised fibres
    paper = 255 - (255 - base) * wear[:, :, None]
    rubbed = paper * scuff[:, :, None] - ink * left
    dragged = blur(ink[:, :, 0], rng.uniform(2.5, 5)) * rng.uniform(0.04, 0.1)  # graphite carried outwards
    out = cur * (1 - mask[:, :, None]) + rubbed * mask[:, :, None] - (dragged * (1 - mask))[:, :, None]
    for _ in range(int(rng.integers(0, 4))):  # crumbs of rubber and graphite, rolled flat
        cy_, cx_ = int(rng.integers(shape[0])), int(rng.integers(shape[1]))
        r = int(rng.integers(1, 3))
        out[max(0, cy_ - r):cy_ + r, max(0, cx_ - r):cx_ + r] *= rng.uniform(0.75, 0.9)
    page.rgb[sl] = np.clip(out, 0, 255)
    return "rubbed out"


def smear_down(page, rng, rows):
    """A left hand drawn down over the sheet while answering: graphite already on the page is carried
    4-9 mm down and to the right, light and broad, only within the answer block (rows: y range px)."""
    y0, y1 = rows
    g = page.rgb[y0:y1].mean(axis=2)
    dark = np.clip(page.printed[y0:y1] - g, 0, 255)
    L = fpx(rng.uniform(4, 9))
    ang = math.radians(rng.uniform(50, 75))
    acc = np.zeros_like(dark)
    steps = 10
    for k in range(1, steps + 1):
        dy, dx = int(L * k / steps * math.sin(ang)), int(L * k / steps * math.cos(ang))
        acc[dy:, dx:] += dark[:dark.shape[0] - dy, :dark.shape[1] - dx]
    acc = blur(acc / steps, 2.5) * rng.uniform(0.05, 0.12)
    page.rgb[y0:y1] = np.clip(page.rgb[y0:y1] - acc[:, :, None], 0, 255)


# ---------------------------------------------------------------------------------------------------------
# One page: print, mark, truth. Runs in worker processes; everything is seeded by (seed, page number).
# ---------------------------------------------------------------------------------------------------------

def sheet_boxes(sheet):
    """manifest.json bubbles by kind: answers[q][letter], ids[col][digit], variant[letter], each
    (x, y, w, h) mm from the top-left corner."""
    answers = collections.defaultdict(dict)
    ids = collections.defaultdict(dict)
    variant = {}
    for b in sheet["bubbles"]:
        box = (b["box"]["x"], b["box"]["y"], b["box"]["w"], b["box"]["h"])
        if b["kind"] == "answer":
            answers[b["question"]][b["option"]] = box
        elif b["kind"] == "id-digit":
            ids[b["column"]][b["digit"]] = box
        elif b["kind"] == "variant":
            variant[b["letter"]] = box
    return answers, ids, variant


def luma(rgb):
    """Grey as a scanner in grey mode reads colour (ITU-R 601)."""
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def cell_slice(b):
    """A box and 0.55 mm round it (half the gap to its neighbours)."""
    x, y, w, h = b
    return (slice(px(y - 0.6), px(y + h + 0.6)), slice(px(x - 0.55), px(x + w + 0.55)))


def interior_slice(b, inset=0.35):
    x, y, w, h = b
    return (slice(px(y + inset), px(y + h - inset)), slice(px(x + inset), px(x + w - inset)))


# Ink in mm² of black (as in the other checks): a meant letter with less than this in its cell, in the
# final image's contrast, is too faint to hold the reader to; ink beyond SPILL_MM2 inside another option's
# box is named in the listing.
VISIBLE_MM2 = 0.3
SPILL_MM2 = 0.4
# ...counting only pixels of the final image at least this many grey levels darker than the print, in its
# contrast and at its own resolution (a 300 dpi pixel map averaged down to what the capture resolves): a
# groove's shading of 1-3 levels, a highlighter's tint in a washed-out scan or light pencil speckle
# averaged into a screen's pixels adds up to square millimetres over a box but is nothing a person sees.
# A photo of a screen needs twice the step: its moire already varies the paper by about that much.
NOTICE_GREY = 8
NOTICE_GREY_SCREEN = 16
MM2 = (25.4 / DPI) ** 2


def plan_page(job):
    """Marks a page; returns (Page, truth per question, rng)."""
    rng = np.random.default_rng([job["seed"], job["index"], 11])
    grey = np.asarray(Image.open(job["render"]).convert("L"), np.float32)
    page = Page(grey, rng)
    sheet = job["sheet"]
    answers, ids, variant = sheet_boxes(sheet)
    writer = WRITERS[job["writer"]]
    tool = make_tool(writer["tool"], rng)
    pressure = rng.uniform(*writer["pressure"])
    vary = rng.uniform(*writer["vary"])
    habit = job["habit"]
    damage = job["damage"]

    def region(b, pad=4.5):
        return (b[0] - pad, b[1] - pad, b[0] + b[2] + pad, b[1] + b[3] + pad)

    # identity: filled firmly with the writer's own tool, so that it never depends on the hand under test
    neat = dict(writer, wander=0.1)
    id_boxes = [ids[col][int(d)] for col, d in enumerate(job["id"]) if col in ids]
    if job.get("variant") and job["variant"] in variant:
        id_boxes.append(variant[job["variant"]])
    for b in id_boxes:
        draw_style(page, rng, "fill", b, None, neat, tool, max(pressure, 0.9), 0.05, region(b), damage)
    kinds = {q["number"]: q["kind"] for q in sheet["questions"]}
    truth = []
    cell_luma = lambda b: luma(page.rgb[cell_slice(b)])
    for q in sorted(answers):
        options = sorted(answers[q])
        boxes = {o: answers[q][o] for o in options}
        roll = rng.random()
        if roll < 0.5:
            style = habit
        elif roll < 0.58:
            style = "blank"
        else:
            style = STYLES[int(rng.integers(len(STYLES) - 1))]
        snap = {o: cell_luma(b) for o, b in boxes.items()}
        notes = []
        n = int(rng.integers(1, 4)) if kinds.get(q) == "multiple" else 1
        picks = "".join(options[i] for i in sorted(rng.choice(len(options), n, replace=False)))
        letters = picks
        draw = lambda s, l: draw_style(page, rng, s, boxes[l], l, writer, tool, pressure, vary, region(boxes[l]),
                                       damage)
        if style == "blank":
            letters = ""
        elif style == "erased":
            for l in picks:
                draw("erased", l)
                how = erase(page, boxes[l], rng, tool)
            notes.append(f"{how} {picks}")
            letters = ""
        elif style == "erased-double":
            # filled one box, changed their mind: rubbed it out (or taped it over) and filled another
            others = [o for o in options if o not in picks]
            if others:
                gone = others[int(rng.integers(len(others)))]
                draw("erased-double", gone)
                notes.append(f"{erase(page, boxes[gone], rng, tool)} {gone}")
            for l in picks:
                draw("fill", l)
        else:
            for l in picks:
                draw(style, l)
        mark = {o: np.clip(snap[o] - cell_luma(b), 0, 255) for o, b in boxes.items()}  # this question's own ink
        mine = {o: float(d.sum() / 255 * MM2) for o, d in mark.items()}
        truth.append({"q": q, "style": style, "truth": letters, "notes": notes, "boxes": boxes, "mine": mine,
                      "tool": "highlighter" if style == "highlight" else ("none" if style == "indent" else tool.name),
                      "dark": {l: mark[l].astype(np.float16) for l in letters}})
    if writer.get("smear"):
        ys = [b[1] for t in truth for b in t["boxes"].values()]
        smear_down(page, rng, (max(0, px(min(ys) - 5)), min(page.H, px(max(ys) + 15))))
    # each option's ink in its cell, against the print alone: what the page shows of the student's hand
    for t in truth:
        t["own"] = {o: float(np.clip(page.printed[cell_slice(b)] - luma(page.rgb[cell_slice(b)]), 0, 255).sum()
                             / 255 * MM2) for o, b in t["boxes"].items()}
        inside = {o: float(np.clip(page.printed[interior_slice(b)] - luma(page.rgb[interior_slice(b)]), 0, 255).sum()
                           / 255 * MM2) for o, b in t["boxes"].items()}
        spill = [o for o in t["boxes"] if o not in t["truth"] and inside[o] >= SPILL_MM2]
        if spill:
            t["notes"].append(("ink (rubbed out or not)" if "erased" in t["style"] else "ink") + " inside "
                              + "".join(spill) + "'s box")
        others = [o for o in t["boxes"] if t["own"][o] - t["mine"][o] >= VISIBLE_MM2]
        if others:
            t["notes"].append("other questions' ink in " + "".join(others) + "'s cell")
    return page, truth, rng


def note_over(truth, strength, label, level=6.0):
    """Names the boxes a damage darkens by `level` grey or more somewhere in their cell."""
    for t in truth:
        hit = [o for o, b in t["boxes"].items() if float(strength[cell_slice(b)].max(initial=0)) >= level]
        if hit:
            t["notes"].append(f"{label} over " + "".join(hit))


# ---------------------------------------------------------------------------------------------------------
# Damage: first what happens to the paper (stains, holes, the back, creases, stamps), on the marked page;
# then how it is captured (scanner, phone, a screen), which makes the file examgen reads.
# ---------------------------------------------------------------------------------------------------------

def angle_noise(rng, theta, k=5, amp=0.03):
    """A closed wobble round a circle: a few low harmonics of the angle."""
    out = np.zeros_like(theta)
    for n in range(1, k + 1):
        out += rng.normal(0, amp / n) * np.cos(n * theta + rng.uniform(0, 2 * math.pi))
    return out


def answer_area(truth):
    xs = [v for t in truth for b in t["boxes"].values() for v in (b[0], b[0] + b[2])]
    ys = [v for t in truth for b in t["boxes"].values() for v in (b[1], b[1] + b[3])]
    return min(xs), min(ys), max(xs), max(ys)


def coffee(page, rng, job, truth):
    """A cup set down on the sheet: the dried ring is dark at its rim (the coffee-ring effect carries the
    solids to the edge), pale inside; a cup lifted at a tilt leaves part of the rim faint; sometimes twice."""
    H, W = page.H, page.W
    x0, y0, x1, y1 = answer_area(truth)
    strength = np.zeros((H, W), np.float32)
    rings = 1 if rng.random() < 0.7 else 2
    cx, cy = (rng.uniform(x0, x1), rng.uniform(y0, y1)) if rng.random() < 0.75 else (rng.uniform(20, 190),
                                                                                      rng.uniform(20, 277))
    R = rng.uniform(30, 40)
    absorb = np.array([0.35, 0.62, 0.95], np.float32)
    for k in range(rings):
        if k:
            cx, cy = cx + rng.uniform(-12, 12), cy + rng.uniform(-12, 12)
        r_px = fpx(R)
        X0, X1 = max(0, int(fpx(cx) - r_px - 40)), min(W, int(fpx(cx) + r_px + 40))
        Y0, Y1 = max(0, int(fpx(cy) - r_px - 40)), min(H, int(fpx(cy) + r_px + 40))
        if X1 <= X0 or Y1 <= Y0:
            continue
        yy, xx = np.mgrid[Y0:Y1, X0:X1].astype(np.float32)
        dx, dy = xx - fpx(cx), yy - fpx(cy)
        theta = np.arctan2(dy, dx)
        r = np.hypot(dx, dy) * (1 + angle_noise(rng, theta, 6, 0.012))
        d = r_px - r  # inside > 0
        rw = fpx(rng.uniform(0.7, 1.8))
        rim = np.where(d >= 0, np.exp(-d / rw), np.exp(-(d / (0.35 * rw)) ** 2))
        tilt = rng.uniform(0, 2 * math.pi)
        rim *= 0.35 + 0.65 / (1 + np.exp(-3 * np.cos(theta - tilt)))
        inner = (d > 0) * (0.6 + 0.4 * noise_field(rng, d.shape, 3, (8, 8)).clip(-1.5, 1.5) / 1.5) * rng.uniform(0.08, 0.2)
        od = rim * rng.uniform(0.5, 0.9) + inner
        sl = (slice(Y0, Y1), slice(X0, X1))
        before = luma(page.rgb[sl])
        page.rgb[sl] *= np.exp(-od[:, :, None] * absorb)
        strength[sl] = np.maximum(strength[sl], before - luma(page.rgb[sl]))
    job["detail"] = f"ring {2 * R:.0f} mm at ({cx:.0f}, {cy:.0f}) mm" + (", twice" if rings == 2 else "")
    note_over(truth, strength, "coffee ring", 12)


def punch_staple(page, rng, job, truth):
    """Punched for a binder (ISO 838: 2 holes 80 mm apart, or 4, 12 mm from the left edge) and stapled at
    the top left (the staple over or near the corner mark), or its staple pulled out with a small tear."""
    H, W = page.H, page.W
    yy_all = None
    lid = rng.random() < 0.6  # the scanner's lid closed (white behind the holes) or open (dark)
    holes = [108.5, 188.5] if rng.random() < 0.6 else [28.5, 108.5, 188.5, 268.5]
    off_x, off_y = rng.uniform(-1.5, 1.5), rng.uniform(-3, 3)
    for hy in holes:
        cx, cy, r = 12 + off_x, hy + off_y, 3.0
        X0, X1, Y0, Y1 = px(cx - r - 1), px(cx + r + 1), px(cy - r - 1), px(cy + r + 1)
        yy, xx = np.mgrid[Y0:Y1, X0:X1].astype(np.float32)
        d = np.hypot(xx - fpx(cx), yy - fpx(cy)) - fpx(r)
        inside = np.clip(0.5 - d, 0, 1)
        behind = rng.uniform(232, 246) if lid else rng.uniform(25, 60)
        # the hole's wall throws a crescent of shadow on the lid behind it
        wall = np.clip(1 - np.hypot(xx - fpx(cx + 0.5), yy - fpx(cy + 0.4)) / fpx(r), 0, 1) < 0.12
        val = np.where(wall & lid, behind * 0.75, behind)
        sl = (slice(Y0, Y1), slice(X0, X1))
        page.rgb[sl] = page.rgb[sl] * (1 - inside[:, :, None]) + (val * inside)[:, :, None]
    staple = rng.random() < 0.65
    ang = math.radians(rng.uniform(25, 65))
    sx, sy = rng.uniform(6, 14), rng.uniform(6, 14)
    L = rng.uniform(11, 13)
    a = (sx - L / 2 * math.cos(ang), sy + L / 2 * math.sin(ang))
    b = (sx + L / 2 * math.cos(ang), sy - L / 2 * math.sin(ang))
    img = Image.new("L", (px(30), px(30)), 0)
    d = ImageDraw.Draw(img)
    if staple:
        # the paper puckers round it (a soft shadow), the wire is dark with a bright glint along it
        d.line([(fpx(a[0]), fpx(a[1])), (fpx(b[0]), fpx(b[1]))], fill=255, width=max(2, px(1.6)))
        pucker = blur(np.asarray(img, np.float32) / 255, fpx(1.0)) * rng.uniform(0.1, 0.2)
        img2 = Image.new("L", img.size, 0)
        d2 = ImageDraw.Draw(img2)
        d2.line([(fpx(a[0]), fpx(a[1])), (fpx(b[0]), fpx(b[1]))], fill=255, width=max(2, px(0.65)))
        wire = np.asarray(img2, np.float32) / 255
        glint = np.asarray(img2.filter(ImageFilter.MinFilter(3)), np.float32) / 255
        sl = (slice(0, img.size[1]), slice(0, img.size[0]))
        region = page.rgb[sl] * (1 - pucker)[:, :, None]
        metal = rng.uniform(55, 90)
        region = region * (1 - wire[:, :, None]) + metal * wire[:, :, None]
        region = region * (1 - 0.6 * glint[:, :, None]) + 0.6 * glint[:, :, None] * rng.uniform(170, 215)
        page.rgb[sl] = region
        job["detail"] = f"{len(holes)} holes, {'lid closed' if lid else 'lid open'}, staple at ({sx:.0f}, {sy:.0f}) mm"
    else:
        # pulled out: two pin holes and a small tear from one of them towards the corner
        for e in (a, b):
            d.ellipse([fpx(e[0]) - 3, fpx(e[1]) - 3, fpx(e[0]) + 3, fpx(e[1]) + 3], fill=255)
        tx, ty = a
        pts = [(fpx(tx), fpx(ty))]
        for _ in range(8):
            tx, ty = tx - rng.uniform(0.2, 0.7), ty - rng.uniform(0.2, 0.7)
            pts.append((fpx(tx), fpx(ty)))
        d.line(pts, fill=255, width=2)
        m = np.asarray(img, np.float32) / 255
        behind = rng.uniform(232, 246) if lid else rng.uniform(25, 60)
        sl = (slice(0, img.size[1]), slice(0, img.size[0]))
        page.rgb[sl] = page.rgb[sl] * (1 - m[:, :, None]) + behind * m[:, :, None]
        job["detail"] = f"{len(holes)} holes, {'lid closed' if lid else 'lid open'}, staple pulled out"


def show_through(page, rng, job, truth):
    """The back shows through thin paper: the question paper printed on the back (mirrored, blurred by
    the paper's scatter), and the student's pencil working on the back, mirrored too."""
    H, W = page.H, page.W
    back = Image.open(job["back"]).convert("L").resize((W, H))
    d = ImageDraw.Draw(back)
    # working in pencil: lines of digits and sums, in one or two blocks
    for _ in range(int(rng.integers(1, 3))):
        bx, by = rng.uniform(15, 120), rng.uniform(100, 230)
        for line in range(int(rng.integers(4, 9))):
            x = bx
            y = by + line * rng.uniform(6, 8)
            for _ in range(int(rng.integers(4, 12))):
                pts = [(fpx(x + rng.uniform(0, 2.5)), fpx(y + rng.uniform(0, 4))) for _ in range(int(rng.integers(3, 6)))]
                d.line(pts, fill=int(rng.uniform(60, 110)), width=int(rng.integers(2, 4)))
                x += rng.uniform(2.5, 4)
    b = 255 - np.asarray(back, np.float32)[:, ::-1]
    shift = (int(fpx(J(rng, 3))), int(fpx(J(rng, 3))))
    b = np.roll(b, shift, axis=(0, 1))
    k = rng.uniform(0.07, 0.15)
    through = blur(b, rng.uniform(1.5, 3.0)) * k
    page.rgb -= through[:, :, None]
    np.clip(page.rgb, 0, 255, out=page.rgb)
    job["detail"] = f"back at {k:.0%}"
    note_over(truth, through, "the back's print or working", 10)


def crease(page, rng, job, truth):
    """Folded and flattened again: along the ridge the toner and graphite crack off (a bright line through
    print and marks), and on one side the paper stands off the glass and falls into shadow."""
    H, W = page.H, page.W
    if rng.random() < 0.7:  # across the page along a row of boxes
        t = truth[int(rng.integers(len(truth)))]
        b = next(iter(t["boxes"].values()))
        y0 = b[1] + b[3] * rng.uniform(0.1, 0.9)
        ang = math.radians(J(rng, 1.5))
        job["detail"] = f"crease across at y {y0:.0f} mm"
        n = (-math.sin(ang), math.cos(ang))
        pt = (105, y0)
    else:
        ang = math.radians(rng.uniform(30, 60) * rng.choice([-1, 1]))
        pt = (rng.uniform(60, 150), rng.uniform(100, 200))
        n = (-math.sin(ang), math.cos(ang))
        job["detail"] = f"crease at {math.degrees(ang):.0f}° through ({pt[0]:.0f}, {pt[1]:.0f}) mm"
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    dist = (xx - fpx(pt[0])) * n[0] + (yy - fpx(pt[1])) * n[1]
    along = (xx * n[1] - yy * n[0]) / fpx(1)
    del yy, xx
    w1 = rng.uniform(0.8, 1.6)
    crack = rng.uniform(0.55, 0.9) * np.exp(-(dist / w1) ** 2)
    broken = (np.sin(along * rng.uniform(0.8, 1.6)) + 0.6 * np.sin(along * rng.uniform(2.5, 4.5))) > -0.9
    crack *= broken
    page.rgb += (255 - page.rgb) * crack[:, :, None]
    side = rng.choice([-1, 1])
    shade = rng.uniform(0.06, 0.14) * np.exp(-np.clip(dist * side, 0, None) / fpx(rng.uniform(1, 3))) * (dist * side > 1)
    page.rgb *= (1 - shade)[:, :, None]
    strength = shade * 255
    note_over(truth, np.maximum(strength, crack * 100), "crease", 10)


def stamp(page, rng, job, truth):
    """A red 已阅 ('seen') stamp over a corner: of the page (over a corner mark) or of the answer block."""
    D = rng.uniform(16, 22)
    size = px(D) + 20
    img = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(img)
    c = size / 2
    r = fpx(D / 2)
    d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=max(2, px(rng.uniform(0.7, 1.1))))
    try:
        font = ImageFont.truetype(job["font"], px(D * 0.33), index=int(job.get("font_index", 0)))
        d.text((c, c - fpx(D * 0.05)), "已阅", fill=255, font=font, anchor="mm")
        small = ImageFont.truetype(job["font"], px(D * 0.1), index=int(job.get("font_index", 0)))
        d.text((c, c + fpx(D * 0.28)), "2026.12.06", fill=255, font=small, anchor="mm")
    except (OSError, KeyError):
        d.line([(c - r * 0.5, c), (c + r * 0.5, c)], fill=255, width=px(1))
    img = img.rotate(rng.uniform(-30, 30), resample=Image.BILINEAR)
    m = np.asarray(img, np.float32) / 255
    cover = np.clip(0.85 + 0.45 * noise_field(rng, m.shape, 2.0), 0, 1)  # an unevenly inked pad
    od = m * cover * rng.uniform(0.9, 1.4)
    if rng.random() < 0.5:
        corner = [(10.5, 10.5), (199.5, 10.5), (199.5, 286.5), (10.5, 286.5)][int(rng.integers(4))]
        where = "page corner"
    else:
        x0, y0, x1, y1 = answer_area(truth)
        corner = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)][int(rng.integers(4))]
        where = "answer block's corner"
    cx, cy = corner[0] + J(rng, 6), corner[1] + J(rng, 6)
    X0, Y0 = px(cx) - size // 2, px(cy) - size // 2
    H, W = page.H, page.W
    xs, ys = slice(max(0, X0), min(W, X0 + size)), slice(max(0, Y0), min(H, Y0 + size))
    od = od[ys.start - Y0:ys.stop - Y0, xs.start - X0:xs.stop - X0]
    before = luma(page.rgb[ys, xs])
    page.rgb[ys, xs] *= np.exp(-od[:, :, None] * np.array([0.08, 1.6, 1.3], np.float32))
    strength = np.zeros((H, W), np.float32)
    strength[ys, xs] = before - luma(page.rgb[ys, xs])
    job["detail"] = f"stamp {D:.0f} mm over the {where} at ({cx:.0f}, {cy:.0f}) mm"
    note_over(truth, strength, "stamp", 12)


def scanner_noise(g, rng, sigma=1.4):
    return g + rng.standard_normal(g.shape, dtype=np.float32) * sigma


def to_image(a):
    a = np.clip(a + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(a, "RGB" if a.ndim == 3 else "L")


def homography(dst, src):
    """PIL PERSPECTIVE data: the 3x3 map (8 numbers) taking output points dst[i] to input points src[i]."""
    A, v = [], []
    for (x, y), (u, w) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); v.append(u)
        A.append([0, 0, 0, x, y, 1, -w * x, -w * y]); v.append(w)
    return np.linalg.solve(np.array(A, float), np.array(v, float)).tolist()


def on_desk(img, rng, frame, fill_frac, desk_rgb):
    """The page seen by a camera above a desk, tilted: a perspective view filling `fill_frac` of the
    frame's height, on a textured desk."""
    W, H = img.size
    OW, OH = frame
    s = fill_frac * OH / H
    rot = math.radians(J(rng, 3))
    tilt = rng.uniform(0.02, 0.06)  # the far edge looks shorter
    far = int(rng.integers(4))
    pts = []
    for i, (u, v) in enumerate([(-W / 2, -H / 2), (W / 2, -H / 2), (W / 2, H / 2), (-W / 2, H / 2)]):
        k = 1 - tilt if i in (far, (far + 1) % 4) else 1 + tilt * 0.3
        u, v = u * s * k, v * s * k
        pts.append((OW / 2 + u * math.cos(rot) - v * math.sin(rot) + J(rng, 10),
                    OH / 2 + u * math.sin(rot) + v * math.cos(rot) + J(rng, 10)))
    data = homography(pts, [(0, 0), (W, 0), (W, H), (0, H)])
    warped = img.convert("RGB").transform((OW, OH), Image.PERSPECTIVE, data, Image.BICUBIC)
    mask = Image.new("L", img.size, 255).transform((OW, OH), Image.PERSPECTIVE, data, Image.BILINEAR)
    grain = noise_field(rng, (OH, OW), 2, (2, 30))
    desk = np.array(desk_rgb, np.float32)[None, None, :] * (1 + 0.08 * grain[:, :, None])
    desk_img = to_image(desk)
    desk_img.paste(warped, (0, 0), mask)
    return desk_img, s


def barrel(img, rng, k):
    """A phone's wide lens: straight lines bow outwards (barrel distortion), by a mesh of 24 x 32 quads."""
    W, H = img.size
    cx, cy = W / 2, H / 2
    rn = math.hypot(cx, cy)

    def src(x, y):
        dx, dy = x - cx, y - cy
        f = 1 + k * (dx * dx + dy * dy) / (rn * rn)
        return cx + dx * f, cy + dy * f
    mesh = []
    nx, ny = 24, 32
    for j in range(ny):
        for i in range(nx):
            x0, x1 = W * i // nx, W * (i + 1) // nx
            y0, y1 = H * j // ny, H * (j + 1) // ny
            quad = src(x0, y0) + src(x0, y1) + src(x1, y1) + src(x1, y0)
            mesh.append(((x0, y0, x1, y1), quad))
    return img.transform(img.size, Image.MESH, mesh, Image.BICUBIC, fillcolor=(20, 20, 20))


def camera_finish(arr, rng, q_lo=78, q_hi=92):
    """Sensor noise (shot noise grows with the light), the phone's sharpening; returns an RGB image."""
    arr = arr + rng.standard_normal(arr.shape[:2], dtype=np.float32)[:, :, None] * np.sqrt(np.clip(arr, 1, 255)) * 0.22
    img = to_image(arr).filter(ImageFilter.UnsharpMask(radius=2, percent=int(rng.uniform(40, 90)), threshold=2))
    return img, int(rng.integers(q_lo, q_hi))


def phone_lamp(img, rng, job):
    """A phone photo at night under a desk lamp: a warm hot spot falling off with distance, the lens's
    vignetting (darker corners) and barrel distortion."""
    OW, OH = 2448, 3264
    photo, job["capture_scale"] = on_desk(img, rng, (OW, OH), rng.uniform(0.84, 0.93),
                                          rng.uniform([120, 85, 50], [175, 130, 90]))
    yy, xx = np.mgrid[0:OH:8, 0:OW:8].astype(np.float32)
    lx, ly = rng.uniform(-0.3, 1.3) * OW, rng.uniform(-0.2, 0.6) * OH
    r0 = rng.uniform(0.7, 1.2) * OW  # a lamp 30-50 cm above the desk
    lamp = 1 / (1 + ((xx - lx) ** 2 + (yy - ly) ** 2) / r0 ** 2) ** 1.5
    rr = np.hypot(xx - OW / 2, yy - OH / 2) / math.hypot(OW / 2, OH / 2)
    # what is left of the lens's fall-off after the phone's own shading correction: corners at 75-85 %
    vig = 1 / (1 + (rr / rng.uniform(2.5, 3.5)) ** 2) ** 2
    amb = rng.uniform(0.25, 0.5)
    light = (amb + (1 - amb) * lamp) * vig
    light = light / np.quantile(light, 0.97) * rng.uniform(1.0, 1.1)  # exposure set on the bright part
    big = np.asarray(Image.fromarray(light.astype(np.float32), "F").resize((OW, OH), Image.BILINEAR), np.float32)
    warm = np.array([1.0, rng.uniform(0.88, 0.94), rng.uniform(0.68, 0.8)], np.float32)
    arr = np.asarray(photo, np.float32) * big[:, :, None] * warm
    k = rng.uniform(0.01, 0.04)  # a main camera's distortion after correction is a few per cent at most
    img2 = barrel(to_image(arr), rng, k)
    arr = np.asarray(img2.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9))), np.float32)
    job["detail"] = f"lamp, corners at {float(vig.min()):.0%}, ambient {amb:.0%}, barrel k={k:.2f}"
    return camera_finish(arr, rng)


def phone_shake(img, rng, job):
    """A phone photo in daylight taken with a shaking hand: a straight motion blur of 3-9 px."""
    OW, OH = 2448, 3264
    photo, job["capture_scale"] = on_desk(img, rng, (OW, OH), rng.uniform(0.82, 0.92),
                                          rng.uniform([140, 140, 140], [220, 220, 215]))
    arr = np.asarray(photo, np.float32) * np.array([rng.uniform(0.9, 1.0), 1.0, rng.uniform(0.95, 1.08)], np.float32)
    L = rng.uniform(3, 9)
    ang = rng.uniform(0, math.pi)
    acc = np.zeros_like(arr)
    n = int(math.ceil(L)) + 1
    for i in range(n):
        t = i / (n - 1) - 0.5
        dy, dx = int(round(t * L * math.sin(ang))), int(round(t * L * math.cos(ang)))
        acc += np.roll(arr, (dy, dx), axis=(0, 1))
    arr = acc / n
    job["detail"] = f"motion blur {L:.1f} px at {math.degrees(ang):.0f}°"
    return camera_finish(arr, rng)


def screen_moire(img, rng, job):
    """The scan shown on a monitor and photographed: the page drawn at the screen's own pixels (about
    140 dpi), each pixel three coloured stripes with a dark grid between, sampled by the camera at no
    whole ratio of them (moire), the screen's glow and gamma."""
    W, H = img.size
    sh = int(rng.uniform(1550, 1750))  # the page's height in screen pixels (zoomed to fit a portrait screen)
    job["capture_scale"] = sh / H
    sw = int(sh * W / H)
    screen = np.asarray(img.convert("RGB").resize((sw, sh), Image.BILINEAR), np.uint8)
    sub = np.repeat(np.repeat(screen, 3, axis=0), 3, axis=1)  # each screen pixel as 3 x 3 subpixels
    stripes = np.zeros((3, 3, 3), np.uint8)
    for c in range(3):
        stripes[:2, c, c] = 1  # one column per colour; the bottom row is the black matrix
    sub *= np.tile(stripes, (sh, sw, 1))
    panel = Image.fromarray(sub, "RGB")
    del sub
    OW, OH = 2448, 3264
    photo, _ = on_desk(panel, rng, (OW, OH), rng.uniform(0.86, 0.94), (6, 6, 7))  # finer than the screen
    # the lens and the sensor's anti-alias filter soften the stripes; what they leave beats into moire
    arr = np.asarray(photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.3))), np.float32)
    # the camera exposes for the glowing page: its white comes out at 200-235, with the panel's gamma
    arr = 255 * (arr / np.percentile(arr.mean(axis=2), 97)) ** rng.uniform(0.85, 1.0) * rng.uniform(0.8, 0.92)
    job["detail"] = f"screen {sw}x{sh} px, photographed"
    return camera_finish(arr, rng)


def scan_page(page, rng, job, truth):
    """Damages the marked page and captures it. Returns (file image, its dpi or None for a photo, the
    flat page at 300 dpi for close-ups, contrast of the final image relative to the page's)."""
    kind = job["damage"]
    contrast = 1.0
    colour = False
    if kind == "coffee":
        coffee(page, rng, job, truth)
        colour = rng.random() < 0.5
    elif kind == "punch-staple":
        punch_staple(page, rng, job, truth)
    elif kind == "show-through":
        show_through(page, rng, job, truth)
    elif kind == "crease-bright":
        crease(page, rng, job, truth)
    elif kind == "stamp":
        stamp(page, rng, job, truth)
        colour = rng.random() < 0.5
    elif kind in ("colour-bg",) + PHOTOS:
        colour = True
    elif kind == "jpeg30":
        colour = rng.random() < 0.5
    rgb = page.rgb
    # the scanner's optics: a slight blur, then sensor noise
    if colour:
        flat = to_image(rgb)
    else:
        flat = to_image(luma(rgb))
    if kind in PHOTOS:
        return flat, None, flat, contrast
    arr = np.asarray(flat, np.float32)
    if kind == "low-contrast":
        # auto-exposure on a grey scan: paper comes out grey ~185-215, black ~60-95, a gamma on top
        hi, lo, gamma = rng.uniform(185, 215), rng.uniform(60, 95), rng.uniform(0.8, 1.3)
        arr = lo + (hi - lo) * (arr / 255) ** gamma
        contrast = (hi - lo) / 255
        job["detail"] = f"paper {hi:.0f}, black {lo:.0f}, gamma {gamma:.2f}"
    arr = scanner_noise(arr, rng, 1.2 if colour else 1.4)
    img = to_image(arr)
    dpi = DPI
    if kind == "dpi600":
        img = img.resize((img.width * 2, img.height * 2), Image.BICUBIC)
        img = to_image(scanner_noise(np.asarray(img, np.float32), rng, 1.0))
        dpi = 600
    elif kind == "dpi240":
        img = img.filter(ImageFilter.GaussianBlur(0.5)).resize((round(img.width * 0.8), round(img.height * 0.8)),
                                                                Image.BILINEAR)
        dpi = 240
    elif kind == "skew-crop":
        ang = rng.uniform(2, 3) * rng.choice([-1, 1])
        lid = int(rng.uniform(232, 248))
        img = img.rotate(ang, resample=Image.BICUBIC, fillcolor=lid if img.mode == "L" else (lid,) * 3)
        sides = rng.choice(4, int(rng.integers(1, 3)), replace=False)
        cut = [0, 0, 0, 0]
        for s in sides:
            cut[s] = px(rng.uniform(2, 7))
        img = img.crop((cut[0], cut[1], img.width - cut[2], img.height - cut[3]))
        job["detail"] = f"turned {ang:.1f}°, cut " + ", ".join(f"{n} {c * 25.4 / DPI:.0f} mm" for n, c in
                                                               zip(("left", "top", "right", "bottom"), cut) if c)
    elif kind == "colour-bg":
        # the lid left open on a coloured folder: the bed is larger than the page, the page a little turned
        bed = (px(rng.uniform(222, 232)), px(rng.uniform(305, 320)))
        names = ["red", "blue", "green", "orange", "black"]
        k = int(rng.integers(len(names)))
        colour_rgb = [(170, 40, 45), (40, 70, 150), (40, 120, 60), (225, 125, 35), (28, 28, 30)][k]
        folder = np.array(colour_rgb, np.float32)[None, None, :] * (1 + 0.05 * noise_field(rng, bed[::-1], 3)[:, :, None])
        back = to_image(folder)
        ang = J(rng, 1.5)
        turned = img.convert("RGB").rotate(ang, resample=Image.BICUBIC, expand=True)
        mask = Image.new("L", img.size, 255).rotate(ang, resample=Image.BILINEAR, expand=True)
        ox, oy = int(rng.uniform(0, max(1, bed[0] - turned.width))), int(rng.uniform(0, max(1, bed[1] - turned.height)))
        shadow = mask.filter(ImageFilter.GaussianBlur(6)).point(lambda v: int(v * 0.5))
        back.paste((0, 0, 0), (ox + 4, oy + 4), shadow)
        back.paste(turned, (ox, oy), mask)
        img = back
        job["detail"] = f"{names[k]} folder behind, turned {ang:.1f}°"
    return img, dpi, flat, contrast


def back_page(front, rng):
    """The blank back of a sheet in a duplex stack: paper, noise and the front showing through, mirrored."""
    g = np.asarray(front.convert("L"), np.float32)
    through = 255 - (255 - g[:, ::-1]) * rng.uniform(0.03, 0.07)
    through += rng.standard_normal(g.shape, dtype=np.float32) * 1.5
    out = Image.fromarray(np.clip(through, 0, 255).astype(np.uint8))
    return out.convert(front.mode) if front.mode == "RGB" else out


def make_page(job):
    page, truth, rng = plan_page(job)
    img, dpi, flat, contrast = scan_page(page, rng, job, truth)
    del page
    base = job["out_base"]
    if dpi is None:
        maker = {"phone-lamp": phone_lamp, "phone-shake": phone_shake, "screen-moire": screen_moire}[job["damage"]]
        photo, q = maker(flat, rng, job)
        path = base + ".jpg"
        photo.save(path, quality=q)
        out_dpi = 0
    else:
        path = base + ".pdf"
        q = 30 if job["damage"] == "jpeg30" else int(rng.integers(82, 93))
        img.save(path, resolution=dpi, quality=q)
        back_page(img, rng).save(base + "-back.pdf", resolution=dpi, quality=int(rng.integers(82, 93)))
        out_dpi = dpi
        if job["damage"] == "jpeg30":
            job["detail"] = ("colour" if img.mode == "RGB" else "grey") + ", JPEG quality 30"
    flat_path = base + "-flat.bmp"  # for the close-ups (BMP: PNG would cost a third of a second a page)
    flat.save(flat_path)
    # too faint: a meant letter whose ink, in the final image's contrast and resolution, is under the limit
    f = min(1.0, job.get("capture_scale", (dpi or DPI) / DPI))
    notice = NOTICE_GREY_SCREEN if job["damage"] == "screen-moire" else NOTICE_GREY

    def seen(d):
        if f < 0.99:  # what one pixel of the capture averages
            d = np.asarray(Image.fromarray(d, "F").resize((max(1, round(d.shape[1] * f)), max(1, round(d.shape[0] * f))),
                                                          Image.BOX), np.float32)
        return float((d * (d * contrast >= notice)).sum()) * contrast / 255 * MM2 / (f * f)
    for t in truth:
        t["faint"] = [l for l in t["truth"] if seen(t["dark"][l].astype(np.float32)) < VISIBLE_MM2]
        if t["style"] == "indent":
            t["notes"].append("pressed through a sheet: " + ("too faint" if t["faint"] else "groove visible"))
        del t["boxes"], t["mine"], t["own"], t["dark"]
    return {"index": job["index"], "file": path, "dpi": out_dpi or "photo", "truth": truth, "flat": flat_path,
            "detail": job.get("detail", "")}


# ---------------------------------------------------------------------------------------------------------
# Driver (the plumbing follows scan-field.py so the verdicts and tables compare)
# ---------------------------------------------------------------------------------------------------------

def run(cmd, ok=(0,), **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode not in ok:
        fail(f"`{' '.join(cmd)}` failed ({res.returncode}):\n{res.stderr[-2000:]}")
    return res


def render(pdf, dpi, first, last, prefix, jobs):
    """pdftoppm in `jobs` parallel page ranges; returns the PGM paths of pages first..last."""
    n = last - first + 1
    chunk = max(1, math.ceil(n / jobs))
    procs = []
    for start in range(first, last + 1, chunk):
        end = min(last, start + chunk - 1)
        procs.append(subprocess.Popen(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(start), "-l", str(end),
                                       pdf, prefix], stderr=subprocess.PIPE))
    for p in procs:
        if p.wait() != 0:
            fail(f"pdftoppm failed on {pdf}: {p.stderr.read().decode()[-500:]}")
    out = sorted(f for f in os.listdir(os.path.dirname(prefix)) if f.startswith(os.path.basename(prefix)))
    return [os.path.join(os.path.dirname(prefix), f) for f in out]


def check_geometry(pdf, sheet):
    """Every answer box of the manifest must hold its printed option letter (pdftotext -bbox)."""
    xml = run(["pdftotext", "-bbox", "-f", "1", "-l", "1", pdf, "-"]).stdout
    letters = [(m.group(5), (float(m.group(1)) + float(m.group(3))) / 2 * 25.4 / 72,
                (float(m.group(2)) + float(m.group(4))) / 2 * 25.4 / 72)
               for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([A-E])<', xml)]
    answers, _, _ = sheet_boxes(sheet)
    missing = sum(1 for q, opts in answers.items() for letter, (x, y, w, h) in opts.items()
                  if not any(l == letter and x <= lx <= x + w and y <= ly <= y + h for l, lx, ly in letters))
    if missing:
        fail(f"{missing} answer boxes of the manifest hold no printed option letter in {pdf}")


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def classify(truth, cell):
    """right / flagged / wrong-empty / wrong-other / too-faint, as scan-field.py counts them."""
    cell = (cell or "").strip()
    if "?" in cell:
        return "flagged"
    read = "".join(sorted(c for c in cell.upper() if c.isalpha()))
    if read == truth["truth"]:
        return "right"
    missed = set(truth["truth"]) - set(read)
    if set(read) <= set(truth["truth"]) and missed <= set(truth.get("faint", [])):
        return "too-faint"
    if read == "":
        return "wrong-empty"
    return "wrong-other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1, help="seed of the marking and damage (default 1)")
    ap.add_argument("--pages", type=int, default=40, help="pages to fabricate (default 40; a tenth are blank "
                    "sheets from `examgen sheet`, the rest a class batch's)")
    ap.add_argument("--examgen", default=os.path.join(REPO, "target", "release", "examgen"),
                    help="the examgen binary (default target/release/examgen)")
    ap.add_argument("--cases", default="/tmp/fieldcheck-c-cases",
                    help="folder for a close-up of every silently-wrong mark (4x) and its page")
    ap.add_argument("--keep", help="keep the sheets, scans and examgen's output in this folder")
    ap.add_argument("--results", help="also write every mark's verdict here, one JSON object a line")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="pages marked at once (default: the cores)")
    args = ap.parse_args()
    if args.pages < 1:
        ap.error("--pages must be at least 1")
    if not os.path.exists(args.examgen):
        fail(f"no examgen at {args.examgen}; build it (cargo build --release) or pass --examgen")
    for tool in ("pdftoppm", "pdftotext", "qpdf"):
        if not shutil.which(tool):
            fail(f"{tool} is missing; install poppler-utils and qpdf")
    t0 = time.time()
    work = args.keep or tempfile.mkdtemp(prefix="scan-field-c-")
    if args.keep and os.path.isdir(work) and os.listdir(work):
        if not os.path.exists(os.path.join(work, ".scan-field-c")):
            fail(f"--keep {work} is a folder with other files in it; give a new or empty folder")
        shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    open(os.path.join(work, ".scan-field-c"), "w").close()
    try:
        code = field_check(args, work, t0)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(code)


def new_job(args, index, order, render_path, sheet, sid, variant, scans):
    return {"seed": args.seed, "index": index, "render": render_path, "sheet": sheet, "id": sid,
            "variant": variant, "damage": DAMAGES[int(order["damage"][index])],
            "writer": WRITER_NAMES[int(order["writer"][index])],
            "habit": HABITS[int(order["habit"][index])], "back": None, "font": None,
            "out_base": os.path.join(scans, f"p{index + 1:03d}")}


def field_check(args, work, t0):
    if os.path.isdir(args.cases):  # the examples of an earlier run would mislead
        for old in os.listdir(args.cases):
            if old.endswith(".png") or old == "cases.txt":
                os.remove(os.path.join(args.cases, old))
    blank_pages = max(1, args.pages // 10) if args.pages >= 2 else 0
    batch_pages = args.pages - blank_pages
    roster = ROSTER
    if batch_pages > 40:
        roster = os.path.join(work, "roster.csv")
        with open(roster, "w", encoding="utf-8") as f:
            f.write("学号,姓名,班级,座位号\n")
            for i in range(1, batch_pages + 1):
                f.write(f"2025{i:04d},学生{i},社工一班,{i}\n")
    scans = os.path.join(work, "pages")
    os.makedirs(scans)
    rng = np.random.default_rng([args.seed, 424_242])
    balanced = lambda n: rng.permutation([i % n for i in range(args.pages)])
    # damages, writers and habits (any style but blank) spread evenly over the pages in a seeded order
    order = {"damage": balanced(len(DAMAGES)), "writer": balanced(len(WRITER_NAMES)),
             "habit": balanced(len(HABITS))}
    groups = []  # (manifest, [job indices])
    jobs = []
    if batch_pages:
        out = os.path.join(work, "batch")
        run([args.examgen, "batch", "--roster", roster, "--seed", "1", "-o", out, "--no-cache"], cwd=REPO)
        manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
        sheets = {v["label"]: v.get("sheet") for v in manifest["variants"]}
        for v in manifest["variants"]:
            if sheets[v["label"]] is None:
                sheets[v["label"]] = sheets[v["sheet_same_as"]]
        pdf = os.path.join(out, "print-sheets.pdf")
        check_geometry(pdf, sheets[manifest["students"][0]["variant"]][0])
        os.makedirs(os.path.join(work, "render"))
        pgms = render(pdf, DPI, 1, batch_pages, os.path.join(work, "render", "b"), args.jobs)
        for student, pgm in zip(manifest["students"], pgms):
            jobs.append(new_job(args, len(jobs), order, pgm, sheets[student["variant"]][0], student["id"], None,
                                scans))
        groups.append((os.path.join(out, "manifest.json"), [j["index"] for j in jobs]))
    if blank_pages:
        out = os.path.join(work, "sheet")
        run([args.examgen, "sheet", "--seed", "1", "-o", out, "--no-cache"], cwd=REPO)
        manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
        variant = manifest["variants"][0]
        pdf = os.path.join(out, f"sheet-{variant['label']}.pdf")
        check_geometry(pdf, variant["sheet"][0])
        os.makedirs(os.path.join(work, "render-blank"))
        pgm = render(pdf, DPI, 1, 1, os.path.join(work, "render-blank", "s"), 1)[0]
        id_cols = len({b["column"] for b in variant["sheet"][0]["bubbles"] if b["kind"] == "id-digit"})
        first = len(jobs)
        for k in range(blank_pages):
            sid = f"27{args.seed % 100:02d}" + f"{k:0{max(1, id_cols - 4)}d}"
            jobs.append(new_job(args, len(jobs), order, pgm, variant["sheet"][0], sid, variant["label"], scans))
        groups.append((os.path.join(out, "manifest.json"), list(range(first, len(jobs)))))
    # the back of the sheet (for show-through): a page of the question paper; the stamp's font
    back = None
    if batch_pages:
        back = render(os.path.join(work, "batch", "print-papers.pdf"), DPI, 2, 2, os.path.join(work, "render", "q"), 1)[0]
    font = run(["fc-match", "-f", "%{file}\n%{index}", "Noto Sans CJK SC:bold"], ok=(0, 1)).stdout.split("\n") \
        if shutil.which("fc-match") else ["", "0"]
    for j in jobs:
        j["back"] = back or j["render"]
        j["font"], j["font_index"] = font[0], int(font[1] or 0) if len(font) > 1 else 0
    t_prep = time.time()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        pages = list(pool.map(make_page, jobs))
    t_marked = time.time()
    by_index = {p["index"]: p for p in pages}
    results, page_problems = [], []
    scan_seconds = 0.0
    stack_rng = np.random.default_rng([args.seed, 55])
    for gi, (manifest_path, indices) in enumerate(groups):
        # the copier's stack: sheets in random order, each followed by its blank back (duplex); the phone
        # photos come as separate files, as a teacher adds them
        copier = [i for i in indices if by_index[i]["file"].endswith(".pdf")]
        photos = [by_index[i]["file"] for i in indices if not by_index[i]["file"].endswith(".pdf")]
        copier = [copier[k] for k in stack_rng.permutation(len(copier))]
        stack_pages = {}  # page number in the stack -> job index (None for a back)
        parts = []
        for i in copier:
            parts += [by_index[i]["file"], by_index[i]["file"][:-4] + "-back.pdf"]
            stack_pages[len(parts) - 1] = i
            stack_pages[len(parts)] = None
        inputs = []
        if parts:
            stack = os.path.join(work, f"stack{gi}.pdf")
            run(["qpdf", "--empty", "--pages", *parts, "--", stack])
            inputs.append(stack)
        inputs += photos
        out = os.path.join(work, f"scanned{gi}")
        ts = time.time()
        res = run([args.examgen, "scan", manifest_path, *inputs, "-o", out, "--no-cache"], cwd=REPO, ok=(0, 1))
        scan_seconds += time.time() - ts
        rows = {r["id"]: r for r in read_csv(os.path.join(out, "responses.csv"))}
        report = read_csv(os.path.join(out, "scan-report.csv"))
        where = {}  # job index -> its scan-report row
        for r in report:
            name = os.path.basename(r.get("file", ""))
            if name.startswith("stack"):
                try:
                    k = stack_pages.get(int(r.get("page") or 0), "?")
                except ValueError:
                    k = "?"
                if k is None:  # a blank back: fine as long as it is said plainly and makes no row
                    if r.get("id"):
                        page_problems.append(f"stack{gi}.pdf page {r['page']} (a blank back) read as id {r['id']}")
                    continue
                if k == "?":
                    page_problems.append(f"stack{gi}.pdf: report row for page {r.get('page')}: {r}")
                    continue
                where[k] = r
            else:
                for i in indices:
                    if os.path.basename(by_index[i]["file"]) == name:
                        where[i] = r
        for i in indices:
            job, p = jobs[i], by_index[i]
            label = describe(p, stack_pages, gi)
            dmg = job["damage"] + (f", {p['detail']}" if p["detail"] else "")
            rep = where.get(i)
            row = rows.get(job["id"])
            if rep and rep.get("id") not in ("", job["id"]):
                page_problems.append(f"{label} ({dmg}; {job['writer']}): id read {rep['id']}, written {job['id']}")
                # a doubtful id (2025?0001) still has its marks read: judge them, the id is told above
                if row is None and "?" in rep["id"]:
                    row = rows.get(rep["id"])
            if row is None:
                why = rep.get("problems") if rep else "not in scan-report.csv at all"
                page_problems.append(f"{label} ({dmg}; {job['writer']}): no row for {job['id']}: {why}")
            elif rep and rep.get("problems"):
                page_problems.append(f"{label} ({dmg}; {job['writer']}): read, with: {rep['problems']}")
            for t in p["truth"]:
                verdict = "page-unread" if row is None else classify(t, row.get(str(t["q"])))
                results.append({**t, "verdict": verdict, "read": "" if row is None else row.get(str(t["q"]), ""),
                                "damage": job["damage"], "writer": job["writer"], "habit": job["habit"],
                                "dpi": p["dpi"], "file": label, "index": i, "id": job["id"], "detail": p["detail"]})
        blanks_said = [r for r in report if os.path.basename(r.get("file", "")).startswith("stack") and
                       stack_pages.get(int(r["page"]) if (r.get("page") or "").isdigit() else -1, 0) is None]
        print(f"group {gi}: examgen scan exit {res.returncode}; {len(copier)} sheets in the copier stack with "
              f"{len(copier)} blank backs ({len(blanks_said)} backs in scan-report.csv), {len(photos)} photos")
    print_tables(results, args, len(jobs))
    if args.results:  # every verdict, for counting other ways
        with open(args.results, "w", encoding="utf-8") as out:
            for r in results:
                out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    for line in page_problems:
        print("page:", line)
    wrong = [r for r in results if r["verdict"].startswith("wrong")]
    if wrong:
        save_cases(wrong, jobs, by_index, args)
    print(f"\n{len(jobs)} pages, seed {args.seed}: fabricated in {t_marked - t0:.1f} s (render {t_prep - t0:.1f} s), "
          f"examgen scan {scan_seconds:.1f} s, total {time.time() - t0:.1f} s")
    return 1 if wrong else 0


def describe(p, stack_pages, gi):
    if p["file"].endswith(".pdf"):
        for k, i in stack_pages.items():
            if i == p["index"]:
                return f"stack{gi}.pdf p{k} ({os.path.basename(p['file'])})"
    return os.path.basename(p["file"])


def print_tables(results, args, npages):
    cols = [("right", "right"), ("flagged", "flag ?"), ("wrong-empty", "wrong:empty"),
            ("wrong-other", "wrong:other"), ("too-faint", "too faint"), ("page-unread", "page unread")]

    def line(name, rows):
        c = collections.Counter(r["verdict"] for r in rows)
        return f"{name:<16} {len(rows):>6} " + " ".join(f"{c[k]:>{max(6, len(h))}}" for k, h in cols)

    def table(title, key, keys):
        print(f"\n{title:<16} {'marks':>6} " + " ".join(f"{h:>{max(6, len(h))}}" for _, h in cols))
        for k in keys:
            rows = [r for r in results if key(r) == k]
            if rows:
                print(line(k, rows))
        print(line("all", results))
    print(f"scan-field-c: seed {args.seed}, {npages} pages")
    table("marking style", lambda r: r["style"], STYLES)
    table("damage", lambda r: r["damage"], DAMAGES)
    table("writer", lambda r: r["writer"], WRITER_NAMES)
    clear = [r for r in results if r["style"] in CLEAR_STYLES]
    if clear:
        c = collections.Counter(r["verdict"] for r in clear)
        print(f"\nclear fills ({', '.join(CLEAR_STYLES)}; every writer and tool): {len(clear)}, "
              f"read right {c['right'] / len(clear):.1%}, flagged {c['flagged'] / len(clear):.1%}, "
              f"silently wrong {(c['wrong-empty'] + c['wrong-other']) / len(clear):.1%}")
    wrong = [r for r in results if r["verdict"].startswith("wrong")]
    if wrong:
        print("\nsilently wrong (style / damage / writer: count):")
        for (s, d, w), n in sorted(collections.Counter((r["style"], r["damage"], r["writer"]) for r in wrong).items()):
            print(f"  {s} / {d} / {w}: {n}")
        print("\nsilently wrong, each (file, id, question, style, damage, dpi, writer, meant -> read):")
        for r in wrong:
            notes = f" [{', '.join(r['notes'])}]" if r["notes"] else ""
            dpi = r["dpi"] if r["dpi"] == "photo" else f"{r['dpi']} dpi"
            print(f"  {r['file']} {r['id']} q{r['q']}: {r['style']} / {r['damage']} / {dpi} / "
                  f"{r['writer']}: meant {r['truth'] or '(nothing)'} -> read {r['read'] or '(nothing)'}{notes}")


def save_cases(wrong, jobs, by_index, args):
    """A 3x close-up of every silently-wrong question, from the damaged page at 300 dpi before it was
    captured (turned, cropped, photographed or resampled), described in cases.txt."""
    os.makedirs(args.cases, exist_ok=True)
    index = []
    remade = {}
    for r in wrong:
        job = jobs[r["index"]]
        p = by_index[r["index"]]
        name = f"seed{args.seed}-p{r['index'] + 1:03d}-q{r['q']}-{r['style']}-{r['damage']}"
        notes = f" [{', '.join(r['notes'])}]" if r["notes"] else ""
        detail = f" ({r['detail']})" if r["detail"] else ""
        index.append(f"{name}-crop.png: {r['file']} ({r['id']}) question {r['q']}, {r['style']}, {r['damage']}{detail}, "
                     f"{r['writer']}: meant {r['truth'] or '(nothing)'}, read {r['read'] or '(nothing)'}{notes}\n")
        if r["index"] not in remade:
            if p["flat"] and os.path.exists(p["flat"]):
                remade[r["index"]] = Image.open(p["flat"]).convert("RGB")
            else:  # --keep was not given and the page was cleaned up: mark it again (it is seeded)
                page, truth, rng = plan_page(dict(job))
                remade[r["index"]] = scan_page(page, rng, dict(job), truth)[2].convert("RGB")
        img = remade[r["index"]]
        answers, _, _ = sheet_boxes(job["sheet"])
        boxes = list(answers[r["q"]].values())
        k = DPI / 25.4
        x0 = int((min(b[0] for b in boxes) - 10) * k); x1 = int((max(b[0] + b[2] for b in boxes) + 8) * k)
        y0 = int((min(b[1] for b in boxes) - 4) * k); y1 = int((max(b[1] + b[3] for b in boxes) + 4) * k)
        crop = img.crop((max(0, x0), max(0, y0), x1, y1))
        crop.resize((crop.width * 3, crop.height * 3), Image.NEAREST).save(
            os.path.join(args.cases, name + "-crop.png"))
    with open(os.path.join(args.cases, "cases.txt"), "w", encoding="utf-8") as f:
        f.writelines(index)
    print(f"\nclose-ups of the {len(wrong)} silently-wrong marks in {args.cases}/ (cases.txt describes each)")


if __name__ == "__main__":
    main()
