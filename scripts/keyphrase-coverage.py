#!/usr/bin/env python3
"""Measures how well a bank's key phrases (`**…**` in notes) cover what its questions test.

Prints, for the bank folder given (default: the repository's question-bank/):

1. notes with a key phrase: notes whose text marks at least one `**…**`, and of them the notes with a
   key phrase the cloze handout can blank (`blank_problem` is None);
2. tested facts that are key phrases. A *tested fact* is the correct option's text of a single-choice
   question, or one blank's answer of a blank question (the first `|`-alternative that stands in the note;
   one fact per blank), counted only where that text stands verbatim in the text of the question's note
   (compared with `**`, white space and punctuation at the fact's edges removed). It *is a key phrase* when
   one occurrence of it in the note is made of whole key phrases the cloze can blank, with only punctuation
   between them: `**尽力而为**、**量力而行**` makes both 尽力而为 and 尽力而为、量力而行 key phrases, so the
   cloze blanks exactly the words the question keys. For comparison the looser count of the issue (#26) is
   printed too: facts that lie inside one key phrase;
3. with --source FILE (tests/data/source-key-phrases.txt): the source's bold phrases that no key phrase
   covers. Headings (a note title prints them, their numbering and edge punctuation aside) and lead-in
   labels ending in a colon (主要目标是：) are left out: a title giving the answer away cannot be blanked. A bold phrase is covered when, in a note that prints it,
   blankable key phrases inside it mark at least half its characters and none runs on across its edges
   (whole, or cut where a question keys a part: 连续工作**10年以上**).

`--list` prints what is missing (notes without a blankable key phrase, key phrases breaking the cloze rules,
facts that are no key phrase, bold phrases not covered). Exit status 1 with `--min-notes`/`--min-facts`
(percent) when a share is below it. The rules mirror src/model/handout.rs (`cloze_parts`) and
src/input/bank/mod.rs (`normalize_for_match`, `note_paragraphs_text`, `key_phrase_runs`).
"""

import argparse
import re
import sys
from pathlib import Path

import yaml

MAX_BLANK_CHARS = 20  # src/model/handout.rs MAX_BLANK_CHARS


def normalize(text):
    """`normalize_for_match`: `**` and all white space removed."""
    return "".join(c for c in text.replace("**", "") if not c.isspace())


def is_wide(c):
    """Roughly `util::chars::is_wide`: Han, full-width forms and CJK punctuation."""
    o = ord(c)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
        or c in "“”‘’…—"
    )


def paragraphs(text):
    """`note_paragraphs_text`: paragraphs at blank lines, lines joined without a space between wide chars."""
    out, current = [], ""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            if current:
                out.append(current)
                current = ""
            continue
        if current and not (is_wide(current[-1]) and is_wide(line[0])):
            current += " "
        current += line
    if current:
        out.append(current)
    return out


def key_phrases(text):
    """The `**…**` runs of a note's paragraphs (a paragraph with an unclosed `**` has none)."""
    phrases = []
    for p in paragraphs(text):
        parts = p.split("**")
        if len(parts) % 2 == 0:
            continue
        phrases += [part for i, part in enumerate(parts) if i % 2 == 1 and part]
    return phrases


def is_edge(c):
    """Punctuation at a phrase's edge (`!c.is_alphanumeric()` in Rust)."""
    return not (c.isalpha() or c.isnumeric())


def core(phrase):
    start, end = 0, len(phrase)
    while start < end and is_edge(phrase[start]):
        start += 1
    while end > start and is_edge(phrase[end - 1]):
        end -= 1
    return phrase[start:end]


def blank_problem(phrase, note):
    """Why the cloze handout cannot blank `phrase` in `note` (None: it can) — `cloze_parts`."""
    c = core(phrase)
    if not c:
        return "all punctuation"
    if len(c) > MAX_BLANK_CHARS:
        return f"{len(c)} characters, over {MAX_BLANK_CHARS}"
    needle = normalize(c)
    if needle in normalize(note["title"]):
        return "the note's title prints it"
    if normalize(note["text"]).count(needle) > 1:
        return "the note's text prints it elsewhere"
    return None


