//! What a template decides, in Word: the words and order of a document's frame — title lines, write-on
//! fields, tables, boxes, part headings, spacing and the footer — read from the page markup the template
//! makes for the PDF, so a school's edited template changes the Word file as it changes the PDF. The
//! questions themselves come from the paper data ([`super::paper::question`]), placed where the template
//! places them.

use docx_rs::AlignmentType;

use super::Ctx;
use super::style::{self, Block, Para, Span, spacer};
use crate::render::fonts::FontRole;
use crate::render::markup::{self, Align, Inline, QuestionBlock};

/// The template's blocks as Word blocks, in its order; each `<question>` written by `question`.
pub fn blocks(
    template: &[markup::Block],
    cx: &Ctx,
    question: &mut dyn FnMut(&QuestionBlock) -> Vec<Block>,
) -> Vec<Block> {
    let width = cx.setup.column_width();
    let mut out = Vec::new();
    for block in template {
        match block {
            markup::Block::Para(p) => out.push(Block::p(paragraph(p).with(&spans(&p.runs)))),
            markup::Block::Heading { para, scorebox, .. } => {
                out.extend(heading(para, scorebox, width))
            }
            markup::Block::Fields { fields, size } => {
                out.push(Block::p(fields_line(fields, *size)))
            }
            markup::Block::Table(t) => out.push(Block::t(table(t, width))),
            markup::Block::Space(pt) => out.push(Block::p(spacer(*pt, false))),
            markup::Block::Boxed {
                title,
                blocks,
                size,
            } => out.push(Block::t(boxed(title.as_deref(), blocks, *size, width))),
            markup::Block::Question(q) => out.extend(question(q)),
            markup::Block::Lines { count } => {
                out.extend(style::ruled_lines(*count, 0.0).into_iter().map(Block::p))
            }
            // Answer-sheet widgets, charts and contents lines belong to documents Word does not write.
            markup::Block::Bubbles { .. }
            | markup::Block::Digits { .. }
            | markup::Block::Bars { .. }
            | markup::Block::Entry { .. }
            | markup::Block::PageBreak => {}
        }
    }
    out
}

/// The paragraphs a template opens with, before its first heading or question: the document's title lines.
pub fn title_lines(template: &[markup::Block]) -> Vec<Block> {
    template
        .iter()
        .take_while(|b| matches!(b, markup::Block::Para(_)))
        .filter_map(|b| match b {
            markup::Block::Para(p) => Some(Block::p(paragraph(p).with(&spans(&p.runs)))),
            _ => None,
        })
        .collect()
}

/// A paragraph's size, alignment, indents and spacing as the template sets them.
fn paragraph(p: &markup::Para) -> Para {
    let mut para = Para::new(p.size).before(p.space_before);
    para.after = p.space_after;
    para.align = match p.align {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
        Align::Justify => AlignmentType::Both,
    };
    // Indents are in em: the first line at `first_indent`, the rest at `rest_indent`.
    para.left = p.rest_indent * p.size;
    if p.rest_indent > p.first_indent {
        para.hanging = (p.rest_indent - p.first_indent) * p.size;
    } else {
        para.first_line = (p.first_indent - p.rest_indent) * p.size;
    }
    para
}

/// Runs as Word spans, neighbouring text of one font joined into one span.
fn spans(runs: &[Inline]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for run in runs {
        match run {
            Inline::Text { text, role } => {
                if let Some(last) = out.last_mut()
                    && last.made.is_none()
                    && !last.underline
                    && last.role() == *role
                {
                    last.text.push_str(text);
                    continue;
                }
                let span = match role {
                    FontRole::Heading | FontRole::HeadingAccent => Span::heading(text),
                    FontRole::Body | FontRole::BodyAccent => Span::body(text),
                };
                out.push(span.accent(role.is_accent()));
            }
            Inline::Blank { em } => out.push(Span::blank(em.round() as usize, "")),
            Inline::Break => out.push(Span::line_break()),
            // Pictures in a template's own lines (a school's logo) are left to the PDF.
            Inline::Image(_) => {}
            // A formula goes back into the span's text as typed; the span writer turns it into an equation.
            Inline::Math { tex, display, role } => {
                let typed = if *display {
                    format!("$${tex}$$")
                } else {
                    format!("${tex}$")
                };
                out.push(Span::body(typed).accent(role.is_accent()));
            }
        }
    }
    out
}

