//! Line breaking for mixed Chinese and Latin text: UAX #14 break opportunities (unicode-linebreak), the
//! Chinese prohibition rules (禁则) on top, and greedy filling.

use unicode_linebreak::{BreakOpportunity, linebreaks};

use crate::util::chars::{NO_LINE_END, NO_LINE_START, is_wide};

/// One unit of a paragraph: a character, or an unbreakable blank to write in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// The character; U+FFFC for a blank.
    pub c: char,
    /// Advance in points.
    pub width: f32,
    /// No line break before this piece (inside an answer slot).
    pub glue: bool,
}

impl Piece {
    pub fn new(c: char, width: f32) -> Piece {
        Piece {
            c,
            width,
            glue: false,
        }
    }
}

/// A line: pieces `start..end`, and its natural width without trailing spaces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineSpan {
    pub start: usize,
    pub end: usize,
    pub width: f32,
    /// The paragraph's last line (not justified).
    pub last: bool,
}

/// Where a line may break before piece `i` (index 0 is never a break).
pub fn break_opportunities(pieces: &[Piece]) -> Vec<bool> {
    let text: String = pieces.iter().map(|p| p.c).collect();
    let mut allowed = vec![false; pieces.len() + 1];
    // Opportunities come at character boundaries in increasing order: the piece index follows by counting
    // the characters since the last one.
    let (mut at_byte, mut at_index) = (0, 0);
    for (byte, op) in linebreaks(&text) {
        at_index += text[at_byte..byte].chars().count();
        at_byte = byte;
        if matches!(op, BreakOpportunity::Allowed | BreakOpportunity::Mandatory) {
            allowed[at_index] = true;
        }
    }
    allowed[0] = false;
    // UAX #14 treats “” ‘’ as ambiguous quotes that glue to both neighbours; in Chinese text they are
    // opening and closing punctuation, so a line may break before “ and after ” like before （ and after ）.
    for i in 1..pieces.len() {
        let (prev, cur) = (pieces[i - 1].c, pieces[i].c);
        let opening = matches!(cur, '“' | '‘');
        let closing = matches!(prev, '”' | '’');
        if (opening && (is_wide(prev) || prev == '\u{FFFC}' || closing))
            || (closing && (is_wide(cur) || cur == '\u{FFFC}' || opening))
        {
            allowed[i] = true;
        }
    }
    for i in 1..pieces.len() {
        if NO_LINE_START.contains(pieces[i].c)
            || NO_LINE_END.contains(pieces[i - 1].c)
            || pieces[i].glue
        {
            allowed[i] = false;
        }
    }
    allowed
}

