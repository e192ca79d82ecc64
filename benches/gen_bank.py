#!/usr/bin/env python3
"""Generates a synthetic, valid question bank (docs/bank-format.md) and a blueprint for benchmarks.

    python3 benches/gen_bank.py OUT_DIR [--questions 20000] [--sections 10] [--seed 1]

Writes OUT_DIR/bank/NN-sK.yaml (one file per section) and OUT_DIR/bank/exams/scale.yaml, a blueprint of
300 questions over all five types with difficulty mixes, even, proportional and quota spreads, a tag filter
and partial scoring. The output depends only on the arguments (seeded `random.Random`).
"""

import argparse
import json
import os
import random

TYPES = [  # (type, share of the bank)
    ("single", 0.50),
    ("multiple", 0.20),
    ("judge", 0.15),
    ("blank", 0.10),
    ("short", 0.05),
]
DIFFICULTY_WEIGHTS = [10, 25, 35, 20, 10]  # levels 1..5
TAGS = ["政策", "法规", "实务", "理论", "案例"]
NOTES_PER_SECTION = 40
WORDS = "社会工作者职业资格考试社区治理志愿服务民政事业老年人儿童残疾人救助服务体系建设基层组织专业化职业化标准化"


def q(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def phrase(rng, n):
    start = rng.randrange(len(WORDS) - n)
    return WORDS[start : start + n]


def section_file(rng, si, per_section, sections, group_state):
    sid = f"s{si:02d}"
    lines = [
        "section:",
        f"  id: {sid}",
        f"  title: {q('第' + str(si + 1) + '章 合成章节' + phrase(rng, 6))}",
        f"  order: {si + 1}",
        "notes:",
    ]
    note_texts = []
    for ni in range(NOTES_PER_SECTION):
        key = f"要点{si}-{ni}{phrase(rng, 8)}"
        text = f"本考点说明{phrase(rng, 10)}。其中**{key}**是关键表述。"
        note_texts.append(key)
        lines += [
            f"  - id: {sid}-n{ni:03d}",
            f"    title: {q('考点' + str(ni + 1))}",
            f"    text: {q(text)}",
        ]
    lines.append("questions:")
    # Exact type counts per section, so every section has every type.
    counts = [int(per_section * share) for _, share in TYPES]
    counts[0] += per_section - sum(counts)
    kinds = [t for (t, _), c in zip(TYPES, counts) for _ in range(c)]
    rng.shuffle(kinds)
    for qi, kind in enumerate(kinds):
        qid = f"{sid}-q{qi:05d}"
        ni = qi % NOTES_PER_SECTION
        difficulty = rng.choices(range(1, 6), DIFFICULTY_WEIGHTS)[0]
        body = [f"  - id: {qid}", f"    type: {kind}"]
        if kind in ("single", "multiple"):
            n_opt = rng.randint(4, 5) if kind == "multiple" else 4
            options = [f"选项{chr(65 + k)}{phrase(rng, 4)}{qi}" for k in range(n_opt)]
            if kind == "single":
                answer = chr(65 + rng.randrange(n_opt))
            else:
                k = rng.randint(2, n_opt - 1)
                answer = "".join(sorted(chr(65 + i) for i in rng.sample(range(n_opt), k)))
            body += [
                f"    stem: {q(f'第{qi}题：关于{phrase(rng, 8)}，下列说法正确的是（　）。')}",
                "    options: [" + ", ".join(q(o) for o in options) + "]",
                f"    answer: {answer}",
            ]
            if rng.random() < 0.05:
                body.append("    keep_last: 1")
            elif rng.random() < 0.03:
                body.append("    shuffle: false")
        elif kind == "judge":
            body += [
                f"    stem: {q(f'第{qi}题：{phrase(rng, 12)}。')}",
                f"    answer: {'true' if rng.random() < 0.5 else 'false'}",
            ]
        elif kind == "blank":
            blanks = rng.randint(1, 2)
            # The question's own number, between marks the text never uses, around each blank: the generated text repeats one cycle of words, so a
            # blank between words would have its answer and context printed in hundreds of other stems (answer
            # leaks, which the draw keeps apart like one group), unlike any real bank. Punctuation is no
            # barrier: the leak finder reads past it as a candidate does.
            stem = f"第{qi}题：{phrase(rng, 6)}" + "".join(
                f"，甲{qi}乙______丙{qi}丁，{phrase(rng, 3)}" for _ in range(blanks)
            ) + "。"
            answers = [f"{phrase(rng, 3)}|{phrase(rng, 2)}" for _ in range(blanks)]
            body += [
                f"    stem: {q(stem)}",
                "    answer: [" + ", ".join(q(a) for a in answers) + "]",
            ]
        else:  # short
            body += [
                f"    stem: {q(f'第{qi}题：简述{phrase(rng, 8)}。')}",
                f"    answer: {q(phrase(rng, 10) + chr(10) + phrase(rng, 10))}",
                f"    lines: {rng.randint(3, 8)}",
            ]
        body.append(f"    difficulty: {difficulty}")
        body.append(f"    note: {sid}-n{ni:03d}")
        if rng.random() < 0.5:
            body.append(f"    quote: {q(note_texts[ni])}")
        if rng.random() < 0.3:
            body.append("    tags: [" + ", ".join(q(t) for t in rng.sample(TAGS, rng.randint(1, 2))) + "]")
        if rng.random() < 0.3:
            body.append(f"    explanation: {q('解析：' + phrase(rng, 12))}")
        # Groups of 2–3 consecutive questions (about 8% of the bank); the last question of a section always
        # starts one, which the next section's first question finishes, so some groups span two sections.
        if group_state["left"] == 0 and (rng.random() < 0.03 or qi == len(kinds) - 1):
            group_state["name"] = f"g-{sid}-{qi}"
            group_state["left"] = 2 if qi == len(kinds) - 1 else rng.randint(2, 3)
        if group_state["left"] > 0:
            body.append(f"    group: {group_state['name']}")
            group_state["left"] -= 1
        if rng.random() < 0.02:
            body.append("    points: 1.5")
        lines += body
    return sid, "\n".join(lines) + "\n"


BLUEPRINT = """\
# Generated by benches/gen_bank.py: 300 questions, difficulty mixes, every spread kind.
title: 合成题库规模测试卷
subtitle: 300题
duration: 180
parts:
  - title: 单项选择题
    type: single
    count: 150
    points: 0.5
    sections: even
    difficulty: {{1: 15%, 2: 25%, 3: 35%, 4: 15%, 5: 10%}}
  - title: 多项选择题
    type: multiple
    count: 60
    points: 1.5
    sections: proportional
    difficulty: {{1: 10%, 2: 20%, 3: 40%, 4: 20%, 5: 10%}}
    scoring: {{partial: 0.5}}
  - title: 判断题
    type: judge
    count: 50
    points: 0.5
    difficulty: {{1: 2, 2: 3, 3: 3, 4: 2}}
  - title: 填空题
    type: blank
    count: 25
    points: 1
    sections: {quotas}
  - title: 简答题
    type: short
    count: 15
    points: 4
    tags: [{tag}]
    difficulty: {{3: 40%, 4: 40%, 5: 20%}}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--questions", type=int, default=20000)
    ap.add_argument("--sections", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    bank = os.path.join(args.out, "bank")
    os.makedirs(os.path.join(bank, "exams"), exist_ok=True)
    per_section = args.questions // args.sections
    group_state = {"name": None, "left": 0}
    ids = []
    for si in range(args.sections):
        n = per_section + (1 if si < args.questions % args.sections else 0)
        sid, text = section_file(rng, si, n, args.sections, group_state)
        ids.append(sid)
        with open(os.path.join(bank, f"{si + 1:02d}-{sid}.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
    # 25 blank questions by hard quotas: 3 from each of the first 5 sections, 2 from the other 5.
    quotas = {sid: (3 if i < len(ids) // 2 else 2) for i, sid in enumerate(ids)}
    quotas[ids[-1]] += 25 - sum(quotas.values())
    quota_text = "{" + ", ".join(f"{k}: {v}" for k, v in quotas.items()) + "}"
    with open(os.path.join(bank, "exams", "scale.yaml"), "w", encoding="utf-8") as f:
        f.write(BLUEPRINT.format(quotas=quota_text, tag=TAGS[0]))


if __name__ == "__main__":
    main()
