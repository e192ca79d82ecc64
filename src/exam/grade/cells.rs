//! One answer cell as a teacher, a student or a scanner typed it: choice letters, judge marks and blank
//! texts, all read after Unicode NFKC so full-width `Ａ`, `１８` and `；` mean what their narrow forms do.

use std::fmt::Write as _;

use unicode_normalization::UnicodeNormalization;

use crate::input::bank::QuestionType;

/// What a student wrote for one question. Small (24 bytes, choice letters without an allocation): a class of
/// 10,000 on 80 questions holds 800,000 of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Empty,
    /// Printed options chosen (0 = A).
    Letters(Letters),
    Judge(bool),
    /// One text per blank.
    Blanks(Box<[String]>),
    /// Short answers are marked by the teacher; the cell is kept as written.
    Text(Box<str>),
}

impl Given {
    pub fn show(&self) -> String {
        match self {
            Given::Empty => "—".into(),
            Given::Letters(v) => v.to_string(),
            Given::Judge(true) => "√".into(),
            Given::Judge(false) => "×".into(),
            Given::Blanks(v) => v.join("；"),
            Given::Text(t) => t.to_string(),
        }
    }
}

/// A set of printed options (0 = A), one bit each: a sheet prints at most 26.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Letters(u32);

impl Letters {
    /// The most options a set holds (A–Z).
    pub const MAX: usize = 26;

    /// The options `indices` name; Err names the first one beyond Z.
    pub fn of(indices: impl IntoIterator<Item = usize>) -> std::result::Result<Letters, usize> {
        indices.into_iter().try_fold(Letters(0), |set, i| {
            if i < Self::MAX {
                Ok(Letters(set.0 | 1 << i))
            } else {
                Err(i)
            }
        })
    }

    /// The options chosen, ascending.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..Self::MAX).filter(move |&i| self.contains(i))
    }

    pub fn contains(self, i: usize) -> bool {
        i < Self::MAX && self.0 & 1 << i != 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::fmt::Display for Letters {
    /// As printed: `ACD`.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.iter()
            .try_for_each(|i| f.write_char(crate::input::bank::letter(i)))
    }
}

/// Unicode NFKC: the full-width letters, digits and punctuation of Chinese input methods become ASCII.
pub fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

/// Punctuation that ends or wraps an answer without being part of it: `18。`, `“共建”`.
fn is_wrapping(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '。'
            | '、'
            | '"'
            | '\''
            | '“'
            | '”'
            | '‘'
            | '’'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '「'
            | '」'
            | '『'
            | '』'
            | '('
            | ')'
            | '['
            | ']'
    )
}

/// A blank's text as it is compared: NFKC, lower case, no whitespace, `、` read as `,`, and punctuation
/// around it dropped. `１８` = `18`, `共建 共治` = `共建共治`, `“18”。` = `18`; `1.5` stays unlike `15`.
pub fn fold(text: &str) -> String {
    let folded: String = nfkc(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '、' { ',' } else { c })
        .flat_map(char::to_lowercase)
        .collect();
    folded.trim_matches(is_wrapping).to_string()
}

/// Reads one cell for a question of `kind` with `options` options; Err says why the cell is bad.
pub fn parse_cell(
    kind: QuestionType,
    options: usize,
    blanks: usize,
    raw: &str,
) -> std::result::Result<Given, String> {
    let cell = raw.trim();
    if cell.is_empty() {
        return Ok(Given::Empty);
    }
    match kind {
        QuestionType::Single | QuestionType::Multiple => letters(kind, options, cell),
        QuestionType::Judge => match crate::input::typed::judge_word(&fold(cell)) {
            Some(truth) => Ok(Given::Judge(truth)),
            None => Err(format!(
                "`{cell}` is not a judge answer (use T/F, 对/错, √/× or 1/0)"
            )),
        },
        QuestionType::Blank => {
            let parts = split_blanks(cell, blanks);
            if parts.len() > blanks {
                return Err(format!(
                    "{} answers for {blanks} blank(s); separate blanks with ；",
                    parts.len()
                ));
            }
            Ok(Given::Blanks(parts.into_boxed_slice()))
        }
        QuestionType::Short => Ok(Given::Text(cell.into())),
    }
}

/// The answers of several blanks: separated by `；`/`;`, or, when the cell has none of those, by `，`/`,`/`、`
/// (teachers type `甲，乙` as readily as `甲；乙`). A comma inside a single blank's answer is kept.
fn split_blanks(cell: &str, blanks: usize) -> Vec<String> {
    if blanks <= 1 {
        return vec![cell.to_string()];
    }
    let normal = nfkc(cell);
    let by_semicolon: Vec<&str> = normal.split(';').collect();
    let parts = if by_semicolon.len() > 1 {
        by_semicolon
    } else {
        let by_comma: Vec<&str> = normal.split([',', '、']).collect();
        if by_comma.len() <= blanks {
            by_comma
        } else {
            by_semicolon
        }
    };
    parts.iter().map(|s| s.trim().to_string()).collect()
}

/// The cell without one pair of brackets round all of it: a teacher copying the paper's answer slot types
/// `（C）` (NFKC has made it `(C)`) or `【C】` for C.
fn without_brackets(cell: &str) -> &str {
    let t = cell.trim();
    for (open, close) in [('(', ')'), ('[', ']'), ('【', '】')] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            return inner;
        }
    }
    t
}

