#!/usr/bin/env python3
"""Draws the example bar chart PNG used by the figures fixture bank and the `init` skeleton.

Usage: make-chart.py OUT.png   (needs Pillow; the output is committed, so this runs only to redraw it)
"""
import sys
from PIL import Image, ImageDraw, ImageFont

FONT = __file__.rsplit("/", 2)[0] + "/fonts/NotoSerifSC-Regular.ttf"
quarters = ["一季度", "二季度", "三季度", "四季度"]
values = [120, 135, 180, 150]

W, H = 720, 420
img = Image.new("RGB", (W, H), "white")
d = ImageDraw.Draw(img)
font = ImageFont.truetype(FONT, 22)
small = ImageFont.truetype(FONT, 18)
left, bottom, top = 80, H - 60, 50
d.text((W // 2, 12), "某社区2024年各季度服务人次", fill="black", font=font, anchor="mt")
d.line((left, top, left, bottom), fill="black", width=2)
d.line((left, bottom, W - 30, bottom), fill="black", width=2)
for v in range(0, 201, 50):
    y = bottom - (bottom - top) * v / 200
    d.line((left - 6, y, left, y), fill="black", width=2)
    d.text((left - 10, y), str(v), fill="black", font=small, anchor="rm")
slot = (W - 30 - left) / len(values)
for i, (q, v) in enumerate(zip(quarters, values)):
    x0 = left + slot * i + slot * 0.25
    x1 = left + slot * (i + 1) - slot * 0.25
    y = bottom - (bottom - top) * v / 200
    d.rectangle((x0, y, x1, bottom), fill=(110, 110, 110), outline="black")
    d.text(((x0 + x1) / 2, y - 6), str(v), fill="black", font=small, anchor="mb")
    d.text(((x0 + x1) / 2, bottom + 8), q, fill="black", font=small, anchor="mt")
img.save(sys.argv[1], optimize=True)
