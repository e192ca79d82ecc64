//! Character classes of Chinese text, in one place for markup, line breaking, spacing and diagnostics.

/// Characters that must not start a line (closing punctuation and the like).
pub const NO_LINE_START: &str = "，。、；：？！）」』】》〉〕〗｝］…—‥·,.;:?!)]}%％‰℃’”～";
/// Characters that must not end a line (opening punctuation).
pub const NO_LINE_END: &str = "（「『【《〈〔〖｛［([{‘“";

/// What a character is to Chinese layout (W3C clreq): which punctuation may lose its empty half, and where
/// the quarter-em space between Han and Western text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Full-width opening brackets and quotes: （「『【《〈〔〖｛［“‘, ink on the right half.
    Opening,
    /// Full-width closing brackets, quotes and stops: ）」』】》〉〔〗｝］”’，。、；：？！, ink on the left half
    /// in mainland fonts (the font has the last word: layout checks the glyph's ink before halving it).
    Closing,
    /// Centred marks: ·・ and the like, never halved.
    Middle,
    /// Ideographs (汉字) and 〇.
    Han,
    /// Western letters and digits, which take a quarter em of space next to Han.
    Western,
    /// Everything else: spaces, dashes, ellipses, symbols, half-width punctuation.
    Other,
}

/// The one classifier every layout rule asks.
pub fn class(c: char) -> Class {
    match c {
        '（' | '「' | '『' | '【' | '《' | '〈' | '〔' | '〖' | '｛' | '［' | '“' | '‘' => {
            Class::Opening
        }
        '）' | '」' | '』' | '】' | '》' | '〉' | '〕' | '〗' | '｝' | '］' | '”' | '’' | '，'
        | '。' | '、' | '；' | '：' | '？' | '！' | '．' => Class::Closing,
        '·' | '・' | '‧' => Class::Middle,
        '〇' => Class::Han,
        _ if is_han(c) => Class::Han,
        _ if c.is_ascii_alphanumeric() => Class::Western,
        // Latin-1 and Latin Extended letters, Greek: words like Café or α inside Chinese text.
        '\u{00C0}'..='\u{024F}' | '\u{0370}'..='\u{03FF}' if c.is_alphabetic() => Class::Western,
        _ => Class::Other,
    }
}

/// Ideographs: the unified blocks, extension A and beyond, and compatibility ideographs.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Ideographs, CJK punctuation and full-width forms: text that needs no spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Characters set one em wide that break like ideographs. The Chinese curly quotes are CJK by use but
/// share their code points with Latin text, so they take their width from the font and break by UAX #14.
pub fn is_wide(c: char) -> bool {
    is_cjk(c) && !matches!(c, '“' | '”' | '‘' | '’')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_clreq() {
        for c in "（「《“".chars() {
            assert_eq!(class(c), Class::Opening, "{c}");
        }
        for c in "）」》”，。、：".chars() {
            assert_eq!(class(c), Class::Closing, "{c}");
        }
        assert_eq!(class('·'), Class::Middle);
        assert_eq!(class('题'), Class::Han);
        assert_eq!(class('6'), Class::Western);
        assert_eq!(class('x'), Class::Western);
        for c in "—…　 %①".chars() {
            assert_eq!(class(c), Class::Other, "{c}");
        }
    }
}