def load(bank):
    notes, questions = {}, []
    for path in sorted(bank.glob("*.y*ml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        for n in doc.get("notes") or []:
            notes[n["id"]] = {"title": str(n["title"]), "text": str(n["text"]), "file": path.name}
        for q in doc.get("questions") or []:
            q["file"] = path.name
            questions.append(q)
    return notes, questions


def letter_index(answer):
    return ord(str(answer).strip().upper()[0]) - ord("A")


def tested_facts(q):
    """The texts a single-choice or blank question keys: the correct option, or each blank's answer
    alternatives (a list per fact)."""
    if q["type"] == "single":
        return [[str(q["options"][letter_index(q["answer"])])]]
    if q["type"] == "blank":
        return [[a.strip() for a in str(b).split("|") if a.strip()] for b in q["answer"]]
    return []


HEADING_NUMBER = re.compile(r"^[0-9０-９]+[.．、]\s*")

def source_bold(path):
    """The bold phrases of the source, one a line (`#` comments)."""
    lines = [
        line.strip()
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return lines


def main():
    repo = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bank", nargs="?", default=str(repo / "question-bank"))
    ap.add_argument("--source", help="bold phrases of the source, one a line (# comments)")
    ap.add_argument("--list", action="store_true", help="print what is missing")
    ap.add_argument("--min-notes", type=float, help="fail below this share (percent) of notes")
    ap.add_argument("--min-facts", type=float, help="fail below this share (percent) of facts")
    args = ap.parse_args()
    notes, questions = load(Path(args.bank))

    # 1. Notes with a key phrase.
    with_phrase = [i for i, n in notes.items() if key_phrases(n["text"])]
    with_blank = [
        i for i, n in notes.items() if any(blank_problem(p, n) is None for p in key_phrases(n["text"]))
    ]
    broken = [
        (i, p, blank_problem(p, n))
        for i, n in notes.items()
        for p in key_phrases(n["text"])
        if blank_problem(p, n) is not None
    ]
    edged = [(i, p) for i, n in notes.items() for p in key_phrases(n["text"]) if p and core(p) != p]

    # 2. Tested facts that are key phrases.
    facts, covered, inside, uncovered = 0, 0, 0, []
    for q in questions:
        note = notes.get(q.get("note"))
        if note is None:
            continue
        text = normalize(note["text"])
        for alternatives in tested_facts(q):
            present = [w for w in (normalize(core(a)) for a in alternatives) if w and w in text]
            if not present:
                continue
            facts += 1
            if any(made_of_key_phrases(w, note) for w in present):
                covered += 1
            else:
                uncovered.append((q["id"], q["note"], present[0]))
            if any(w in normalize(p) for w in present for p in key_phrases(note["text"])):
                inside += 1

    def share(a, b):
        return f"{a} of {b} ({100 * a / b:.1f}%)" if b else "0 of 0"

    print(f"notes with a key phrase:             {share(len(with_phrase), len(notes))}")
    print(f"notes with a blankable key phrase:   {share(len(with_blank), len(notes))}")
    print(f"tested facts that are key phrases:   {share(covered, facts)}")
    print(f"  (looser, inside one key phrase:    {share(inside, facts)})")
    print(f"key phrases the cloze cannot blank:  {len(broken)}")
    print(f"key phrases with punctuation at an edge: {len(edged)}")

    # 3. The source's bold phrases.
    missing_bold = []
    if args.source:
        bold = source_bold(args.source)
        counted = 0
        for b in bold:
            want = normalize(core(HEADING_NUMBER.sub("", b)))
            if not want:
                continue
            if any(want in normalize(n["title"]) for n in notes.values()) or b.endswith("："):
                continue  # a heading (titles print it) or a lead-in label (主要目标是：)
            counted += 1
            if not any(bold_covered(want, n) for n in notes.values()):
                missing_bold.append(b)
        print(f"source bold phrases not covered:     {len(missing_bold)} of {counted} (headings left out)")

    if args.list:
        for i in notes:
            if i not in with_blank:
                print(f"no blankable key phrase: {notes[i]['file']} {i} ({notes[i]['title']})")
        for i, p, why in broken:
            print(f"cannot blank: {notes[i]['file']} {i} **{p}**: {why}")
        for i, p in edged:
            print(f"punctuation at an edge: {notes[i]['file']} {i} **{p}**")
        for qid, nid, fact in uncovered:
            print(f"fact no key phrase: {qid} (note {nid}): {fact}")
        for b in missing_bold:
            print(f"bold phrase not covered: {b}")

    failed = (args.min_notes is not None and 100 * len(with_blank) < args.min_notes * len(notes)) or (
        args.min_facts is not None and 100 * covered < args.min_facts * facts
    )
    return 1 if failed else 0


def marked_chars(text):
    """The note's characters without white space and `**`, each with the index of its key phrase (its
    position among the `**`-separated parts) or None outside key phrases."""
    return [
        (c, i if i % 2 == 1 else None)
        for i, part in enumerate(text.split("**"))
        for c in part
        if not c.isspace()
    ]


def spans_of(want, note):
    """Each occurrence of `want` in the note as (start, end, chars) over `marked_chars`."""
    chars = marked_chars(note["text"])
    flat = "".join(c for c, _ in chars)
    start = flat.find(want)
    while start >= 0:
        yield start, start + len(want), chars
        start = flat.find(want, start + 1)


def whole_phrases(start, end, chars, note):
    """The key phrases inside [start, end) if none runs on across its edges and each can be blanked, else
    None."""
    parts = note["text"].split("**")
    inside = {k for _, k in chars[start:end] if k is not None}
    for k in inside:
        span = [j for j, (c, kk) in enumerate(chars) if kk == k and not is_edge(c)]
        if span[0] < start or span[-1] >= end or blank_problem(parts[k], note) is not None:
            return None
    return inside


def made_of_key_phrases(want, note):
    """Whether an occurrence of `want` is made of whole blankable key phrases, only punctuation between."""
    for start, end, chars in spans_of(want, note):
        if all(k is not None or is_edge(c) for c, k in chars[start:end]):
            if whole_phrases(start, end, chars, note):
                return True
    return False


def bold_covered(want, note):
    """Whether a bold phrase of the source is covered in `note` (see the module's doc)."""
    for start, end, chars in spans_of(want, note):
        if not whole_phrases(start, end, chars, note):
            continue
        if 2 * sum(k is not None for _, k in chars[start:end]) >= end - start:
            return True
    return False


if __name__ == "__main__":
    sys.exit(main())
