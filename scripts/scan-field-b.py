#!/usr/bin/env python3
"""A second field check of `examgen scan`, with other hands and other damages than scan-field.py.

scripts/scan-field.py has been the yardstick for several rounds of scanner work, so the scanner is now tuned
to its fabricator and it no longer shows blind spots. This check draws every mark its own way (a paper-tooth
pencil model, blue ballpoint and black gel pen in colour, strokes rasterised as capsules, not PIL lines) and
adds hands and damages scan-field.py never makes: dashes, small ticks inside the box, checks with a long flat
arm, looped circles, zig-zags, fills around the printed letter, fills cancelled with a cross, letters written
by hand; fit-to-page printing, faded toner, a copier-glass streak, a shadow over a phone photo, coloured
paper, a folded and crumpled sheet, 200 dpi 1-bit scans, upside-down pages, and a duplex copier stack in
random order with a blank back after every sheet. See benches/README.md, "A second field check".

Only the plumbing (the batch, the manifest's bubble boxes, running `examgen scan`, the verdicts and the
table layout) follows scan-field.py, so that the numbers of the two checks compare.

Usage: scripts/scan-field-b.py [--seed N] [--pages N] [--examgen PATH] [--cases DIR] [--keep DIR] [--jobs N]
                               [--results FILE]   (every mark's verdict as JSON lines, as scan-field.py writes them)
Exit status: 0 when no mark was silently wrong, 1 when one was, 2 when the check itself could not run.
Needs python3 with Pillow and numpy, poppler-utils (pdftoppm, pdftotext), qpdf and a built examgen.
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
    from PIL import Image, ImageFilter, ImageOps
except ImportError as err:  # a clear message instead of a traceback
    print(f"scan-field-b.py needs Pillow and numpy ({err}); install them with `pip install pillow numpy`",
          file=sys.stderr)
    sys.exit(2)


def fail(message):
    """The check itself could not run: exit 2, apart from 1 (a mark silently wrong)."""
    print(f"scan-field-b.py: {message}", file=sys.stderr)
    sys.exit(2)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROSTER = os.path.join(REPO, "benches", "fixtures", "class-40.csv")
DPI = 300  # the sheets are rendered (and marked) at this; scans come out at 300 or, bilevel, 200

# ---------------------------------------------------------------------------------------------------------
# Hands. A style is what the student drew on a question; the truth says what they meant. Styles whose
# truth is "no letter": `cancel` (a fill crossed out: "not this one"), `written` (the letter written by
# hand beside the question number, no mark in the grid) and `blank`. For those a `?` is a flag, nothing is
# right, and any letter read is wrong:other — a crossed-out letter must never be read silently.
# ---------------------------------------------------------------------------------------------------------

STYLES = ["fill", "fill-letter", "hatch", "dash", "tick-small", "check-long", "loops", "zigzag",
          "cancel", "cancel-refill", "written", "blank"]
CLEAR_STYLES = ["fill", "fill-letter"]
DAMAGES = ["clean", "fit-to-page", "faded-toner", "streak", "phone-shadow", "tint", "fold", "bilevel200",
           "upside-down"]


class Tool:
    """A writing tool. `sat` is the colour (reflectance per RGB channel) of the ink where it covers fully;
    `k` the ink density one pass lays down at full pressure; graphite catches on the paper's tooth."""

    def __init__(self, name, sat, k, width_mm, graphite, aa_px, skips=0.0):
        self.name, self.sat, self.k, self.width_mm = name, np.array(sat, np.float32), k, width_mm
        self.graphite, self.aa_px, self.skips = graphite, aa_px, skips


def make_tool(kind, rng):
    if kind == "2B":  # soft lead: dark (grey ~70 where burnished), wide, grainy
        return Tool("2B", (0.25, 0.26, 0.29), 1.5, rng.uniform(0.6, 0.9), True, 1.6)
    if kind == "HB":  # harder lead: greyer and shinier, never much darker than grey ~120
        return Tool("HB", (0.44, 0.45, 0.48), 1.2, rng.uniform(0.5, 0.75), True, 1.3)
    if kind == "mech":  # a 0.5 mm mechanical pencil (HB): thin even lines
        return Tool("mech", (0.42, 0.43, 0.46), 1.3, rng.uniform(0.45, 0.55), True, 0.9)
    if kind == "ball":  # blue ballpoint: thin, bluish, grey ~110-150 once read as grey; skips now and then
        return Tool("ball", (0.30, 0.38, 0.82), 2.0, rng.uniform(0.28, 0.4), False, 0.8, skips=0.35)
    if kind == "gel":  # black gel pen (中性笔): even 0.5 mm strokes, nearly black, crisp edges
        return Tool("gel", (0.08, 0.08, 0.10), 4.0, rng.uniform(0.45, 0.55), False, 0.5)
    raise ValueError(kind)


# Per-writer tool, pressure (pencils), fill technique, habits (the styles one page leans on) and neatness
# (mm of wander). Not scan-field.py's normal/heavy/faint: these are tools and techniques.
WRITERS = {
    "2B-scrub": dict(tool="2B", pressure=(0.75, 1.0), fill="scrub", habits=["fill", "fill-letter", "loops", "dash"],
                     wander=0.25),
    "HB-light": dict(tool="HB", pressure=(0.5, 0.75), fill="diagonal", habits=["fill", "zigzag", "tick-small"],
                     wander=0.2),
    "mech-0.5": dict(tool="mech", pressure=(0.6, 0.9), fill="hatch", habits=["hatch", "dash", "tick-small", "fill"],
                     wander=0.15),
    "blue-ball": dict(tool="ball", pressure=(0.8, 1.0), fill="pen", habits=["fill", "check-long", "tick-small", "loops"],
                      wander=0.25),
    "black-gel": dict(tool="gel", pressure=(0.9, 1.0), fill="pen", habits=["fill", "dash", "zigzag", "tick-small"],
                      wander=0.2),
    "lefty": dict(tool="2B", pressure=(0.7, 0.95), fill="diagonal-left", habits=["fill", "zigzag", "fill-letter"],
                  wander=0.3, smear=True),
    "hasty": dict(tool="2B", pressure=(0.6, 0.9), fill="partial", habits=["zigzag", "dash", "check-long", "fill"],
                  wander=0.6),
}
WRITER_NAMES = list(WRITERS)


