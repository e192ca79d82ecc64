//! The look shared by every Word document: fonts, sizes, spacing in the PDF's proportions, the page set-up
//! with its footer and seal line, and small builders for runs, paragraphs and tables.

use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Footer, Header, HeightRule, InstrNUMPAGES,
    InstrPAGE, InstrText, LineSpacing, LineSpacingType, PageMargin, PageOrientationType, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, SpecialIndentType,
    Tab, TabValueType, Table, TableAlignmentType, TableBorder, TableBorderPosition, TableBorders,
    TableCell, TableCellBorder, TableCellBorderPosition, TableCellBorders, TableLayoutType,
    TablePositionProperty, TableRow, TextDirectionType, VAlignType, WidthType,
};

use crate::render::fonts::FontRole;
use crate::render::layout::{MM, Metrics, PageSetup};

/// 宋体-style body and 黑体-style headings, as in the PDF (which embeds Noto Serif SC / Noto Sans SC).
pub const BODY_CJK: &str = "Noto Serif CJK SC";
pub const HEADING_CJK: &str = "Noto Sans CJK SC";
/// Latin letters and digits in the faces Chinese papers conventionally pair with 宋体 and 黑体.
pub const BODY_LATIN: &str = "Times New Roman";
pub const HEADING_LATIN: &str = "Arial";
/// The PDF's teacher red (0.78, 0.08, 0.08).
pub const ACCENT: &str = "C71414";
/// 五号.
pub const BODY_SIZE: f32 = crate::render::markup::BODY_SIZE;

/// Points to twentieths of a point (twips), Word's length unit.
pub fn tw(pt: f32) -> i32 {
    (pt * 20.0).round() as i32
}

/// Points to half-points, Word's font size unit.
fn half_points(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

pub fn body_fonts() -> RunFonts {
    RunFonts::new()
        .ascii(BODY_LATIN)
        .hi_ansi(BODY_LATIN)
        .east_asia(BODY_CJK)
        .cs(BODY_LATIN)
        // Quotes and dashes shared by both scripts are drawn in the East Asian face, as in Chinese text.
        .hint("eastAsia")
}

pub fn heading_fonts() -> RunFonts {
    RunFonts::new()
        .ascii(HEADING_LATIN)
        .hi_ansi(HEADING_LATIN)
        .east_asia(HEADING_CJK)
        .cs(HEADING_LATIN)
        .hint("eastAsia")
}

/// A piece of text in one face: what the templates write as plain text, `<b>` and `<accent>`.
#[derive(Debug, Clone)]
pub struct Span {
    pub text: String,
    pub heading: bool,
    pub accent: bool,
    /// A blank to write in (underlined ideographic spaces).
    pub underline: bool,
    /// A run made elsewhere — a picture or a line break — and the width it takes in points; `text` is
    /// then empty.
    pub made: Option<(Box<Run>, f32)>,
}

impl Span {
    pub fn body(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            heading: false,
            accent: false,
            underline: false,
            made: None,
        }
    }

    pub fn heading(text: impl Into<String>) -> Span {
        Span {
            heading: true,
            ..Span::body(text)
        }
    }

    pub fn accent(mut self, on: bool) -> Span {
        self.accent = self.accent || on;
        self
    }

    /// A blank `em` characters wide, or `value` written on the line and padded to that width.
    pub fn blank(em: usize, value: &str) -> Span {
        let used = value.chars().count().min(em);
        Span {
            text: format!("{value}{}", "\u{3000}".repeat(em - used)),
            heading: false,
            accent: false,
            underline: true,
            made: None,
        }
    }

    /// A picture's run, `width` points wide.
    pub fn picture(run: Run, width: f32) -> Span {
        Span {
            made: Some((Box::new(run), width)),
            ..Span::body("")
        }
    }

    /// A line break inside the paragraph: the bank text's own line breaks.
    pub fn line_break() -> Span {
        Span::picture(Run::new().add_break(docx_rs::BreakType::TextWrapping), 0.0)
    }

    pub fn role(&self) -> FontRole {
        match (self.heading, self.accent) {
            (false, false) => FontRole::Body,
            (true, false) => FontRole::Heading,
            (false, true) => FontRole::BodyAccent,
            (true, true) => FontRole::HeadingAccent,
        }
    }
}

