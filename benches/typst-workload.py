#!/usr/bin/env python3
"""Turns an examgen manifest into the JSON that benches/typst/paper.typ reads: the same questions, order and
option order as examgen's paper, with the texts taken from the bank.

    $EXAMGEN draw question-bank/exams/mock.yaml --seed 1 --format json > draw.json
    benches/typst-workload.py draw.json -o workload.json          # variant A
    benches/typst-workload.py draw.json --variant B -o workload.json
    benches/typst-workload.py out/manifest.json --all-variants -o DIR   # DIR/<label>.json, e.g. a class batch

The manifest holds ids and option orders only (docs/manifest.md), so the stems, options and explanations
come from the bank YAML (`bank.path` of the manifest, resolved from the current directory, or --bank), and
the title block and part instructions from the blueprint (`blueprint.path`, or --blueprint). Part headings
and instructions are composed as examgen's src/paper.rs composes them, so both papers say the same words.
Needs PyYAML (`pip install pyyaml`).
"""

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import yaml

NUMERALS = "一二三四五六七八九"

# Kept equal to DEFAULT_NOTICE in src/paper.rs: the comparison is only fair if both papers print the same text.
DEFAULT_NOTICE = [
    "1．答题前，考生务必将姓名、准考证号填写在试卷指定位置。",
    "2．选择题每题选出答案后，将答案填写在题中括号内；其他题目在试卷上作答。",
    "3．考试结束后，将试卷交回。",
]

ANSWER_SLOTS = ["（　）", "（ ）", "（  ）", "(　)", "( )", "（）", "()"]
BLANK = re.compile(r"_{3,}")