fn letters(kind: QuestionType, options: usize, cell: &str) -> std::result::Result<Given, String> {
    let normal = nfkc(cell);
    let inside = without_brackets(&normal);
    if inside.trim().is_empty() {
        // The paper's empty slot `（　　）` copied as it is: no answer, as an empty cell.
        return Ok(Given::Empty);
    }
    let mut letters = Letters::default();
    for c in inside.chars() {
        if c.is_whitespace() || matches!(c, ',' | '、' | ';' | '/' | '|') {
            continue;
        }
        let up = c.to_ascii_uppercase();
        if !up.is_ascii_uppercase() {
            return Err(format!("`{c}` is not an option letter"));
        }
        let i = (up as u8 - b'A') as usize;
        if i >= options {
            return Err(format!(
                "{up} is beyond the last option ({})",
                crate::input::bank::letter(options.saturating_sub(1))
            ));
        }
        // An ASCII capital: `i` is below Letters::MAX.
        letters = Letters(letters.0 | 1 << i);
    }
    if kind == QuestionType::Single && letters.len() > 1 {
        return Err(format!(
            "{} letters for a single-choice question",
            letters.len()
        ));
    }
    Ok(Given::Letters(letters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_fold_the_way_teachers_type() {
        assert_eq!(fold("１８"), fold("18"));
        assert_eq!(fold(" 共建 共治 "), "共建共治");
        assert_eq!(fold("“18”。"), "18");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_ne!(
            fold("1.5"),
            fold("15"),
            "a decimal point is part of a number"
        );
        assert_eq!(
            parse_cell(QuestionType::Blank, 0, 2, "甲，乙").unwrap(),
            parse_cell(QuestionType::Blank, 0, 2, "甲；乙").unwrap()
        );
        assert_eq!(
            parse_cell(QuestionType::Blank, 0, 2, "甲、乙").unwrap(),
            Given::Blanks(["甲".into(), "乙".into()].into())
        );
        // One blank whose answer has a comma keeps it; so does a cell that uses ； between blanks.
        assert_eq!(
            parse_cell(QuestionType::Blank, 0, 1, "党建引领，共建共治").unwrap(),
            Given::Blanks(["党建引领，共建共治".into()].into())
        );
        assert_eq!(
            parse_cell(QuestionType::Blank, 0, 2, "党建引领，共建；共治").unwrap(),
            Given::Blanks(["党建引领,共建".into(), "共治".into()].into())
        );
        assert!(parse_cell(QuestionType::Blank, 0, 2, "甲；乙；丙").is_err());
    }

    #[test]
    fn a_set_of_letters_holds_each_option_once_in_order() {
        let set = Letters::of([3, 0, 3, 25]).unwrap();
        assert_eq!(set.iter().collect::<Vec<_>>(), [0, 3, 25]);
        assert_eq!((set.len(), set.to_string()), (3, "ADZ".to_string()));
        assert!(set.contains(25) && !set.contains(1) && !set.contains(26));
        assert!(Letters::default().is_empty() && !set.is_empty());
        assert_eq!(Letters::of([2, 26, 40]), Err(26), "beyond Z is refused");
        // As a cell reads: repeated and out-of-order letters are one choice of each.
        assert_eq!(
            parse_cell(QuestionType::Multiple, 5, 1, "DBDa").unwrap(),
            Given::Letters(Letters::of([0, 1, 3]).unwrap())
        );
        assert_eq!(
            parse_cell(QuestionType::Multiple, 5, 1, "DBDa")
                .unwrap()
                .show(),
            "ABD"
        );
    }

    #[test]
    fn letters_and_marks_from_chinese_input_methods() {
        assert_eq!(
            parse_cell(QuestionType::Multiple, 5, 1, "Ａ，Ｃ；ｄ").unwrap(),
            Given::Letters(Letters::of([0, 2, 3]).unwrap())
        );
        assert_eq!(
            parse_cell(QuestionType::Judge, 0, 1, "Ｔ").unwrap(),
            Given::Judge(true)
        );
        assert_eq!(
            parse_cell(QuestionType::Judge, 0, 1, "✔").unwrap(),
            Given::Judge(true)
        );
        assert_eq!(
            parse_cell(QuestionType::Judge, 0, 1, "错。").unwrap(),
            Given::Judge(false)
        );
        let err = parse_cell(QuestionType::Single, 4, 1, "甲").unwrap_err();
        assert!(err.contains("`甲` is not an option letter"), "{err}");
    }

    #[test]
    fn letters_copied_with_the_answer_slots_brackets() {
        for typed in ["（Ｃ）", "(c)", " 【C】 ", "[C]"] {
            assert_eq!(
                parse_cell(QuestionType::Single, 4, 1, typed).unwrap(),
                Given::Letters(Letters::of([2]).unwrap()),
                "{typed}"
            );
        }
        assert_eq!(
            parse_cell(QuestionType::Multiple, 5, 1, "（A、D）").unwrap(),
            Given::Letters(Letters::of([0, 3]).unwrap())
        );
        assert_eq!(
            parse_cell(QuestionType::Single, 4, 1, "（　　）").unwrap(),
            Given::Empty,
            "the empty slot copied: no answer"
        );
        // Only a pair round the whole cell is the slot's: a bracket inside is still refused.
        for typed in ["(C", "C)", "A(B)"] {
            let err = parse_cell(QuestionType::Multiple, 5, 1, typed).unwrap_err();
            assert!(err.contains("is not an option letter"), "{typed}: {err}");
        }
    }
}