pub fn run(span: &Span, size: f32) -> Run {
    if let Some((made, _)) = &span.made {
        return (**made).clone();
    }
    let mut r = Run::new()
        .add_text(super::math::mark_formulas(&span.text))
        .size(half_points(size));
    if span.heading {
        // The PDF's heading face is Noto Sans SC Bold.
        r = r.fonts(heading_fonts()).bold();
    }
    if span.accent {
        r = r.color(ACCENT);
    }
    if span.underline {
        r = r.underline("single");
    }
    r
}

/// Paragraph settings in points; `line` is the line pitch as a share of the size (the PDF's leading).
#[derive(Debug, Clone)]
pub struct Para {
    pub size: f32,
    pub align: AlignmentType,
    pub before: f32,
    pub after: f32,
    pub left: f32,
    pub hanging: f32,
    pub first_line: f32,
    pub keep_next: bool,
    pub tabs: Vec<f32>,
    pub line: f32,
    pub outline: Option<usize>,
}

impl Para {
    pub fn new(size: f32) -> Para {
        Para {
            size,
            align: AlignmentType::Both,
            before: 0.0,
            after: 0.0,
            left: 0.0,
            hanging: 0.0,
            first_line: 0.0,
            keep_next: false,
            tabs: Vec::new(),
            line: 1.5,
            outline: None,
        }
    }

    pub fn center(mut self) -> Para {
        self.align = AlignmentType::Center;
        self
    }

    pub fn left_aligned(mut self) -> Para {
        self.align = AlignmentType::Left;
        self
    }

    pub fn before(mut self, pt: f32) -> Para {
        self.before = pt;
        self
    }

    pub fn keep(mut self) -> Para {
        self.keep_next = true;
        self
    }

    /// The paragraph, empty: add runs with [`Para::with`].
    pub fn build(&self) -> Paragraph {
        // "At least" the PDF's line pitch: the same page count as the PDF with Noto (whose natural line is a
        // little shorter), while a teacher's larger font still grows the line instead of being clipped.
        let spacing = LineSpacing::new()
            .line_rule(LineSpacingType::AtLeast)
            .line(tw(self.size * self.line))
            .before(tw(self.before) as u32)
            .after(tw(self.after) as u32);
        let mut p = Paragraph::new()
            .align(self.align)
            .line_spacing(spacing)
            .size(half_points(self.size))
            .keep_lines(true)
            .keep_next(self.keep_next);
        if self.left > 0.0 || self.hanging > 0.0 || self.first_line > 0.0 {
            let special = if self.hanging > 0.0 {
                Some(SpecialIndentType::Hanging(tw(self.hanging)))
            } else if self.first_line > 0.0 {
                Some(SpecialIndentType::FirstLine(tw(self.first_line)))
            } else {
                None
            };
            p = p.indent(Some(tw(self.left)), special, None, None);
        }
        for t in &self.tabs {
            p = p.add_tab(Tab::new().val(TabValueType::Left).pos(tw(*t) as usize));
        }
        if let Some(level) = self.outline {
            p = p.outline_lvl(level);
        }
        p
    }

    /// The paragraph with these spans.
    pub fn with(&self, spans: &[Span]) -> Paragraph {
        spans
            .iter()
            .fold(self.build(), |p, s| p.add_run(run(s, self.size)))
    }
}

/// A run holding one tab character, in the paragraph's size (so the tab's underline and height match).
pub fn tab(size: f32) -> Run {
    Run::new().add_tab().size(half_points(size))
}

/// Text width in points as the PDF measures it (the same fonts' advances), for the same layout decisions.
pub fn width(metrics: &dyn Metrics, spans: &[Span], size: f32) -> f32 {
    let made: f32 = spans
        .iter()
        .filter_map(|s| s.made.as_ref())
        .map(|m| m.1)
        .sum();
    made + spans
        .iter()
        .map(|s| super::math::text_width(metrics, &s.text, s.role()) * size)
        .sum::<f32>()
}

