//! Paragraphs: characters measured in their face, broken into lines (linebreak), and each line set as
//! text runs with the slack of justified lines spread over the gaps next to CJK characters.

use crate::render::fonts::FontRole;
use crate::render::layout::frame::Item;
use crate::render::layout::linebreak::{LineSpan, Piece, break_lines};
use crate::render::layout::paginate::Chunk;
pub(in crate::render::layout) use crate::render::layout::spacing::Styled;
use crate::render::layout::{Engine, ParaCache, spacing};
use crate::render::markup::{Align, Inline, Para};

/// Where a line is set: its left edge and baseline (relative), the width it may fill, its alignment and
/// its font size.
#[derive(Debug, Clone, Copy)]
pub(in crate::render::layout) struct LineBox {
    pub x: f32,
    pub y: f32,
    pub avail: f32,
    pub align: Align,
    pub size: f32,
}

impl Engine<'_> {
    pub(in crate::render::layout) fn text_width(
        &self,
        text: &str,
        role: FontRole,
        size: f32,
    ) -> f32 {
        text.chars()
            .map(|c| self.metrics.advance(role, c) * size)
            .sum()
    }

    pub(in crate::render::layout) fn line_height(&self, size: f32) -> f32 {
        size * self.setup.leading
    }

    /// Measures runs and applies the Chinese spacing rules: punctuation compression, the answer slot's
    /// width and, unless the document turns it off, Han–Western autospace.
    pub(in crate::render::layout) fn styled(&self, runs: &[Inline], size: f32) -> Vec<Styled> {
        let mut out = Vec::new();
        for run in runs {
            match run {
                Inline::Text { text, role } => {
                    for c in text.chars() {
                        let width = self.metrics.advance(*role, c) * size;
                        out.push(Styled {
                            piece: Piece::new(c, width),
                            role: *role,
                            blank: false,
                            advance: width,
                            shift: 0.0,
                            space_after: 0.0,
                            image: None,
                            formula: None,
                        });
                    }
                }
                Inline::Blank { em } => out.push(Styled {
                    piece: Piece::new('\u{FFFC}', em * size),
                    role: FontRole::Body,
                    blank: true,
                    advance: em * size,
                    shift: 0.0,
                    space_after: 0.0,
                    image: None,
                    formula: None,
                }),
                // A zero-width piece that line breaking ends a line after; it is never drawn.
                Inline::Break => out.push(Styled {
                    piece: Piece::new('\n', 0.0),
                    role: FontRole::Body,
                    blank: false,
                    advance: 0.0,
                    shift: 0.0,
                    space_after: 0.0,
                    image: None,
                    formula: None,
                }),
                Inline::Image(picture) => out.push(self.picture(picture)),
                Inline::Math { tex, display, role } => {
                    out.push(self.formula_piece(tex, *display, *role, size))
                }
            }
        }
        spacing::answer_slots(&mut out, size);
        spacing::compress_punctuation(self.metrics, &mut out);
        if self.autospace {
            spacing::autospace(&mut out, size);
        }
        out
    }

    /// One line of text set with the spacing rules, for lines outside paragraphs (footers, labels).
    pub(in crate::render::layout) fn text_line(
        &self,
        text: &str,
        role: FontRole,
        size: f32,
        x: f32,
        baseline: f32,
    ) -> (Vec<Item>, f32) {
        let styled = self.styled(
            &[Inline::Text {
                text: text.to_string(),
                role,
            }],
            size,
        );
        let width = line_width(&styled);
        let span = LineSpan {
            start: 0,
            end: styled.len(),
            width,
            last: true,
        };
        let items = self.line_items(
            &styled,
            &span,
            LineBox {
                x,
                y: baseline,
                avail: width,
                align: Align::Left,
                size,
            },
        );
        (items, width)
    }

    /// Items for one line of styled pieces, set in `at`.
    pub(in crate::render::layout) fn line_items(
        &self,
        styled: &[Styled],
        span: &LineSpan,
        at: LineBox,
    ) -> Vec<Item> {
        let LineBox {
            x,
            y: _,
            avail,
            align,
            size,
        } = at;
        let mut end = span.end;
        while end > span.start && matches!(styled[end - 1].piece.c, ' ' | '\n') {
            end -= 1;
        }
        let pieces = &styled[span.start..end];
        // Autospace after the line's last glyph would only push the right edge in.
        let trailing = pieces.last().map_or(0.0, |p| p.space_after);
        let slack = (avail - (span.width - trailing)).max(0.0);
        // Slack goes into the gaps next to CJK characters, blanks and spaces; a Latin word or a number
        // keeps its letters together (no letter-spacing inside "2025").
        let stretchy = |k: usize| -> bool {
            k + 1 < pieces.len() && (loose(&pieces[k]) || loose(&pieces[k + 1]))
        };
        let gaps = (0..pieces.len()).filter(|k| stretchy(*k)).count() as f32;
        let (cursor0, spacing) = match align {
            Align::Center => (x + slack / 2.0, 0.0),
            Align::Right => (x + slack, 0.0),
            // A short forced line would look gappy; justify only when the slack is modest.
            Align::Justify if !span.last && gaps > 0.0 && slack / gaps <= size * 0.5 => {
                (x, slack / gaps)
            }
            _ => (x, 0.0),
        };
        let extra = |k: usize| if stretchy(k) { spacing } else { 0.0 };
        // Where each glyph is drawn: its room's left edge plus its shift (a halved opening mark sits half
        // an em left). What the PDF must add after a glyph's own advance to reach the next one is its
        // character spacing; halved marks get a negative one, autospace and the slot a positive one, so
        // the PDF draws exactly what layout placed and text extraction sees no holes between glyphs.
        let mut xs = Vec::with_capacity(pieces.len());
        let mut cursor = cursor0;
        for (k, p) in pieces.iter().enumerate() {
            xs.push(cursor + p.shift);
            cursor += p.piece.width + extra(k);
        }
        let after: Vec<f32> = (0..pieces.len())
            .map(|k| {
                let gap = if k + 1 < pieces.len() {
                    xs[k + 1] - xs[k] - pieces[k].advance
                } else {
                    0.0
                };
                // Rounding noise would split runs and print -0.00.
                if gap.abs() < 0.001 { 0.0 } else { gap }
            })
            .collect();
        self.placed_items(pieces, &xs, &after, at)
    }

    /// The items of a line's pieces drawn at `xs`, each followed by its character spacing `after`:
    /// images, blanks as rules, and text in runs of one face and one spacing.
    fn placed_items(&self, pieces: &[Styled], xs: &[f32], after: &[f32], at: LineBox) -> Vec<Item> {
        let (y, size) = (at.y, at.size);
        let mut items = Vec::new();
        let mut k = 0;
        while k < pieces.len() {
            let p = pieces[k];
            if let Some((index, h)) = p.image {
                items.push(Item::Image {
                    x: xs[k],
                    y: y - h,
                    w: p.piece.width,
                    h,
                    src: self.pictures.borrow()[index].clone(),
                });
                k += 1;
                continue;
            }
            if let Some((index, ..)) = p.formula {
                let slot = self.formulas.borrow()[index].clone();
                // A display formula's piece is the line's width: the formula is centred in it.
                let inset = (p.piece.width - slot.formula.width * size).max(0.0) / 2.0;
                items.push(Item::Formula {
                    x: xs[k] + if slot.display { inset } else { 0.0 },
                    y,
                    size,
                    font: slot.role,
                    tex: slot.tex.clone(),
                    formula: slot.formula.clone(),
                });
                k += 1;
                continue;
            }
            if p.piece.c == '\n' {
                k += 1;
                continue;
            }
            if p.blank {
                items.push(Item::Line {
                    x1: xs[k],
                    y1: y + size * 0.2,
                    x2: xs[k] + p.piece.width,
                    y2: y + size * 0.2,
                    width: 0.6,
                    dashed: false,
                });
                k += 1;
                continue;
            }
            // One text run per face and spacing; the PDF applies the spacing after every glyph of a run.
            let mut text = String::new();
            let start = k;
            let run_spacing = after[k];
            // A glyph joins the run when it is followed by the run's spacing too: a glyph that needs its own
            // (a halved mark, autospace) starts a run, so its advance in the PDF is the one layout gave it and
            // text extraction sees no overlapping glyph boxes.
            loop {
                text.push(pieces[k].piece.c);
                k += 1;
                if k == pieces.len()
                    || pieces[k].blank
                    || pieces[k].piece.c == '\n'
                    || pieces[k].image.is_some()
                    || pieces[k].formula.is_some()
                    || pieces[k].role != p.role
                    || (k + 1 < pieces.len() && (after[k] - run_spacing).abs() > 0.001)
                {
                    break;
                }
            }
            items.push(Item::Text {
                x: xs[start],
                y,
                size,
                font: p.role,
                text: text.into(),
                spacing: run_spacing,
            });
        }
        items
    }

    /// A formula as one piece of a line: laid out in the math font at the paragraph's size.
    fn formula_piece(&self, tex: &str, display: bool, role: FontRole, size: f32) -> Styled {
        let text_role = role.regular();
        let formula = crate::math::parse(tex).map(|nodes| {
            crate::math::layout::layout(
                &nodes,
                display,
                crate::math::font::builtin(),
                &|t: &str| self.text_width(t, text_role, 1.0),
            )
        });
        let Ok(formula) = formula else {
            // `check` reports a formula that does not parse; printing its source beats dropping it.
            let width = self.text_width(tex, role, size);
            return Styled {
                piece: Piece::new('\u{FFFC}', width),
                role,
                blank: false,
                advance: width,
                shift: 0.0,
                space_after: 0.0,
                image: None,
                formula: None,
            };
        };
        let width = formula.width * size;
        let (ascent, descent) = (formula.ascent * size, formula.descent * size);
        let mut formulas = self.formulas.borrow_mut();
        formulas.push(crate::render::layout::FormulaSlot {
            formula: std::sync::Arc::new(formula),
            tex: tex.to_string(),
            role,
            display,
        });
        Styled {
            piece: Piece::new('\u{FFFC}', width),
            role,
            blank: false,
            advance: width,
            shift: 0.0,
            space_after: 0.0,
            image: None,
            formula: Some((formulas.len() - 1, ascent, descent)),
        }
    }

    /// Lays out a paragraph at `x`, `width` wide; one chunk per line. The lines of a paragraph the run
    /// has set before (the same text where it was set before) are copied.
    pub(in crate::render::layout) fn para_chunks(
        &self,
        para: &Para,
        x: f32,
        width: f32,
    ) -> Vec<Chunk> {
        let Some((cache, key)) = self.paras.and_then(|cache| {
            let key = ParaCache::key(para, x, width, self.autospace, self.metrics)?;
            Some((cache, key))
        }) else {
            return self.set_para(para, x, width);
        };
        if let Some(chunks) = cache.get(&key) {
            return chunks;
        }
        let chunks = self.set_para(para, x, width);
        cache.put(key, &chunks);
        chunks
    }

    /// Sets a paragraph at `x`, `width` wide; one chunk per line.
    fn set_para(&self, para: &Para, x: f32, width: f32) -> Vec<Chunk> {
        // A picture alone in its paragraph stands on its own line, centred.
        let lone = matches!(para.runs.as_slice(), [Inline::Image(_)]);
        let lone_para;
        let para = if lone {
            lone_para = Para {
                align: Align::Center,
                first_indent: 0.0,
                rest_indent: 0.0,
                ..para.clone()
            };
            &lone_para
        } else {
            para
        };
        let mut styled = self.styled(&para.runs, para.size);
        let narrowest = width - para.first_indent.max(para.rest_indent) * para.size;
        fit_pictures(&mut styled, narrowest);
        for s in styled.iter_mut() {
            if let Some((index, ..)) = s.formula
                && self.formulas.borrow()[index].display
            {
                s.piece.width = s.piece.width.max(narrowest);
            }
        }
        let lh = self.line_height(para.size);
        if styled.is_empty() {
            return vec![Chunk {
                height: lh,
                space_before: para.space_before,
                ..Chunk::default()
            }];
        }
        let first = para.first_indent * para.size;
        let rest = para.rest_indent * para.size;
        let pieces: Vec<Piece> = styled.iter().map(|s| s.piece).collect();
        let spans = break_lines(&pieces, width - first, width - rest);
        let baseline = lh / 2.0 + para.size * 0.35;
        let n = spans.len();
        let mut chunks: Vec<Chunk> = spans
            .iter()
            .enumerate()
            .map(|(i, span)| {
                let indent = if i == 0 { first } else { rest };
                let (height, baseline) =
                    picture_line(&styled[span.start..span.end], lh, baseline, para.size);
                Chunk {
                    height,
                    items: self.line_items(
                        &styled,
                        span,
                        LineBox {
                            x: x + indent,
                            y: baseline,
                            avail: width - indent,
                            align: para.align,
                            size: para.size,
                        },
                    ),
                    // No orphan first line and no widow last line.
                    glue_next: n <= 3 || i == 0 || i + 2 == n,
                    ..Chunk::default()
                }
            })
            .collect();
        chunks[0].space_before = para.space_before;
        if let Some(last) = chunks.last_mut() {
            last.glue_next = false;
            last.height += para.space_after;
        }
        chunks
    }
}

