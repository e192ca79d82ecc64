//! Figures in bank text: Markdown images `![alt](img/chart.png){width=50%}` and pipe tables, split out of a
//! text field into paragraphs of text and images, and tables. Positions are byte offsets into the field, so
//! `check` can point at the exact spot in the YAML file.

use std::ops::Range;

/// How wide an image prints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Width {
    /// The image's own size (pixels at 150 dpi, an SVG's declared size), never wider than the text.
    Auto,
    /// A share of the text width, 0 < share ≤ 1 (`{width=50%}`).
    Share(f32),
    /// Millimetres (`{width=40mm}`).
    Mm(f32),
}

impl Width {
    /// The attribute form the page markup takes: "", "50%" or "40mm".
    pub fn attr(&self) -> String {
        match self {
            Width::Auto => String::new(),
            Width::Share(s) => format!("{}%", trim_float(s * 100.0)),
            Width::Mm(mm) => format!("{}mm", trim_float(*mm)),
        }
    }

    /// Reads "50%", "40mm" or "" (the markup attribute and the bank's `{width=…}` alike).
    pub fn parse(text: &str) -> Option<Width> {
        let text = text.trim();
        if text.is_empty() {
            return Some(Width::Auto);
        }
        let number = |s: &str| {
            s.trim()
                .parse::<f32>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
        };
        if let Some(p) = text.strip_suffix('%') {
            return number(p).map(|p| Width::Share(p / 100.0));
        }
        if let Some(mm) = text.strip_suffix("mm") {
            return number(mm).map(Width::Mm);
        }
        None
    }
}

fn trim_float(x: f32) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One `![alt](path){width=…}` in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRef {
    pub alt: String,
    /// As typed: relative to the section file.
    pub path: String,
    pub width: Width,
    /// Where the whole markup sits in the text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Image(ImageRef),
}

#[derive(Debug, Clone, PartialEq)]
pub enum FigureBlock {
    /// Text and inline images; a paragraph that is one image alone prints centred on its own line.
    Para(Vec<Piece>),
    /// A pipe table: the first row is the header.
    Table {
        rows: Vec<Vec<String>>,
        span: Range<usize>,
    },
}

/// A problem with figure markup, at a byte range of the text.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkupProblem {
    pub span: Range<usize>,
    pub message: String,
    pub help: String,
}

/// Whether a text holds figure markup at all (the common case, plain text, takes the old paths unchanged).
pub fn has_figures(text: &str) -> bool {
    text.contains("![") || text.lines().any(is_table_line)
}

fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 2 && t.starts_with('|') && t.ends_with('|')
}

fn is_separator_row(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
        })
}

fn split_row(line: &str) -> Vec<String> {
    let t = line.trim();
    let inner = &t[1..t.len() - 1];
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// Splits a text into blocks. Lines that are only an image become their own paragraph; a run of `|…|`
/// lines whose second line is `|---|---|` is a table. Problems (rows of different lengths, an image
/// markup left open, a bad width) come back all together.
pub fn parse(text: &str) -> (Vec<FigureBlock>, Vec<MarkupProblem>) {
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    let lines: Vec<(usize, &str)> = line_starts(text);
    let mut para = String::new();
    let mut para_start = 0;
    let flush = |para: &mut String,
                 start: usize,
                 blocks: &mut Vec<FigureBlock>,
                 problems: &mut Vec<MarkupProblem>| {
        let trimmed = para.trim_end_matches('\n');
        if !trimmed.trim().is_empty() {
            blocks.push(FigureBlock::Para(pieces(trimmed, start, problems)));
        }
        para.clear();
    };
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        if is_table_line(line) {
            let mut j = i;
            while j < lines.len() && is_table_line(lines[j].1) {
                j += 1;
            }
            let rows: Vec<Vec<String>> = lines[i..j].iter().map(|(_, l)| split_row(l)).collect();
            if rows.len() >= 2 && is_separator_row(&rows[1]) {
                flush(&mut para, para_start, &mut blocks, &mut problems);
                let end = lines[j - 1].0 + lines[j - 1].1.len();
                let head = rows[0].len();
                for (k, row) in rows.iter().enumerate() {
                    if row.len() != head {
                        let (s, l) = lines[i + k];
                        problems.push(MarkupProblem {
                            span: s..s + l.len(),
                            message: format!(
                                "this table row has {} cell{} but the header row has {head}",
                                row.len(),
                                if row.len() == 1 { "" } else { "s" }
                            ),
                            help: "give every row of a table as many `|`-separated cells as the first row (leave a cell empty with `| |`)".into(),
                        });
                    }
                }
                let mut kept: Vec<Vec<String>> = rows;
                kept.remove(1);
                blocks.push(FigureBlock::Table {
                    rows: kept,
                    span: start..end,
                });
                i = j;
                para_start = lines.get(j).map_or(text.len(), |l| l.0);
                continue;
            }
        }
        let only_image = {
            let t = line.trim();
            t.starts_with("![")
                && matches!(pieces(t, 0, &mut Vec::new()).as_slice(), [Piece::Image(_)])
        };
        if only_image {
            flush(&mut para, para_start, &mut blocks, &mut problems);
            let lead = line.len() - line.trim_start().len();
            blocks.push(FigureBlock::Para(pieces(
                line.trim(),
                start + lead,
                &mut problems,
            )));
            para_start = lines.get(i + 1).map_or(text.len(), |l| l.0);
        } else {
            if para.is_empty() {
                para_start = start;
            }
            para.push_str(line);
            para.push('\n');
        }
        i += 1;
    }
    flush(&mut para, para_start, &mut blocks, &mut problems);
    (blocks, problems)
}

