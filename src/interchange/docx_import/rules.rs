//! The recognition rules of Chinese question papers, as data: which paragraph opens the answer section or
//! a part, which starts a question or holds options, which markers introduce an answer or explanation,
//! which words name a question type or a judge answer, and how an answer key writes its runs and pairs.
//! Each rule carries an example the unit tests check it against.

use std::sync::LazyLock;

use regex_lite::Regex;

use crate::input::bank::QuestionType;

/// What a whole paragraph is, decided by the first rule of [`LINE_RULES`] whose pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// 参考答案 / 答案与解析: the answers at the end follow.
    AnswerSection,
    /// 考生须知 / 注意事项: numbered instructions follow that are not questions.
    Instructions,
    /// 一、单项选择题（每题2分，共20分）: `title`, and `rule` in brackets.
    PartHeading,
    /// `1．` `1.` `1、` `第1题`: `n` and `rest`.
    Question,
    /// `（1）` `(1)`: `n` and `rest`; questions only where the part numbers this way from its first one.
    BracketQuestion,
}

pub struct LineRule {
    pub kind: LineKind,
    pub pattern: &'static str,
    pub example: &'static str,
}

pub const LINE_RULES: &[LineRule] = &[
    LineRule {
        kind: LineKind::AnswerSection,
        pattern: r"^(?:参考答案|答案与解析|答案及解析|参考答案(?:与|及)(?:解析|评分标准)|答案|试题答案|答案解析)\s*[:：]?$",
        example: "参考答案",
    },
    LineRule {
        kind: LineKind::Instructions,
        pattern: r"^(?:考生须知|注意事项|答题须知|说明)\s*[:：]?$",
        example: "注意事项：",
    },
    LineRule {
        kind: LineKind::PartHeading,
        pattern: r"^(?:第[一二三四五六七八九十]+部分\s*|[一二三四五六七八九十]+\s*[、．.]\s*)(?P<title>[^（(：:0-9]{2,20}?)\s*(?:[（(](?P<rule>.*)[）)])?\s*[。：:]?$",
        example: "一、单项选择题（每题2分，共20分）",
    },
    LineRule {
        kind: LineKind::Question,
        pattern: r"^(?:第\s*(?P<n2>\d{1,3})\s*题\s*[：:．.、]?|(?P<n>\d{1,3})\s*(?P<sep>[．、.]))(?P<rest>.*)$",
        example: "1．下列说法正确的是（　）",
    },
    LineRule {
        kind: LineKind::BracketQuestion,
        pattern: r"^[（(](?P<n>\d{1,3})[）)](?P<rest>.*)$",
        example: "（1）简述……",
    },
];

/// A question's own points after its number: `1．（3分）……`.
pub const QUESTION_POINTS: &str = r"^\s*[（(]\s*(?P<p>\d+(?:\.\d+)?)\s*分\s*[）)]\s*";
/// Points per question in a part's rule: 每题2分, 每小题3分.
pub const PART_POINTS: &str = r"每\s*小?\s*题\s*(?P<p>\d+(?:\.\d+)?)\s*分";

/// The fields a marker opens inside a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Stem,
    Answer,
    Explanation,
    /// 【考点】: kept as a comment (the bank links questions to its own notes by id).
    Topic,
}

/// Markers that introduce a field, anywhere in a paragraph: 【答案】B 【解析】…, or `答案：` `解析：` at the
/// start of a paragraph or after a space.
pub const MARKERS: &[(&str, Field)] = &[
    (r"【\s*(?:答案|参考答案)\s*】\s*[:：]?", Field::Answer),
    (
        r"【\s*(?:解析|详解|分析|解答|点睛|点评|试题解析)\s*】\s*[:：]?",
        Field::Explanation,
    ),
    (r"【\s*(?:考点|知识点|考点定位)\s*】\s*[:：]?", Field::Topic),
    (r"(?:^|[\s　])(?:参考答案|答案)\s*[:：]", Field::Answer),
    (
        r"(?:^|[\s　])(?:解析|详解|分析)\s*[:：]",
        Field::Explanation,
    ),
    (r"(?:^|[\s　])(?:考点|知识点)\s*[:：]", Field::Topic),
];

/// `故选B` / `故选：AC` in an explanation states the answer.
pub const CHOSEN: &str = r"故\s*选\s*[:：]?\s*(?P<a>[A-Ha-h]{1,8})";

/// What a part heading's title says about its questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Known(QuestionType),
    /// 选择题 / 不定项选择题: single or multiple by the number of answer letters.
    Choice,
}

