//! Figures in bank text: Markdown images `![alt](img/chart.png){width=50%}` and pipe tables, split out of a
//! text field into paragraphs of text and images, and tables. Positions are byte offsets into the field, so
//! `check` can point at the exact spot in the YAML file.

use std::ops::Range;

/// How wide an image prints.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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

    /// Reads "50%", "40mm", "5cm", "2in", "300px" (CSS pixels, 96 to the inch, as Pandoc and Typora read
    /// them) or "" — the markup attribute and the bank's `{width=…}` alike, quoted or not.
    pub fn parse(text: &str) -> Option<Width> {
        let text = text.trim().trim_matches(['"', '\'']).trim();
        if text.is_empty() {
            return Some(Width::Auto);
        }
        let number = |s: &str| {
            s.trim()
                .parse::<f32>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
        };
        let lower = text.to_ascii_lowercase();
        if let Some(p) = lower.strip_suffix('%') {
            return number(p).map(|p| Width::Share(p / 100.0));
        }
        // (unit, so many of them, make so many mm)
        for (unit, per, mm) in [
            ("mm", 1.0, 1.0),
            ("cm", 1.0, 10.0),
            ("in", 1.0, 25.4),
            ("px", 96.0, 25.4),
        ] {
            if let Some(n) = lower.strip_suffix(unit) {
                return number(n).map(|n| Width::Mm(n / per * mm));
            }
        }
        None
    }
}

fn trim_float(x: f32) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One `![alt](path){width=…}` in a text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImageRef {
    pub alt: String,
    /// Relative to the section file, as typed but with `<…>` and escapes taken off and `\` read as `/`.
    pub path: String,
    /// The path was typed with `\` between folders (as Windows shows paths); `check` warns.
    pub backslashes: bool,
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    t.len() >= 2 && t.starts_with('|') && t.ends_with('|') && !t.ends_with("\\|")
}

fn is_separator_row(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
        })
}