pub fn table_borders(size: usize) -> TableBorders {
    let b = |p| TableBorder::new(p).size(size).color("000000");
    TableBorders::new()
        .set(b(TableBorderPosition::Top))
        .set(b(TableBorderPosition::Left))
        .set(b(TableBorderPosition::Bottom))
        .set(b(TableBorderPosition::Right))
        .set(b(TableBorderPosition::InsideH))
        .set(b(TableBorderPosition::InsideV))
}

/// A cell of a grid table: its text centred, in the body or heading face.
pub fn grid_cell(span: Span, size: f32, width_pt: f32, keep_next: bool) -> TableCell {
    let mut para = Para::new(size).center();
    para.line = 1.2;
    para.keep_next = keep_next;
    let p = if span.text.is_empty() {
        para.build()
    } else {
        para.with(&[span])
    };
    TableCell::new()
        .add_paragraph(p)
        .vertical_align(VAlignType::Center)
        .width(tw(width_pt) as usize, WidthType::Dxa)
}

/// A centred table of equal columns, `share` of `width` wide, rows `row_em` × `size` high (as the PDF's
/// `<table>`); rows shorter than the first end early. `keep_rows`: rows kept together in groups of this many.
pub fn grid_table(
    rows: Vec<Vec<Span>>,
    width: f32,
    share: f32,
    size: f32,
    row_em: f32,
    keep_rows: usize,
) -> Table {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let col = width * share / columns as f32;
    let mut above = columns;
    let rows: Vec<TableRow> = rows
        .into_iter()
        .enumerate()
        .map(|(r, cells)| {
            let used = cells.len();
            let keep = (r + 1) % keep_rows.max(1) != 0;
            let mut cells: Vec<TableCell> = cells
                .into_iter()
                .map(|s| grid_cell(s, size, col, keep))
                .collect();
            // A short row (the key's last answers) ends early as in the PDF: its own cells the width of
            // the others, then blank cells without rules. Word would honour `gridAfter`, but LibreOffice
            // stretches the row's last cell over the rest.
            for k in used..columns {
                cells.push(blank_cell(size, col, keep, k == used, k >= above));
            }
            above = used;
            TableRow::new(cells)
                .row_height(tw(row_em * size) as f32)
                .height_rule(HeightRule::Exact)
                .cant_split()
        })
        .collect();
    Table::new(rows)
        .set_grid(vec![tw(col) as usize; columns])
        .width(tw(col * columns as f32) as usize, WidthType::Dxa)
        .align(TableAlignmentType::Center)
        .layout(TableLayoutType::Fixed)
        .set_borders(table_borders(5))
}

/// A cell past the end of a short row: no rule on its right, below, or on its left unless it is the
/// `first` (the last real cell's right edge), nor above when the cell above is blank too.
fn blank_cell(
    size: f32,
    width_pt: f32,
    keep_next: bool,
    first: bool,
    under_blank: bool,
) -> TableCell {
    let none = |p| TableCellBorder::new(p).border_type(BorderType::Nil);
    let mut borders = TableCellBorders::with_empty()
        .set(none(TableCellBorderPosition::Right))
        .set(none(TableCellBorderPosition::Bottom));
    if !first {
        borders = borders.set(none(TableCellBorderPosition::Left));
    }
    if under_blank {
        borders = borders.set(none(TableCellBorderPosition::Top));
    }
    grid_cell(Span::body(""), size, width_pt, keep_next).set_borders(borders)
}

/// A framed box the full width (考生须知): one cell with a heavier border holding `paragraphs`.
pub fn boxed(paragraphs: Vec<Paragraph>, width: f32, pad: f32) -> Table {
    let cell = paragraphs
        .into_iter()
        .fold(TableCell::new(), |c, p| c.add_paragraph(p))
        .width(tw(width) as usize, WidthType::Dxa);
    Table::new(vec![TableRow::new(vec![cell]).cant_split()])
        .set_grid(vec![tw(width) as usize])
        .width(tw(width) as usize, WidthType::Dxa)
        .align(TableAlignmentType::Center)
        .layout(TableLayoutType::Fixed)
        .set_borders(table_borders(6))
        .margins(
            docx_rs::TableCellMargins::new()
                .margin_top(tw(pad * 0.6) as usize, WidthType::Dxa)
                .margin_bottom(tw(pad * 0.6) as usize, WidthType::Dxa)
                .margin_left(tw(pad) as usize, WidthType::Dxa)
                .margin_right(tw(pad) as usize, WidthType::Dxa),
        )
}