/// Words in a part heading's title and the type they give, first match wins (多项选择 before 选择).
pub const TYPE_WORDS: &[(&str, PartKind)] = &[
    ("不定项", PartKind::Choice),
    ("单项选择", PartKind::Known(QuestionType::Single)),
    ("单选", PartKind::Known(QuestionType::Single)),
    ("多项选择", PartKind::Known(QuestionType::Multiple)),
    ("多选", PartKind::Known(QuestionType::Multiple)),
    ("选择", PartKind::Choice),
    ("判断", PartKind::Known(QuestionType::Judge)),
    ("是非", PartKind::Known(QuestionType::Judge)),
    ("填空", PartKind::Known(QuestionType::Blank)),
    ("简答", PartKind::Known(QuestionType::Short)),
    ("问答", PartKind::Known(QuestionType::Short)),
    ("论述", PartKind::Known(QuestionType::Short)),
    ("解答", PartKind::Known(QuestionType::Short)),
    ("材料", PartKind::Known(QuestionType::Short)),
    ("案例", PartKind::Known(QuestionType::Short)),
    ("分析", PartKind::Known(QuestionType::Short)),
    ("计算", PartKind::Known(QuestionType::Short)),
    ("名词解释", PartKind::Known(QuestionType::Short)),
    ("综合", PartKind::Known(QuestionType::Short)),
];

/// Judge answers as papers write them.
pub const JUDGE_WORDS: &[(&str, bool)] = &[
    ("√", true),
    ("✓", true),
    ("✔", true),
    ("对", true),
    ("正确", true),
    ("T", true),
    ("×", false),
    ("✗", false),
    ("✘", false),
    ("错", false),
    ("错误", false),
    ("F", false),
];

/// An option label at the start of `text`: `A．` `A.` `A、` `A:` `A：` `(A)` `（A）`, ASCII or full-width letter.
pub const OPTION_LABEL: &str =
    r"^(?:(?P<l>[A-HＡ-Ｈ])\s*[．.、:：]|[（(]\s*(?P<b>[A-HＡ-Ｈ])\s*[）)])\s*";

/// Answer key lines: runs `1-5 BCADB` (several on a line), pairs `1.B 2.C` / `11．√`.
pub const KEY_RUN: &str =
    r"(?P<a>\d{1,3})\s*[-－—–~～]\s*(?P<b>\d{1,3})\s*[:：．.、]?\s*(?P<ans>[A-Ha-h√×✓✗对错]+)";
pub const KEY_RUNS_LINE: &str =
    r"^(?:\s*\d{1,3}\s*[-－—–~～]\s*\d{1,3}\s*[:：．.、]?\s*[A-Ha-h√×✓✗对错]+[\s,，;；]*)+$";
pub const KEY_PAIR: &str =
    r"(?P<n>\d{1,3})\s*[．.、:：]\s*(?P<ans>[A-Ha-h]{1,8}|√|×|✓|✗|✔|✘|对|错|正确|错误)";
pub const KEY_PAIRS_LINE: &str =
    r"^(?:\s*\d{1,3}\s*[．.、:：]\s*(?:[A-Ha-h]{1,8}|√|×|✓|✗|✔|✘|对|错|正确|错误)[\s,，;；]*)+$";

/// A key line may open with its part's numeral: `一、1-5 BCADB`.
pub const KEY_PART_PREFIX: &str = r"^[一二三四五六七八九十]+\s*[、．.]\s*";
/// A line of bare letters under a row of pictures: `A　　B　　C　　D`.
pub const BARE_LABELS: &str = r"^[A-H](?:[\s　]+[A-H])+$";

/// Lines above the first question that are not the document's title.
pub const NOT_TITLE: &str = r"绝密|启用前|★|姓名|班级|学校|考号|座位|考试时间|满分|得分|总分|^\s*$";

fn compile(pattern: &str) -> Regex {
    // The patterns are constants checked by the tests below; a broken one is a programming error.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad rule pattern {pattern}: {e}"))
}

pub static LINES: LazyLock<Vec<(LineKind, Regex)>> = LazyLock::new(|| {
    LINE_RULES
        .iter()
        .map(|r| (r.kind, compile(r.pattern)))
        .collect()
});
pub static MARKER_RES: LazyLock<Vec<(Regex, Field)>> =
    LazyLock::new(|| MARKERS.iter().map(|(p, f)| (compile(p), *f)).collect());
