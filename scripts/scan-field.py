#!/usr/bin/env python3
"""Field check of `examgen scan`: marks examgen's own answer sheets the ways students do, damages them the
ways scanners and phones do, scans them and counts each mark read right, flagged `?` or silently wrong.

An independent check (#23): written from the issue and the printed sheet, not from examgen's fabricator
(src/input/scan/synth.rs) or the reader's rules, so the two do not share blind spots. See
benches/README.md, "Field check of the scanner", for what it draws and how to read the table.

Usage: scripts/scan-field.py [--seed N] [--pages N] [--dpi N] [--examgen PATH] [--cases DIR] [--keep DIR]
                             [--results FILE]   (every mark's verdict as JSON lines, for tables of your own)
Exit status: 0 when no mark was silently wrong, 1 when one was, 2 when the check itself could not run.
Needs python3 with Pillow and numpy, poppler-utils (pdftoppm, pdftotext) and a built examgen.
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
    from PIL import Image, ImageDraw, ImageFilter, ImageOps
except ImportError as err:  # a clear message instead of a traceback
    print(f"scan-field.py needs Pillow and numpy ({err}); install them with `pip install pillow numpy`",
          file=sys.stderr)
    sys.exit(2)

def fail(message):
    """The check itself could not run: exit 2, apart from 1 (a mark silently wrong)."""
    print(f"scan-field.py: {message}", file=sys.stderr)
    sys.exit(2)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROSTER = os.path.join(REPO, "benches", "fixtures", "class-40.csv")

# ---------------------------------------------------------------------------------------------------------
# How a student marks. Each style names what the student meant (the letters) and draws ink; `ink` says
# whether a reader that returns nothing has hidden a visible mark from the teacher.
# ---------------------------------------------------------------------------------------------------------

# Styles a question can be answered in. `blank` and `erased` mean "no answer"; `double` is two answers on
# a single-choice question; `stray` and `smudge` are marks that are not answers, near a question.
STYLES = [
    "fill", "fill-overrun", "fill-2B-light", "light", "half",
    "tick-pencil", "tick-pen", "cross-pencil", "cross-pen",
    "circle-tight", "circle-loose", "circle-open", "ellipse",
    "slash", "dot", "underline",
    "erased", "erased-refill", "double", "stray", "smudge", "blank",
]
# A page's habit: most students mark every answer the same way.
HABITS = ["fill", "fill", "fill-overrun", "tick-pencil", "cross-pen", "circle-tight", "circle-loose",
          "fill-2B-light", "light", "slash", "tick-pen", "fill"]
WRITERS = ["normal", "normal", "heavy", "faint"]
CLEAR_STYLES = ["fill", "fill-overrun", "fill-2B-light"]
DAMAGES = ["clean", "rotate", "phone-exif", "perspective", "jpeg60", "dpi150", "grey-bg"]


class Ink:
    """A writing tool: pencil (grainy, partly transparent) or ballpoint (thin, dark, even)."""

    def __init__(self, kind, pressure, width_mm):
        self.kind = kind
        self.pressure = max(0.03, min(1.0, pressure))
        self.width_mm = width_mm
        # darkness at full coverage: 2B graphite scans about grey 70-90, ballpoint about 40-60
        self.dmax = 0.70 if kind == "pencil" else 0.80
        self.grain = 0.4 if kind == "pencil" else 0.12


class Page:
    """A rendered sheet being marked: accumulates ink darkness in a float layer, in mm coordinates."""

    def __init__(self, gray, dpi, rng):
        self.gray = gray
        self.dpi = dpi
        self.rng = rng
        self.dark = np.zeros(gray.shape, np.float32)

    def px(self, mm):
        return mm * self.dpi / 25.4

    def _patch(self, pts_mm, pad_mm):
        xs = [p[0] for p in pts_mm]
        ys = [p[1] for p in pts_mm]
        x0 = max(0, int(self.px(min(xs) - pad_mm)))
        y0 = max(0, int(self.px(min(ys) - pad_mm)))
        x1 = min(self.gray.shape[1], int(self.px(max(xs) + pad_mm)) + 2)
        y1 = min(self.gray.shape[0], int(self.px(max(ys) + pad_mm)) + 2)
        return x0, y0, x1, y1

    def _texture(self, shape, ink):
        """Paper tooth catching graphite: blotchy noise around 1, plus a slow pressure gradient."""
        h, w = shape
        noise = self.rng.random((h, w), dtype=np.float32)
        img = Image.fromarray((noise * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.9))
        n = np.asarray(img, np.float32) / 255.0
        n = (n - n.mean()) / (n.std() + 1e-6)
        grain = np.clip(1.0 + ink.grain * 0.45 * n, 0.0, 1.3)
        gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
        ang = self.rng.uniform(0, 2 * math.pi)
        ramp = (gx * math.cos(ang) + gy * math.sin(ang)) / max(h, w, 1)
        uneven = 1.0 + self.rng.uniform(-0.25, 0.25) * (ramp - ramp.mean()) * 2
        return grain * uneven

    def _apply(self, x0, y0, mask, ink):
        a = mask * ink.pressure * self._texture(mask.shape, ink)
        a = np.clip(a, 0, 1) * ink.dmax
        region = self.dark[y0:y0 + mask.shape[0], x0:x0 + mask.shape[1]]
        region[...] = 1 - (1 - region) * (1 - a)

    def strokes(self, polylines, ink, pressures=None):
        """Draws polylines (lists of (x, y) mm); each may carry its own pressure factor."""
        pts = [p for line in polylines for p in line]
        x0, y0, x1, y1 = self._patch(pts, ink.width_mm + 1.0)
        if x1 <= x0 or y1 <= y0:
            return
        canvas = Image.new("L", (x1 - x0, y1 - y0), 0)
        d = ImageDraw.Draw(canvas)
        wpx = max(1, round(self.px(ink.width_mm)))
        for i, line in enumerate(polylines):
            level = 255 if pressures is None else int(255 * max(0.05, min(1.0, pressures[i])))
            xy = [(self.px(x) - x0, self.px(y) - y0) for x, y in line]
            if len(xy) == 1:
                r = wpx / 2
                d.ellipse((xy[0][0] - r, xy[0][1] - r, xy[0][0] + r, xy[0][1] + r), fill=level)
            else:
                d.line(xy, fill=level, width=wpx, joint="curve")
        canvas = canvas.filter(ImageFilter.GaussianBlur(0.35 * wpx / 2 + 0.3))
        mask = np.asarray(canvas, np.float32) / 255.0
        if ink.kind == "pen" and self.rng.random() < 0.5:  # a ballpoint skips now and then
            seeds = Image.fromarray(((self.rng.random(mask.shape) < 0.01) * 255).astype(np.uint8))
            skips = np.asarray(seeds.filter(ImageFilter.MaxFilter(5)), np.float32) / 255
            mask = mask * (1 - 0.6 * skips)
        self._apply(x0, y0, mask, ink)

    def blob(self, cx, cy, rx, ry, strength, ridges=False, angle=0.0):
        """A soft grey blob (a graphite thumb smudge): gaussian envelope, fingerprint ridges optional."""
        pad = max(rx, ry) * 1.6
        x0, y0, x1, y1 = self._patch([(cx - pad, cy - pad), (cx + pad, cy + pad)], 0)
        gy, gx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        X = gx * 25.4 / self.dpi - cx
        Y = gy * 25.4 / self.dpi - cy
        c, s = math.cos(angle), math.sin(angle)
        u, v = X * c + Y * s, -X * s + Y * c
        r2 = (u / rx) ** 2 + (v / ry) ** 2
        env = np.exp(-r2 * 1.6)
        if ridges:
            ring = np.sqrt((u / rx) ** 2 + (v / (ry * 1.1)) ** 2) * rx
            env = env * (0.55 + 0.45 * np.sin(2 * math.pi * ring / 0.48))
        noise = self.rng.random(env.shape, dtype=np.float32) * 0.3 + 0.85
        a = np.clip(env * strength * noise, 0, 1)
        region = self.dark[y0:y1, x0:x1]
        region[...] = 1 - (1 - region) * (1 - a)

    def erase(self, box, residue):
        """Rubs out the graphite over a box: leaves `residue` of it, smeared a little wider."""
        x, y, w, h = box
        x0, y0, x1, y1 = self._patch([(x, y), (x + w, y + h)], 1.2)
        region = self.dark[y0:y1, x0:x1]
        img = Image.fromarray((np.clip(region, 0, 1) * 255).astype(np.uint8))
        smear = np.asarray(img.filter(ImageFilter.BoxBlur(max(1, round(self.px(0.35))))), np.float32) / 255
        # eraser strokes leave streaks along their direction, and graphite smeared a little wider
        streak = 0.6 + 0.8 * self.rng.random((region.shape[0], 1), dtype=np.float32)
        if self.rng.random() < 0.5:
            streak = 0.6 + 0.8 * self.rng.random((1, region.shape[1]), dtype=np.float32)
        speckle = 0.7 + 0.6 * self.rng.random(region.shape, dtype=np.float32)
        region[...] = np.clip(smear * residue * streak * speckle, 0, 1)

    def finish(self):
        return np.clip(self.gray.astype(np.float32) * (1 - self.dark), 0, 255).astype(np.uint8)


def jitter(rng, s):
    return rng.uniform(-s, s)


def scribble_fill(page, rng, region, ink, sloppy=0.0):
    """Back-and-forth strokes covering a rectangle (mm), as a pencil fills a box."""
    x, y, w, h = region
    step = ink.width_mm * rng.uniform(0.55, 0.8)
    lines, pressures = [], []
    if rng.random() < 0.5:  # strokes across, moving down
        n = max(2, int(h / step) + 1)
        pts = []
        for i in range(n):
            yy = y + min(h, i * step) + jitter(rng, 0.08)
            l, r = x + jitter(rng, 0.25 + sloppy), x + w + jitter(rng, 0.25 + sloppy)
            pts += [(l, yy), (r, yy)] if i % 2 == 0 else [(r, yy), (l, yy)]
        lines.append(pts)
    else:  # strokes up and down, moving right
        n = max(2, int(w / step) + 1)
        pts = []
        for i in range(n):
            xx = x + min(w, i * step) + jitter(rng, 0.08)
            t, b = y + jitter(rng, 0.2 + sloppy), y + h + jitter(rng, 0.2 + sloppy)
            pts += [(xx, t), (xx, b)] if i % 2 == 0 else [(xx, b), (xx, t)]
        lines.append(pts)
    pressures.append(1.0)
    # a second, lighter pass over part of it: fills are uneven
    if rng.random() < 0.7:
        cx, cy = x + w * rng.uniform(0.2, 0.8), y + h * rng.uniform(0.2, 0.8)
        lines.append([(cx - w * 0.3, cy + jitter(rng, h * 0.3)), (cx + w * 0.3, cy + jitter(rng, h * 0.3)),
                      (cx - w * 0.2, cy + jitter(rng, h * 0.3))])
        pressures.append(rng.uniform(0.4, 0.8))
    page.strokes(lines, ink, pressures)


def rot(pts, cx, cy, ang):
    c, s = math.cos(ang), math.sin(ang)
    return [(cx + px * c - py * s, cy + px * s + py * c) for px, py in pts]


def ellipse_pts(rng, cx, cy, a, b, tilt, start, sweep, wobble):
    n = 48
    phase = rng.uniform(0, 6.28)
    pts = []
    for i in range(n + 1):
        t = start + sweep * i / n
        r = 1 + wobble * math.sin(2 * t + phase) + jitter(rng, wobble * 0.3)
        pts.append((a * r * math.cos(t), b * r * math.sin(t)))
    return rot(pts, cx, cy, tilt)


def pencil(rng, pressure, scale):
    return Ink("pencil", pressure * scale, rng.uniform(0.45, 0.75))


def pen(rng, pressure):
    return Ink("pen", pressure, rng.uniform(0.28, 0.42))


def draw_style(page, rng, style, box, scale):
    """Draws one answer mark of `style` on the bubble box (x, y, w, h mm). `scale` is the writer's pressure."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    if style in ("fill", "double", "smudge", "erased-refill"):
        scribble_fill(page, rng, (x + 0.15, y + 0.15, w - 0.3, h - 0.3), pencil(rng, rng.uniform(0.75, 1.0), scale))
    elif style == "fill-overrun":
        # past the box by up to about a millimetre: into the gap, not into the next box
        o = rng.uniform(0.3, 0.7)
        left, top = o * rng.uniform(0.4, 1), o * rng.uniform(0.3, 0.8)
        scribble_fill(page, rng, (x - left, y - top, w + left + o * rng.uniform(0.4, 1), h + top + o * 0.6),
                      pencil(rng, rng.uniform(0.75, 1.0), scale), sloppy=0.15)
    elif style == "fill-2B-light":
        scribble_fill(page, rng, (x + 0.2, y + 0.2, w - 0.4, h - 0.4), pencil(rng, rng.uniform(0.45, 0.6), scale))
    elif style == "light":
        scribble_fill(page, rng, (x + 0.2, y + 0.2, w - 0.4, h - 0.4), pencil(rng, rng.uniform(0.18, 0.3), scale))
    elif style == "half":
        part = rng.integers(4)
        region = [(x + 0.2, y + 0.2, w / 2, h - 0.4), (x + w / 2, y + 0.2, w / 2 - 0.2, h - 0.4),
                  (x + 0.2, y + 0.2, w - 0.4, h / 2 - 0.2), (x + 0.2, y + h / 2, w - 0.4, h / 2 - 0.2)][part]
        scribble_fill(page, rng, region, pencil(rng, rng.uniform(0.6, 0.95), scale))
    elif style.startswith("tick"):
        ink = pencil(rng, rng.uniform(0.5, 1.0), scale) if style.endswith("pencil") else pen(rng, rng.uniform(0.7, 1.0))
        size = rng.uniform(2.5, 5.5)
        # drawn from its vertex, which sits in the box's lower half or just under it; the long arm runs up
        shape = [(-0.32, -0.3), (-0.18, -0.16), (0.0, 0.0), (0.25, -0.38), (0.5, -0.85)]
        pts = rot([(px * size, py * size) for px, py in shape], cx + jitter(rng, 0.7),
                  cy + rng.uniform(0.0, 1.0) * h / 2 + rng.uniform(0, 0.5), jitter(rng, 0.35))
        page.strokes([pts], ink)
    elif style.startswith("cross"):
        ink = pencil(rng, rng.uniform(0.5, 1.0), scale) if style.endswith("pencil") else pen(rng, rng.uniform(0.7, 1.0))
        size = rng.uniform(2.5, 5.5)
        ox, oy = cx + jitter(rng, 0.6), cy + jitter(rng, 0.4)
        lines = []
        for base in (math.pi / 4, -math.pi / 4):
            ang = base + jitter(rng, 0.3)
            half = size / 2 * rng.uniform(0.8, 1.1)
            lines.append(rot([(-half, 0), (0, jitter(rng, 0.15)), (half, 0)], ox, oy, ang))
        page.strokes(lines, ink, [1.0, rng.uniform(0.6, 1.0)])
    elif style in ("circle-tight", "circle-loose", "circle-open", "ellipse"):
        ink = pencil(rng, rng.uniform(0.5, 1.0), scale) if rng.random() < 0.75 else pen(rng, rng.uniform(0.7, 1.0))
        if style == "circle-tight":
            m = rng.uniform(0.25, 0.6)
            a, b, sweep = w / 2 + m, h / 2 + m * 0.8, 2 * math.pi + rng.uniform(0.1, 0.6)
        elif style == "circle-loose":
            m = rng.uniform(0.9, 1.6)
            a, b, sweep = w / 2 + m, h / 2 + m * 0.6, 2 * math.pi + rng.uniform(0.2, 0.9)
        elif style == "circle-open":
            m = rng.uniform(0.3, 1.0)
            a, b, sweep = w / 2 + m, h / 2 + m * 0.7, rng.uniform(4.6, 5.6)
        else:  # a long flat ellipse round the box and its letter
            a, b, sweep = w / 2 + rng.uniform(0.8, 1.6), h / 2 + rng.uniform(0.15, 0.45), 2 * math.pi + 0.3
        pts = ellipse_pts(rng, cx + jitter(rng, 0.4), cy + jitter(rng, 0.25), a, b, jitter(rng, 0.15),
                          rng.uniform(0, 6.28), sweep, 0.04)
        page.strokes([pts], ink)
    elif style == "slash":
        ink = pencil(rng, rng.uniform(0.6, 1.0), scale) if rng.random() < 0.7 else pen(rng, rng.uniform(0.7, 1.0))
        half = rng.uniform(1.6, 2.8)
        pts = rot([(-half, 0), (half, 0)], cx + jitter(rng, 0.5), cy + jitter(rng, 0.3),
                  -rng.uniform(0.8, 1.3))
        page.strokes([pts], ink)
    elif style == "dot":
        ink = pencil(rng, rng.uniform(0.8, 1.0), scale)
        r = rng.uniform(0.35, 0.7)
        ox, oy = cx + jitter(rng, 0.8), cy + jitter(rng, 0.4)
        page.strokes([ellipse_pts(rng, ox, oy, r * 0.6, r * 0.5, 0, 0, 6.3, 0.05), [(ox, oy)]],
                     Ink("pencil", ink.pressure, r * 1.2))
    elif style == "underline":
        ink = pencil(rng, rng.uniform(0.6, 1.0), scale) if rng.random() < 0.7 else pen(rng, rng.uniform(0.7, 1.0))
        yy = y + h + rng.uniform(0.2, 0.6)
        page.strokes([rot([(-w / 2 - jitter(rng, 0.6), 0), (w / 2 + jitter(rng, 0.6), 0)], cx, yy,
                          jitter(rng, 0.06))], ink)
    else:
        raise ValueError(style)