/// The cells of a `| a | b |` line. `\|` is a pipe inside a cell (GFM's rule), not a cell border; any
/// other backslash stays as typed.
fn split_row(line: &str) -> Vec<String> {
    let t = line.trim();
    let inner = &t[1..t.len() - 1];
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    cells.push(cell.trim().to_string());
    cells
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
            Err(Some(broken)) => {
                problems.push(MarkupProblem {
                    span: offset + at..offset + broken.end.min(text.len()),
                    message: broken.message,
                    help: broken.help.unwrap_or_else(|| MARKUP_HELP.into()),
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

const MARKUP_HELP: &str = "write an image as ![说明](img/图.png), optionally followed by {width=50%} or \
     {width=40mm}; a path with spaces or parentheses may be written <img/图 (1).png>";

/// Image markup that is broken: where the problem ends, what it is, and what to do when that is not
/// the general advice.
struct Broken {
    end: usize,
    message: String,
    help: Option<String>,
}

impl Broken {
    fn at(end: usize, message: impl Into<String>) -> Broken {
        Broken {
            end,
            message: message.into(),
            help: None,
        }
    }
}

/// Reads `![alt](path){width=…}` at `at`. The path is CommonMark's link destination — `<…>` holding
/// anything but a line break or `<>`, or a bare path whose parentheses balance — and, as teachers type
/// Windows file names (`图片 (1).png`), a bare path may hold spaces too. Err(None): not image markup at all
/// (`![` in prose); Err(Some(_)): markup that is broken.
fn image_at(text: &str, at: usize) -> Result<(ImageRef, usize), Option<Broken>> {
    let after_bang = at + 2;
    let close = text[after_bang..].find(']').map(|i| after_bang + i);
    let Some(close) = close else { return Err(None) };
    let alt = &text[after_bang..close];
    if alt.contains('\n') || !text[close + 1..].starts_with('(') {
        return Err(None);
    }
    let open = close + 1;
    let (typed, end_paren) = destination(text, open + 1)?;
    if typed.trim().is_empty() {
        return Err(Some(Broken::at(
            end_paren + 1,
            "the image has no path between ( and )",
        )));
    }
    let (path, backslashes) = unescape_path(typed.trim());
    if let Some(scheme) = web_scheme(&path) {
        let shown = if scheme == "data:" {
            "a data: URI".to_string()
        } else {
            format!("the web address {path}")
        };
        return Err(Some(Broken {
            end: end_paren + 1,
            message: format!("the image is {shown}: examgen prints local files only"),
            help: Some(
                "save the picture into the bank's folder (e.g. img/图.png) and write ![说明](img/图.png)"
                    .into(),
            ),
        }));
    }
    let mut end = end_paren + 1;
    let mut width = Width::Auto;
    if text[end..].starts_with('{') {
        let Some(brace) = text[end..].find('}').map(|i| end + i) else {
            return Err(Some(Broken::at(
                text.len(),
                "`{width=…}` is not closed with `}`",
            )));
        };
        let spec = text[end + 1..brace].trim();
        let value = spec
            .strip_prefix("width")
            .map(|v| v.trim_start())
            .and_then(|v| v.strip_prefix('='))
            .map(str::trim);
        width = match value.and_then(Width::parse) {
            Some(Width::Share(s)) if s > 1.0 => {
                return Err(Some(Broken::at(
                    brace + 1,
                    format!(
                        "width {} is more than the text width (100%)",
                        trim_float(s * 100.0) + "%"
                    ),
                )));
            }
            Some(w) if value.is_some_and(|v| !v.trim_matches(['"', '\'']).trim().is_empty()) => w,
            _ => {
                return Err(Some(Broken::at(
                    brace + 1,
                    format!(
                        "`{{{spec}}}` is not a size: write {{width=50%}} (of the text width), {{width=40mm}} or {{width=5cm}}"
                    ),
                )));
            }
        };
        end = brace + 1;
    }
    Ok((
        ImageRef {
            alt: alt.to_string(),
            path,
            backslashes,
            width,
            span: at..end,
        },
        end,
    ))
}

/// The link destination starting at `from` (just after `(`): the text up to the `)` that closes it, and
/// where that `)` is. `<…>` is taken whole; a bare path ends at the `)` that balances its parentheses (a
/// `\(` or `\)` does not count). A title after the path (`"…"`) is dropped, as Markdown does.
fn destination(text: &str, from: usize) -> Result<(String, usize), Option<Broken>> {
    let rest = &text[from..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let start = from + lead;
    if text[start..].starts_with('<') {
        let mut chars = text[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '>' => {
                    let inner = text[start + 1..start + 1 + i].to_string();
                    let after = start + 2 + i;
                    let tail = &text[after..];
                    let Some(close) = tail.find(')') else {
                        return Err(Some(Broken::at(
                            text.len(),
                            "the image path is not closed with `)`",
                        )));
                    };
                    if tail[..close].contains('\n') || !is_title(tail[..close].trim()) {
                        return Err(Some(Broken::at(
                            after + close + 1,
                            "after `<…>` the image markup goes on with `)`",
                        )));
                    }
                    return Ok((inner, after + close));
                }
                '\n' | '<' => break,
                _ => {}
            }
        }
        return Err(Some(Broken::at(
            text[start..].find('\n').map_or(text.len(), |n| start + n),
            "the image path opened with `<` is not closed with `>`",
        )));
    }
    let mut depth = 0usize;
    let mut chars = text[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            ')' => {
                let typed = &text[start..start + i];
                return Ok((drop_title(typed).to_string(), start + i));
            }
            '\n' => {
                return Err(Some(Broken::at(
                    start + i,
                    "the image path is not closed with `)`",
                )));
            }
            _ => {}
        }
    }
    Err(Some(Broken::at(
        text.len(),
        "the image path is not closed with `)`",
    )))
}

/// Whether `s` is empty or one quoted title (`"…"`, `'…'`).
fn is_title(s: &str) -> bool {
    s.is_empty()
        || (s.len() >= 2
            && ((s.starts_with('"') && s.ends_with('"'))
                || (s.starts_with('\'') && s.ends_with('\''))))
}

/// A bare destination without a trailing `"title"`.
fn drop_title(typed: &str) -> &str {
    let t = typed.trim_end();
    for quote in ['"', '\''] {
        if t.len() >= 2
            && t.ends_with(quote)
            && let Some(open) = t[..t.len() - 1].rfind(quote)
            && t[..open].ends_with([' ', '\t'])
            && !t[..open].trim().is_empty()
        {
            return t[..open].trim_end();
        }
    }
    typed
}

/// The path with Markdown's escapes (`\(` `\)` `\<` `\>` `\ `) taken off and every other run of
/// backslashes read as one `/` (a folder separator typed on Windows); and whether there were any.
fn unescape_path(typed: &str) -> (String, bool) {
    let mut out = String::with_capacity(typed.len());
    let mut backslashes = false;
    let mut chars = typed.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some(&n @ ('(' | ')' | '<' | '>' | ' ')) => {
                out.push(n);
                chars.next();
            }
            _ => {
                while chars.peek() == Some(&'\\') {
                    chars.next();
                }
                backslashes = true;
                out.push('/');
            }
        }
    }
    (out, backslashes)
}

/// `http://`, `https://`, `data:` or any other `scheme://` at the start of a path.
fn web_scheme(path: &str) -> Option<&'static str> {
    let lower = path.trim_start().to_ascii_lowercase();
    if lower.starts_with("data:") {
        return Some("data:");
    }
    let (scheme, _) = lower.split_once("://")?;
    (!scheme.is_empty()
        && scheme.len() > 1
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some("url")
}

/// A path as image markup writes it: as it is when it reads back the same, else in CommonMark's `<…>`.
pub fn markup_path(path: &str) -> String {
    let mut depth = 0i32;
    let balanced = path.chars().all(|c| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        depth >= 0
    }) && depth == 0;
    if balanced && !path.contains(['<', '>', '\\', '\n', '"', '\'']) && path.trim() == path {
        path.to_string()
    } else {
        format!("<{path}>")
    }
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
    fn windows_file_names_parse_as_typed_or_in_angle_brackets() {
        let typed =
            "见图 ![图](img/我的 图片 (1).png){width=5cm} 和 ![图](<img/我的 图片 (1).png>)";
        let found = images(typed);
        assert_eq!(found.len(), 2, "{:?}", parse(typed).1);
        for image in &found {
            assert_eq!(image.path, "img/我的 图片 (1).png");
            assert!(!image.backslashes);
        }
        assert_eq!(found[0].width, Width::Mm(50.0));
        assert!(typed[found[1].span.clone()].ends_with(".png>)"));
        // Escaped lone parentheses, a Markdown title, backslashes between folders.
        assert_eq!(images(r"![](img/a\(b.png)")[0].path, "img/a(b.png");
        assert_eq!(images(r#"![](img/a.png "标题")"#)[0].path, "img/a.png");
        let windows = &images(r"![](img\sub\a.png)")[0];
        assert_eq!(windows.path, "img/sub/a.png");
        assert!(windows.backslashes);
        // Markup left open stops at the line's end.
        let (_, problems) = parse(
            "![图](img/a.png
下一行)",
        );
        assert!(problems[0].message.contains("not closed"), "{problems:?}");
        let (_, problems) = parse("![图](<img/a.png)");
        assert!(
            problems[0].message.contains("not closed with `>`"),
            "{problems:?}"
        );
        assert_eq!(markup_path("img/图片 (1).png"), "img/图片 (1).png");
        assert_eq!(markup_path("img/a).png"), "<img/a).png>");
    }

    #[test]
    fn web_addresses_are_refused_at_their_markup() {
        for url in [
            "https://example.com/a.png",
            "HTTP://example.com/a.png",
            "data:image/png;base64,iVBORw0KGgo=",
            "ftp://host/a.png",
        ] {
            let text = format!("看图 ![图]({url}) 回答");
            let (blocks, problems) = parse(&text);
            assert_eq!(problems.len(), 1, "{url}");
            assert!(
                problems[0]
                    .message
                    .contains("examgen prints local files only"),
                "{problems:?}"
            );
            assert_eq!(problems[0].span.start, "看图 ".len());
            assert!(images(&text).is_empty());
            assert!(matches!(&blocks[0], FigureBlock::Para(p) if p.len() == 1));
        }
    }

    #[test]
    fn an_escaped_pipe_is_a_pipe_inside_its_cell() {
        let (blocks, problems) =
            parse("| 写法 | 含义 |\n|---|---|\n| a\\|b | P(A\\|B) |\n| \\|x\\| | C:\\d |");
        assert!(problems.is_empty(), "{problems:?}");
        let FigureBlock::Table { rows, .. } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(rows[1], vec!["a|b".to_string(), "P(A|B)".into()]);
        assert_eq!(rows[2], vec!["|x|".to_string(), "C:\\d".into()]);
    }

    #[test]
    fn sizes_in_every_usual_unit() {
        assert_eq!(Width::parse("5cm"), Some(Width::Mm(50.0)));
        assert_eq!(Width::parse("40 mm"), Some(Width::Mm(40.0)));
        assert_eq!(Width::parse("\"50%\""), Some(Width::Share(0.5)));
        assert_eq!(Width::parse("96px"), Some(Width::Mm(25.4)));
        assert_eq!(Width::parse("1in"), Some(Width::Mm(25.4)));
        assert_eq!(Width::parse("3pt"), None);
        assert_eq!(images("![](a.png){width = 2cm}")[0].width, Width::Mm(20.0));
    }

    #[test]
    fn plain_text_has_no_figures() {
        assert!(!has_figures("各地配备社区工作者的标准是（　）人。"));
        assert!(has_figures("| a | b |\n|---|---|"));
    }
}
