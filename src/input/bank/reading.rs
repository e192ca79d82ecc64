//! Text as a candidate reads it, for comparing questions: letters, digits and Han characters only, with
//! quotation marks, brackets, punctuation and spaces dropped and every answer slot kept as one mark.

use std::ops::Range;

/// Where a slot or blank stood: never a letter, so no match runs across it.
pub const SLOT_MARK: char = '□';

/// The readable form of one character: full-width letters and digits as ASCII, ASCII lower-cased, and
/// nothing for punctuation, quotation marks, brackets and spaces (`新时代“枫桥经验”` reads as
/// `新时代枫桥经验`).
pub fn fold(c: char) -> Option<char> {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.is_alphanumeric().then(|| c.to_ascii_lowercase())
}

/// The readable characters of a text without slots (an option, an answer, an explanation's quote).
pub fn read(text: &str) -> Vec<char> {
    text.chars().filter_map(fold).collect()
}

/// The readable characters of `text` with each of `slots` (sorted byte ranges) as one [`SLOT_MARK`].
pub fn read_with_slots(text: &str, slots: &[Range<usize>]) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() / 3 + 1);
    let mut at = 0;
    for s in slots {
        out.extend(text[at..s.start].chars().filter_map(fold));
        out.push(SLOT_MARK);
        at = s.end;
    }
    out.extend(text[at..].chars().filter_map(fold));
    out
}

/// Words that join the items of a list once its `、` and `，` are dropped (`A、B和C`, `A以及B`).
const JOINERS: &[&str] = &["和", "与", "及", "以及", "或"];

/// Whether `between`, the characters between two items, joins them into one list: nothing, or a joining word.
pub fn joins(between: &[char]) -> bool {
    between.is_empty()
        || JOINERS
            .iter()
            .any(|j| j.chars().eq(between.iter().copied()))
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[char], needle: &[char]) -> bool {
    find(hay, needle, 0).is_some()
}

/// The first position at or after `from` where `needle` occurs in `hay`.
pub fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from.min(hay.len()));
    }
    if needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(chars: &[char]) -> String {
        chars.iter().collect()
    }

    #[test]
    fn quotation_marks_brackets_and_punctuation_are_not_read() {
        assert_eq!(
            s(&read("坚持和发展新时代“枫桥经验”，推动")),
            "坚持和发展新时代枫桥经验推动"
        );
        assert_eq!(s(&read("《意见》（2024年）ＡＢ１")), "意见2024年ab1");
    }

    /// A stem as printed on a paper: its answer slots and its blanks both read as marks.
    fn read_stem(stem: &str) -> Vec<char> {
        let rich = crate::input::bank::Rich::parse(stem);
        read_with_slots(stem, &rich.gap_spans())
    }

    #[test]
    fn slots_and_blanks_read_as_one_mark_each() {
        assert_eq!(
            s(&read_stem("到（　）年，实施____培训（注）")),
            "到□年实施□培训注"
        );
        assert_eq!(s(&read_stem("实施(___)培训")), "实施□培训");
    }

    #[test]
    fn lists_are_joined_by_nothing_or_a_joining_word() {
        assert!(joins(&[]));
        assert!(joins(&read("以及")));
        assert!(!joins(&read("指导")));
    }

    #[test]
    fn find_from_a_position() {
        let hay = read("甲乙甲乙");
        assert_eq!(find(&hay, &read("甲乙"), 1), Some(2));
        assert!(!contains(&hay, &read("丙")));
    }
}
