//! A formula as Word's Office Math Markup (OMML): `<m:oMath>` with fractions, radicals, scripts, n-ary
//! operators, delimiters, matrices and accents as Word's equation editor makes them, so a teacher edits
//! the formula in Word or WPS. The caller declares the `m:` namespace on the document root.

use super::parse::{Class, Node, TableKind, Variant};

pub const NAMESPACE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";

/// `<m:oMath>…</m:oMath>` for an inline formula; `<m:oMathPara>` around it for a display one.
pub fn omml(nodes: &[Node], display: bool) -> String {
    let mut out = String::new();
    if display {
        out.push_str("<m:oMathPara>");
    }
    out.push_str("<m:oMath>");
    list(nodes, &mut out);
    out.push_str("</m:oMath>");
    if display {
        out.push_str("</m:oMathPara>");
    }
    out
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// A math run; `props` is the inside of `<m:rPr>`, empty for plain math (Word italicises letters).
fn run(text: &str, props: &str, out: &mut String) {
    out.push_str("<m:r>");
    if !props.is_empty() {
        out.push_str("<m:rPr>");
        out.push_str(props);
        out.push_str("</m:rPr>");
    }
    out.push_str("<m:t xml:space=\"preserve\">");
    escape(text, out);
    out.push_str("</m:t></m:r>");
}

fn props(variant: Variant) -> &'static str {
    match variant {
        Variant::Normal => "",
        Variant::Upright => "<m:sty m:val=\"p\"/>",
        Variant::Bold => "<m:sty m:val=\"b\"/>",
        Variant::DoubleStruck => "<m:scr m:val=\"double-struck\"/><m:sty m:val=\"p\"/>",
        Variant::Script => "<m:scr m:val=\"script\"/><m:sty m:val=\"p\"/>",
    }
}

fn wrap(tag: &str, nodes: &[Node], out: &mut String) {
    out.push_str(&format!("<m:{tag}>"));
    list(nodes, out);
    out.push_str(&format!("</m:{tag}>"));
}

/// `nodes` with matching `( … )`, `[ … ]` and `| … |` made delimiter nodes, a script on the closing one
/// moved to the whole group: Word's editor keeps brackets as m:d, and LibreOffice's importer rejects a lone
/// bracket carrying a script (`(a-b)^2`).
fn paired(nodes: &[Node]) -> Vec<Node> {
    fn close_of(n: &Node) -> Option<char> {
        match n {
            Node::Sym {
                c: c @ (')' | ']' | '|'),
                ..
            } => Some(*c),
            Node::Scripts { base, .. } => close_of(base),
            _ => None,
        }
    }
    let mut out: Vec<Node> = Vec::new();
    // Indexes in `out` of opening brackets still open.
    let mut open: Vec<(usize, char)> = Vec::new();
    for n in nodes {
        let close = close_of(n);
        let wanted = |o: char| match close {
            Some(')') => o == '(',
            Some(']') => o == '[',
            Some('|') => o == '|',
            _ => false,
        };
        if let Some(&(at, o)) = open.last()
            && wanted(o)
        {
            open.pop();
            let inner: Vec<Node> = out.drain(at + 1..).collect();
            out.pop();
            let fenced = Node::Fenced {
                open: Some(o),
                close,
                body: inner,
            };
            out.push(match n {
                Node::Scripts { sub, sup, .. } => Node::Scripts {
                    base: Box::new(fenced),
                    sub: sub.clone(),
                    sup: sup.clone(),
                },
                _ => fenced,
            });
            continue;
        }
        if let Node::Sym {
            c: c @ ('(' | '[' | '|'),
            ..
        } = n
        {
            open.push((out.len(), *c));
        }
        out.push(n.clone());
    }
    out
}

/// Whether `n` ends what a function or an n-ary operator acts on: a relation, an operator, punctuation.
fn ends_operand(n: &Node) -> bool {
    matches!(
        n,
        Node::Sym {
            class: Class::Rel | Class::Punct | Class::Bin,
            ..
        }
    )
}