/// The natural width of a line of styled pieces, without autospace after its last glyph.
pub(in crate::render::layout) fn line_width(styled: &[Styled]) -> f32 {
    styled.iter().map(|s| s.piece.width).sum::<f32>() - styled.last().map_or(0.0, |s| s.space_after)
}

/// Room above the tallest picture of a line, and the line's height and baseline with it: a picture
/// stands on the baseline, and the line grows to hold it.
pub(in crate::render::layout) fn picture_line(
    pieces: &[Styled],
    lh: f32,
    baseline: f32,
    size: f32,
) -> (f32, f32) {
    let tallest = pieces
        .iter()
        .filter_map(|p| p.image.map(|(_, h)| h))
        .fold(0.0, f32::max);
    // A formula taller than the text (a fraction, a matrix) pushes the baseline down and the line's end
    // further, keeping a little air above and below it.
    let (above, below) = pieces
        .iter()
        .filter_map(|p| p.formula)
        .fold((0.0f32, 0.0f32), |(a, d), (_, fa, fd)| {
            (a.max(fa), d.max(fd))
        });
    if tallest == 0.0 && above == 0.0 {
        return (lh, baseline);
    }
    let mut raised = baseline.max(tallest + size * 0.4);
    if above > 0.0 {
        raised = raised.max(above + size * 0.25);
    }
    let depth = (lh - baseline).max(below + size * 0.25);
    (raised + depth, raised)
}