pub static QUESTION_POINTS_RE: LazyLock<Regex> = LazyLock::new(|| compile(QUESTION_POINTS));
pub static PART_POINTS_RE: LazyLock<Regex> = LazyLock::new(|| compile(PART_POINTS));
pub static CHOSEN_RE: LazyLock<Regex> = LazyLock::new(|| compile(CHOSEN));
pub static OPTION_LABEL_RE: LazyLock<Regex> = LazyLock::new(|| compile(OPTION_LABEL));
pub static KEY_RUN_RE: LazyLock<Regex> = LazyLock::new(|| compile(KEY_RUN));
pub static KEY_RUNS_LINE_RE: LazyLock<Regex> = LazyLock::new(|| compile(KEY_RUNS_LINE));
pub static KEY_PAIR_RE: LazyLock<Regex> = LazyLock::new(|| compile(KEY_PAIR));
pub static KEY_PAIRS_LINE_RE: LazyLock<Regex> = LazyLock::new(|| compile(KEY_PAIRS_LINE));
pub static KEY_PART_PREFIX_RE: LazyLock<Regex> = LazyLock::new(|| compile(KEY_PART_PREFIX));
pub static BARE_LABELS_RE: LazyLock<Regex> = LazyLock::new(|| compile(BARE_LABELS));
pub static NOT_TITLE_RE: LazyLock<Regex> = LazyLock::new(|| compile(NOT_TITLE));

/// The kind of a paragraph (already trimmed) and its captures, by the first matching line rule.
/// A number followed by `.` and a digit is a decimal (`2.5万人`), and a part heading must name a type.
pub fn classify(text: &str) -> Option<(LineKind, regex_lite::Captures<'_>)> {
    LINES.iter().find_map(|(kind, re)| {
        let c = re.captures(text)?;
        let decimal = c.name("sep").is_some_and(|s| s.as_str() == ".")
            && c["rest"].starts_with(|d: char| d.is_ascii_digit());
        let untyped_heading = *kind == LineKind::PartHeading && part_kind(&c["title"]).is_none();
        (!decimal && !untyped_heading).then_some((*kind, c))
    })
}

/// The type a part heading's title names.
pub fn part_kind(title: &str) -> Option<PartKind> {
    TYPE_WORDS
        .iter()
        .find(|(word, _)| title.contains(word))
        .map(|(_, kind)| *kind)
}

/// A judge answer word, if `text` is one.
pub fn judge_word(text: &str) -> Option<bool> {
    let t = text.trim().trim_end_matches(['。', '.']);
    JUDGE_WORDS
        .iter()
        .find(|(w, _)| t.eq_ignore_ascii_case(w))
        .map(|(_, v)| *v)
}

/// The letter index of an option label at the start of `text` and the label's byte length.
pub fn option_label(text: &str) -> Option<(usize, usize)> {
    let c = OPTION_LABEL_RE.captures(text)?;
    let letter = c
        .name("l")
        .or_else(|| c.name("b"))?
        .as_str()
        .chars()
        .next()?;
    let index = match letter {
        'A'..='H' => letter as usize - 'A' as usize,
        _ => letter as usize - 'Ａ' as usize,
    };
    Some((index, c.get(0)?.end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_rule_reads_its_example() {
        for rule in LINE_RULES {
            let (kind, _) = classify(rule.example).unwrap();
            assert_eq!(kind, rule.kind, "{}", rule.example);
        }
        for (pattern, _) in MARKERS {
            compile(pattern);
        }
    }

    #[test]
    fn headings_questions_and_labels() {
        let (kind, c) = classify("二、多项选择题（每小题3分，共15分）").unwrap();
        assert_eq!(kind, LineKind::PartHeading);
        assert_eq!(&c["title"], "多项选择题");
        assert_eq!(
            part_kind(&c["title"]),
            Some(PartKind::Known(QuestionType::Multiple))
        );
        assert_eq!(&PART_POINTS_RE.captures(&c["rule"]).unwrap()["p"], "3");
        for q in ["3．题干", "3.题干", "3、题干", "3. 题干", "第3题 题干"] {
            let (kind, c) = classify(q).unwrap();
            assert_eq!(kind, LineKind::Question, "{q}");
            assert_eq!(c.name("n").or(c.name("n2")).unwrap().as_str(), "3");
        }
        // A decimal is not a question number.
        assert!(classify("2.5万人参加了活动").is_none());
        assert_eq!(
            classify("（2）说明理由").unwrap().0,
            LineKind::BracketQuestion
        );
        assert_eq!(option_label("B．乙"), Some((1, "B．".len())));
        assert_eq!(option_label("(C) 丙"), Some((2, "(C) ".len())));
        assert_eq!(option_label("Ｄ、丁"), Some((3, "Ｄ、".len())));
        assert_eq!(judge_word("√"), Some(true));
        assert_eq!(judge_word("错误"), Some(false));
        assert!(KEY_RUNS_LINE_RE.is_match("1-5 BCADB 6～10 ACDBB"));
        assert!(KEY_PAIRS_LINE_RE.is_match("1.B 2.C 3．√"));
        assert!(KEY_PAIRS_LINE_RE.is_match("1.a 2.bcd"));
        assert!(!KEY_PAIRS_LINE_RE.is_match("1．社会工作是什么"));
        assert_eq!(KEY_PART_PREFIX_RE.replace("二、7．√", ""), "7．√");
        assert!(BARE_LABELS_RE.is_match("A　　B　　C"));
    }
}
