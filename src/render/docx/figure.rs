//! The bank's figures in Word: pictures as inline drawings sized by the PDF's rule and downsampled as the
//! PDF's are, text runs with their pictures and line breaks as spans, and Markdown tables as ruled tables.

use std::path::Path;

use docx_rs::{
    HeightRule, Pic, Run, Table, TableAlignmentType, TableCell, TableCellMargins, TableLayoutType,
    TableRow, VAlignType, WidthType,
};

use super::Ctx;
use super::paper::Block;
use super::style::{self, BODY_SIZE, Para, Span, tw};
use crate::error::Error;
use crate::input::figures::Width;
use crate::model::paper::StemRun;
use crate::model::rich::{BodyBlock, ImageData, TableData};
use crate::render::layout::picture_size;
use crate::render::pictures::print_pixels;

/// English Metric Units per point, DrawingML's length unit.
const EMU_PER_PT: f32 = 12_700.0;
/// The PDF's space between a table cell's rule and its text.
const CELL_PAD: f32 = 2.0;

/// The pictures a document embeds, by file and pixel width, numbered in the order they first appear (their
/// relationship ids, so the same paper gives the same ids); and the first picture that could not be made.
#[derive(Default)]
pub struct Embedded {
    made: Vec<((String, u32), String)>,
    pub error: Option<Error>,
}

impl Embedded {
    /// Relationship id → alt text, for the drawings' descriptions.
    pub fn alts(&self) -> Vec<(String, String)> {
        self.made
            .iter()
            .enumerate()
            .map(|(i, (_, alt))| (rel_id(i), alt.clone()))
            .collect()
    }
}

fn rel_id(index: usize) -> String {
    format!("rIdImage{}", index + 1)
}

