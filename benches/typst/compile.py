#!/usr/bin/env python3
"""Compiles benches/typst/paper.typ with the typst Python package: one paper, or one per student of a class.

    compile.py WORKLOAD.json -o paper.pdf [--answers]
    compile.py --class MANIFEST.json --workloads DIR -o OUTDIR

WORKLOAD.json comes from benches/typst-workload.py. With --class, MANIFEST.json is the manifest of
`examgen batch` (its `students` say which variant each student sat) and DIR holds one workload per variant,
DIR/<label>.json (`typst-workload.py MANIFEST --all-variants -o DIR`); every student gets a paper with
their name, id and class, OUTDIR/<id>.pdf.

One typst.Compiler serves every compile of a run, so the fonts are found and loaded once, as examgen's batch
parses its fonts once: the comparison times typesetting, not font discovery. Needs `pip install typst` and
the Noto CJK fonts (Debian fonts-noto-cjk).
"""

import argparse
import json
import os
import sys
from pathlib import Path

import typst

TEMPLATE = Path(__file__).resolve().parent / "paper.typ"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", nargs="?", help="workload JSON of one paper")
    ap.add_argument("-o", "--output", required=True, help="the PDF (one paper) or a folder (--class)")
    ap.add_argument("--answers", action="store_true", help="append 参考答案与解析")
    ap.add_argument("--class", dest="manifest", help="manifest.json of `examgen batch`")
    ap.add_argument("--workloads", help="folder of <variant>.json workloads (with --class)")
    args = ap.parse_args()

    # Paths are handed to the template as absolute paths under root /, so the data may live anywhere.
    compiler = typst.Compiler(str(TEMPLATE), root="/")
    if args.manifest:
        if not args.workloads:
            sys.exit("compile.py: --class needs --workloads DIR")
        with open(args.manifest, encoding="utf-8") as f:
            students = json.load(f).get("students") or []
        if not students:
            sys.exit(f"compile.py: {args.manifest} has no students (not a batch manifest)")
        os.makedirs(args.output, exist_ok=True)
        for s in students:
            data = os.path.abspath(os.path.join(args.workloads, f"{s['variant']}.json"))
            inputs = {"data": data, "name": s.get("name", ""), "id": s.get("id", ""), "class": s.get("class", "")}
            compiler.compile(output=os.path.join(args.output, f"{s['id']}.pdf"), sys_inputs=inputs)
    else:
        if not args.workload:
            sys.exit("compile.py: give a workload JSON, or --class MANIFEST --workloads DIR")
        inputs = {"data": os.path.abspath(args.workload), "answers": "1" if args.answers else "0"}
        compiler.compile(output=args.output, sys_inputs=inputs)


if __name__ == "__main__":
    main()
