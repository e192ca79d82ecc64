#!/usr/bin/env python3
"""Re-scan a kept field check with another examgen and compare each mark's verdict with an earlier run's.

The field checks (scan-field.py, scan-field-b.py, scan-field-c.py) fabricate their pages afresh every run,
which takes minutes; a change to the reader only needs the kept pages scanned again. Give the folder a
check kept (--keep) and the verdicts it wrote then (--results); this runs `examgen scan` on the same inputs,
judges every mark the same way and prints what moved: marks newly silently wrong (the regressions that
matter), marks no longer silently wrong, clear fills newly or no longer sent to `?`.

Usage: scripts/scan-field-rescore.py KEEP BASE.jsonl [--examgen PATH] [--results NEW.jsonl] [--quiet]
Exit status: 0 when no mark became silently wrong, 1 when one did, 2 when the rescore could not run.
"""
import argparse
import collections
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKS = {".scan-field": "scan-field.py", ".scan-field-b": "scan-field-b.py", ".scan-field-c": "scan-field-c.py"}


def fail(message):
    print(f"scan-field-rescore.py: {message}", file=sys.stderr)
    sys.exit(2)


def load_check(keep):
    """The check that made KEEP (its marker file), imported for its `classify` and `CLEAR_STYLES`."""
    for marker, script in CHECKS.items():
        if os.path.exists(os.path.join(keep, marker)):
            spec = importlib.util.spec_from_file_location(marker.strip(".").replace("-", "_"),
                                                          os.path.join(REPO, "scripts", script))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return marker, module
    fail(f"{keep} is not a folder a field check kept (none of {', '.join(CHECKS)} in it)")


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def group_of(mark, batch_ids):
    return 0 if mark["id"] in batch_ids else 1


def rescore(keep, base, examgen, marker, check):
    manifests = [os.path.join(keep, "batch", "manifest.json"), os.path.join(keep, "sheet", "manifest.json")]
    batch_ids = set()
    if os.path.exists(manifests[0]):
        batch_ids = {s["id"] for s in json.load(open(manifests[0], encoding="utf-8"))["students"]}
    else:
        manifests[0] = None
    out_root = tempfile.mkdtemp(prefix="rescore-")
    try:
        by_group = collections.defaultdict(list)
        for mark in base:
            by_group[group_of(mark, batch_ids) if manifests[0] else 1].append(mark)
        new = []
        for gi, marks in sorted(by_group.items()):
            if marker == ".scan-field":  # the first check scans one folder per group
                inputs = [os.path.join(keep, "scans", f"group{gi if manifests[0] else 0}")]
            else:  # a copier stack and the phone photos beside it
                stack = os.path.join(keep, f"stack{gi if manifests[0] else 0}.pdf")
                inputs = [stack] if os.path.exists(stack) else []
                photos = sorted({m["file"] for m in marks if not m["file"].startswith("stack")})
                inputs += [os.path.join(keep, "pages", p) for p in photos]
            missing = [p for p in inputs if not os.path.exists(p)]
            if missing or not inputs:
                fail(f"{keep} lacks the pages it scanned ({', '.join(missing) or 'none found'}); keep it whole")
            out = os.path.join(out_root, f"scanned{gi}")
            res = subprocess.run([examgen, "scan", manifests[gi], *inputs, "-o", out, "--no-cache"],
                                 cwd=REPO, capture_output=True, text=True)
            if res.returncode not in (0, 1):
                fail(f"examgen scan exited {res.returncode}: {res.stderr.strip()[-500:]}")
            rows = {r["id"]: r for r in read_csv(os.path.join(out, "responses.csv"))}
            report = read_csv(os.path.join(out, "scan-report.csv"))
            for mark in marks:
                row = rows.get(mark["id"])
                if row is None:  # a doubtful id still has its marks read, under the id as read
                    for r in report:
                        name = os.path.basename(r.get("file", ""))
                        here = (f"stack{gi}.pdf p{r.get('page')} " in mark["file"] + " ") if name.startswith(
                            "stack") else name == mark["file"]
                        if here and "?" in r.get("id", ""):
                            row = rows.get(r["id"])
                verdict = "page-unread" if row is None else check.classify(mark, row.get(str(mark["q"])))
                new.append({**mark, "verdict": verdict, "read": "" if row is None else row.get(str(mark["q"]), "")})
        return new
    finally:
        shutil.rmtree(out_root, ignore_errors=True)


def key(mark):
    return (mark["file"], mark["id"], mark["q"], mark.get("style"))


def describe(mark):
    return (f"{mark['file']} {mark['id']} q{mark['q']}: {mark.get('style')} / {mark.get('damage')} / "
            f"{mark.get('writer')}: meant {mark.get('truth') or '(nothing)'} -> read {mark['read'] or '(nothing)'}")


def compare(base, new, clear_styles, quiet):
    silent = lambda m: m["verdict"].startswith("wrong")
    clear_flag = lambda m: m.get("style") in clear_styles and m["verdict"] == "flagged"
    before = {key(m): m for m in base}
    counts = lambda ms: collections.Counter(m["verdict"] for m in ms)
    cb, cn = counts(base), counts(new)
    clear_total = sum(1 for m in new if m.get("style") in clear_styles)
    print("verdict        base    new")
    for v in sorted(set(cb) | set(cn)):
        print(f"{v:<12} {cb[v]:>6} {cn[v]:>6}")
    cfb, cfn = sum(map(clear_flag, base)), sum(map(clear_flag, new))
    if clear_total:
        print(f"clear fills flagged: {cfb} -> {cfn} of {clear_total} ({cfb / clear_total:.1%} -> {cfn / clear_total:.1%})")
    moved = collections.Counter()
    newly_silent = []
    for m in new:
        b = before.get(key(m))
        if b is None:
            continue
        if b["verdict"] != m["verdict"]:
            moved[(b["verdict"], m["verdict"])] += 1
        if silent(m) and (not silent(b) or b["read"] != m["read"]):
            newly_silent.append((b, m))
    for (a, b), n in sorted(moved.items()):
        print(f"  {a} -> {b}: {n}")
    if not quiet:
        for b, m in newly_silent:
            print(f"NEWLY SILENT ({b['verdict']} read {b['read'] or '(nothing)'} before): {describe(m)}")
        for m in new:
            b = before.get(key(m))
            if b and silent(b) and not silent(m):
                print(f"no longer silent ({m['verdict']}): {describe(b)}")
    return newly_silent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("keep", help="a folder a field check kept (--keep)")
    ap.add_argument("base", help="the verdicts that check wrote (--results), or an earlier rescore's")
    ap.add_argument("--examgen", default=os.path.join(REPO, "target", "release", "examgen"))
    ap.add_argument("--results", help="write the new verdicts here, one JSON object a line")
    ap.add_argument("--quiet", action="store_true", help="counts only, no list of the marks that moved")
    args = ap.parse_args()
    if not os.path.exists(args.examgen):
        fail(f"no examgen at {args.examgen}; build it (cargo build --release) or pass --examgen")
    marker, check = load_check(args.keep)
    with open(args.base, encoding="utf-8") as f:
        base = [json.loads(line) for line in f if line.strip()]
    if not base:
        fail(f"{args.base} holds no verdicts")
    new = rescore(args.keep, base, os.path.abspath(args.examgen), marker, check)
    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            for m in new:
                f.write(json.dumps(m, ensure_ascii=False, default=str) + "\n")
    newly_silent = compare(base, new, check.CLEAR_STYLES, args.quiet)
    sys.exit(1 if newly_silent else 0)


if __name__ == "__main__":
    main()