/// Shrinks pictures wider than `width` to fit it, keeping their shape.
pub(in crate::render::layout) fn fit_pictures(styled: &mut [Styled], width: f32) {
    for s in styled.iter_mut() {
        if let Some((index, h)) = s.image
            && s.piece.width > width
            && width > 0.0
        {
            let scale = width / s.piece.width;
            s.piece.width = width;
            s.advance = width;
            s.image = Some((index, h * scale));
        }
    }
}

/// Whether justification may widen the gap beside this piece: CJK text, blanks and spaces, not Latin letters
/// or digits inside a word.
fn loose(p: &Styled) -> bool {
    p.blank || p.piece.c == ' ' || crate::util::chars::is_cjk(p.piece.c)
}

#[cfg(test)]
mod tests {
    use crate::render::fonts::{FontRole, FontSet};
    use crate::render::layout::frame::Item;
    use crate::render::layout::{Engine, PageSetup};
    use crate::render::markup::{Align, Inline, Para};

    const SIZE: f32 = 10.5;

    fn engine<'a>(fonts: &'a FontSet, setup: &'a PageSetup) -> Engine<'a> {
        Engine {
            metrics: fonts,
            setup,
            autospace: true,
            pictures: Default::default(),
            formulas: Default::default(),
            sheet_page: std::cell::Cell::new((1, 1)),
            paras: None,
        }
    }