/// A part heading: kept with its first question, an outline entry, with the score box when the template
/// asks for one.
fn heading(para: &markup::Para, scorebox: &[String], width: f32) -> Vec<Block> {
    // A heading is justified in Word whatever its alignment: it fills its line.
    let mut p = Para::new(para.size).before(para.space_before).keep();
    p.outline = Some(0);
    let spans = spans(&para.runs);
    if scorebox.is_empty() {
        return vec![Block::p(p.with(&spans))];
    }
    let above = p.before;
    p.before = 0.0;
    vec![
        Block::p(spacer(above, true)),
        Block::t(style::scorebox_heading(p.with(&spans), width)),
    ]
}

/// 姓名/准考证号/班级 lines on one centred line, filled in for a class batch.
fn fields_line(fields: &[markup::Field], size: f32) -> docx_rs::Paragraph {
    let mut spans = Vec::new();
    for f in fields {
        if !spans.is_empty() {
            spans.push(Span::body("\u{3000}\u{3000}"));
        }
        spans.push(Span::body(format!("{}：", f.label)));
        spans.push(Span::blank(f.em.round() as usize, &f.value));
    }
    let mut para = Para::new(size).center();
    para.line = 1.5 * 1.4;
    para.with(&spans)
}

/// A ruled table of equal columns (the score table): each cell's text in its font.
fn table(t: &markup::Table, width: f32) -> docx_rs::Table {
    let rows: Vec<Vec<Span>> = t
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| {
                    // A cell is one span: its first font's text (a score table's cells are one word).
                    spans(&cell.runs)
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Span::body(""))
                })
                .collect()
        })
        .collect();
    // A table of two rows (题号 over 得分) is kept whole in Word: its rows mean nothing apart.
    let keep = if t.rows.len() <= 2 {
        t.rows.len().max(1)
    } else {
        t.keep_rows
    };
    style::grid_table(rows, width, t.width_share, t.size, t.row_em, keep)
}

/// A bordered box with its title centred on top (考生须知) and its paragraphs.
fn boxed(title: Option<&str>, blocks: &[markup::Block], size: f32, width: f32) -> docx_rs::Table {
    let mut paragraphs = Vec::new();
    if let Some(title) = title {
        paragraphs.push(Para::new(size).center().with(&[Span::heading(title)]));
    }
    for block in blocks {
        if let markup::Block::Para(p) = block {
            paragraphs.push(paragraph(p).with(&spans(&p.runs)));
        }
    }
    style::boxed(paragraphs, width, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_one_font_is_one_span_and_fonts_and_accents_are_kept() {
        let text = |t: &str, role| Inline::Text {
            text: t.into(),
            role,
        };
        let got = spans(&[
            text("考试时间：", FontRole::Body),
            text("60分钟", FontRole::Body),
            text("教师版", FontRole::HeadingAccent),
            Inline::Blank { em: 4.0 },
            text("完", FontRole::Body),
        ]);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].text, "考试时间：60分钟");
        assert!(got[1].heading && got[1].accent);
        assert!(got[2].underline && got[2].text.chars().count() == 4);
        assert_eq!(got[3].role(), FontRole::Body);
    }

    #[test]
    fn a_hanging_indent_in_em_becomes_points_at_the_paragraphs_size() {
        let p = markup::Para {
            runs: Vec::new(),
            size: 10.0,
            align: Align::Left,
            first_indent: 0.0,
            rest_indent: 1.5,
            space_before: 2.0,
            space_after: 0.0,
        };
        let para = paragraph(&p);
        assert_eq!(
            (para.left, para.hanging, para.first_line),
            (15.0, 15.0, 0.0)
        );
        assert_eq!(para.before, 2.0);
        assert!(matches!(para.align, AlignmentType::Left));
    }
}
