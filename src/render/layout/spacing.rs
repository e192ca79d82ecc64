//! Chinese spacing rules applied to a paragraph's measured characters before line breaking (W3C clreq,
//! JLREQ): adjacent full-width punctuation loses an empty half, Han and Western text get a quarter em
//! between them, and the answer slot （　） gets its room to write in and is never broken.

use crate::render::fonts::FontRole;
use crate::render::layout::Metrics;
use crate::render::layout::linebreak::Piece;
use crate::util::chars::{Class, class};

/// A character (or blank) with its face and size, ready for line breaking.
#[derive(Debug, Clone, Copy)]
pub(in crate::render::layout) struct Styled {
    /// The character and the room it takes on the line (after compression, autospace, slot width).
    pub(in crate::render::layout) piece: Piece,
    pub(in crate::render::layout) role: FontRole,
    pub(in crate::render::layout) blank: bool,
    /// The glyph's own advance in points: what the PDF moves by after drawing it.
    pub(in crate::render::layout) advance: f32,
    /// Where the glyph is drawn from the left edge of its room (negative: a halved opening mark).
    pub(in crate::render::layout) shift: f32,
    /// Autospace after the glyph, included in `piece.width`; dropped at the end of a line.
    pub(in crate::render::layout) space_after: f32,
    /// A picture: its index in the engine's list of files, and its height (its width is the piece's).
    pub(in crate::render::layout) image: Option<(usize, f32)>,
    /// A formula: its index in the engine's list of formulas, and its ascent and descent in points.
    pub(in crate::render::layout) formula: Option<(usize, f32, f32)>,
}

/// The space between Han and Western letters or digits, in em (clreq: a quarter em; Word's default too).
pub const AUTOSPACE_EM: f32 = 0.25;
/// The room inside an answer slot, between its brackets, in em: enough to write a letter or two.
pub const SLOT_EM: f32 = 2.0;

/// Which half of a full-width mark is empty, judged from the glyph's ink (fonts differ: centred marks
/// keep their width).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Empty {
    Left,
    Right,
}

fn empty_half(metrics: &dyn Metrics, s: &Styled) -> Option<Empty> {
    if s.blank {
        return None;
    }
    let want = match class(s.piece.c) {
        Class::Opening => Empty::Left,
        Class::Closing => Empty::Right,
        _ => return None,
    };
    let advance = metrics.advance(s.role, s.piece.c);
    // Only full-width marks have an empty half to give.
    if advance < 0.9 {
        return None;
    }
    let (left, right) = metrics.ink(s.role, s.piece.c)?;
    let fits = match want {
        Empty::Right => right <= 0.52 * advance,
        Empty::Left => left >= 0.48 * advance,
    };
    fits.then_some(want)
}

/// Halves one mark of every pair of adjacent full-width marks: the first mark's empty right half when it
/// has one (`》，` `。”` `）（` `，“`), else the second's empty left half (`（「`). The glyph keeps its ink
/// where it was: a halved opening mark is drawn half an em to the left of its room.
pub(in crate::render::layout) fn compress_punctuation(
    metrics: &dyn Metrics,
    styled: &mut [Styled],
) {
    let empties: Vec<Option<Empty>> = styled.iter().map(|s| empty_half(metrics, s)).collect();
    for k in 0..styled.len().saturating_sub(1) {
        let (Some(a), Some(b)) = (empties[k], empties[k + 1]) else {
            continue;
        };
        let half = |s: &Styled| s.advance / 2.0;
        if a == Empty::Right && styled[k].piece.width >= styled[k].advance - 0.01 {
            styled[k].piece.width -= half(&styled[k]);
        } else if b == Empty::Left && (a == Empty::Left || a == Empty::Right) {
            let h = half(&styled[k + 1]);
            styled[k + 1].piece.width -= h;
            styled[k + 1].shift -= h;
        }
    }
}