fn list(nodes: &[Node], out: &mut String) {
    let nodes = &paired(nodes)[..];
    let mut i = 0;
    while i < nodes.len() {
        match &nodes[i] {
            // Neighbouring symbols of one alphabet are one run, as Word's editor keeps them.
            Node::Sym { variant, .. } => {
                let mut text = String::new();
                let first_letter = matches!(&nodes[i], Node::Sym { c, .. } if c.is_alphabetic());
                while let Some(Node::Sym { c, variant: v, .. }) = nodes.get(i) {
                    if v != variant || (*v == Variant::Upright && c.is_alphabetic() != first_letter)
                    {
                        break;
                    }
                    text.push(*c);
                    i += 1;
                }
                // Upright letters (units, \mathrm) as normal text: upright in Word, and the form LibreOffice
                // imports as upright (it ignores m:sty).
                let letters = text.chars().all(char::is_alphabetic);
                if *variant == Variant::Upright && letters {
                    run(&text, "<m:nor/>", out);
                } else {
                    run(&text, props(*variant), out);
                }
                continue;
            }
            // An n-ary operator or a function takes what follows, up to the next relation or operator, as
            // its body (m:e), as Word's editor does.
            n @ (Node::BigOp { .. } | Node::Func { .. } | Node::Scripts { .. })
                if !matches!(n, Node::Scripts { base, .. }
                    if !matches!(**base, Node::BigOp { .. } | Node::Func { .. })) =>
            {
                let end = nodes[i + 1..]
                    .iter()
                    .position(ends_operand)
                    .map_or(nodes.len(), |p| i + 1 + p);
                let body = &nodes[i + 1..end];
                let is_func = matches!(n, Node::Func { .. })
                    || matches!(n, Node::Scripts { base, .. } if matches!(**base, Node::Func { .. }));
                if is_func {
                    func(n, body, out);
                } else {
                    nary(n, body, out);
                }
                i = end;
                continue;
            }
            n => node(n, out),
        }
        i += 1;
    }
}

/// A function (`\sin`, `\lim_{x\to 0}`, `\sin^2`) applied to `body`: m:func, its name upright, limits
/// below (m:limLow) and scripts on the name.
fn func(n: &Node, body: &[Node], out: &mut String) {
    out.push_str("<m:func><m:fName>");
    let name_run = |name: &str, out: &mut String| run(name, "<m:sty m:val=\"p\"/>", out);
    match n {
        Node::Func { name, .. } => name_run(name, out),
        Node::Scripts { base, sub, sup } => {
            if let Node::Func { name, limits } = &**base {
                if *limits && sup.is_none() && sub.is_some() {
                    out.push_str("<m:limLow><m:e>");
                    name_run(name, out);
                    out.push_str("</m:e>");
                    wrap("lim", sub.as_deref().unwrap_or(&[]), out);
                    out.push_str("</m:limLow>");
                } else {
                    let tag = match (sub.is_some(), sup.is_some()) {
                        (true, true) => "sSubSup",
                        (true, false) => "sSub",
                        _ => "sSup",
                    };
                    out.push_str(&format!("<m:{tag}><m:e>"));
                    name_run(name, out);
                    out.push_str("</m:e>");
                    if let Some(b) = sub {
                        wrap("sub", b, out);
                    }
                    if let Some(p) = sup {
                        wrap("sup", p, out);
                    }
                    out.push_str(&format!("</m:{tag}>"));
                }
            }
        }
        _ => {}
    }
    out.push_str("</m:fName>");
    wrap("e", body, out);
    out.push_str("</m:func>");
}

fn nary(n: &Node, body: &[Node], out: &mut String) {
    let (c, limits, sub, sup) = match n {
        Node::BigOp { c, limits } => (*c, *limits, None, None),
        Node::Scripts { base, sub, sup } => match &**base {
            Node::BigOp { c, limits } => (*c, *limits, sub.as_deref(), sup.as_deref()),
            _ => return,
        },
        _ => return,
    };
    out.push_str("<m:nary><m:naryPr>");
    out.push_str(&format!("<m:chr m:val=\"{c}\"/>"));
    out.push_str(&format!(
        "<m:limLoc m:val=\"{}\"/>",
        if limits { "undOvr" } else { "subSup" }
    ));
    if sub.is_none() {
        out.push_str("<m:subHide m:val=\"1\"/>");
    }
    if sup.is_none() {
        out.push_str("<m:supHide m:val=\"1\"/>");
    }
    out.push_str("</m:naryPr>");
    wrap("sub", sub.unwrap_or(&[]), out);
    wrap("sup", sup.unwrap_or(&[]), out);
    wrap("e", body, out);
    out.push_str("</m:nary>");
}

fn delimited(
    open: Option<char>,
    close: Option<char>,
    inner: impl FnOnce(&mut String),
    out: &mut String,
) {
    out.push_str("<m:d><m:dPr>");
    let val = |c: Option<char>| {
        c.map_or(String::new(), |c| {
            let mut s = String::new();
            escape(&c.to_string(), &mut s);
            s
        })
    };
    out.push_str(&format!("<m:begChr m:val=\"{}\"/>", val(open)));
    out.push_str(&format!("<m:endChr m:val=\"{}\"/>", val(close)));
    out.push_str("</m:dPr><m:e>");
    inner(out);
    out.push_str("</m:e></m:d>");
}

