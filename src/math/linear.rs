//! A formula as one line of plain Unicode (`x² + 1/2`, `√(a+b)`): the text a PDF reader copies or
//! searches for a formula, and what plain-text outputs print.

use super::font::styled;
use super::parse::{Node, Variant};

pub fn linear(nodes: &[Node]) -> String {
    let mut out = String::new();
    list(nodes, &mut out);
    out
}

fn list(nodes: &[Node], out: &mut String) {
    for n in nodes {
        node(n, out);
    }
}

/// `nodes` as one unit: bare when a single symbol, else in parentheses.
fn unit(nodes: &[Node], out: &mut String) {
    let mut inner = String::new();
    list(nodes, &mut inner);
    if inner.chars().count() <= 1 || matches!(nodes, [Node::Fenced { .. }]) {
        out.push_str(&inner);
    } else {
        out.push('(');
        out.push_str(&inner);
        out.push(')');
    }
}

fn script(nodes: &[Node], table: &[(char, char)], mark: char, out: &mut String) {
    let mut inner = String::new();
    list(nodes, &mut inner);
    let mapped: Option<String> = inner
        .chars()
        .map(|c| table.iter().find(|(a, _)| *a == c).map(|(_, b)| *b))
        .collect();
    match mapped {
        Some(m) => out.push_str(&m),
        None => {
            out.push(mark);
            unit(nodes, out);
        }
    }
}

const SUPERSCRIPTS: &[(char, char)] = &[
    ('0', '⁰'),
    ('1', '¹'),
    ('2', '²'),
    ('3', '³'),
    ('4', '⁴'),
    ('5', '⁵'),
    ('6', '⁶'),
    ('7', '⁷'),
    ('8', '⁸'),
    ('9', '⁹'),
    ('+', '⁺'),
    ('−', '⁻'),
    ('n', 'ⁿ'),
    ('′', '′'),
];
const SUBSCRIPTS: &[(char, char)] = &[
    ('0', '₀'),
    ('1', '₁'),
    ('2', '₂'),
    ('3', '₃'),
    ('4', '₄'),
    ('5', '₅'),
    ('6', '₆'),
    ('7', '₇'),
    ('8', '₈'),
    ('9', '₉'),
];

fn node(n: &Node, out: &mut String) {
    match n {
        Node::Sym { c, variant, .. } => {
            // Plain letters stay plain (searchable as typed); other alphabets keep their style.
            let c = if *variant == Variant::Normal || *variant == Variant::Upright {
                *c
            } else {
                styled(*c, *variant)
            };
            out.push(c);
        }
        Node::Text(t) => out.push_str(t),
        Node::Func { name, .. } => out.push_str(name),
        Node::BigOp { c, .. } => out.push(*c),
        Node::Frac { num, den, rule, .. } => {
            unit(num, out);
            out.push(if *rule { '/' } else { ',' });
            unit(den, out);
        }
        Node::Sqrt { index, body } => {
            if let Some(i) = index {
                script(i, SUPERSCRIPTS, '^', out);
            }
            out.push('√');
            unit(body, out);
        }
        Node::Scripts { base, sub, sup } => {
            node(base, out);
            if let Some(s) = sub {
                script(s, SUBSCRIPTS, '_', out);
            }
            if let Some(s) = sup {
                script(s, SUPERSCRIPTS, '^', out);
            }
        }
        Node::Group(inner) => list(inner, out),
        Node::Fenced { open, close, body } => {
            if let Some(c) = open {
                out.push(*c);
            }
            list(body, out);
            if let Some(c) = close {
                out.push(*c);
            }
        }
        Node::Big { c, .. } => out.push(*c),
        Node::Table {
            open, close, rows, ..
        } => {
            if let Some(c) = open {
                out.push(*c);
            }
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    out.push_str("; ");
                }
                for (j, cell) in row.iter().enumerate() {
                    if j > 0 {
                        out.push(' ');
                    }
                    list(cell, out);
                }
            }
            if let Some(c) = close {
                out.push(*c);
            }
        }
        Node::Accent { mark, body, .. } => {
            list(body, out);
            let combining = match mark {
                '→' => '\u{20D7}',
                '←' => '\u{20D6}',
                c => *c,
            };
            if ('\u{0300}'..='\u{036F}').contains(&combining)
                || ('\u{20D0}'..='\u{20FF}').contains(&combining)
            {
                out.push(combining);
            }
        }
        Node::Bar { body, .. } => list(body, out),
        Node::Stack { base, .. } => list(base, out),
        Node::Space(em) if *em >= 0.15 => out.push(' '),
        Node::Space(_) | Node::Style(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::parse;

    #[test]
    fn formulas_read_as_plain_unicode() {
        let l = |s: &str| linear(&parse(s).unwrap());
        assert_eq!(l(r"x^2+\frac{1}{2}"), "x²+1/2");
        assert_eq!(l(r"\sqrt{a+b}"), "√(a+b)");
        assert_eq!(l("H_2SO_4"), "H₂SO₄");
        assert_eq!(l(r"\alpha\le\beta"), "α≤β");
        assert_eq!(l(r"\mathbb{R}"), "ℝ");
        assert_eq!(l(r"9.8\,\mathrm{m/s^2}"), "9.8 m/s²");
    }
}