fn line_starts(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        out.push((start, line));
        start += line.len() + 1;
    }
    if text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Splits one paragraph at its images; `offset` is where the paragraph starts in the whole text.
fn pieces(text: &str, offset: usize, problems: &mut Vec<MarkupProblem>) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("![") {
        let at = search + found;
        match image_at(text, at) {
            Ok((mut image, end)) => {
                if at > rest {
                    out.push(Piece::Text(text[rest..at].to_string()));
                }
                image.span = offset + at..offset + end;
                out.push(Piece::Image(image));
                rest = end;
                search = end;
            }
            Err(Some(problem)) => {
                problems.push(MarkupProblem {
                    span: offset + at..offset + problem.0.min(text.len()),
                    message: problem.1,
                    help: "write an image as ![说明](img/图.png), optionally followed by {width=50%} or {width=40mm}".into(),
                });
                search = at + 2;
            }
            Err(None) => search = at + 2,
        }
    }
    if rest < text.len() {
        out.push(Piece::Text(text[rest..].to_string()));
    }
    out
}

/// Reads `![alt](path){width=…}` at `at`. Err(None): not image markup at all (`![` in prose);
/// Err(Some((end, message))): markup that is broken.
fn image_at(text: &str, at: usize) -> Result<(ImageRef, usize), Option<(usize, String)>> {
    let after_bang = at + 2;
    let close = text[after_bang..].find(']').map(|i| after_bang + i);
    let Some(close) = close else { return Err(None) };
    let alt = &text[after_bang..close];
    if alt.contains('\n') || !text[close + 1..].starts_with('(') {
        return Err(None);
    }
    let open = close + 1;
    let Some(end_paren) = text[open..].find(')').map(|i| open + i) else {
        return Err(Some((
            text.len(),
            "the image path is not closed with `)`".to_string(),
        )));
    };
    let path = text[open + 1..end_paren].trim();
    if path.is_empty() {
        return Err(Some((
            end_paren + 1,
            "the image has no path between ( and )".into(),
        )));
    }
    let mut end = end_paren + 1;
    let mut width = Width::Auto;
    if text[end..].starts_with('{') {
        let Some(brace) = text[end..].find('}').map(|i| end + i) else {
            return Err(Some((
                text.len(),
                "`{width=…}` is not closed with `}`".into(),
            )));
        };
        let spec = text[end + 1..brace].trim();
        let value = spec.strip_prefix("width=").map(str::trim);
        width = match value.and_then(Width::parse) {
            Some(Width::Share(s)) if s > 1.0 => {
                return Err(Some((
                    brace + 1,
                    format!(
                        "width {} is more than the text width (100%)",
                        trim_float(s * 100.0) + "%"
                    ),
                )));
            }
            Some(w) if value != Some("") => w,
            _ => {
                return Err(Some((
                    brace + 1,
                    format!(
                        "`{{{spec}}}` is not a size: write {{width=50%}} (of the text width) or {{width=40mm}}"
                    ),
                )));
            }
        };
        end = brace + 1;
    }
    Ok((
        ImageRef {
            alt: alt.to_string(),
            path: path.to_string(),
            width,
            span: at..end,
        },
        end,
    ))
}

