//! Numbers as teachers type them: `60题`, `120分钟`, `1分`, `中等`, full-width digits — read as the number
//! the key means, so a bank, a blueprint and an imported spreadsheet accept the same spellings.

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected};
use unicode_normalization::UnicodeNormalization;

/// Difficulty words on Chinese papers and quiz sites, by level 1 (easiest) … 5. The three-level scale
/// (简单 / 中等 / 困难, or 低 / 中 / 高) lands on 1, 3 and 5: its middle is the five-level scale's middle.
const DIFFICULTY_WORDS: [(&str, u8); 21] = [
    ("易", 1),
    ("低", 1),
    ("较低", 2),
    ("较高", 4),
    ("高", 5),
    ("容易", 1),
    ("简单", 1),
    ("较易", 2),
    ("较容易", 2),
    ("较简单", 2),
    ("偏易", 2),
    ("中", 3),
    ("中等", 3),
    ("适中", 3),
    ("一般", 3),
    ("较难", 4),
    ("偏难", 4),
    ("较困难", 4),
    ("难", 5),
    ("困难", 5),
    ("很难", 5),
];

/// The level a difficulty word or digit names: `3`, `３`, `3.0`, `3级`, `中等`, `较难`.
pub fn difficulty_level(text: &str) -> Option<u8> {
    let folded = fold(text);
    if let Some(&(_, level)) = DIFFICULTY_WORDS.iter().find(|(w, _)| *w == folded) {
        return Some(level);
    }
    let number = strip_unit(&folded, &["级", "星"]);
    let whole = number
        .strip_suffix(".00")
        .or_else(|| number.strip_suffix(".0"))
        .unwrap_or(number);
    whole.parse::<u8>().ok().filter(|l| (1..=5).contains(l))
}

/// A judge answer as teachers write it, in a bank, an answers table or a spreadsheet: √/×, 对/错,
/// 正确/错误, 是/否, T/F, true/false, Y/N, yes/no, 1/0, ✓/✗ (full-width and upper case alike).
pub fn judge_word(text: &str) -> Option<bool> {
    let folded: String = text
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    match folded.as_str() {
        "√" | "✓" | "✔" | "对" | "正确" | "是" | "t" | "true" | "y" | "yes" | "1" => {
            Some(true)
        }
        "×" | "✗" | "✘" | "x" | "错" | "错误" | "否" | "f" | "false" | "n" | "no" | "0" => {
            Some(false)
        }
        _ => None,
    }
}

/// The help line for a difficulty that is neither a level nor a word.
pub const DIFFICULTY_HELP: &str = "write a level from 1 (easiest) to 5 (hardest), e.g. `difficulty: 3`, or one of 易, 较易, 中, 较难, 难";

/// Units a count of questions may carry: `60题`, `20 道`, `20道题`.
pub const QUESTION_UNITS: &[&str] = &["道题", "题", "道", "个", "小题"];
/// Units of a duration in minutes: `120分钟`, `120 min`.
pub const MINUTE_UNITS: &[&str] = &["分钟", "min", "mins", "minutes", "分"];
/// Units of points: `1分`, `0.5 分`.
pub const POINT_UNITS: &[&str] = &["分", "points", "point", "pts", "pt"];

/// `text` without surrounding spaces, full-width forms folded (NFKC: `３０` → `30`, `　` → ` `).
fn fold(text: &str) -> String {
    text.nfkc().collect::<String>().trim().to_string()
}

/// The number in front of one of `units` (longest first, spaces before the unit allowed), else `text`.
fn strip_unit<'a>(text: &'a str, units: &[&str]) -> &'a str {
    let mut by_length: Vec<&&str> = units.iter().collect();
    by_length.sort_by_key(|u| std::cmp::Reverse(u.len()));
    for unit in by_length {
        if let Some(number) = text.strip_suffix(*unit) {
            return number.trim_end();
        }
    }
    text
}

/// The digits of a number typed with a unit (`1分` → `1`), for keys read as exact decimals; the text
/// as it was (trimmed, folded) when it carries no such unit.
pub fn number_text(text: &str, units: &[&str]) -> String {
    let folded = fold(text);
    strip_unit(&folded, units).to_string()
}

/// A whole number as typed: a YAML integer, or a string of digits with one of `units`; `None` for a key
/// left empty (`duration:`).
fn whole_with_unit<'de, D: Deserializer<'de>>(
    deserializer: D,
    units: &[&str],
    expected: &'static str,
) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Typed {
        Whole(u64),
        Negative(i64),
        Float(f64),
        Bool(bool),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    let Some(typed) = Option::<Typed>::deserialize(deserializer)? else {
        return Ok(None);
    };
    match typed {
        Typed::Whole(n) => Ok(Some(n)),
        Typed::Negative(n) => Err(de::Error::invalid_value(Unexpected::Signed(n), &expected)),
        Typed::Float(f) => Err(de::Error::invalid_type(Unexpected::Float(f), &expected)),
        Typed::Bool(b) => Err(de::Error::invalid_type(Unexpected::Bool(b), &expected)),
        Typed::Text(s) => number_text(&s, units)
            .parse::<u64>()
            .map(Some)
            .map_err(|_| de::Error::invalid_type(Unexpected::Str(&s), &expected)),
        Typed::Other(_) => Err(de::Error::invalid_type(
            Unexpected::Other("a list or mapping"),
            &expected,
        )),
    }
}

