//! LaTeX math in bank text: `$…$` inline and `$$…$$` display formulas found in a text field, parsed into a
//! typed tree ([`parse`]), laid out as positioned math-font glyphs and rules ([`layout`], no PDF types), and
//! written as Word's OMML ([`omml`]) or plain Unicode ([`linear`]).
//!
//! The engine is our own: a LaTeX-subset parser with byte spans for errors, and a TeX-style box layout
//! driven by the OpenType MATH table of the shipped STIX Math face, read with ttf-parser (already a
//! dependency). docs/formulas.md lists exactly what is supported.

pub mod font;
pub mod layout;
pub mod linear;
pub mod omml;
pub mod parse;
mod symbols;

pub use parse::{Node, parse};

/// A problem in a formula: `offset` and `len` are byte positions in the text the caller passed (the whole
/// field for [`split`], the formula source for [`parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

impl MathError {
    pub fn new(offset: usize, len: usize, message: impl Into<String>) -> MathError {
        MathError {
            offset,
            len,
            message: message.into(),
        }
    }

    fn shifted(mut self, by: usize) -> MathError {
        self.offset += by;
        self
    }
}

impl std::fmt::Display for MathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A piece of a text field: plain text (with `\$` already turned into `$`), or a formula's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Math {
        /// The LaTeX between the dollars.
        tex: String,
        /// `$$…$$`: a display formula, centred on a line of its own.
        display: bool,
        /// Byte offset of `tex` in the field.
        offset: usize,
    },
}

/// Whether `text` holds a formula or an escaped dollar, so text without either keeps its plain paths.
pub fn has_math(text: &str) -> bool {
    text.contains('$')
}

/// Splits a text field at its formulas. A lone `$` that never closes is an error at that dollar; `\$` is a
/// literal dollar. Formulas are parsed too, so an error anywhere in the field is found here.
pub fn split(text: &str) -> Result<Vec<Piece>, MathError> {
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'$') => {
                plain.push('$');
                i += 2;
            }
            b'$' => {
                let display = bytes.get(i + 1) == Some(&b'$');
                let open = if display { 2 } else { 1 };
                let start = i + open;
                let close = find_close(text, start, display).ok_or_else(|| {
                    MathError::new(
                        i,
                        open,
                        if display {
                            "this `$$` is never closed: end the formula with `$$`, or write a dollar sign as `\\$`"
                        } else {
                            "this `$` is never closed: end the formula with `$`, or write a dollar sign as `\\$` (an earlier `$200` pairs with the next `$` as a formula)"
                        },
                    )
                })?;
                let tex = &text[start..close];
                if tex.trim().is_empty() {
                    return Err(MathError::new(
                        i,
                        close + open - i,
                        "an empty formula: write LaTeX between the dollars, or a dollar sign as `\\$`",
                    ));
                }
                parse(tex).map_err(|e| e.shifted(start))?;
                if !plain.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut plain)));
                }
                pieces.push(Piece::Math {
                    tex: tex.to_string(),
                    display,
                    offset: start,
                });
                i = close + open;
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or(' ');
                plain.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !plain.is_empty() {
        pieces.push(Piece::Text(plain));
    }
    Ok(pieces)
}

/// Byte index of the closing `$` (or `$$`) of a formula starting at `start`; `\$` inside does not close.
fn find_close(text: &str, start: usize, display: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'$' if !display => return Some(i),
            b'$' if bytes.get(i + 1) == Some(&b'$') => return Some(i),
            // A single `$` inside `$$…$$` is a mistake: say the display is not closed.
            b'$' => return None,
            _ => i += 1,
        }
    }
    None
}

/// `text` with the line breaks inside its formulas turned into spaces (as LaTeX reads them), so a display
/// formula typed over several lines of a block stays one formula where the text's own lines become line
/// breaks. Text whose formulas do not split is returned as it is (`check` reports it).
pub fn join_formula_lines(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_math(text) || !text.contains('\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let Ok(pieces) = split(text) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for piece in pieces {
        if let Piece::Math { tex, offset, .. } = piece {
            out.push_str(&text[at..offset]);
            out.push_str(&tex.replace("\r\n", " ").replace('\n', " "));
            at = offset + tex.len();
        }
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

/// Every problem in a text field's formulas, offsets in the field (for `check`).
pub fn problems(text: &str) -> Vec<MathError> {
    if !has_math(text) {
        return Vec::new();
    }
    match split(text) {
        Ok(_) => Vec::new(),
        Err(e) => vec![e],
    }
}

/// `text` with each formula in Moodle's MathJax delimiters, `\(…\)` inline and `\[…\]` display, and `\$`
/// as a plain dollar; text that does not split is returned as it is.
pub fn to_mathjax(text: &str) -> String {
    if !has_math(text) {
        return text.to_string();
    }
    let Ok(pieces) = split(text) else {
        return text.to_string();
    };
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t,
            Piece::Math {
                tex, display: true, ..
            } => format!("\\[{tex}\\]"),
            Piece::Math { tex, .. } => format!("\\({tex}\\)"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_inline_display_and_escaped_dollars() {
        let pieces = split(r"价格 \$5，$x^2$ 与 $$\frac{1}{2}$$。").unwrap();
        assert_eq!(
            pieces,
            vec![
                Piece::Text("价格 $5，".into()),
                Piece::Math {
                    tex: "x^2".into(),
                    display: false,
                    offset: 14
                },
                Piece::Text(" 与 ".into()),
                Piece::Math {
                    tex: r"\frac{1}{2}".into(),
                    display: true,
                    offset: 25
                },
                Piece::Text("。".into()),
            ]
        );
    }

    #[test]
    fn an_unclosed_dollar_is_an_error_at_that_dollar() {
        let e = split("速度 $v = s/t 。").unwrap_err();
        assert_eq!(e.offset, "速度 ".len());
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = split("$$x$ 后").unwrap_err();
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn errors_inside_a_formula_are_offsets_in_the_field() {
        let text = r"已知 $\fracc{1}{2}$";
        let e = split(text).unwrap_err();
        assert_eq!(&text[e.offset..e.offset + e.len], r"\fracc");
    }

    #[test]
    fn line_breaks_inside_formulas_become_spaces_and_others_stay() {
        let typed =
            "解：\n$$\\begin{aligned} a &= b \\\\\n &= c \\end{aligned}$$\n故选 A，价 \\$5。";
        assert_eq!(
            join_formula_lines(typed),
            "解：\n$$\\begin{aligned} a &= b \\\\  &= c \\end{aligned}$$\n故选 A，价 \\$5。"
        );
        assert_eq!(join_formula_lines("两行\n文字"), "两行\n文字");
    }

    #[test]
    fn mathjax_delimiters_for_moodle() {
        assert_eq!(
            to_mathjax(r"求 $x^2$：$$\int_0^1 x\,dx$$ 共 \$3"),
            r"求 \(x^2\)：\[\int_0^1 x\,dx\] 共 $3"
        );
        assert_eq!(to_mathjax("无公式"), "无公式");
    }
}