/// Every image in a text, in order (for loading and checking).
pub fn images(text: &str) -> Vec<ImageRef> {
    if !text.contains("![") {
        return Vec::new();
    }
    let (blocks, _) = parse(text);
    blocks
        .into_iter()
        .flat_map(|b| match b {
            FigureBlock::Para(pieces) => pieces
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Image(i) => Some(i),
                    Piece::Text(_) => None,
                })
                .collect(),
            FigureBlock::Table { .. } => Vec::new(),
        })
        .collect()
}

/// The text with image markup taken out (for places that print plain text: answer grids, GIFT).
pub fn strip_images(text: &str) -> String {
    if !text.contains("![") {
        return text.to_string();
    }
    let mut out = text.to_string();
    for image in images(text).iter().rev() {
        out.replace_range(image.span.clone(), "");
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_alone_on_a_line_is_its_own_paragraph() {
        let text = "读图回答：\n![某社区服务人次](img/chart.png){width=60%}\n下列说法正确的是";
        let (blocks, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(blocks.len(), 3);
        let FigureBlock::Para(p) = &blocks[1] else {
            panic!()
        };
        let [Piece::Image(img)] = p.as_slice() else {
            panic!("{p:?}")
        };
        assert_eq!(img.path, "img/chart.png");
        assert_eq!(img.alt, "某社区服务人次");
        assert_eq!(img.width, Width::Share(0.6));
        assert_eq!(
            &text[img.span.clone()],
            "![某社区服务人次](img/chart.png){width=60%}"
        );
        assert_eq!(
            blocks[2],
            FigureBlock::Para(vec![Piece::Text("下列说法正确的是".into())])
        );
    }

    #[test]
    fn pipe_tables_and_ragged_rows() {
        let text = "某社区2024年服务情况如下表：\n| 季度 | 服务人次 |\n|---|---:|\n| 一 | 120 |\n| 二 | 135 |\n据此可知（　）";
        let (blocks, problems) = parse(text);
        assert!(problems.is_empty());
        assert_eq!(blocks.len(), 3);
        let FigureBlock::Table { rows, .. } = &blocks[1] else {
            panic!()
        };
        assert_eq!(
            rows,
            &vec![
                vec!["季度".to_string(), "服务人次".into()],
                vec!["一".into(), "120".into()],
                vec!["二".into(), "135".into()]
            ]
        );
        let (_, problems) = parse("| 季度 | 服务人次 |\n|---|---|\n| 一 | 120 | 多 |");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .message
                .contains("3 cells but the header row has 2")
        );
        assert_eq!(
            problems[0].span.start,
            "| 季度 | 服务人次 |\n|---|---|\n".len()
        );
    }

    #[test]
    fn widths_and_broken_markup() {
        assert_eq!(images("![](a.png){width=40mm}")[0].width, Width::Mm(40.0));
        let (_, problems) = parse("见图 ![图](a.png){width=150%}");
        assert!(
            problems[0].message.contains("more than the text width"),
            "{problems:?}"
        );
        let (_, problems) = parse("见图 ![图](a.png){height=3}");
        assert!(problems[0].message.contains("is not a size"));
        // `![` in prose is not markup.
        let (blocks, problems) = parse("感叹号![不是图片");
        assert!(problems.is_empty());
        assert_eq!(
            blocks,
            vec![FigureBlock::Para(vec![Piece::Text(
                "感叹号![不是图片".into()
            )])]
        );
        assert_eq!(strip_images("A![x](a.png)B"), "AB");
        assert_eq!(Width::Share(0.5).attr(), "50%");
        assert_eq!(Width::parse("40mm"), Some(Width::Mm(40.0)));
    }

    #[test]
    fn plain_text_has_no_figures() {
        assert!(!has_figures("各地配备社区工作者的标准是（　）人。"));
        assert!(has_figures("| a | b |\n|---|---|"));
    }
}