fn node(n: &Node, out: &mut String) {
    match n {
        Node::Sym { c, variant, .. } => run(&c.to_string(), props(*variant), out),
        // Normal text inside math (m:nor): Chinese and words keep the text font.
        Node::Text(t) => run(t, "<m:nor/>", out),
        Node::Func { .. } => func(n, &[], out),
        Node::BigOp { .. } => nary(n, &[], out),
        Node::Frac { num, den, rule, .. } => {
            out.push_str("<m:f>");
            if !rule {
                out.push_str("<m:fPr><m:type m:val=\"noBar\"/></m:fPr>");
            }
            wrap("num", num, out);
            wrap("den", den, out);
            out.push_str("</m:f>");
        }
        Node::Sqrt { index, body } => {
            out.push_str("<m:rad>");
            match index {
                Some(i) => {
                    wrap("deg", i, out);
                }
                None => out.push_str("<m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/>"),
            }
            wrap("e", body, out);
            out.push_str("</m:rad>");
        }
        Node::Scripts { base, sub, sup } => {
            if matches!(**base, Node::Func { .. }) {
                func(n, &[], out);
                return;
            }
            let base = std::slice::from_ref(&**base);
            match (sub, sup) {
                (Some(b), Some(p)) => {
                    out.push_str("<m:sSubSup>");
                    wrap("e", base, out);
                    wrap("sub", b, out);
                    wrap("sup", p, out);
                    out.push_str("</m:sSubSup>");
                }
                (Some(b), None) => {
                    out.push_str("<m:sSub>");
                    wrap("e", base, out);
                    wrap("sub", b, out);
                    out.push_str("</m:sSub>");
                }
                (None, Some(p)) => {
                    out.push_str("<m:sSup>");
                    wrap("e", base, out);
                    wrap("sup", p, out);
                    out.push_str("</m:sSup>");
                }
                (None, None) => list(base, out),
            }
        }
        Node::Group(inner) => list(inner, out),
        Node::Fenced { open, close, body } => delimited(*open, *close, |o| list(body, o), out),
        Node::Big { c, .. } => run(&c.to_string(), "", out),
        Node::Table {
            kind,
            open,
            close,
            align,
            rows,
        } => {
            let write = |o: &mut String| table(*kind, align, rows, o);
            if open.is_some() || close.is_some() {
                delimited(*open, *close, write, out);
            } else {
                write(out);
            }
        }
        Node::Accent { mark, body, .. } => {
            if *mark == '⏞' {
                out.push_str("<m:groupChr><m:groupChrPr><m:chr m:val=\"⏞\"/><m:pos m:val=\"top\"/><m:vertJc m:val=\"bot\"/></m:groupChrPr>");
                wrap("e", body, out);
                out.push_str("</m:groupChr>");
                return;
            }
            let chr = match mark {
                '→' => '\u{20D7}',
                '←' => '\u{20D6}',
                '↔' => '\u{20E1}',
                c => *c,
            };
            out.push_str(&format!(
                "<m:acc><m:accPr><m:chr m:val=\"{chr}\"/></m:accPr>"
            ));
            wrap("e", body, out);
            out.push_str("</m:acc>");
        }
        Node::Bar { over, body } => {
            out.push_str(&format!(
                "<m:bar><m:barPr><m:pos m:val=\"{}\"/></m:barPr>",
                if *over { "top" } else { "bot" }
            ));
            wrap("e", body, out);
            out.push_str("</m:bar>");
        }
        Node::Stack { over, base, annot } => {
            let tag = if *over { "limUpp" } else { "limLow" };
            out.push_str(&format!("<m:{tag}>"));
            wrap("e", base, out);
            wrap("lim", annot, out);
            out.push_str(&format!("</m:{tag}>"));
        }
        Node::Space(em) => {
            let space = if *em >= 1.9 {
                "\u{2003}\u{2003}"
            } else if *em >= 0.9 {
                "\u{2003}"
            } else if *em > 0.2 {
                "\u{2005}"
            } else if *em > 0.0 {
                "\u{2009}"
            } else {
                return;
            };
            run(space, "", out);
        }
        Node::Style(_) => {}
    }
}