/// `count: 60` or `count: 60题`.
pub fn question_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let n = whole_with_unit(deserializer, QUESTION_UNITS, "usize")?
        .ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"usize"))?;
    usize::try_from(n).map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(n), &"usize"))
}

/// `duration: 120` or `duration: 120分钟`; left empty, no duration.
pub fn minutes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    match whole_with_unit(deserializer, MINUTE_UNITS, "u32")? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(n), &"u32")),
    }
}

/// `difficulty: 3` or `difficulty: 中等`; out-of-range digits pass through for the range check; left
/// empty, the default.
pub fn difficulty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u8>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Typed {
        Whole(u64),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    let Some(typed) = Option::<Typed>::deserialize(deserializer)? else {
        return Ok(None);
    };
    match typed {
        Typed::Whole(n) => u8::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(n), &"a difficulty level")),
        Typed::Text(s) => difficulty_level(&s)
            .map(Some)
            .ok_or_else(|| de::Error::invalid_type(Unexpected::Str(&s), &"a difficulty level")),
        Typed::Other(_) => Err(de::Error::invalid_type(
            Unexpected::Other("a list or mapping"),
            &"a difficulty level",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difficulty_words_and_digits_name_levels() {
        for (typed, level) in [
            ("3", 3),
            ("３", 3),
            ("3.0", 3),
            ("4级", 4),
            (" 中等 ", 3),
            ("易", 1),
            ("较易", 2),
            ("较难", 4),
            ("难", 5),
            ("困难", 5),
            ("简单", 1),
        ] {
            assert_eq!(difficulty_level(typed), Some(level), "{typed}");
        }
        for typed in ["0", "6", "中上", "hard", "", "3.5"] {
            assert_eq!(difficulty_level(typed), None, "{typed}");
        }
    }

    #[derive(Deserialize)]
    struct Part {
        #[serde(deserialize_with = "question_count")]
        count: usize,
        #[serde(default, deserialize_with = "minutes")]
        duration: Option<u32>,
        #[serde(default, deserialize_with = "difficulty")]
        difficulty: Option<u8>,
    }

    fn part(yaml: &str) -> Result<Part, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn counts_and_minutes_take_their_units() {
        let p = part("count: 60题\nduration: 120 分钟\ndifficulty: 较难").unwrap();
        assert_eq!(
            (p.count, p.duration, p.difficulty),
            (60, Some(120), Some(4))
        );
        let p = part("count: ２０道\nduration: 90min").unwrap();
        assert_eq!((p.count, p.duration, p.difficulty), (20, Some(90), None));
        assert_eq!(part("count: 10").unwrap().count, 10);
    }

    #[test]
    fn keys_left_empty_mean_no_value_and_an_empty_count_is_still_an_error() {
        let p = part("count: 3\nduration:\ndifficulty:").unwrap();
        assert_eq!((p.count, p.duration, p.difficulty), (3, None, None));
        let err = part("count:").err().unwrap();
        assert!(
            err.contains("invalid type: unit value, expected usize"),
            "{err}"
        );
        let err = part("count: [1, 2]").err().unwrap();
        assert!(err.contains("expected usize"), "{err}");
        let err = part("count: true").err().unwrap();
        assert!(
            err.contains("invalid type: boolean `true`, expected usize"),
            "{err}"
        );
    }

    #[test]
    fn other_units_stay_errors_in_serde_words() {
        // The wording is what yaml.rs turns into a teacher's message; keep it serde's.
        let err = part("count: 10分").err().unwrap();
        assert!(
            err.contains("invalid type: string \"10分\", expected usize"),
            "{err}"
        );
        let err = part("count: 1\nduration: 2小时").err().unwrap();
        assert!(err.contains("expected u32"), "{err}");
        let err = part("count: -3").err().unwrap();
        assert!(err.contains("expected usize"), "{err}");
        let err = part("count: 1\ndifficulty: 中上").err().unwrap();
        assert!(err.contains("expected a difficulty level"), "{err}");
    }

    #[test]
    fn judge_words_name_true_and_false() {
        for yes in ["√", "对", "正确", "是", "T", "ｔｒｕｅ", " Y ", "1", "✓"] {
            assert_eq!(judge_word(yes), Some(true), "{yes}");
        }
        for no in ["×", "错", "错误", "否", "F", "False", "N", "0", "X", "✗"] {
            assert_eq!(judge_word(no), Some(false), "{no}");
        }
        for neither in ["", "对错", "2", "正", "ok"] {
            assert_eq!(judge_word(neither), None, "{neither}");
        }
    }

    #[test]
    fn points_text_drops_the_unit_only() {
        assert_eq!(number_text("1分", POINT_UNITS), "1");
        assert_eq!(number_text("0.5 分", POINT_UNITS), "0.5");
        assert_eq!(number_text("１．５分", POINT_UNITS), "1.5");
        assert_eq!(number_text("2题", POINT_UNITS), "2题");
    }
}
