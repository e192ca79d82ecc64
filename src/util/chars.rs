//! Character classes of Chinese text, in one place for markup, line breaking and diagnostics.

/// Characters that must not start a line (closing punctuation and the like).
pub const NO_LINE_START: &str = "，。、；：？！）」』】》〉〕〗｝］…—‥·,.;:?!)]}%％‰℃’”～";
/// Characters that must not end a line (opening punctuation).
pub const NO_LINE_END: &str = "（「『【《〈〔〖｛［([{‘“";

/// Ideographs, CJK punctuation and full-width forms: text that needs no spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Characters set one em wide that break like ideographs. The Chinese curly quotes are CJK by use but
/// share their code points with Latin text, so they take their width from the font and break by UAX #14.
pub fn is_wide(c: char) -> bool {
    is_cjk(c) && !matches!(c, '“' | '”' | '‘' | '’')
}
