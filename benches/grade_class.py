#!/usr/bin/env python3
"""Makes a class of any size for grading benchmarks: a batch manifest and its answers.

    python3 benches/grade_class.py MANIFEST STUDENTS OUT_DIR [--seed 1]

MANIFEST is a `--per-student` batch's manifest.json (examgen-manifest/2, e.g. of benches/fixtures/class-40.csv);
its variants are repeated under new labels (A … Z, AA, …, as examgen labels them) until there is one per
student, and the students get a roster as benches/batch-scale.sh makes them. A real 10,000-student
`--per-student` batch costs minutes of CPU to print; what `grade` holds per student is the same either way: one
variant's questions and one row of answers. Writes OUT_DIR/manifest.json and OUT_DIR/responses.csv (学号 and
one column per question; a variant column is not needed with a batch manifest). Answers are seeded: each
student has an ability, answers right with that chance and otherwise picks other letters or leaves the cell
empty; a few cells are typed in lower case or full width, as teachers type them.
"""

import argparse
import json
import os
import random

SURNAMES = "张李王陈赵孙周吴郑冯褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
GIVEN = "喆堃赟昇玥珺翀敏婧淼琰燚鑫垚瑄珩琛玮璟瑜晗昀昊暄曦"


def variant_label(index):
    """examgen's variant labels: A … Z, AA … AZ, BA …"""
    label = ""
    n = index
    while True:
        label = chr(ord("A") + n % 26) + label
        if n < 26:
            return label
        n = n // 26 - 1


def letters(indices):
    return "".join(chr(ord("A") + i) for i in sorted(indices))


def printed(bank_answer, order):
    """A bank-terms key (letters) as printed with `order` (printed position -> bank option)."""
    return sorted(order.index(ord(c) - ord("A")) for c in bank_answer)


def answer_cell(rng, ability, kind, options, key):
    """What a student of `ability` writes for a question whose printed key is `key`."""
    if rng.random() < 0.03:
        return ""
    right = rng.random() < ability
    if kind == "single":
        pick = key[0] if right else rng.choice([i for i in range(options) if i != key[0]] or [key[0]])
        cell = letters([pick])
    elif kind == "multiple":
        if right:
            chosen = key
        elif rng.random() < 0.5 and len(key) > 1:
            chosen = rng.sample(key, rng.randint(1, len(key) - 1))  # partial credit
        else:
            chosen = rng.sample(range(options), rng.randint(1, options))
        cell = letters(chosen)
    elif kind == "judge":
        cell = "对" if right == key else "错"
    elif kind == "blank":
        cell = "；".join(alts[0] if right else "不知道" for alts in key)
    else:
        cell = "略"
    roll = rng.random()
    if roll < 0.02:
        cell = cell.lower()
    elif roll < 0.03:
        cell = "".join(chr(ord(c) + 0xFEE0) if "A" <= c <= "Z" else c for c in cell)
    return cell


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("manifest")
    ap.add_argument("students", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(args.manifest, encoding="utf-8") as f:
        m = json.load(f)
    if m.get("format") != "examgen-manifest/2" or not m["variants"]:
        raise SystemExit("give the manifest.json of a --per-student batch (examgen-manifest/2)")
    source = m["variants"]
    owner = source[0]["label"]
    variants = []
    for i in range(args.students):
        v = dict(source[i % len(source)])
        v["label"] = variant_label(i)
        if i > 0:
            v.pop("sheet", None)
            v["sheet_same_as"] = owner
        variants.append(v)
    m["variants"] = variants
    m["students"] = [
        {
            "id": f"2025{i + 1:06d}",
            "name": SURNAMES[i % len(SURNAMES)]
            + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
            + GIVEN[(i * 7) % len(GIVEN)],
            "class": f"社工{i // 40 + 1}班",
            "seat": str(i % 40 + 1),
            "variant": v["label"],
        }
        for i, v in enumerate(variants)
    ]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(m, f, ensure_ascii=False, indent=1)
        f.write("\n")

    facts = m["questions"]
    count = sum(p["count"] for p in m["parts"])
    with open(os.path.join(args.out, "responses.csv"), "w", encoding="utf-8") as f:
        f.write("学号," + ",".join(str(n) for n in range(1, count + 1)) + "\n")
        for student, v in zip(m["students"], variants):
            ability = rng.uniform(0.3, 0.95)
            cells = [student["id"]]
            for q in v["questions"]:
                if isinstance(q, dict):  # a record examgen wrote whole: its key is printed already
                    fact, order = q, q["option_order"]
                else:
                    fact, order = facts[q[0]], (q[1] if len(q) > 1 else [])
                kind = fact["type"]
                if kind in ("single", "multiple") and isinstance(q, dict):
                    key = [ord(c) - ord("A") for c in fact["answer"]]
                elif kind in ("single", "multiple"):
                    key = printed(fact["answer"], order)
                elif kind == "blank":
                    key = [a.split("|") for a in fact["answer"]]
                else:
                    key = fact["answer"]
                cell = answer_cell(rng, ability, kind, len(order), key)
                cells.append('"' + cell + '"' if "," in cell else cell)
            f.write(",".join(cells) + "\n")


if __name__ == "__main__":
    main()