def chinese_numeral(n):
    if n <= 9:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")
    if n < 100:
        return NUMERALS[n // 10 - 1] + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")
    return str(n)


def points_text(value):
    # examgen prints Decimal::normalize(): "2", "0.5", never "2.0" or "5E+1".
    d = Decimal(str(value)).normalize()
    return format(d, "f")


def default_instructions(kind, partial):
    if kind == "single":
        return "每题的备选项中，只有1个最符合题意"
    if kind == "multiple":
        if partial is not None:
            return (
                "每题的备选项中，有2个或2个以上符合题意，至少有1个错项。错选，本题不得分；少选，所选的每个选项得"
                f"{points_text(partial)}分"
            )
        return "每题的备选项中，有2个或2个以上符合题意，至少有1个错项。错选、少选均不得分"
    if kind == "judge":
        return "判断下列说法是否正确，正确的在括号内打“√”，错误的打“×”"
    if kind == "blank":
        return "请将答案填写在横线上"
    return "请根据所学内容简要作答"


def load_bank(bank_dir):
    questions = {}
    for path in sorted(Path(bank_dir).glob("*.yaml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for q in doc.get("questions") or []:
            questions[q["id"]] = q
    if not questions:
        sys.exit(f"typst-workload: no questions in {bank_dir}/*.yaml")
    return questions


def text(value):
    # YAML may hand back numbers for options such as `18`; examgen prints them as written.
    return value if isinstance(value, str) else str(value)


def stem_parts(q):
    """The stem as a list of text runs and blanks, with the answer slot （　） a choice question needs."""
    stem = text(q["stem"])
    kind = q["type"]
    if kind == "blank":
        runs, last = [], 0
        for m in BLANK.finditer(stem):
            if m.start() > last:
                runs.append({"text": stem[last : m.start()]})
            runs.append({"blank": True})
            last = m.end()
        if last < len(stem):
            runs.append({"text": stem[last:]})
        return runs
    if kind == "judge" or (kind in ("single", "multiple") and not any(s in stem for s in ANSWER_SLOTS)):
        stem = stem.rstrip() + "（　）"
    return [{"text": stem}]


def answer_text(kind, answer):
    if kind in ("single", "multiple"):
        return answer
    if kind == "judge":
        return "√" if answer else "×"
    if kind == "blank":
        return "；".join(a.split("|")[0] for a in answer)
    return answer


def whole_questions(manifest, variant):
    """A variant's questions as examgen-manifest/1 records. Class batches write examgen-manifest/2, most
    questions as [id, option_order, points] with what they share in the top-level `questions` table
    (docs/manifest.md): the number is the position, the part the one holding it, the printed answer the
    table's bank answer through the option order."""
    table = manifest.get("questions", {})
    part_at = [p for p in manifest["parts"] for _ in range(p["count"])]
    whole = []
    for k, q in enumerate(variant["questions"]):
        if isinstance(q, dict):
            whole.append(q)
            continue
        facts, part = table[q[0]], part_at[k]
        order = q[1] if len(q) > 1 else []
        answer = facts["answer"]
        if facts["type"] in ("single", "multiple"):
            answer = "".join(sorted(chr(65 + order.index(ord(c) - 65)) for c in answer))
        whole.append(
            {
                "number": k + 1,
                "id": q[0],
                "part": part["number"],
                "type": facts["type"],
                "section": facts["section"],
                "points": q[2] if len(q) > 2 else part["points"],
                "option_order": order,
                "answer": answer,
            }
        )
    return whole


def convert(manifest, bank, blueprint, label):
    variants = {v["label"]: v for v in manifest["variants"]}
    if label not in variants:
        sys.exit(f"typst-workload: the manifest has no variant {label} (has {', '.join(variants)})")
    variant = variants[label]
    bp_parts = blueprint.get("parts") or []
    parts = []
    for mp in manifest["parts"]:
        bp = bp_parts[mp["number"] - 1] if mp["number"] - 1 < len(bp_parts) else {}
        questions = []
        for mq in whole_questions(manifest, variant):
            if mq["part"] != mp["number"]:
                continue
            q = bank.get(mq["id"])
            if q is None:
                sys.exit(f"typst-workload: question {mq['id']} is not in the bank")
            options = [text(q["options"][i]) for i in mq["option_order"]]
            questions.append(
                {
                    "number": mq["number"],
                    "id": mq["id"],
                    "type": mq["type"],
                    "points": mq["points"],
                    "stem": stem_parts(q),
                    "options": options,
                    "answer": answer_text(mq["type"], mq["answer"]),
                    "explanation": text(q.get("explanation") or ""),
                    "lines": q.get("lines", 4) if mq["type"] == "short" else 0,
                }
            )
        uniform = all(Decimal(q["points"]) == Decimal(mp["points"]) for q in questions)
        total = sum((Decimal(q["points"]) for q in questions), Decimal(0))
        body = bp.get("instructions") or default_instructions(mp["type"], mp.get("partial"))
        body = text(body).rstrip("。")
        count = len(questions)
        if uniform:
            instructions = f"（共{count}题，每题{points_text(mp['points'])}分。{body}）"
        else:
            instructions = f"（共{count}题，共{points_text(total)}分。{body}）"
        parts.append(
            {
                "heading": f"{chinese_numeral(mp['number'])}、{mp['title']}",
                "instructions": instructions,
                "type": mp["type"],
                "count": count,
                "total": points_text(total),
                "questions": questions,
            }
        )
    return {
        "title": manifest["blueprint"]["title"],
        "subtitle": blueprint.get("subtitle") or "",
        "variant": label if len(variants) > 1 else "",
        "duration": blueprint.get("duration") or 0,
        "total_points": variant["total_points"],
        "notice": blueprint.get("notice") or DEFAULT_NOTICE,
        "score_columns": [chinese_numeral(p["number"]) for p in manifest["parts"]] + ["总分"],
        "parts": parts,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", help="manifest.json or the output of `examgen draw --format json` ('-' = stdin)")
    ap.add_argument("-o", "--output", help="where to write the JSON (default stdout); a folder with --all-variants")
    ap.add_argument("--variant", default="A")
    ap.add_argument("--all-variants", action="store_true", help="write every variant, OUTPUT/<label>.json")
    ap.add_argument("--bank", help="bank folder (default: the manifest's bank.path)")
    ap.add_argument("--blueprint", help="blueprint file (default: the manifest's blueprint.path)")
    args = ap.parse_args()

    if args.manifest == "-":
        manifest = json.load(sys.stdin)
    else:
        with open(args.manifest, encoding="utf-8") as f:
            manifest = json.load(f)
    if manifest.get("format") != "examgen-manifest/1":
        sys.exit(f"typst-workload: {args.manifest} is not an examgen-manifest/1 document")
    bank = load_bank(args.bank or manifest["bank"]["path"])
    with open(args.blueprint or manifest["blueprint"]["path"], encoding="utf-8") as f:
        blueprint = yaml.safe_load(f)
    if args.all_variants:
        if not args.output:
            sys.exit("typst-workload: --all-variants needs -o DIR")
        Path(args.output).mkdir(parents=True, exist_ok=True)
        for v in manifest["variants"]:
            data = convert(manifest, bank, blueprint, v["label"])
            with open(Path(args.output) / f"{v['label']}.json", "w", encoding="utf-8") as f:
                f.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return
    data = convert(manifest, bank, blueprint, args.variant)
    out = json.dumps(data, ensure_ascii=False, indent=1)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(out + "\n")
    else:
        print(out)


if __name__ == "__main__":
    main()