    fn text(t: &str) -> Inline {
        Inline::Text {
            text: t.into(),
            role: FontRole::Body,
        }
    }

    fn math(tex: &str, display: bool) -> Inline {
        Inline::Math {
            tex: tex.into(),
            display,
            role: FontRole::Body,
        }
    }

    fn para(runs: Vec<Inline>) -> Para {
        Para {
            runs,
            size: SIZE,
            align: Align::Justify,
            first_indent: 0.0,
            rest_indent: 0.0,
            space_before: 0.0,
            space_after: 0.0,
        }
    }

    #[test]
    fn an_inline_formula_sits_on_the_lines_baseline_and_a_tall_one_grows_the_line() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let e = engine(&fonts, &setup);
        let plain = e.para_chunks(&para(vec![text("已知函数")]), 0.0, 400.0);
        let chunks = e.para_chunks(
            &para(vec![
                text("已知函数 "),
                math(r"f(x)=\frac{1}{x^2+1}", false),
                text(" 的值。"),
            ]),
            0.0,
            400.0,
        );
        assert_eq!(chunks.len(), 1);
        let text_y: Vec<f32> = chunks[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { y, .. } => Some(*y),
                _ => None,
            })
            .collect();
        let formula_y = chunks[0]
            .items
            .iter()
            .find_map(|i| match i {
                Item::Formula { y, .. } => Some(*y),
                _ => None,
            })
            .expect("the formula is placed");
        for y in text_y {
            assert!(
                (y - formula_y).abs() <= 0.5,
                "text at {y}, formula at {formula_y}"
            );
        }
        assert!(
            chunks[0].height > plain[0].height,
            "a fraction needs a taller line"
        );
    }

    #[test]
    fn a_formula_is_never_split_and_a_display_one_is_centred_on_its_own_line() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let e = engine(&fonts, &setup);
        let long = r"a_1+a_2+a_3+a_4+a_5+a_6+a_7+a_8+a_9+a_{10}+a_{11}+a_{12}";
        let chunks = e.para_chunks(
            &para(vec![
                text("所以这个数列前十二项的和为"),
                math(long, false),
                text("。"),
            ]),
            0.0,
            330.0,
        );
        assert!(chunks.len() >= 2, "the formula does not fit after the text");
        let formulas: Vec<usize> = chunks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.items.iter().any(|i| matches!(i, Item::Formula { .. })))
            .map(|(k, _)| k)
            .collect();
        assert_eq!(formulas.len(), 1, "one line holds the whole formula");
        // 。 never starts a line: it stays with the formula.
        let line = &chunks[formulas[0]];
        assert!(
            line.items
                .iter()
                .any(|i| matches!(i, Item::Text { text, .. } if text.contains('。')))
        );

        let chunks = e.para_chunks(
            &para(vec![
                text("计算："),
                math(r"\int_0^1 x^2\,dx", true),
                text("的值。"),
            ]),
            0.0,
            400.0,
        );
        assert_eq!(chunks.len(), 3, "text, display formula, text");
        let Some(Item::Formula {
            x, formula, size, ..
        }) = chunks[1].items.first()
        else {
            panic!("{:?}", chunks[1].items)
        };
        let centre = x + formula.width * size / 2.0;
        assert!((centre - 200.0).abs() < 1.0, "centred at {centre}");
    }

    #[test]
    fn options_with_formulas_are_measured_by_their_printed_width() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let e = engine(&fonts, &setup);
        // As source text each option is about 27 characters (over a quarter of the line); printed it is
        // a short root: four fit on one line.
        let options: Vec<(String, Vec<Inline>)> = ["A．", "B．", "C．", "D．"]
            .iter()
            .map(|l| {
                (
                    l.to_string(),
                    vec![math(r"\sqrt{\frac{l}{g}}\,\mathrm{s}", false)],
                )
            })
            .collect();
        let source_width = e.text_width(r"$\sqrt{\frac{l}{g}}\,\mathrm{s}$", FontRole::Body, SIZE);
        assert!(source_width > 400.0 / 4.0);
        assert_eq!(
            e.options(&options, 0.0, 400.0, SIZE).len(),
            1,
            "one row of four"
        );
        let wide: Vec<(String, Vec<Inline>)> = ["A．", "B．", "C．", "D．"]
            .iter()
            .map(|l| {
                (
                    l.to_string(),
                    vec![math(r"T=2\pi\sqrt{\frac{l}{g}}=2\times 3.14\times\sqrt{\frac{1.0}{9.8}}\,\mathrm{s}", false)],
                )
            })
            .collect();
        assert!(
            e.options(&wide, 0.0, 400.0, SIZE).len() >= 2,
            "wide formulas take more rows"
        );
    }
}