class Page:
    """A printed sheet being marked, as RGB uint8; ink is laid as density on a local patch per mark and
    multiplied in (reflectance 1 - (1 - sat)(1 - e^-D)), so passes darken towards the ink's own colour."""

    def __init__(self, rgb, rng):
        self.rgb = rgb
        self.rng = rng
        H, W, _ = rgb.shape
        self.H, self.W = H, W
        # the paper's tooth, a 512 px tile: fibres run a little along x, which is how graphite catches
        noise = Image.fromarray((rng.random((512, 512)) * 255).astype(np.uint8))
        t = np.asarray(noise.filter(ImageFilter.GaussianBlur(0.8)).filter(ImageFilter.BoxBlur(1)), np.float32)
        t = np.roll(t, 1, axis=1) * 0.5 + t * 0.5
        self.tooth = (t - t.mean()) / (t.std() + 1e-6)
        skip = Image.fromarray((rng.random((512, 512)) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2.5))
        s = np.asarray(skip, np.float32)
        self.skip = (s - s.mean()) / (s.std() + 1e-6)

    @staticmethod
    def px(mm):
        return mm * DPI / 25.4


class Mark:
    """One mark's ink, on a patch around a region (mm) of the page."""

    def __init__(self, page, region, tool, pressure):
        x0, y0, x1, y1 = region
        self.page, self.tool, self.pressure = page, tool, pressure
        self.x0 = max(0, int(page.px(x0)) - 4)
        self.y0 = max(0, int(page.px(y0)) - 4)
        self.x1 = min(page.W, int(page.px(x1)) + 5)
        self.y1 = min(page.H, int(page.px(y1)) + 5)
        self.D = np.zeros((max(1, self.y1 - self.y0), max(1, self.x1 - self.x0)), np.float32)
        ys = np.arange(self.y0, self.y1)
        xs = np.arange(self.x0, self.x1)
        self.tooth = page.tooth[ys[:, None] % 512, xs[None, :] % 512]
        self.skip = page.skip[ys[:, None] % 512, xs[None, :] % 512]

    def stroke(self, pts_mm, pressure=1.0, width_mm=None):
        """One pass of the tool along a polyline: coverage is the max over its segments (a pass does not
        darken itself where its segments meet), passes add density."""
        if self.D.size <= 1:
            return
        tool = self.tool
        r = Page.px(width_mm or tool.width_mm) / 2
        p = np.array([(Page.px(x) - self.x0, Page.px(y) - self.y0) for x, y in pts_mm], np.float32)
        if len(p) == 1:
            p = np.vstack([p, p + 0.01])
        a, b = p[:-1], p[1:]
        lo = np.floor(np.minimum(a, b).min(axis=0) - r - 2).astype(int)
        hi = np.ceil(np.maximum(a, b).max(axis=0) + r + 2).astype(int)
        h, w = self.D.shape
        X0, Y0 = max(0, lo[0]), max(0, lo[1])
        X1, Y1 = min(w, hi[0]), min(h, hi[1])
        if X1 <= X0 or Y1 <= Y0:
            return
        gx = np.arange(X0, X1, dtype=np.float32)[None, :, None]
        gy = np.arange(Y0, Y1, dtype=np.float32)[:, None, None]
        ab = b - a
        L2 = np.maximum((ab ** 2).sum(axis=1), 1e-6)
        t = ((gx - a[:, 0]) * ab[:, 0] + (gy - a[:, 1]) * ab[:, 1]) / L2
        t = np.clip(t, 0, 1)
        dx = gx - (a[:, 0] + t * ab[:, 0])
        dy = gy - (a[:, 1] + t * ab[:, 1])
        d = np.sqrt(dx * dx + dy * dy).min(axis=2)
        cov = np.clip((r - d) / tool.aa_px + 0.5, 0, 1)
        pr = max(0.05, min(1.0, pressure * self.pressure))
        if tool.graphite:
            # the lead touches only the tooth's peaks when pressed lightly, nearly all of it when pressed hard
            tooth = self.tooth[Y0:Y1, X0:X1]
            dep = 1 / (1 + np.exp(-1.8 * (tooth + pr * 3.2 - 1.3)))
            self.D[Y0:Y1, X0:X1] += tool.k * pr * cov * dep
        else:
            ink = cov
            if tool.skips:
                ink = ink * (1 - tool.skips * (self.skip[Y0:Y1, X0:X1] > 1.3))
            self.D[Y0:Y1, X0:X1] += tool.k * pr * ink

    def clear_ellipse(self, cx, cy, rx, ry):
        """Leaves an ellipse (mm) bare: the printed letter left showing through a fill."""
        gy, gx = np.mgrid[self.y0:self.y1, self.x0:self.x1].astype(np.float32)
        e = ((gx - Page.px(cx)) / Page.px(rx)) ** 2 + ((gy - Page.px(cy)) / Page.px(ry)) ** 2
        self.D *= np.clip((e - 1) * 3, 0, 1)

    def smear_right(self, rng):
        """A left-handed writer's hand drags over the mark: graphite carried 1.5-5 mm to the right, light."""
        if not self.tool.graphite:
            return
        shift = int(Page.px(rng.uniform(1.5, 5)))
        pad = np.zeros((self.D.shape[0], shift), np.float32)
        wide = np.hstack([self.D, pad])
        img = Image.fromarray(np.clip(wide * 80, 0, 255).astype(np.uint8))
        blur = np.asarray(img.filter(ImageFilter.BoxBlur(max(2, shift // 2))), np.float32) / 80
        moved = np.roll(blur, shift // 2, axis=1)
        # the mark's patch grows to the right to hold the smear
        x1 = min(self.page.W, self.x1 + shift)
        extra = x1 - self.x1
        self.D = np.hstack([self.D, np.zeros((self.D.shape[0], extra), np.float32)])
        self.D += moved[:, :self.D.shape[1]] * rng.uniform(0.08, 0.18)
        self.x1 = x1

    def commit(self):
        a = 1 - np.exp(-self.D)
        region = self.page.rgb[self.y0:self.y1, self.x0:self.x1].astype(np.float32)
        refl = 1 - a[:, :, None] * (1 - self.tool.sat[None, None, :])
        self.page.rgb[self.y0:self.y1, self.x0:self.x1] = np.clip(region * refl + 0.5, 0, 255).astype(np.uint8)


def J(rng, s):
    return rng.uniform(-s, s)


def lines_in_rect(rect, angle, spacing, rng, overshoot=0.0):
    """Chords of the rectangle (mm) along `angle`, `spacing` apart, each as a 2-point leg, in order."""
    x, y, w, h = rect
    c, s = math.cos(angle), math.sin(angle)
    nx, ny = -s, c
    cx, cy = x + w / 2, y + h / 2
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    offs = [(px - cx) * nx + (py - cy) * ny for px, py in corners]
    legs = []
    o = min(offs) + spacing * rng.uniform(0.2, 0.6)
    while o < max(offs):
        # the line through (cx + o n) along (c, s), clipped to the rectangle (Liang-Barsky)
        ox, oy = cx + o * nx, cy + o * ny
        t0, t1 = -1e9, 1e9
        for p, q in ((-c, ox - x), (c, x + w - ox), (-s, oy - y), (s, y + h - oy)):
            if abs(p) < 1e-9:
                if q < 0:
                    t0, t1 = 1, 0
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
        if t1 > t0:
            e0, e1 = t0 - overshoot * rng.random(), t1 + overshoot * rng.random()
            legs.append([(ox + e0 * c, oy + e0 * s), (ox + e1 * c, oy + e1 * s)])
        o += spacing * rng.uniform(0.85, 1.15)
    return legs


def fill_box(m, rng, box, how, wander):
    """A fill of the box (mm) by technique `how`."""
    x, y, w, h = box
    ins = 0.2
    rect = (x + ins + J(rng, wander * 0.3), y + ins + J(rng, wander * 0.3), w - 2 * ins, h - 2 * ins)
    width = m.tool.width_mm
    if how == "scrub":
        # small overlapping circles worked along the box, two rows, as a 2B is rubbed in
        rx, ry, rw, rh = rect
        r = min(rh / 3, rng.uniform(0.7, 1.0))
        for row in range(2 if rh > 2.2 else 1):
            cy = ry + rh * (0.3 if row == 0 else 0.7) if rh > 2.2 else ry + rh / 2
            pts = []
            n = int(rng.uniform(10, 14) * rw / 5)
            for i in range(n * 12 + 1):
                t = i / 12 * 2 * math.pi
                cx = rx + r + (rw - 2 * r) * i / (n * 12)
                pts.append((cx + r * math.cos(t), cy + r * 1.1 * math.sin(t)))
            m.stroke(pts, rng.uniform(0.85, 1.0))
    elif how in ("diagonal", "diagonal-left", "partial"):
        ang = rng.uniform(0.5, 1.0) * (1 if how != "diagonal-left" else -1)
        legs = lines_in_rect(rect, ang, width * rng.uniform(0.55, 0.75), rng, overshoot=0.3 + wander * 0.4)
        if how == "partial":  # a hasty fill stops short: 65-90 % of the box from one side
            keep = rng.uniform(0.65, 0.9)
            legs = legs[:max(2, int(len(legs) * keep))] if rng.random() < 0.5 else legs[-max(2, int(len(legs) * keep)):]
        for leg in legs:
            m.stroke(leg, rng.uniform(0.8, 1.0))
    elif how == "hatch":  # thin parallel strokes, gaps between them
        for leg in lines_in_rect(rect, rng.uniform(0.6, 1.0), rng.uniform(0.55, 0.8), rng, overshoot=0.2):
            m.stroke(leg, rng.uniform(0.85, 1.0))
    elif how == "pen":  # a pen fills with a tight scribble, one continuous line
        legs = lines_in_rect(rect, J(rng, 0.25), width * rng.uniform(0.7, 1.0), rng, overshoot=0.15)
        pts = []
        for i, leg in enumerate(legs):
            pts += leg if i % 2 == 0 else leg[::-1]
        m.stroke(pts)
        if rng.random() < 0.6:  # a second scribble across the first
            legs = lines_in_rect(rect, math.pi / 2 + J(rng, 0.3), width * 1.2, rng)
            pts = []
            for i, leg in enumerate(legs):
                pts += leg if i % 2 == 0 else leg[::-1]
            m.stroke(pts)
    else:
        raise ValueError(how)


def bezier(p0, p1, p2, n=12):
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1]) for t in np.linspace(0, 1, n)]


LETTER_STROKES = {  # in a unit box, y down
    "A": [[(0, 1), (0.5, 0), (1, 1)], [(0.22, 0.62), (0.78, 0.62)]],
    "B": [[(0, 0), (0, 1)], [(0, 0), (0.6, 0), (0.82, 0.12), (0.82, 0.35), (0.6, 0.48), (0, 0.48)],
          [(0, 0.48), (0.7, 0.48), (0.95, 0.62), (0.95, 0.86), (0.7, 1), (0, 1)]],
    "C": [[(0.55 + 0.48 * math.cos(t), 0.5 + 0.5 * math.sin(t)) for t in np.linspace(-0.8, -2 * math.pi + 0.8, 14)]],
    "D": [[(0, 0), (0, 1)], [(0, 0), (0.5, 0), (0.88, 0.22), (0.96, 0.5), (0.88, 0.78), (0.5, 1), (0, 1)]],
    "E": [[(0.9, 0), (0, 0), (0, 1), (0.9, 1)], [(0, 0.5), (0.7, 0.5)]],
}


def draw_style(page, rng, style, box, writer, tool, pressure, region):
    """Draws one mark of `style` on the box (page mm); returns the Mark (committed)."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    wander = writer["wander"]
    m = Mark(page, region, tool, pressure)
    if style in ("fill", "cancel"):
        fill_box(m, rng, box, writer["fill"], wander)
    elif style == "fill-letter":
        # filled round the printed letter, which stays readable: what a careful student does
        fill_box(m, rng, box, writer["fill"] if writer["fill"] != "partial" else "diagonal", wander)
        m.clear_ellipse(cx + J(rng, 0.15), cy + J(rng, 0.1), rng.uniform(0.85, 1.1), rng.uniform(1.05, 1.3))
    elif style == "hatch":
        fill_box(m, rng, box, "hatch", wander)
    elif style == "dash":
        L = w * rng.uniform(0.4, 0.75)
        ox, oy = cx + J(rng, 0.6 + wander), cy + J(rng, 0.35 + wander * 0.3)
        ang = J(rng, 0.12)
        p0 = (ox - L / 2 * math.cos(ang), oy - L / 2 * math.sin(ang))
        p1 = (ox + L / 2 * math.cos(ang), oy + L / 2 * math.sin(ang))
        m.stroke([p0, (ox, oy + J(rng, 0.08)), p1])
        if rng.random() < 0.4:  # pressed twice
            m.stroke([p1, p0], rng.uniform(0.6, 1.0))
    elif style == "tick-small":
        s = rng.uniform(2.0, 2.8)  # wholly inside the 5 x 3.2 mm box
        ox, oy = cx + J(rng, 0.5 + wander * 0.3), cy + J(rng, 0.2)
        p0 = (ox - 0.45 * s, oy - 0.05 * s)
        v = (ox - 0.12 * s, oy + 0.38 * s)
        p2 = (ox + 0.5 * s, oy - 0.48 * s)
        m.stroke(bezier(p0, (ox - 0.3 * s, oy + 0.25 * s), v, 6) + bezier(v, (ox + 0.1 * s, oy - 0.1 * s), p2, 8)[1:])
    elif style == "check-long":
        # drawn left to right: a short dip into the box, then a long flat arm far to the right
        sx, sy = x + w * rng.uniform(0.1, 0.35), cy + J(rng, 0.5)
        v = (sx + rng.uniform(0.6, 1.2), y + h * rng.uniform(0.65, 0.95))
        L = rng.uniform(7, 14)
        rise = math.radians(rng.uniform(6, 18))
        end = (v[0] + L * math.cos(rise), v[1] - L * math.sin(rise))
        mid = (v[0] + L * 0.5 * math.cos(rise), v[1] - L * 0.5 * math.sin(rise) - rng.uniform(0, 0.5))
        m.stroke(bezier((sx, sy), (sx + 0.2, v[1]), v, 6) + bezier(v, mid, end, 14)[1:])
    elif style == "loops":
        n = int(rng.integers(2, 4))
        mx, my = rng.uniform(0.35, 0.9), rng.uniform(0.3, 0.75)
        ox, oy = cx + J(rng, 0.3), cy + J(rng, 0.2)
        start = rng.uniform(0, 2 * math.pi)
        pts = []
        steps = 40 * n
        for i in range(steps + 1):
            t = start + 2 * math.pi * n * i / steps
            dx = (i / steps - 0.5) * 0.9  # each loop a little to the right of the last
            pts.append((ox + dx + (w / 2 + mx) * math.cos(t), oy + (h / 2 + my) * math.sin(t) + J(rng, 0.05)))
        m.stroke(pts)
    elif style == "zigzag":
        cover = rng.uniform(0.5, 1.0)
        teeth = int(rng.integers(3, 7))
        x0 = x + 0.3 + (w - 0.6) * (1 - cover) * rng.random()
        span = (w - 0.6) * cover
        amp = h * rng.uniform(0.6, 0.9)
        pts = []
        for i in range(2 * teeth + 1):
            pts.append((x0 + span * i / (2 * teeth) + J(rng, 0.1),
                        cy + (amp / 2 if i % 2 else -amp / 2) + J(rng, 0.15)))
        m.stroke(pts)
    else:
        raise ValueError(style)
    if style == "cancel":
        # the fill crossed out: a big × corner to corner, past the box by about a millimetre, pressed hard
        # (inside a dark fill the cross hardly shows; its arms outside the box do)
        s = math.hypot(w, h) + rng.uniform(1.2, 2.6)
        for sign in (1, -1):
            a = math.atan2(h, w) * sign + J(rng, 0.15)
            p0 = (cx - s / 2 * math.cos(a), cy - s / 2 * math.sin(a))
            p1 = (cx + s / 2 * math.cos(a), cy + s / 2 * math.sin(a))
            m.stroke([p0, p1], 1.0 / max(pressure, 0.05), width_mm=tool.width_mm * 1.1)
    if writer.get("smear"):
        m.smear_right(rng)
    m.commit()
    return m


def write_letter(page, rng, letter, at, tool, pressure, region):
    """A capital written by hand with its top-left corner at `at` (mm), slanted, 2.4-3.2 mm tall."""
    hgt = rng.uniform(2.4, 3.2)
    wid = hgt * rng.uniform(0.6, 0.8)
    shear = rng.uniform(0.05, 0.25)
    m = Mark(page, region, tool, pressure)
    for s in LETTER_STROKES[letter]:
        m.stroke([(at[0] + (u + shear * (1 - v)) * wid + J(rng, 0.08), at[1] + v * hgt + J(rng, 0.08)) for u, v in s],
                 rng.uniform(0.8, 1.0), width_mm=tool.width_mm * 0.8)
    m.commit()


# ---------------------------------------------------------------------------------------------------------
# One page: print, mark, truth. Runs in worker processes; everything is seeded by (seed, page number).
# ---------------------------------------------------------------------------------------------------------

def sheet_boxes(sheet):
    """manifest.json bubbles by kind (as scan-field.py reads them): answers[q][letter], ids[col][digit],
    variant[letter], each (x, y, w, h) mm from the top-left corner."""
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


def print_page(job, rng):
    """The sheet as printed: `fit-to-page` scales it about the centre, `faded-toner` prints it light grey,
    `tint` is coloured paper. Returns (RGB page, mm -> printed mm, paper colour)."""
    gray = Image.open(job["render"]).convert("L")
    sheet = job["sheet"]
    pw, ph = sheet["page_width_mm"], sheet["page_height_mm"]
    s = 1.0
    if job["damage"] == "fit-to-page":
        s = rng.uniform(0.93, 0.97)
        job["detail"] = f"printed at {s:.1%}"
        W, H = gray.size
        # output (u, v) shows input c + (u - c) / s
        gray = gray.transform(gray.size, Image.AFFINE, (1 / s, 0, W / 2 * (1 - 1 / s), 0, 1 / s, H / 2 * (1 - 1 / s)),
                              resample=Image.BILINEAR, fillcolor=255)
    g = np.asarray(gray, np.float32)
    if job["damage"] == "faded-toner":
        # toner running out: black prints grey 120-175, a little uneven down the page
        f = rng.uniform(0.32, 0.53)
        job["detail"] = f"black printed as grey {255 * (1 - f):.0f}"
        band = 1 + 0.12 * np.sin(np.linspace(0, rng.uniform(2, 6), g.shape[0]) + rng.uniform(0, 6))[:, None]
        g = 255 - (255 - g) * np.clip(f * band, 0, 1)
    rgb = np.repeat(np.clip(g + 0.5, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    paper = np.ones(3, np.float32)
    if job["damage"] == "tint":
        k = int(rng.integers(4))
        paper = np.array([(1.0, 0.93, 0.70), (0.98, 0.82, 0.86), (0.80, 0.95, 0.80), (0.78, 0.88, 1.0)][k], np.float32)
        job["detail"] = ["yellow", "pink", "green", "blue"][k] + " paper"
    tf = lambda bx: (pw / 2 + s * (bx[0] - pw / 2), ph / 2 + s * (bx[1] - ph / 2), bx[2] * s, bx[3] * s)
    return rgb, tf, paper, s


def luma(rgb):
    """Grey as a scanner in grey mode reads colour (ITU-R 601), in float32 without a float copy of the page."""
    out = rgb[..., 0].astype(np.float32) * 0.299
    out += rgb[..., 1].astype(np.float32) * 0.587
    out += rgb[..., 2].astype(np.float32) * 0.114
    return out


def plan_page(job):
    """Prints and marks a page; returns (marked RGB, truth per question, rng, geometry)."""
    rng = np.random.default_rng([job["seed"], job["index"], 7])
    rgb, tf, paper, scale = print_page(job, rng)
    page = Page(rgb, rng)
    sheet = job["sheet"]
    answers, ids, variant = sheet_boxes(sheet)
    writer = WRITERS[job["writer"]]
    tool = make_tool(writer["tool"], rng)
    pressure = rng.uniform(*writer["pressure"])
    habit = job["habit"]

    def region(boxes, extra_left=0.0):
        xs = [b[0] for b in boxes] + [b[0] + b[2] for b in boxes]
        ys = [b[1] for b in boxes] + [b[1] + b[3] for b in boxes]
        return (min(xs) - 3.5 - extra_left, min(ys) - 3, max(xs) + 16, max(ys) + 3)

    # identity filled firmly with the writer's own tool (a pen writer fills the id grid in pen too)
    neat = dict(writer, wander=0.1, smear=False, fill=writer["fill"] if writer["fill"] != "partial" else "diagonal")
    for col, digit in enumerate(job["id"]):
        if col in ids:
            b = tf(ids[col][int(digit)])
            draw_style(page, rng, "fill", b, neat, tool, max(pressure, 0.85), region([b]))
    if job.get("variant") and job["variant"] in variant:
        b = tf(variant[job["variant"]])
        draw_style(page, rng, "fill", b, neat, tool, max(pressure, 0.85), region([b]))
    kinds = {q["number"]: q["kind"] for q in sheet["questions"]}
    printed = page.rgb.copy()  # the printed page, before any answer mark
    truth = []
    for q in sorted(answers):
        options = sorted(answers[q])
        boxes = {o: tf(answers[q][o]) for o in options}
        roll = rng.random()
        if roll < 0.55:
            style = habit
        elif roll < 0.63:
            style = "blank"
        else:
            style = STYLES[int(rng.integers(len(STYLES)))]
        reg = region(list(boxes.values()), extra_left=8)
        snap = {o: luma(page.rgb[cell_slice(b)]) for o, b in boxes.items()}
        notes = []
        letters = ""
        if style == "blank":
            pass
        elif style == "written":
            letter = options[int(rng.integers(len(options)))]
            first = boxes[options[0]]
            if rng.random() < 0.6:  # left of the printed question number
                at = (first[0] - rng.uniform(6.5, 8.5), first[1] - rng.uniform(0.0, 0.6))
            else:  # in the gap right of the last box
                last = boxes[options[-1]]
                at = (last[0] + last[2] + rng.uniform(0.4, 1.0), last[1] - rng.uniform(0.0, 0.5))
            write_letter(page, rng, letter, at, tool, pressure, reg)
            notes.append(f"wrote {letter}")
        elif style in ("cancel", "cancel-refill"):
            crossed = options[int(rng.integers(len(options)))]
            draw_style(page, rng, "cancel", boxes[crossed], writer, tool, pressure, reg)
            notes.append(f"crossed out {crossed}")
            if style == "cancel-refill":
                others = [o for o in options if o != crossed]
                letters = others[int(rng.integers(len(others)))]
                draw_style(page, rng, "fill", boxes[letters], writer, tool, pressure, reg)
        else:
            n = int(rng.integers(1, 4)) if kinds.get(q) == "multiple" else 1
            picks = sorted(rng.choice(len(options), n, replace=False))
            letters = "".join(options[i] for i in picks)
            for l in letters:
                draw_style(page, rng, style, boxes[l], writer, tool, pressure, reg)
        mine = {o: float(np.clip(snap[o] - luma(page.rgb[cell_slice(b)]), 0, 255).sum() / 255 * (25.4 / DPI) ** 2)
                for o, b in boxes.items()}
        truth.append({"q": q, "style": style, "truth": letters, "notes": notes, "boxes": boxes, "mine": mine})
    # each meant letter's own ink (mm² of black in grey): what the mark left in the box's cell
    mm2 = (25.4 / DPI) ** 2
    ink = lambda sl: float(np.clip(luma(printed[sl]) - luma(page.rgb[sl]), 0, 255).sum() / 255 * mm2)
    for t in truth:
        t["own"] = {o: ink(cell_slice(b)) for o, b in t["boxes"].items()}
        t["inside"] = {o: ink(interior_slice(b)) for o, b in t["boxes"].items()}
        t["faint"] = [l for l in t["truth"] if t["own"][l] < VISIBLE_MM2]
        spill = [o for o in t["boxes"] if o not in t["truth"] and t["inside"][o] >= SPILL_MM2]
        if spill:
            what = "ink" if t["style"] not in ("cancel", "cancel-refill") else "ink (crossed-out or not)"
            t["notes"].append(f"{what} inside " + "".join(spill) + "'s box")
        # another question's mark (a long check's arm, a smear) reaching into this question's cells
        others = [o for o in t["boxes"] if t["own"][o] - t["mine"][o] >= VISIBLE_MM2]
        if others:
            t["notes"].append("other questions' ink in " + "".join(others) + "'s cell")
    if paper is not None and (paper != 1).any():
        page.rgb[...] = np.clip(page.rgb.astype(np.float32) * paper + 0.5, 0, 255).astype(np.uint8)
    return page.rgb, truth, rng, scale, printed


# Ink in mm² of black: a meant letter with less than this is too faint to hold the reader to (as in
# scan-field.py); ink beyond SPILL_MM2 inside another option's box is named in the listing.
VISIBLE_MM2 = 0.3
SPILL_MM2 = 0.4
# On a 1-bit page, what the threshold left of a mark 2 px or more away from the print (an outline merely
# thickened is no mark to a person either): below this (about 19 pixels at 200 dpi) it is too faint.
BILEVEL_VISIBLE_MM2 = 0.3


def px(mm):
    return int(round(mm * DPI / 25.4))


def cell_slice(b):
    """A box and 0.55 mm round it (half the gap to its neighbours): a loop or a dash off-centre counts."""
    x, y, w, h = b
    return (slice(px(y - 0.6), px(y + h + 0.6)), slice(px(x - 0.55), px(x + w + 0.55)))


def interior_slice(b, inset=0.35):
    x, y, w, h = b
    return (slice(px(y + inset), px(y + h - inset)), slice(px(x + inset), px(x + w - inset)))


# ---------------------------------------------------------------------------------------------------------
# Damage: photometric first (same geometry as the marked page, so close-ups line up), then geometric.
# ---------------------------------------------------------------------------------------------------------

def scan_flat(rgb, rng, job, truth, printed):
    """The scan before any turning: a PIL image (L, RGB or 1-bit) and its dpi."""
    kind = job["damage"]
    if kind == "tint":
        return Image.fromarray(rgb, "RGB"), DPI  # coloured paper, scanned in colour
    if kind == "phone-shadow":
        return shadowed(rgb, rng, job), DPI  # then photograph()
    g = luma(rgb)
    if kind == "streak":
        # dirt on the copier glass: a thin dark line down the whole page, through a column of boxes
        # more often than not. It is not the student's ink: the truth stays what the student meant.
        H, W = g.shape
        if rng.random() < 0.7:
            t = truth[int(rng.integers(len(truth)))]
            o = sorted(t["boxes"])[int(rng.integers(len(t["boxes"])))]
            b = t["boxes"][o]
            x = px(b[0] + b[2] * rng.uniform(0.2, 0.8))
        else:
            x = int(rng.uniform(0.1, 0.9) * W)
        wpx = int(rng.integers(1, 5))
        dark = rng.uniform(0.15, 0.55)
        along = 1 + 0.15 * np.sin(np.linspace(0, rng.uniform(3, 12), H))[:, None]
        g[:, x:x + wpx] *= np.clip(dark * along, 0, 1)
        for t in truth:
            hit = [o for o, b in t["boxes"].items() if px(b[0]) <= x + wpx and x <= px(b[0] + b[2])]
            if hit:
                t["notes"].append("streak through " + "".join(hit))
        job["detail"] = f"streak at x {x * 25.4 / DPI:.1f} mm, {wpx} px, x{dark:.2f}"
    elif kind == "fold":
        g = fold(g, rng, truth, job)
    elif kind == "bilevel200":
        # a copier's 200 dpi black-and-white: resampled, then thresholded (no dither)
        img = Image.fromarray(np.clip(g + 0.5, 0, 255).astype(np.uint8))
        W, H = img.size
        small = img.resize((round(W * 200 / DPI), round(H * 200 / DPI)), Image.BILINEAR)
        level = rng.uniform(115, 160)
        job["detail"] = f"threshold {level:.0f}"
        bw = small.point(lambda v: 255 if v > level else 0).convert("1", dither=Image.Dither.NONE)
        # what the threshold kept of each meant mark: a mark it wiped out is lost before examgen sees the
        # page, so a reader leaving it out is "too faint", not wrong (the copier's fault, told apart)
        plain = Image.fromarray(np.clip(luma(printed) + 0.5, 0, 255).astype(np.uint8)).resize(small.size, Image.BILINEAR)
        before = Image.fromarray(((np.asarray(plain, np.float32) <= level) * 255).astype(np.uint8))
        # pencil against a printed outline only thickens it: count what lies 2 px or more off the print
        near = np.asarray(before.filter(ImageFilter.MaxFilter(5)), np.uint8) > 0
        after = ~np.asarray(bw, bool)
        k = 200 / DPI
        for t in truth:
            for l in t["truth"]:
                ys, xs = cell_slice(t["boxes"][l])
                sl = (slice(int(ys.start * k), int(ys.stop * k)), slice(int(xs.start * k), int(xs.stop * k)))
                kept = float((after[sl] & ~near[sl]).sum()) * (25.4 / 200) ** 2
                if kept < BILEVEL_VISIBLE_MM2 and l not in t["faint"]:
                    t["faint"].append(l)
                    t["notes"].append(f"{l} wiped out by the 1-bit threshold ({kept:.2f} mm² left)")
        return bw, 200
    if kind != "clean" and kind not in ("fit-to-page", "faded-toner", "upside-down", "streak", "fold"):
        raise ValueError(kind)
    noise = rng.standard_normal(g.shape, dtype=np.float32) * 1.5  # sensor noise
    return Image.fromarray(np.clip(g + noise + 0.5, 0, 255).astype(np.uint8)), DPI


def fold(g, rng, truth, job):
    """Folded in half to carry home, then crumpled a little: a crease with a light shadow on one side, the
    far half lifted a pixel or two, short creases and soft shading. Creases are not ink."""
    H, W = g.shape
    out = g.copy()
    if rng.random() < 0.7:  # across the page, often through a row of bubbles
        t = truth[int(rng.integers(len(truth)))]
        b = next(iter(t["boxes"].values()))
        yf = px(b[1] + b[3] * rng.uniform(0, 1)) if rng.random() < 0.6 else int(rng.uniform(0.35, 0.65) * H)
        job["detail"] = f"fold across at y {yf * 25.4 / DPI:.0f} mm"
        shift = int(rng.integers(1, 4))
        out[yf:] = np.vstack([out[yf:yf + 1].repeat(shift, 0), out[yf:H - shift]])[:H - yf]
        d = np.abs(np.arange(H, dtype=np.float32) - yf)[:, None]
        side = np.sign(np.arange(H) - yf)[:, None] * rng.choice([-1, 1])
        wid = px(rng.uniform(3, 9))
        shade = np.where(side > 0, 1 - rng.uniform(0.08, 0.16) * np.exp(-d / wid), 1 + 0.03 * np.exp(-d / wid))
        shade = shade * (1 - 0.22 * np.exp(-(d / 1.5) ** 2))
        out = out * shade
        for t in truth:
            hit = [o for o, b in t["boxes"].items() if px(b[1]) - 2 <= yf <= px(b[1] + b[3]) + 2]
            if hit:
                t["notes"].append("fold through " + "".join(hit))
    else:  # down the page
        xf = int(rng.uniform(0.4, 0.6) * W)
        job["detail"] = f"fold down at x {xf * 25.4 / DPI:.0f} mm"
        d = np.abs(np.arange(W, dtype=np.float32) - xf)[None, :]
        wid = px(rng.uniform(3, 9))
        side = np.sign(np.arange(W) - xf)[None, :]
        shade = np.where(side > 0, 1 - rng.uniform(0.08, 0.16) * np.exp(-d / wid), 1 + 0.03 * np.exp(-d / wid))
        out = out * shade * (1 - 0.22 * np.exp(-(d / 1.5) ** 2))
    # crumples: a few short creases at random angles, and a slow shading
    small = rng.standard_normal((12, 9)).astype(np.float32)
    slow = np.asarray(Image.fromarray(small).resize((W, H), Image.BICUBIC), np.float32)
    out = out * (1 + 0.025 * slow)
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = rng.uniform(0, W), rng.uniform(0, H)
        ang, L = rng.uniform(0, math.pi), rng.uniform(0.05, 0.25) * H
        n = int(L)
        xs = (x0 + np.cos(ang) * np.arange(n)).astype(int)
        ys = (y0 + np.sin(ang) * np.arange(n)).astype(int)
        ok = (xs >= 0) & (xs < W) & (ys >= 0) & (ys < H)
        out[ys[ok], xs[ok]] *= rng.uniform(0.8, 0.92)
    return out


def shadowed(rgb, rng, job):
    """The page as the phone sees it, before perspective: a shadow (a head or the phone) over part of it,
    warm light; blue ink stays blue."""
    H, W, _ = rgb.shape
    # the shadow: a soft-edged half-plane or blob over 20-45 % of the page, bluish (skylight fills it)
    gy, gx = np.mgrid[0:H // 8, 0:W // 8].astype(np.float32)
    gx, gy = gx / (W // 8), gy / (H // 8)
    ang = rng.uniform(0, 2 * math.pi)
    proj = (gx - 0.5) * math.cos(ang) + (gy - 0.5) * math.sin(ang)
    cut = np.quantile(proj, 1 - rng.uniform(0.2, 0.45))
    edge = rng.uniform(0.01, 0.05)
    if rng.random() < 0.4:  # a round shadow (a head) from one side
        cxs, cys = 0.5 + 0.5 * math.cos(ang), 0.5 + 0.5 * math.sin(ang)
        r = np.sqrt((gx - cxs) ** 2 + ((gy - cys) * H / W) ** 2)
        proj, cut = -r, -rng.uniform(0.35, 0.55)
    inside = 1 / (1 + np.exp(-(proj - cut) / edge))
    mask = np.asarray(Image.fromarray(inside.astype(np.float32)).resize((W, H), Image.BILINEAR), np.float32)
    depth = rng.uniform(0.35, 0.6)
    job["detail"] = f"shadow {float(mask.mean()):.0%} of the page, {depth:.0%} darker"
    tint = (0.92, 0.97, 1.06)
    warm = (1.0, rng.uniform(0.93, 0.97), rng.uniform(0.8, 0.9))  # warm white balance
    out = np.empty_like(rgb)
    for c in range(3):
        f = (1 - depth * mask) * (1 + (tint[c] - 1) * mask) * warm[c]
        out[..., c] = np.clip(rgb[..., c] * f + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "RGB")


def photograph(page, rng):
    """The shadowed page photographed: a little turned, in perspective, smaller than the frame, on a desk."""
    W, H = page.size
    # on the desk: turned, in perspective, smaller than the frame
    OW, OH = int(W * 1.1), int(H * 1.1)
    s = rng.uniform(0.86, 0.94) * min(OW / W, OH / H)
    rot = math.radians(J(rng, 4))
    c, sn = math.cos(rot), math.sin(rot)
    corners = [(-W / 2, -H / 2), (W / 2, -H / 2), (W / 2, H / 2), (-W / 2, H / 2)]
    squeeze = rng.uniform(0.02, 0.05)
    which = int(rng.integers(4))
    dst = []
    for i, (u, v) in enumerate(corners):
        k = 1 - squeeze if i in (which, (which + 1) % 4) else 1
        u, v = u * s * k, v * s * (1 if k == 1 else 1 - squeeze / 2)
        dst.append((OW / 2 + u * c - v * sn + J(rng, 8), OH / 2 + u * sn + v * c + J(rng, 8)))
    src = [(0, 0), (W, 0), (W, H), (0, H)]
    coeffs = perspective(dst, src)
    warped = page.transform((OW, OH), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    mask = Image.new("L", (W, H), 255).transform((OW, OH), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    desk = Image.new("RGB", (OW, OH), tuple(int(v) for v in rng.uniform(60, 140, 3)))
    desk.paste(warped, (0, 0), mask)
    desk = desk.filter(ImageFilter.BoxBlur(1))  # the lens and the phone's demosaicing soften it
    arr = np.asarray(desk).astype(np.int16)
    arr += (rng.standard_normal(arr.shape[:2], dtype=np.float32) * 2.5).astype(np.int16)[:, :, None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def perspective(dst, src):
    """PIL PERSPECTIVE data mapping output points dst[i] to input points src[i]."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y]); rhs.append(v)
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def back_page(front, rng):
    """The blank back of a sheet in a duplex stack: paper, noise and the front showing through, mirrored."""
    if front.mode == "1":
        return Image.new("1", front.size, 1)
    g = np.asarray(front.convert("L"), np.float32)
    through = 255 - (255 - g[:, ::-1]) * rng.uniform(0.03, 0.07)
    through += rng.standard_normal(g.shape, dtype=np.float32) * 1.5
    out = Image.fromarray(np.clip(through, 0, 255).astype(np.uint8))
    return out.convert(front.mode) if front.mode == "RGB" else out


def make_page(job):
    rgb, truth, rng, scale, printed = plan_page(job)
    flat, dpi = scan_flat(rgb, rng, job, truth, printed)
    del printed
    base = job["out_base"]
    if job["damage"] == "phone-shadow":
        path = base + ".jpg"
        photograph(flat, rng).save(path, quality=int(rng.integers(78, 92)))
    else:
        if job["damage"] == "upside-down":
            turn = 180 + J(rng, 0.4)
            job["detail"] = f"turned {turn:.1f}°"
            flat_img = flat.rotate(turn, resample=Image.BILINEAR, fillcolor=255)
        else:
            flat_img = flat
        # one PDF page per sheet, joined into the stack later; the scanner's dpi in the page size
        path = base + ".pdf"
        q = int(rng.integers(80, 92))
        jpeg = {} if flat_img.mode == "1" else {"quality": q}  # 1-bit pages go in as CCITT G4
        flat_img.save(path, resolution=dpi, **jpeg)
        back_page(flat_img, rng).save(base + "-back.pdf", resolution=dpi, **jpeg)
    flat_path = base + "-flat.bmp"  # for the close-ups: BMP, as PNG costs a third of a second a page
    flat.save(flat_path)
    for t in truth:
        del t["boxes"], t["mine"]
    return {"index": job["index"], "file": path, "dpi": dpi, "truth": truth, "flat": flat_path, "scale": scale,
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
    ap.add_argument("--cases", default="/tmp/fieldcheck-b-cases",
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
    work = args.keep or tempfile.mkdtemp(prefix="scan-field-b-")
    if args.keep and os.path.isdir(work) and os.listdir(work):
        if not os.path.exists(os.path.join(work, ".scan-field-b")):
            fail(f"--keep {work} is a folder with other files in it; give a new or empty folder")
        shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    open(os.path.join(work, ".scan-field-b"), "w").close()
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
            "habit": None, "out_base": os.path.join(scans, f"p{index + 1:03d}")}


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
    order = {"damage": balanced(len(DAMAGES)), "writer": balanced(len(WRITER_NAMES))}
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
    for j in jobs:  # each page leans on one of its writer's habits
        habits = WRITERS[j["writer"]]["habits"]
        j["habit"] = habits[int(np.random.default_rng([args.seed, j["index"], 3]).integers(len(habits)))]
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
    print(f"scan-field-b: seed {args.seed}, {npages} pages")
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
            print(f"  {r['file']} {r['id']} q{r['q']}: {r['style']} / {r['damage']} / {r['dpi']} dpi / "
                  f"{r['writer']}: meant {r['truth'] or '(nothing)'} -> read {r['read'] or '(nothing)'}{notes}")


def save_cases(wrong, jobs, by_index, args):
    """A 3x close-up of every silently-wrong question, from the scan before it was turned (the phone
    photo's page, shadow and all, before the desk), described in cases.txt."""
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
                remade[r["index"]] = Image.fromarray(plan_page(job)[0], "RGB")
        img = remade[r["index"]]
        answers, _, _ = sheet_boxes(job["sheet"])
        pw, ph = job["sheet"]["page_width_mm"], job["sheet"]["page_height_mm"]
        s = p["scale"]
        boxes = [(pw / 2 + s * (b[0] - pw / 2), ph / 2 + s * (b[1] - ph / 2), b[2] * s, b[3] * s)
                 for b in answers[r["q"]].values()]
        k = p["dpi"] / 25.4
        x0 = int((min(b[0] for b in boxes) - 10) * k); x1 = int((max(b[0] + b[2] for b in boxes) + 8) * k)
        y0 = int((min(b[1] for b in boxes) - 4) * k); y1 = int((max(b[1] + b[3] for b in boxes) + 4) * k)
        crop = img.crop((max(0, x0), max(0, y0), x1, y1))
        zoom = 3 * DPI / p["dpi"]  # 3x of a 300 dpi scan, the same size for a 200 dpi one
        crop.resize((int(crop.width * zoom), int(crop.height * zoom)), Image.NEAREST).save(
            os.path.join(args.cases, name + "-crop.png"))
    with open(os.path.join(args.cases, "cases.txt"), "w", encoding="utf-8") as f:
        f.writelines(index)
    print(f"\nclose-ups of the {len(wrong)} silently-wrong marks in {args.cases}/ (cases.txt describes each)")


if __name__ == "__main__":
    main()