/// Adds a quarter em after a Han character followed by a Western letter or digit, and after a Western one
/// followed by Han (`共 60 题`, `2025 年`). Never beside punctuation or a space, never inside a word.
pub(in crate::render::layout) fn autospace(styled: &mut [Styled], size: f32) {
    for k in 0..styled.len().saturating_sub(1) {
        if styled[k].blank || styled[k + 1].blank {
            continue;
        }
        // A formula spaces like Western text: 已知 $x>0$ gets the quarter em a Latin letter would.
        let class_of = |s: &Styled| {
            if s.formula.is_some() {
                Class::Western
            } else {
                class(s.piece.c)
            }
        };
        let pair = (class_of(&styled[k]), class_of(&styled[k + 1]));
        if matches!(
            pair,
            (Class::Han, Class::Western) | (Class::Western, Class::Han)
        ) {
            styled[k].piece.width += AUTOSPACE_EM * size;
            styled[k].space_after += AUTOSPACE_EM * size;
        }
    }
}

fn is_slot_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{00A0}')
}

/// The answer slot: an opening bracket, only spaces, a closing bracket. Its inside is set `SLOT_EM` wide
/// whatever spaces the text used, and no line may break inside it.
pub(in crate::render::layout) fn answer_slots(styled: &mut [Styled], size: f32) {
    let mut k = 0;
    while k < styled.len() {
        if !styled[k].blank && matches!(styled[k].piece.c, '（' | '(') {
            let mut end = k + 1;
            while end < styled.len() && !styled[end].blank && is_slot_space(styled[end].piece.c) {
                end += 1;
            }
            if end > k + 1 && end < styled.len() && matches!(styled[end].piece.c, '）' | ')') {
                let inside = (end - k - 1) as f32;
                for s in &mut styled[k + 1..=end] {
                    s.piece.glue = true;
                }
                for s in &mut styled[k + 1..end] {
                    s.piece.width = SLOT_EM * size / inside;
                }
                k = end + 1;
                continue;
            }
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::render::fonts::{FontRole, FontSet};
    use crate::render::layout::frame::Item;
    use crate::render::layout::{Engine, Metrics, PageSetup};
    use crate::render::markup::{Align, Inline, Para};

    const SIZE: f32 = 10.5;

    /// Every glyph of a paragraph set `width` wide, with the x where the PDF draws it and its line.
    fn glyphs(text: &str, width: f32, autospace: bool) -> Vec<(char, f32, usize)> {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let engine = Engine {
            metrics: &fonts,
            setup: &setup,
            autospace,
            pictures: Default::default(),
            formulas: Default::default(),
            sheet_page: std::cell::Cell::new((1, 1)),
            paras: None,
        };
        let para = Para {
            runs: vec![Inline::Text {
                text: text.into(),
                role: FontRole::Body,
            }],
            size: SIZE,
            align: Align::Justify,
            first_indent: 0.0,
            rest_indent: 0.0,
            space_before: 0.0,
            space_after: 0.0,
        };
        let mut out = Vec::new();
        for (line, chunk) in engine.para_chunks(&para, 0.0, width).iter().enumerate() {
            for item in &chunk.items {
                if let Item::Text {
                    x,
                    text,
                    spacing,
                    font,
                    size,
                    ..
                } = item
                {
                    let mut x = *x;
                    for c in text.chars() {
                        out.push((c, x, line));
                        x += fonts.advance(*font, c) * size + spacing;
                    }
                }
            }
        }
        out
    }

    /// The advance of the first occurrence of `pair`'s first character followed by its second, in em.
    fn advance_in_pair(text: &str, pair: &str) -> f32 {
        let g = glyphs(text, 1000.0, true);
        let (a, b) = (pair.chars().next().unwrap(), pair.chars().nth(1).unwrap());
        let k = g
            .windows(2)
            .position(|w| w[0].0 == a && w[1].0 == b)
            .unwrap_or_else(|| panic!("{pair} not found in {text}"));
        (g[k + 1].1 - g[k].1) / SIZE
    }

    #[test]
    fn the_first_of_two_adjacent_marks_takes_half_an_em() {
        let text =
            "根据《关于加强社区工作者队伍建设的意见》，由（党组织）（负责）。他说：“真实。”再说。";
        for pair in ["》，", "）（", "。”", "：“"] {
            let adv = advance_in_pair(text, pair);
            assert!((adv - 0.5).abs() < 0.01, "{pair}: {adv} em");
        }
        // A mark beside an ideograph keeps its full width.
        assert!((advance_in_pair(text, "，由") - 1.0).abs() < 0.01);
        assert!((advance_in_pair(text, "由（") - 1.0).abs() < 0.01);
    }

    #[test]
    fn a_halved_opening_mark_keeps_its_ink_and_the_text_keeps_its_characters() {
        // 「 after （ loses its empty left half: it is drawn half an em left of where it would be.
        let g = glyphs("甲（「乙」）丙", 400.0, true);
        let chars: String = g.iter().map(|x| x.0).collect();
        assert_eq!(chars, "甲（「乙」）丙");
        let x = |c: char| g.iter().find(|x| x.0 == c).unwrap().1 / SIZE;
        assert!((x('「') - x('（') - 0.5).abs() < 0.01);
        assert!(
            (x('乙') - x('「') - 1.0).abs() < 0.01,
            "the glyph's own advance is unchanged"
        );
        assert!((x('）') - x('」') - 0.5).abs() < 0.01);
        assert!((x('丙') - x('）') - 1.0).abs() < 0.01);
    }

    #[test]
    fn han_and_digits_get_a_quarter_em_and_numbers_stay_whole() {
        let g = glyphs("本卷共60题，2025年出版，满分100分。", 400.0, true);
        let fonts = FontSet::builtin();
        let gap = |a: char, b: char| {
            let k = g
                .windows(2)
                .position(|w| w[0].0 == a && w[1].0 == b)
                .unwrap();
            (g[k + 1].1 - g[k].1 - fonts.advance(FontRole::Body, a) * SIZE) / SIZE
        };
        assert!((gap('共', '6') - 0.25).abs() < 0.01);
        assert!((gap('0', '题') - 0.25).abs() < 0.01);
        assert!((gap('5', '年') - 0.25).abs() < 0.01);
        assert!(gap('6', '0').abs() < 0.01, "no space inside a number");
        assert!(gap('，', '2').abs() < 0.01, "none next to punctuation");
        let off = glyphs("本卷共60题", 400.0, false);
        let k = off.iter().position(|x| x.0 == '6').unwrap();
        assert!(
            (off[k].1 - off[k - 1].1 - SIZE).abs() < 0.01,
            "autospace: false"
        );
    }

    #[test]
    fn the_answer_slot_is_two_em_inside_and_never_broken() {
        let fonts = FontSet::builtin();
        for stem in [
            "下列属于社区工作的是（　）。",
            "下列属于社区工作的是（ ）。",
            "下列属于社区工作的是（　　）。",
        ] {
            let g = glyphs(stem, 400.0, true);
            let open = g.iter().find(|x| x.0 == '（').unwrap().1;
            let close = g.iter().find(|x| x.0 == '）').unwrap().1;
            let inside = (close - open - fonts.advance(FontRole::Body, '（') * SIZE) / SIZE;
            assert!((inside - 2.0).abs() < 0.01, "{stem}: {inside} em");
        }
        // At every width the slot ends up whole on one line.
        let stem = "根据有关规定，社区工作者的配备标准是每万城镇常住人口拥有社区工作者（　）人。";
        for w in 0..120 {
            let g = glyphs(stem, 60.0 + w as f32 * 2.5, true);
            let line = |c: char| g.iter().find(|x| x.0 == c).unwrap().2;
            assert_eq!(line('（'), line('）'), "width {w}");
        }
    }
}