impl Ctx<'_> {
    /// The printed size of a picture, as on the PDF, and no wider than `room` points.
    fn printed(&self, image: &ImageData, room: f32) -> Result<(f32, f32), String> {
        let picture = self.pictures.images().get(Path::new(&image.src))?;
        let width = Width::parse(&image.width).unwrap_or(Width::Auto);
        let (w, h) = picture_size(
            self.setup,
            width,
            picture.natural_width_pt(),
            picture.aspect(),
        );
        Ok(if w > room && room > 0.0 {
            (room, h * room / w)
        } else {
            (w, h)
        })
    }

    /// How wide a picture prints in `room` points, for layout decisions (0 when it cannot be read: the
    /// picture itself reports that).
    pub fn picture_width(&self, image: &ImageData, room: f32) -> f32 {
        self.printed(image, room).map_or(0.0, |(w, _)| w)
    }

    /// A picture as an inline drawing no wider than `room` points, its bitmap at 300 dpi of that size. A
    /// picture that cannot be made stands as 「［图：说明］」 and fails the document (see [`Ctx::pack`]).
    pub fn picture(&self, image: &ImageData, room: f32) -> Span {
        match self.make(image, room) {
            Ok(span) => span,
            Err(message) => {
                let mut figures = self.figures.borrow_mut();
                if figures.error.is_none() {
                    figures.error = Some(Error::input(message).because(
                        "the image is named in the bank; run `examgen check` on the bank",
                    ));
                }
                Span::body(format!("［图：{}］", image.alt))
            }
        }
    }

    fn make(&self, image: &ImageData, room: f32) -> Result<Span, String> {
        let (w, h) = self.printed(image, room)?;
        let px = print_pixels(w);
        let bitmap = self.pictures.bitmap(&image.src, px)?;
        let key = (image.src.clone(), px);
        let mut figures = self.figures.borrow_mut();
        let index = match figures.made.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                figures.made.push((key, image.alt.clone()));
                figures.made.len() - 1
            }
        };
        let pic = Pic::new_with_dimensions(bitmap.bytes.clone(), bitmap.width, bitmap.height)
            .id(rel_id(index))
            .size(
                (w * EMU_PER_PT).round() as u32,
                (h * EMU_PER_PT).round() as u32,
            );
        Ok(Span::picture(Run::new().add_image(pic), w))
    }

    /// Stem or body runs as spans: text, blanks of the PDF's width, line breaks, and pictures no wider
    /// than `room`.
    pub fn stem_spans(&self, runs: &[StemRun], room: f32) -> Vec<Span> {
        runs.iter()
            .map(|r| {
                if let Some(image) = &r.image {
                    self.picture(image, room)
                } else if r.blank {
                    Span::blank(r.em as usize, "")
                } else if r.br {
                    Span::line_break()
                } else {
                    Span::body(&r.text)
                }
            })
            .collect()
    }

    /// What follows a stem or an explanation: paragraphs (a picture alone on its line centred, as on the
    /// PDF) and tables, `left` points in from the margin.
    pub fn body_blocks(&self, body: &[BodyBlock], left: f32) -> Vec<Block> {
        let room = self.setup.column_width() - left;
        body.iter()
            .flat_map(|block| match &block.table {
                Some(t) => vec![
                    Block::p(super::paper::spacer(BODY_SIZE * 0.3, true)),
                    Block::t(self.table(t, room, left)),
                    Block::p(super::paper::spacer(BODY_SIZE * 0.3, true)),
                ],
                None => {
                    let mut para = Para::new(BODY_SIZE);
                    para.left = left;
                    if lone_picture(&block.runs) {
                        para = para.center();
                    }
                    vec![Block::p(para.with(&self.stem_spans(&block.runs, room)))]
                }
            })
            .collect()
    }

    /// A Markdown table as a ruled Word table `width` points wide, `indent` in from the margin: equal
    /// columns, the header row in the heading face, a cell centred when it fits on one line and set as a
    /// paragraph when it wraps (as the PDF sets it), rows at least 1.9 lines high and never split. Its
    /// paragraphs keep with the next, so the table stays with its question.
    pub fn table(&self, t: &TableData, width: f32, indent: f32) -> Table {
        let columns = std::iter::once(&t.head)
            .chain(&t.rows)
            .map(Vec::len)
            .max()
            .unwrap_or(1)
            .max(1);
        let col = width / columns as f32;
        let row = |cells: &[String], heading: bool| {
            let cells: Vec<TableCell> = (0..columns)
                .map(|c| {
                    let text = cells.get(c).map_or("", String::as_str);
                    let span = if heading {
                        Span::heading(text)
                    } else {
                        Span::body(text)
                    };
                    let mut para = Para::new(BODY_SIZE);
                    para.keep_next = true;
                    let fits = style::width(self.metrics, std::slice::from_ref(&span), BODY_SIZE)
                        <= col - 2.0 * CELL_PAD;
                    if fits {
                        para = para.center();
                    }
                    let p = if text.is_empty() {
                        para.build()
                    } else {
                        para.with(&[span])
                    };
                    TableCell::new()
                        .add_paragraph(p)
                        .vertical_align(VAlignType::Center)
                        .width(tw(col) as usize, WidthType::Dxa)
                })
                .collect();
            TableRow::new(cells)
                .row_height(tw(1.9 * BODY_SIZE) as f32)
                .height_rule(HeightRule::AtLeast)
                .cant_split()
        };
        let rows: Vec<TableRow> = std::iter::once(row(&t.head, true))
            .chain(t.rows.iter().map(|r| row(r, false)))
            .collect();
        Table::new(rows)
            .set_grid(vec![tw(col) as usize; columns])
            .width(tw(col * columns as f32) as usize, WidthType::Dxa)
            .align(TableAlignmentType::Left)
            .indent(tw(indent))
            .layout(TableLayoutType::Fixed)
            .set_borders(style::table_borders(5))
            .margins(
                TableCellMargins::new()
                    .margin_top(0, WidthType::Dxa)
                    .margin_bottom(0, WidthType::Dxa)
                    .margin_left(tw(CELL_PAD) as usize, WidthType::Dxa)
                    .margin_right(tw(CELL_PAD) as usize, WidthType::Dxa),
            )
    }
}

/// A paragraph that is one picture and nothing else: the PDF centres it on its own line.
pub fn lone_picture(runs: &[StemRun]) -> bool {
    matches!(runs, [r] if r.image.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fonts::FontSet;
    use crate::render::layout::PageSetup;
    use crate::render::pictures::Pictures;

    #[test]
    fn a_picture_that_cannot_be_made_fails_the_document_with_its_file_named() {
        let fonts = FontSet::builtin();
        let setup = PageSetup::a4();
        let pictures = Pictures::new(&fonts, Default::default());
        let cx = Ctx::new(&setup, &fonts, &pictures);
        let image = ImageData {
            src: "/nonexistent/img/chart.png".into(),
            alt: "柱状图".into(),
            width: "50%".into(),
        };
        let span = cx.picture(&image, 400.0);
        assert_eq!(span.text, "［图：柱状图］");
        assert!(span.made.is_none());
        let err = cx
            .pack(docx_rs::Docx::new())
            .expect_err("a missing picture is an error")
            .to_string();
        assert!(
            err.contains("/nonexistent/img/chart.png does not exist")
                && err.contains("examgen check"),
            "{err}"
        );
    }
}