/// A part heading with the 得分 | 评卷人 box at its left (formal papers, `score_boxes`): a three-column
/// table whose third column, borderless, holds the heading.
pub fn scorebox_heading(heading: Paragraph, width: f32) -> Table {
    let size = 9.0;
    let cell_w = 3.4 * size;
    let row_h = 1.9 * size;
    let label = |t: &str| grid_cell(Span::body(t), size, cell_w, true);
    let none = |p| TableCellBorder::new(p).border_type(BorderType::Nil);
    let text_cell = |c: TableCell| {
        c.width(tw(width - 2.0 * cell_w) as usize, WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .set_borders(
                TableCellBorders::new()
                    .set(none(TableCellBorderPosition::Top))
                    .set(none(TableCellBorderPosition::Bottom))
                    .set(none(TableCellBorderPosition::Right)),
            )
    };
    let first = TableRow::new(vec![
        label("得分"),
        label("评卷人"),
        text_cell(
            TableCell::new()
                .add_paragraph(heading)
                .vertical_merge(docx_rs::VMergeType::Restart),
        ),
    ]);
    let second = TableRow::new(vec![
        label(""),
        label(""),
        text_cell(
            TableCell::new()
                .add_paragraph(Paragraph::new().keep_next(true))
                .vertical_merge(docx_rs::VMergeType::Continue),
        ),
    ]);
    Table::new(
        [first, second]
            .into_iter()
            .map(|r| {
                r.row_height(tw(row_h) as f32)
                    .height_rule(HeightRule::AtLeast)
                    .cant_split()
            })
            .collect(),
    )
    .set_grid(vec![
        tw(cell_w) as usize,
        tw(cell_w) as usize,
        tw(width - 2.0 * cell_w) as usize,
    ])
    .width(tw(width) as usize, WidthType::Dxa)
    .layout(TableLayoutType::Fixed)
    .set_borders(table_borders(5))
}

/// Ruled lines to write a short answer on: empty paragraphs with a rule under each, 1.6 lines apart.
pub fn ruled_lines(count: u32, left: f32) -> Vec<Paragraph> {
    let rule = |p| ParagraphBorder::new(p).val(BorderType::Single).size(4);
    (0..count)
        .map(|i| {
            let mut para = Para::new(BODY_SIZE);
            para.line = 1.5 * 1.6;
            para.left = left;
            para.keep_next = i + 1 < count;
            // A group of paragraphs with the same borders is one box in Word: the `between` rule draws the
            // lines inside it, the bottom rule the last one.
            para.build().set_borders(
                ParagraphBorders::with_empty()
                    .set(rule(ParagraphBorderPosition::Bottom))
                    .set(rule(ParagraphBorderPosition::Between)),
            )
        })
        .collect()
}

/// `第 PAGE 页 共 NUMPAGES 页` centred, as the PDF's footer. Two-column sheets are numbered per side (第 1 页 共
/// 4 页), not per column as the PDF numbers them (第 1 页 共 8 页 under the left column): Word has no column
/// number, and the formula fields that compute one ({ = { PAGE } * 2 - 1 }, { = { NUMPAGES } * 2 }) come
/// out wrong in LibreOffice, which prints the inner PAGE followed by the formula's cached result — tried on
/// an A3 paper of 4 sides: 第 11 页 共 42 页, 第 21 页 … instead of 第 1 页 共 8 页, 第 3 页. A number per side
/// is a common A3 convention and right in every word processor; README and docs/blueprint-format.md say so.
/// The footer every document has unless its template says otherwise.
pub const FOOTER: &str = "第{page}页 共{pages}页";

/// A centred footer from a template's pattern: its text, `{page}` as the page number field and `{pages}`
/// as the page count field.
fn footer(pattern: &str) -> Footer {
    let size = 9.0;
    let text = |t: &str| run(&Span::body(t), size);
    let field = |instr: InstrText| {
        Run::new()
            .size(half_points(size))
            .add_field_char(FieldCharType::Begin, false)
            .add_instr_text(instr)
            .add_field_char(FieldCharType::Separate, false)
            .add_text("1")
            .add_field_char(FieldCharType::End, false)
    };
    let mut para = Para::new(size).center();
    para.line = 1.2;
    let mut p = para.build();
    let mut rest = pattern;
    while !rest.is_empty() {
        let next = [("{pages}", true), ("{page}", false)]
            .into_iter()
            .filter_map(|(token, count)| rest.find(token).map(|at| (at, token, count)))
            .min_by_key(|(at, token, _)| (*at, std::cmp::Reverse(token.len())));
        let Some((at, token, count)) = next else {
            p = p.add_run(text(rest));
            break;
        };
        if at > 0 {
            p = p.add_run(text(&rest[..at]));
        }
        p = p.add_run(field(if count {
            InstrText::NUMPAGES(InstrNUMPAGES::new())
        } else {
            InstrText::PAGE(InstrPAGE::new())
        }));
        rest = &rest[at + token.len()..];
    }
    Footer::new().add_paragraph(p)
}

/// The seal line (密封线) in the binding margin of odd pages: a borderless floating table anchored to the
/// page, its cells turned to read from the bottom (as the PDF), the right-hand cell's dashed edge the line.
fn seal_header(setup: &PageSetup) -> Header {
    let size = 9.0;
    let height = setup.text_height();
    let mut fields = Vec::new();
    for (label, em) in [("考号", 10), ("姓名", 8), ("班级", 7), ("学校", 10)] {
        if !fields.is_empty() {
            fields.push(Span::body("\u{3000}\u{3000}"));
        }
        fields.push(Span::body(format!("{label}：")));
        fields.push(Span::blank(em, ""));
    }
    let spaced: String = "密封线内不要答题"
        .chars()
        .flat_map(|c| [c, '\u{3000}'])
        .collect::<String>()
        .trim_end()
        .to_string();
    let cell = |spans: &[Span], w: f32, dashed: bool| {
        let mut para = Para::new(size).center();
        para.line = 1.2;
        let none = |p| TableCellBorder::new(p).border_type(BorderType::Nil);
        let right = if dashed {
            TableCellBorder::new(TableCellBorderPosition::Right)
                .border_type(BorderType::Dashed)
                .size(5)
                .color("000000")
        } else {
            none(TableCellBorderPosition::Right)
        };
        TableCell::new()
            .add_paragraph(para.with(spans))
            .text_direction(TextDirectionType::BtLr)
            .vertical_align(VAlignType::Center)
            .width(tw(w) as usize, WidthType::Dxa)
            .set_borders(
                TableCellBorders::with_empty()
                    .set(none(TableCellBorderPosition::Top))
                    .set(none(TableCellBorderPosition::Bottom))
                    .set(none(TableCellBorderPosition::Left))
                    .set(right),
            )
    };
    let (fields_w, line_w) = (11.0 * MM, 9.0 * MM);
    let x = setup.left - 22.0 * MM;
    let table = Table::new(vec![
        TableRow::new(vec![
            cell(&fields, fields_w, false),
            cell(&[Span::body(spaced)], line_w, true),
        ])
        .row_height(tw(height) as f32)
        .height_rule(HeightRule::Exact),
    ])
    .set_grid(vec![tw(fields_w) as usize, tw(line_w) as usize])
    .width(tw(fields_w + line_w) as usize, WidthType::Dxa)
    .layout(TableLayoutType::Fixed)
    .set_borders(TableBorders::with_empty())
    .position(
        TablePositionProperty::new()
            .horizontal_anchor("page")
            .vertical_anchor("page")
            .position_x(tw(x))
            .position_y(tw(setup.top))
            .left_from_text(0)
            .right_from_text(0),
    );
    Header::new()
        .add_table(table)
        .add_paragraph(Paragraph::new().size(2))
}

/// A new document with the page set-up, the default fonts and size, the footer (a template's pattern; none
/// when it has none) and (two-column formats) the seal line.
pub fn document(setup: &PageSetup, footer_pattern: Option<&str>) -> Docx {
    let landscape = setup.width > setup.height;
    let mut docx = Docx::new()
        .default_fonts(body_fonts())
        .default_size(half_points(BODY_SIZE))
        .page_size(tw(setup.width) as u32, tw(setup.height) as u32)
        .page_margin(PageMargin {
            top: tw(setup.top),
            left: tw(setup.left),
            bottom: tw(setup.bottom),
            right: tw(setup.right),
            header: tw(10.0 * MM),
            footer: tw(setup.bottom - 10.0 * MM).max(tw(6.0 * MM)),
            gutter: 0,
        });
    if landscape {
        docx = docx.page_orient(PageOrientationType::Landscape);
    }
    if let Some(pattern) = footer_pattern {
        docx = docx.footer(footer(pattern));
    }
    if setup.seal {
        // Word's odd/even headers: the default header is the odd pages', which carry the seal line; even
        // pages then need a footer of their own too.
        docx = docx
            .header(seal_header(setup))
            .even_header(Header::new().add_paragraph(Paragraph::new()))
            .even_footer(footer(footer_pattern.unwrap_or("")));
    }
    if setup.columns > 1 {
        docx.document.section_property.columns = setup.columns;
        docx.document.section_property.space = tw(setup.gutter) as usize;
    }
    docx
}

/// Blocks in document order: Word documents take paragraphs and tables in one sequence.
pub enum Block {
    P(Box<Paragraph>),
    T(Box<Table>),
}

impl Block {
    pub fn p(paragraph: Paragraph) -> Block {
        Block::P(Box::new(paragraph))
    }

    pub fn t(table: Table) -> Block {
        Block::T(Box::new(table))
    }
}

pub fn add(docx: Docx, blocks: Vec<Block>) -> Docx {
    blocks.into_iter().fold(docx, |d, b| match b {
        Block::P(p) => d.add_paragraph(*p),
        Block::T(t) => d.add_table(*t),
    })
}

/// An empty paragraph `pt` high: the PDF's `<space>` before a table, which cannot carry space of its own.
pub fn spacer(pt: f32, keep: bool) -> Paragraph {
    let mut para = Para::new(1.0);
    para.line = pt;
    para.keep_next = keep;
    para.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use docx_rs::BuildXML;

    #[test]
    fn a_short_last_row_keeps_cells_the_width_of_the_others_and_blank_cells_lose_their_rules() {
        let row = |n: usize| {
            (0..n)
                .map(|i| Span::body(i.to_string()))
                .collect::<Vec<_>>()
        };
        let table = grid_table(
            vec![row(10), row(10), row(4), row(4)],
            500.0,
            1.0,
            10.5,
            1.9,
            2,
        );
        let xml = String::from_utf8(table.build()).unwrap();
        let rows: Vec<&str> = xml.split("<w:tr>").skip(1).collect();
        assert_eq!(rows.len(), 4);
        for r in &rows {
            assert_eq!(r.matches("<w:tc>").count(), 10, "{r}");
            assert_eq!(
                r.matches(r#"<w:tcW w:w="1000" w:type="dxa" />"#).count(),
                10,
                "{r}"
            );
        }
        assert!(!xml.contains("gridAfter"));
        // Row 3: six blank cells, none with a rule on the right or below, only the first with one on its
        // left (the fourth answer's right edge); row 4's blanks have none above either.
        let blanks = |r: &str| {
            r.split("<w:tc>")
                .skip(5)
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        for (i, cell) in blanks(rows[2]).iter().enumerate() {
            assert!(cell.contains(r#"<w:right w:val="nil""#), "{cell}");
            assert!(cell.contains(r#"<w:bottom w:val="nil""#), "{cell}");
            assert_eq!(cell.contains(r#"<w:left w:val="nil""#), i > 0, "{cell}");
            assert!(!cell.contains(r#"<w:top w:val="nil""#), "{cell}");
        }
        for cell in blanks(rows[3]) {
            assert!(cell.contains(r#"<w:top w:val="nil""#), "{cell}");
        }
    }
}