/// Breaks pieces into lines: the first line may be `first` wide, the others `rest`.
pub fn break_lines(pieces: &[Piece], first: f32, rest: f32) -> Vec<LineSpan> {
    let allowed = break_opportunities(pieces);
    let mut lines = Vec::new();
    let mut start = 0;
    while start < pieces.len() {
        if !lines.is_empty() {
            while start < pieces.len() && pieces[start].c == ' ' {
                start += 1;
            }
            if start == pieces.len() {
                break;
            }
        }
        let limit = if lines.is_empty() { first } else { rest } + 0.01;
        let mut width = 0.0;
        let mut last_break = None;
        let mut i = start;
        let mut forced = false;
        while i < pieces.len() {
            if i > start && allowed[i] {
                last_break = Some(i);
            }
            if i > start && width + pieces[i].width > limit && !matches!(pieces[i].c, ' ' | '\n') {
                break;
            }
            width += pieces[i].width;
            i += 1;
            // A line break (`<br/>`) ends the line after it, like the end of a paragraph.
            if pieces[i - 1].c == '\n' {
                forced = true;
                break;
            }
        }
        let end = if i == pieces.len() || forced {
            i
        } else {
            last_break.unwrap_or(i)
        };
        let mut natural_end = end;
        while natural_end > start && matches!(pieces[natural_end - 1].c, ' ' | '\n') {
            natural_end -= 1;
        }
        let width = pieces[start..natural_end].iter().map(|p| p.width).sum();
        lines.push(LineSpan {
            start,
            end,
            width,
            last: end == pieces.len() || forced,
        });
        start = end;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<Piece> {
        text.chars()
            .map(|c| Piece::new(c, if c.is_ascii() { 5.0 } else { 10.0 }))
            .collect()
    }

    fn lines(text: &str, width: f32) -> Vec<String> {
        let p = pieces(text);
        break_lines(&p, width, width)
            .iter()
            .map(|l| {
                p[l.start..l.end]
                    .iter()
                    .map(|x| x.c)
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // Four ideographs fit; the comma would start line two, so 会 moves down with it.
        let got = lines("社会工作，服务群众。", 40.0);
        assert_eq!(got, vec!["社会工", "作，服务", "群众。"]);
        for l in &got {
            assert!(
                !NO_LINE_START.contains(l.chars().next().unwrap()),
                "{got:?}"
            );
        }
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let got = lines("依据《意见》规定", 40.0);
        for l in &got {
            assert!(!NO_LINE_END.contains(l.chars().last().unwrap()), "{got:?}");
        }
    }

    #[test]
    fn chinese_quotes_behave_as_opening_and_closing_punctuation() {
        let p = pieces("作出“社会”“工作”");
        let allowed = break_opportunities(&p);
        assert!(allowed[2], "a line may break before “");
        assert!(allowed[6], "and after ” (before the next “)");
        assert!(!allowed[3] && !allowed[5], "but never after “ or before ”");
    }

    #[test]
    fn latin_words_and_numbers_are_not_split() {
        let got = lines("到2025年完成examgen工作", 60.0);
        assert!(got.iter().any(|l| l.contains("2025")), "{got:?}");
        assert!(got.iter().any(|l| l.contains("examgen")), "{got:?}");
    }

    /// The pieces before which UAX #14 allows a break, found by looking each opportunity's byte up in a
    /// table of every character's byte offset.
    fn opportunities_by_table(text: &str) -> Vec<usize> {
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        linebreaks(text)
            .filter(|(_, op)| matches!(op, BreakOpportunity::Allowed | BreakOpportunity::Mandatory))
            .map(|(byte, _)| offsets.iter().position(|b| *b == byte).unwrap())
            .filter(|i| *i > 0)
            .collect()
    }

    #[test]
    fn break_opportunities_land_on_the_right_piece_whatever_the_bytes_per_character() {
        // One-, two-, three- and four-byte characters, spaces, a line break and a blank.
        for text in [
            "abc def",
            "社会工作 is 社会 work 2025年",
            "é à ü — “引号” 𠀀𠀁 x",
            "第一行\n第二行 ok",
            "填写\u{FFFC}后 A．B．C．D．",
        ] {
            let p = pieces(text);
            let allowed = break_opportunities(&p);
            assert_eq!(allowed.len(), p.len() + 1);
            // Before the Chinese rules: every UAX #14 opportunity the rules do not forbid is kept, and
            // nothing else but the quote rule's.
            for i in opportunities_by_table(text) {
                let forbidden = i < p.len()
                    && (NO_LINE_START.contains(p[i].c) || NO_LINE_END.contains(p[i - 1].c));
                assert!(allowed[i] || forbidden, "{text:?}: break before {i} lost");
            }
            let table = opportunities_by_table(text);
            for (i, ok) in allowed.iter().enumerate() {
                let quote = i > 0 && i < p.len() && matches!(p[i].c, '“' | '‘' | '”' | '’')
                    || i > 0 && matches!(p[i - 1].c, '”' | '’');
                assert!(
                    !ok || table.contains(&i) || quote,
                    "{text:?}: break before {i} added"
                );
            }
        }
        // After the four-byte 𠀀𠀁 a space: the break after the space is before piece 12 (`x`).
        let p = pieces("é à ü — “引号” 𠀀𠀁 x");
        assert!(break_opportunities(&p)[p.len() - 1]);
    }

    #[test]
    fn an_overlong_word_is_forced_apart_rather_than_overflowing() {
        let p = pieces("abcdefghijklmnop");
        for l in break_lines(&p, 30.0, 30.0) {
            assert!(l.width <= 30.0, "{l:?}");
        }
    }
}