def truth_for(style, rng, kind, options, page, boxes, scale, notes):
    """Marks one question and returns (letters meant, ink on it?)."""
    if style == "blank":
        return "", False
    if style in ("erased", "stray"):
        letter = options[rng.integers(len(options))]
        if style == "erased":
            draw_style(page, rng, "fill", boxes[letter], scale)
            residue = rng.uniform(0.08, 0.3)
            page.erase(boxes[letter], residue)
            notes.append(f"erased {letter}, {residue:.0%} left")
        else:
            x, y, w, h = boxes[letter]
            # a stray line, dot or hook between questions: beside the question number, in the gap between
            # two blocks, or a dot where four boxes meet; never under a box, where it would be an underline
            first, last = boxes[options[0]], boxes[options[-1]]
            ink = pencil(rng, rng.uniform(0.4, 0.9), scale)
            where = rng.integers(3)
            if where == 0:
                gx, gy = first[0] - rng.uniform(1.2, 2.2), y + h / 2 + jitter(rng, 1.0)
            elif where == 1:
                gx, gy = last[0] + last[2] + rng.uniform(1.5, 3.5), y + h / 2 + jitter(rng, 1.5)
            else:
                k = int(rng.integers(len(options) - 1))
                left = boxes[options[k]]
                gx, gy = left[0] + left[2] + 0.6, y + h + 0.7
            shape = rng.integers(3) if where != 2 else 1
            if shape == 0:
                # pointing away from the boxes: left of the first, right of the last
                ang = rng.uniform(1.7, 3.0) if where == 0 else rng.uniform(-1.3, 1.3)
                page.strokes([rot([(0, 0), (rng.uniform(1.2, 2.5), 0)], gx, gy, ang)], ink)
            elif shape == 1:
                page.strokes([[(gx, gy)]], Ink("pencil", ink.pressure, rng.uniform(0.35, 0.6)))
            else:
                d = -1 if where == 0 else 1
                page.strokes([[(gx, gy - 0.4), (gx + d * 0.5, gy + 0.3), (gx + d * 1.0, gy - 0.2)]], ink)
        return "", True
    if style == "double":
        a, b = rng.choice(len(options), 2, replace=False)
        for i in (a, b):
            draw_style(page, rng, "fill", boxes[options[i]], scale)
        return "".join(sorted(options[a] + options[b])), True
    if kind == "multiple" and style not in ("erased-refill", "smudge"):
        n = int(rng.integers(1, 4))
        picks = sorted(rng.choice(len(options), n, replace=False))
    else:
        picks = [int(rng.integers(len(options)))]
    letters = "".join(options[i] for i in picks)
    if style == "erased-refill":
        others = [o for o in options if o not in letters]
        wrong = others[rng.integers(len(others))]
        draw_style(page, rng, "fill", boxes[wrong], scale)
        residue = rng.uniform(0.08, 0.3)
        page.erase(boxes[wrong], residue)
        notes.append(f"erased {wrong}, {residue:.0%} left")
    if style == "smudge":
        x, y, w, h = boxes[options[len(options) // 2]]
        page.blob(x + w / 2 + jitter(rng, 4), y + h / 2 + jitter(rng, 2), rng.uniform(6, 9), rng.uniform(4.5, 7),
                  rng.uniform(0.08, 0.22), ridges=True, angle=rng.uniform(0, 3.1))
        notes.append("thumb smudge")
        if rng.random() < 0.4:  # a smudge over a question left blank
            return "", True
    for l in letters:
        draw_style(page, rng, style, boxes[l], scale)
    return letters, True


# ---------------------------------------------------------------------------------------------------------
# Damage: what scanners and phones do to a sheet.
# ---------------------------------------------------------------------------------------------------------

def perspective_coeffs(dst, src):
    """PIL's PERSPECTIVE data mapping output points dst[i] to input points src[i]."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y]); rhs.append(v)
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def photograph(img, rng, dpi):
    """A phone photo: the page in perspective on a desk, uneven light, noise, slight blur."""
    w, h = img.size
    W, H = w, h
    inset = lambda: rng.uniform(0.03, 0.07)
    keystone = rng.uniform(0.02, 0.06)
    dst = [(W * (inset() + keystone), H * inset()), (W * (1 - inset() - keystone), H * inset()),
           (W * (1 - inset()), H * (1 - inset())), (W * inset(), H * (1 - inset()))]
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    mask = Image.new("L", (w, h), 255).transform((W, H), Image.PERSPECTIVE, perspective_coeffs(dst, src),
                                                 Image.BILINEAR)
    warped = img.transform((W, H), Image.PERSPECTIVE, perspective_coeffs(dst, src), Image.BILINEAR)
    page = np.asarray(warped, np.float32)
    m = np.asarray(mask, np.float32) / 255
    desk = rng.uniform(50, 110)
    out = page * m + desk * (1 - m)
    # light falling off across the page, made small and enlarged (smooth anyway)
    gy, gx = np.mgrid[0:64, 0:64].astype(np.float32) / 63
    ang = rng.uniform(0, 6.28)
    small = 1 - rng.uniform(0.08, 0.22) * ((gx - 0.5) * math.cos(ang) + (gy - 0.5) * math.sin(ang) + 0.5)
    light = np.asarray(Image.fromarray(small).resize((W, H), Image.BILINEAR), np.float32)
    out = out * light + rng.standard_normal(out.shape, dtype=np.float32) * 3.0
    res = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5 * dpi / 300))
    return res


def damage(gray, rng, kind, dpi, path_base):
    """Writes the marked page as a scanned file damaged by `kind`; returns (file path, effective dpi)."""
    img = Image.fromarray(gray)
    if kind == "clean":
        path = path_base + ".png"
        img.save(path, compress_level=1)
        return path, dpi
    if kind == "rotate":
        ang = rng.choice([-1, 1]) * rng.uniform(1.0, 3.0)
        img.rotate(ang, resample=Image.BILINEAR, fillcolor=255).save(path_base + ".png", compress_level=1)
        return path_base + ".png", dpi
    if kind == "jpeg60":
        img.save(path_base + ".jpg", quality=60)
        return path_base + ".jpg", dpi
    if kind == "dpi150":
        if dpi <= 150:
            img.save(path_base + ".png", compress_level=1)
            return path_base + ".png", dpi
        w, h = img.size
        img.resize((round(w * 150 / dpi), round(h * 150 / dpi)), Image.LANCZOS).save(path_base + ".png",
                                                                                    compress_level=1)
        return path_base + ".png", 150
    if kind == "grey-bg":
        # the lid open or a dark lid: the page lies a little off square on a grey bed larger than A4
        w, h = img.size
        bed = Image.new("L", (int(w * 1.08), int(h * 1.06)), int(rng.uniform(110, 160)))
        angle = rng.uniform(-1, 1)
        page = img.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=0)
        footprint = Image.new("L", img.size, 255).rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=0)
        ox = int(rng.uniform(0.005, 0.04) * w)
        oy = int(rng.uniform(0.005, 0.03) * h)
        bed.paste(page, (ox, oy), footprint)
        bed.save(path_base + ".png", compress_level=1)
        return path_base + ".png", dpi
    if kind == "perspective":
        photograph(img, rng, dpi).save(path_base + ".jpg", quality=88)
        return path_base + ".jpg", dpi
    if kind == "phone-exif":
        photo = photograph(img, rng, dpi).convert("RGB")
        # a phone held sideways stores the pixels turned and says so in EXIF Orientation
        orientation = int(rng.choice([6, 8, 6, 8, 3]))
        stored = {6: Image.ROTATE_90, 8: Image.ROTATE_270, 3: Image.ROTATE_180}[orientation]
        exif = Image.Exif()
        exif[0x0112] = orientation
        photo.transpose(stored).save(path_base + ".jpg", quality=85, exif=exif.tobytes())
        return path_base + ".jpg", dpi
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------------------
# One page: mark, damage, save. Runs in worker processes; everything is seeded by (seed, page number).
# ---------------------------------------------------------------------------------------------------------

def sheet_boxes(sheet):
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


def plan_page(job):
    """Chooses writer, habit and damage for a page, marks it; returns the marked page and its truth."""
    rng = np.random.default_rng([job["seed"], job["index"]])
    gray = np.asarray(Image.open(job["render"]).convert("L"))
    sheet = job["sheet"]
    answers, ids, variant = sheet_boxes(sheet)
    page = Page(gray, job["dpi"], rng)
    writer = job["writer"]
    scale = {"normal": 1.0, "heavy": 1.1, "faint": rng.uniform(0.38, 0.5)}[writer]
    # the id grid (and 试卷类型 row) filled the ordinary way, so identity never depends on the marking
    for col, digit in enumerate(job["id"]):
        if col in ids:
            scribble_fill(page, rng, shrink(ids[col][int(digit)]), pencil(rng, 0.9, max(scale, 0.8)))
    if job.get("variant") and job["variant"] in variant:
        scribble_fill(page, rng, shrink(variant[job["variant"]]), pencil(rng, 0.9, max(scale, 0.8)))
    kinds = {q["number"]: q["kind"] for q in sheet["questions"]}
    truth = []
    for q in sorted(answers):
        options = sorted(answers[q])
        roll = rng.random()
        if roll < 0.5:
            style = job["habit"]
        elif roll < 0.58:
            style = "blank"
        else:
            style = STYLES[int(rng.integers(len(STYLES)))]
        if style == "double" and kinds.get(q) != "single":
            style = "fill"
        notes = []
        x0, y0, x1, y1 = question_region(page, answers[q])
        before = page.dark[y0:y1, x0:x1].copy()
        letters, ink = truth_for(style, rng, kinds.get(q), options, page, answers[q], scale, notes)
        own = ink_by_option(page, answers[q], options, (x0, y0, x1, y1), page.dark[y0:y1, x0:x1] - before)
        faint = [l for l in letters if own[l] < VISIBLE_MM2]
        erased = {n.split()[1].rstrip(",") for n in notes if n.startswith("erased ")}
        spill = [o for o in options if o not in letters and o not in erased and
                 own_inside(page, answers[q][o], (x0, y0), page.dark[y0:y1, x0:x1] - before) >= SPILL_MM2]
        if spill:
            notes.append("this mark's ink inside " + "".join(spill) + "'s box")
        truth.append({"q": q, "style": style, "truth": letters, "ink": ink, "notes": notes, "faint": faint,
                      "own": {o: round(float(v), 2) for o, v in own.items()}})
    # ink of other questions' marks (a loose circle, a big tick, a smudge) inside this question's boxes
    for t in truth:
        intruded = [o for o in sorted(answers[t["q"]]) if o not in t["truth"] and
                    inside(page, answers[t["q"]][o], page.dark) >= SPILL_MM2 and
                    t["own"].get(o, 0) < VISIBLE_MM2]
        if intruded:
            t["notes"].append("other marks' ink inside " + "".join(intruded) + "'s box")
    return page.finish(), truth, rng


# Ink counted in mm² of black: a mark with less than this on white paper is too faint to hold the reader
# to it (a dot hidden on the printed letter); ink inside another box beyond SPILL_MM2 is noted.
VISIBLE_MM2 = 0.3
SPILL_MM2 = 0.4


def question_region(page, boxes):
    xs = [b[0] for b in boxes.values()] + [b[0] + b[2] for b in boxes.values()]
    ys = [b[1] for b in boxes.values()] + [b[1] + b[3] for b in boxes.values()]
    H, W = page.dark.shape
    return (max(0, int(page.px(min(xs) - 3))), max(0, int(page.px(min(ys) - 2.3))),
            min(W, int(page.px(max(xs) + 3))), min(H, int(page.px(max(ys) + 2.3))))


def ink_by_option(page, boxes, options, region, delta):
    """A question's own ink, on white paper, given to the option whose box centre is nearest (in x)."""
    x0, y0, x1, y1 = region
    visible = delta * (page.gray[y0:y1, x0:x1].astype(np.float32) / 255)
    per_col = visible.sum(axis=0)
    centres = np.array([page.px(boxes[o][0] + boxes[o][2] / 2) - x0 for o in options])
    owner = np.abs(np.arange(x1 - x0)[:, None] - centres[None, :]).argmin(axis=1)
    mm2 = (25.4 / page.dpi) ** 2
    return {o: per_col[owner == i].sum() * mm2 for i, o in enumerate(options)}


def box_interior(page, box, inset=0.35):
    x, y, w, h = box
    return (int(page.px(x + inset)), int(page.px(y + inset)), int(page.px(x + w - inset)), int(page.px(y + h - inset)))


def inside(page, box, dark):
    """Ink (mm² of black, on white paper) inside a box's interior."""
    x0, y0, x1, y1 = box_interior(page, box)
    v = dark[y0:y1, x0:x1] * (page.gray[y0:y1, x0:x1].astype(np.float32) / 255)
    return float(v.sum()) * (25.4 / page.dpi) ** 2


def own_inside(page, box, origin, delta):
    x0, y0, x1, y1 = box_interior(page, box)
    ox, oy = origin
    v = delta[y0 - oy:y1 - oy, x0 - ox:x1 - ox] * (page.gray[y0:y1, x0:x1].astype(np.float32) / 255)
    return float(v.sum()) * (25.4 / page.dpi) ** 2


def shrink(box):
    x, y, w, h = box
    return (x + 0.2, y + 0.2, w - 0.4, h - 0.4)


def make_page(job):
    marked, truth, rng = plan_page(job)
    path, eff_dpi = damage(marked, rng, job["damage"], job["dpi"], job["out_base"])
    return {"index": job["index"], "file": path, "dpi": eff_dpi, "truth": truth}


# ---------------------------------------------------------------------------------------------------------
# Driver
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
    """The manifest's answer boxes against the printed option letters (pdftotext -bbox): each letter's
    centre must lie in the box the manifest gives for it, so a wrong manifest cannot hide behind us."""
    xml = run(["pdftotext", "-bbox", "-f", "1", "-l", "1", pdf, "-"]).stdout

    letters = [(m.group(5), (float(m.group(1)) + float(m.group(3))) / 2 * 25.4 / 72,
                (float(m.group(2)) + float(m.group(4))) / 2 * 25.4 / 72)
               for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([A-E])<', xml)]
    missing = 0
    answers, _, _ = sheet_boxes(sheet)
    for q, opts in answers.items():
        for letter, (x, y, w, h) in opts.items():
            if not any(l == letter and x <= lx <= x + w and y <= ly <= y + h for l, lx, ly in letters):
                missing += 1
    if missing:
        fail(f"{missing} answer boxes of the manifest hold no printed option letter in {pdf}")
    return sum(len(o) for o in answers.values())


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def classify(truth, cell):
    """right / flagged / wrong-empty / wrong-other for what the reader wrote in a question's cell."""
    cell = (cell or "").strip()
    if "?" in cell:
        return "flagged"
    read = "".join(sorted(c for c in cell.upper() if c.isalpha()))
    if read == truth["truth"]:
        return "right"
    missed = set(truth["truth"]) - set(read)
    if set(read) <= set(truth["truth"]) and missed <= set(truth.get("faint", [])):
        return "too-faint"  # what was left out has less ink than we hold the reader to
    if read == "":
        return "wrong-empty"
    return "wrong-other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1, help="seed of the marking and damage (default 1)")
    ap.add_argument("--pages", type=int, default=40, help="pages to fabricate (default 40; a tenth are blank "
                    "sheets from `examgen sheet`, the rest a class batch's)")
    ap.add_argument("--dpi", type=int, default=300, help="render resolution (default 300; the dpi150 damage "
                    "resamples to 150)")
    ap.add_argument("--examgen", default=os.path.join(REPO, "target", "release", "examgen"),
                    help="the examgen binary (default target/release/examgen)")
    ap.add_argument("--cases", default="/tmp/fieldcheck-cases",
                    help="folder for one example page per silently-wrong style and damage")
    ap.add_argument("--keep", help="keep the sheets, scans and examgen's output in this folder")
    ap.add_argument("--results", help="also write every mark's verdict here, one JSON object a line")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="pages marked at once (default: the cores)")
    args = ap.parse_args()
    if args.pages < 1 or args.dpi < 72:
        ap.error("--pages must be at least 1 and --dpi at least 72")
    if not os.path.exists(args.examgen):
        fail(f"no examgen at {args.examgen}; build it (cargo build --release) or pass --examgen")
    for tool in ("pdftoppm", "pdftotext"):
        if not shutil.which(tool):
            fail(f"{tool} is missing; install poppler-utils")
    t0 = time.time()
    work = args.keep or tempfile.mkdtemp(prefix="scan-field-")
    if args.keep and os.path.isdir(work) and os.listdir(work):
        # only a folder an earlier run kept is emptied, never some other folder given by mistake
        if not os.path.exists(os.path.join(work, ".scan-field")):
            fail(f"--keep {work} is a folder with other files in it; give a new or empty folder")
        shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    open(os.path.join(work, ".scan-field"), "w").close()
    try:
        code = field_check(args, work, t0)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(code)


def field_check(args, work, t0):
    if os.path.isdir(args.cases):  # the examples of an earlier run would mislead
        for old in os.listdir(args.cases):
            if old.endswith(".png") or old == "cases.txt":
                os.remove(os.path.join(args.cases, old))
    blank_pages = max(1, args.pages // 10) if args.pages >= 2 else 0
    batch_pages = args.pages - blank_pages
    roster = ROSTER
    if batch_pages > 40:  # a larger class, made like the fixture
        roster = os.path.join(work, "roster.csv")
        with open(roster, "w", encoding="utf-8") as f:
            f.write("学号,姓名,班级,座位号\n")
            for i in range(1, batch_pages + 1):
                f.write(f"2025{i:04d},学生{i},社工一班,{i}\n")
    groups = []  # (manifest, [jobs])
    scans = os.path.join(work, "scans")
    os.makedirs(scans)
    rng = np.random.default_rng([args.seed, 999_999])
    # each damage, habit and writer on as many pages as the others, in a seeded order
    balanced = lambda n: rng.permutation([i % n for i in range(args.pages)])
    order = {"damage": balanced(len(DAMAGES)), "habit": balanced(len(HABITS)), "writer": balanced(len(WRITERS))}
    index = 0
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
        pgms = render(pdf, args.dpi, 1, batch_pages, os.path.join(work, "render", "b"), args.jobs)
        for student, pgm in zip(manifest["students"], pgms):
            jobs.append(new_job(args, index, order, pgm, sheets[student["variant"]][0], student["id"], None,
                                scans))
            index += 1
        groups.append((os.path.join(out, "manifest.json"), [j["index"] for j in jobs]))
    if blank_pages:
        out = os.path.join(work, "sheet")
        run([args.examgen, "sheet", "--seed", "1", "-o", out, "--no-cache"], cwd=REPO)
        manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
        variant = manifest["variants"][0]
        pdf = os.path.join(out, f"sheet-{variant['label']}.pdf")
        check_geometry(pdf, variant["sheet"][0])
        os.makedirs(os.path.join(work, "render-blank"))
        pgm = render(pdf, args.dpi, 1, 1, os.path.join(work, "render-blank", "s"), 1)[0]
        id_cols = len({b["column"] for b in variant["sheet"][0]["bubbles"] if b["kind"] == "id-digit"})
        first = index
        for k in range(blank_pages):
            # distinct ids: responses.csv rows are matched to pages by id
            sid = f"26{args.seed % 100:02d}" + f"{k:0{max(1, id_cols - 4)}d}"
            jobs.append(new_job(args, index, order, pgm, variant["sheet"][0], sid, variant["label"], scans))
            index += 1
        groups.append((os.path.join(out, "manifest.json"), list(range(first, index))))
    t_prep = time.time()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        pages = list(pool.map(make_page, jobs))
    t_marked = time.time()
    by_index = {p["index"]: p for p in pages}
    results = []  # one row per question
    page_problems = []
    scan_seconds = 0.0
    for gi, (manifest_path, indices) in enumerate(groups):
        folder = os.path.join(scans, f"group{gi}")
        os.makedirs(folder)
        for i in indices:
            p = by_index[i]
            dest = os.path.join(folder, os.path.basename(p["file"]))
            os.replace(p["file"], dest)
            p["file"] = dest
        out = os.path.join(work, f"scanned{gi}")
        ts = time.time()
        res = run([args.examgen, "scan", manifest_path, folder, "-o", out, "--no-cache"], cwd=REPO, ok=(0, 1))
        scan_seconds += time.time() - ts
        rows = {r["id"]: r for r in read_csv(os.path.join(out, "responses.csv"))}
        report = read_csv(os.path.join(out, "scan-report.csv"))
        for i in indices:
            job, p = jobs[i], by_index[i]
            row = rows.get(job["id"])
            rep = [r for r in report if r["file"] and os.path.basename(r["file"]) == os.path.basename(p["file"])]
            if rep and rep[0]["id"] not in ("", job["id"]):
                page_problems.append(f"{os.path.basename(p['file'])}: id read {rep[0]['id']}, written {job['id']}")
            if row is None:
                why = rep[0]["problems"] if rep else "not in scan-report.csv at all"
                page_problems.append(f"{os.path.basename(p['file'])} ({job['damage']}): no row for {job['id']}: {why}")
            for t in p["truth"]:
                verdict = "page-unread" if row is None else classify(t, row.get(str(t["q"])))
                results.append({**t, "verdict": verdict, "read": "" if row is None else row.get(str(t["q"]), ""),
                                "damage": job["damage"], "writer": job["writer"], "habit": job["habit"],
                                "dpi": p["dpi"], "file": os.path.basename(p["file"]), "index": i, "id": job["id"]})
    print_tables(results, args, len(jobs))
    if args.results:
        with open(args.results, "w", encoding="utf-8") as out:
            for r in results:
                out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    for line in page_problems:
        print("page:", line)
    wrong = [r for r in results if r["verdict"].startswith("wrong")]
    if wrong:
        save_cases(wrong, jobs, by_index, args)
    print(f"\n{len(jobs)} pages at {args.dpi} dpi, seed {args.seed}: fabricated in {t_marked - t0:.1f} s "
          f"(render {t_prep - t0:.1f} s), examgen scan {scan_seconds:.1f} s, total {time.time() - t0:.1f} s")
    return 1 if wrong else 0


def new_job(args, index, order, render_path, sheet, sid, variant, scans):
    n = index + 1
    return {"seed": args.seed, "index": index, "render": render_path, "sheet": sheet, "id": sid,
            "variant": variant, "dpi": args.dpi, "damage": DAMAGES[int(order["damage"][index]) % len(DAMAGES)],
            "habit": HABITS[int(order["habit"][index])], "writer": WRITERS[int(order["writer"][index])],
            # Windows names the files of a scan batch like this
            "out_base": os.path.join(scans, f"扫描 ({n})")}


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
    print(f"scan-field: seed {args.seed}, {npages} pages, {args.dpi} dpi")
    table("marking style", lambda r: r["style"], STYLES)
    table("damage", lambda r: r["damage"], DAMAGES)
    table("writer", lambda r: r["writer"], ["normal", "heavy", "faint"])
    # the bar for clear marks: all read, at most 3 % flagged
    clear = [r for r in results if r["style"] in CLEAR_STYLES and r["writer"] != "faint"]
    if clear:
        c = collections.Counter(r["verdict"] for r in clear)
        print(f"\nclear fills ({', '.join(CLEAR_STYLES)}; normal and heavy writers): {len(clear)}, "
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
    """One example page per (style, damage) that went silently wrong, plus a close-up of the question."""
    os.makedirs(args.cases, exist_ok=True)
    seen = set()
    marked_pages = {}
    index = []
    for r in wrong:
        key = (r["style"], r["damage"])
        if key in seen:
            continue
        seen.add(key)
        job = jobs[r["index"]]
        name = f"{r['style']}-{r['damage']}-{r['dpi']}dpi-seed{args.seed}-p{r['index'] + 1}-q{r['q']}"
        notes = f" [{', '.join(r['notes'])}]" if r["notes"] else ""
        index.append(f"{name}.png: {r['file']} ({r['id']}) question {r['q']}, {r['style']}, {r['damage']}, "
                     f"{r['dpi']} dpi, {r['writer']} writer: meant {r['truth'] or '(nothing)'}, "
                     f"read {r['read'] or '(nothing)'}{notes}\n")
        img = ImageOps.exif_transpose(Image.open(by_index[r["index"]]["file"]))
        img.convert("L").save(os.path.join(args.cases, name + ".png"), compress_level=1)
        # the marked page before damage (made again: it is seeded), the question close up, 2x at 300 dpi
        if r["index"] not in marked_pages:
            marked_pages[r["index"]] = plan_page(job)[0]
        marked = marked_pages[r["index"]]
        answers, _, _ = sheet_boxes(job["sheet"])
        boxes = list(answers[r["q"]].values())
        px = args.dpi / 25.4
        x0 = int((min(b[0] for b in boxes) - 12) * px); x1 = int((max(b[0] + b[2] for b in boxes) + 4) * px)
        y0 = int((min(b[1] for b in boxes) - 6) * px); y1 = int((max(b[1] + b[3] for b in boxes) + 6) * px)
        crop = Image.fromarray(marked[max(0, y0):y1, max(0, x0):x1])
        zoom = 600 / args.dpi
        crop.resize((int(crop.width * zoom), int(crop.height * zoom)), Image.LANCZOS).save(
            os.path.join(args.cases, name + "-crop.png"))
    with open(os.path.join(args.cases, "cases.txt"), "w", encoding="utf-8") as f:
        f.writelines(index)
    print(f"\nexample pages of the silently-wrong cases in {args.cases}/ ({len(seen)} style/damage pairs, "
          "listed in cases.txt)")


if __name__ == "__main__":
    main()