fn table(kind: TableKind, align: &[char], rows: &[Vec<Vec<Node>>], out: &mut String) {
    if kind == TableKind::Aligned {
        // Word's equation array: one line per row, the cells of a row side by side.
        out.push_str("<m:eqArr>");
        for row in rows {
            out.push_str("<m:e>");
            for cell in row {
                list(cell, out);
            }
            out.push_str("</m:e>");
        }
        out.push_str("</m:eqArr>");
        return;
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    out.push_str("<m:m><m:mPr><m:mcs>");
    for i in 0..columns {
        let jc = match align.get(i) {
            Some('l') => "left",
            Some('r') => "right",
            _ => "center",
        };
        out.push_str(&format!(
            "<m:mc><m:mcPr><m:count m:val=\"1\"/><m:mcJc m:val=\"{jc}\"/></m:mcPr></m:mc>"
        ));
    }
    out.push_str("</m:mcs></m:mPr>");
    for row in rows {
        out.push_str("<m:mr>");
        for i in 0..columns {
            wrap("e", row.get(i).map_or(&[][..], Vec::as_slice), out);
        }
        out.push_str("</m:mr>");
    }
    out.push_str("</m:m>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::parse;

    fn o(src: &str) -> String {
        omml(&parse(src).unwrap(), false)
    }

    #[test]
    fn fractions_roots_and_scripts_are_word_structures() {
        assert_eq!(
            o(r"\frac{1}{x}"),
            "<m:oMath><m:f><m:num><m:r><m:t xml:space=\"preserve\">1</m:t></m:r></m:num><m:den><m:r><m:t xml:space=\"preserve\">x</m:t></m:r></m:den></m:f></m:oMath>"
        );
        assert!(o(r"\sqrt{2}").contains("<m:degHide m:val=\"1\"/>"));
        assert!(o(r"\sqrt[3]{2}").contains("<m:deg><m:r>"));
        assert!(o("x_1^2").contains("<m:sSubSup><m:e>"));
        assert!(o("H_2SO_4").matches("<m:sSub>").count() == 2);
    }

    #[test]
    fn sums_take_their_body_and_limits() {
        let s = o(r"\sum_{i=1}^{n} i^2 = 1");
        assert!(
            s.contains("<m:chr m:val=\"∑\"/><m:limLoc m:val=\"undOvr\"/>"),
            "{s}"
        );
        assert!(
            s.contains("<m:e><m:sSup><m:e><m:r><m:t xml:space=\"preserve\">i</m:t>"),
            "{s}"
        );
        assert!(
            s.ends_with("<m:r><m:t xml:space=\"preserve\">=1</m:t></m:r></m:oMath>")
                || s.contains(">=<"),
            "{s}"
        );
        let l = o(r"\lim_{x\to0} x");
        assert!(l.contains("<m:func><m:fName><m:limLow><m:e><m:r><m:rPr><m:sty m:val=\"p\"/></m:rPr><m:t xml:space=\"preserve\">lim</m:t>"), "{l}");
        let sin = o(r"\sin^2\theta+1");
        assert!(sin.contains("<m:func><m:fName><m:sSup><m:e><m:r><m:rPr><m:sty m:val=\"p\"/></m:rPr><m:t xml:space=\"preserve\">sin</m:t>"), "{sin}");
        assert!(
            sin.contains(
                "</m:fName><m:e><m:r><m:t xml:space=\"preserve\">θ</m:t></m:r></m:e></m:func>"
            ),
            "{sin}"
        );
        let square = o("(a-b)^2+|x|");
        assert!(square.contains("<m:sSup><m:e><m:d><m:dPr><m:begChr m:val=\"(\"/><m:endChr m:val=\")\"/></m:dPr><m:e>"), "{square}");
        assert!(
            square.contains("<m:begChr m:val=\"|\"/><m:endChr m:val=\"|\"/>"),
            "{square}"
        );
        assert!(
            o(r"9.8\,\mathrm{m/s^2}")
                .contains("<m:r><m:rPr><m:nor/></m:rPr><m:t xml:space=\"preserve\">m</m:t></m:r>")
        );
    }

    #[test]
    fn matrices_cases_vectors_and_text() {
        let m = o(r"\begin{pmatrix}1&2\\3&4\end{pmatrix}");
        assert!(m.contains(
            "<m:d><m:dPr><m:begChr m:val=\"(\"/><m:endChr m:val=\")\"/></m:dPr><m:e><m:m>"
        ));
        assert_eq!(m.matches("<m:mr>").count(), 2);
        let c = o(r"\begin{cases}x,&x>0\\-x,&x<0\end{cases}");
        assert!(c.contains("<m:endChr m:val=\"\"/>") && c.contains("&gt;"));
        assert!(o(r"\overrightarrow{AB}").contains("<m:chr m:val=\"\u{20D7}\"/>"));
        assert!(
            o(r"\text{速度}")
                .contains("<m:rPr><m:nor/></m:rPr><m:t xml:space=\"preserve\">速度</m:t>")
        );
        assert!(omml(&parse("x").unwrap(), true).starts_with("<m:oMathPara><m:oMath>"));
    }
}
