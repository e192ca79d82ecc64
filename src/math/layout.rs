//! Formula tree → positioned glyphs and rules, TeX's box rules with the OpenType MATH constants of the math
//! font. Lengths are in em of the surrounding text; y is measured up from the formula's baseline. No PDF
//! types: the page layout places a [`Formula`] like a wide character and the PDF writer draws its items.

use super::font::{MathFont, Stretched, styled};
use super::parse::{Class, Node, Style, TableKind, Variant};

/// A laid-out formula: its box (width, ascent above and descent below the baseline) and what to draw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Formula {
    pub width: f32,
    pub ascent: f32,
    pub descent: f32,
    pub items: Vec<Placed>,
}

/// One thing drawn in a formula; `x`, `y` are the origin (left end of the baseline), `scale` the size
/// relative to the text's.
#[derive(Debug, Clone, PartialEq)]
pub enum Placed {
    /// A glyph of the math font, by id.
    Glyph { id: u16, x: f32, y: f32, scale: f32 },
    /// A filled rectangle (fraction bars, root and over-bars); `y` its bottom edge.
    Rule { x: f32, y: f32, w: f32, h: f32 },
    /// Text in the body font (`\text{…}`, Chinese inside a formula).
    Text {
        text: String,
        x: f32,
        y: f32,
        scale: f32,
    },
}

/// Lays out `nodes` (display style when `display`) with `font`; `text_width` measures body-font text in em.
pub fn layout(
    nodes: &[Node],
    display: bool,
    font: &MathFont,
    text_width: &dyn Fn(&str) -> f32,
) -> Formula {
    let cx = Cx { font, text_width };
    let style = if display { Style::Display } else { Style::Text };
    let b = cx.list(nodes, style, false);
    Formula {
        width: b.w,
        ascent: b.h,
        descent: b.d,
        items: b.items,
    }
}

struct Cx<'a> {
    font: &'a MathFont,
    text_width: &'a dyn Fn(&str) -> f32,
}

/// A box under construction.
#[derive(Debug, Clone, Default)]
struct MBox {
    w: f32,
    h: f32,
    d: f32,
    italic: f32,
    /// A single glyph (scripts sit closer to it than to a compound base).
    simple: bool,
    items: Vec<Placed>,
}

impl MBox {
    /// Adds `other` with its origin at (`dx`, `dy`), growing the height and depth (not the width).
    fn put(&mut self, other: MBox, dx: f32, dy: f32) {
        self.h = self.h.max(other.h + dy);
        self.d = self.d.max(other.d - dy);
        for item in other.items {
            self.items.push(match item {
                Placed::Glyph { id, x, y, scale } => Placed::Glyph {
                    id,
                    x: x + dx,
                    y: y + dy,
                    scale,
                },
                Placed::Rule { x, y, w, h } => Placed::Rule {
                    x: x + dx,
                    y: y + dy,
                    w,
                    h,
                },
                Placed::Text { text, x, y, scale } => Placed::Text {
                    text,
                    x: x + dx,
                    y: y + dy,
                    scale,
                },
            });
        }
    }

    fn rule(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.h = self.h.max(y + h);
        self.d = self.d.max(-y);
        self.items.push(Placed::Rule { x, y, w, h });
    }
}

fn smaller(style: Style) -> Style {
    match style {
        Style::Display | Style::Text => Style::Script,
        _ => Style::ScriptScript,
    }
}

fn frac_part(style: Style) -> Style {
    match style {
        Style::Display => Style::Text,
        other => smaller(other),
    }
}

/// TeX's space between atom classes: 0 none, 1 thin, 2 medium, 3 thick; negative: only in display and
/// text style.
fn spacing(left: Class, right: Class) -> i8 {
    use Class::*;
    let row = match left {
        Ord => [0, 1, -2, -3, 0, 0, 0, -1],
        Op => [1, 1, 0, -3, 0, 0, 0, -1],
        Bin => [-2, -2, 0, 0, -2, 0, 0, -2],
        Rel => [-3, -3, 0, 0, -3, 0, 0, -3],
        Open => [0; 8],
        Close => [0, 1, -2, -3, 0, 0, 0, -1],
        Punct => [-1, -1, 0, -1, -1, -1, -1, -1],
        Inner => [-1, 1, -2, -3, -1, 0, -1, -1],
    };
    let col = match right {
        Ord => 0,
        Op => 1,
        Bin => 2,
        Rel => 3,
        Open => 4,
        Close => 5,
        Punct => 6,
        Inner => 7,
    };
    row[col]
}

impl Cx<'_> {
    fn scale(&self, style: Style) -> f32 {
        let (s, ss) = self.font.script_scales();
        match style {
            Style::Display | Style::Text => 1.0,
            Style::Script => s,
            Style::ScriptScript => ss,
        }
    }

    fn k(
        &self,
        style: Style,
        pick: impl Fn(&ttf_parser::math::Constants<'static>) -> ttf_parser::math::MathValue<'static>,
    ) -> f32 {
        self.font.constant(pick) * self.scale(style)
    }

    fn axis(&self, style: Style) -> f32 {
        self.k(style, |c| c.axis_height())
    }

    /// A row of atoms with TeX's spacing between them.
    fn list(&self, nodes: &[Node], style: Style, cramped: bool) -> MBox {
        let mut style = style;
        let mut atoms: Vec<(MBox, Class, Style)> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            if let Node::Style(s) = node {
                style = *s;
                continue;
            }
            let (b, class) = self.atom(node, style, cramped, nodes.get(i + 1));
            atoms.push((b, class, style));
        }
        // A binary operator with nothing to act on is ordinary (`-1`, `(-x)`, `= -2`).
        for i in 0..atoms.len() {
            if atoms[i].1 != Class::Bin {
                continue;
            }
            let before = i.checked_sub(1).map(|j| atoms[j].1);
            let after = atoms.get(i + 1).map(|a| a.1);
            if matches!(
                before,
                None | Some(Class::Bin | Class::Op | Class::Rel | Class::Open | Class::Punct)
            ) || matches!(after, None | Some(Class::Rel | Class::Close | Class::Punct))
            {
                atoms[i].1 = Class::Ord;
            }
        }
        let mut out = MBox::default();
        let mut prev: Option<Class> = None;
        let single = atoms.len() == 1;
        for (b, class, style) in atoms {
            if let Some(p) = prev {
                let s = spacing(p, class);
                let tight = style >= Style::Script;
                let mu = match (s.abs(), s < 0 && tight) {
                    (_, true) | (0, _) => 0.0,
                    (1, _) => 3.0,
                    (2, _) => 4.0,
                    _ => 5.0,
                };
                out.w += mu / 18.0 * self.scale(style);
            }
            prev = Some(class);
            let w = b.w;
            out.italic = b.italic;
            out.simple = single && b.simple;
            let x = out.w;
            out.put(b, x, 0.0);
            out.w += w;
        }
        out
    }

    fn glyph_box(&self, c: char, style: Style) -> Option<MBox> {
        let g = self.font.glyph(c)?;
        Some(self.glyph_id_box(g, style))
    }

    fn glyph_id_box(&self, g: ttf_parser::GlyphId, style: Style) -> MBox {
        let s = self.scale(style);
        let (_, y0, _, y1) = self.font.bounds(g);
        MBox {
            w: self.font.advance(g) * s,
            h: y1 * s,
            d: -y0 * s,
            italic: self.font.italic_correction(g) * s,
            simple: true,
            items: vec![Placed::Glyph {
                id: g.0,
                x: 0.0,
                y: 0.0,
                scale: s,
            }],
        }
    }

    fn text_box(&self, text: &str, style: Style) -> MBox {
        let s = self.scale(style);
        MBox {
            w: (self.text_width)(text) * s,
            h: 0.88 * s,
            d: 0.12 * s,
            italic: 0.0,
            simple: false,
            items: vec![Placed::Text {
                text: text.to_string(),
                x: 0.0,
                y: 0.0,
                scale: s,
            }],
        }
    }

    /// A symbol in its alphabet; a character the math font lacks is set in the body font.
    fn sym(&self, c: char, variant: Variant, style: Style) -> MBox {
        let styled_c = styled(c, variant);
        self.glyph_box(styled_c, style)
            .or_else(|| self.glyph_box(c, style))
            .unwrap_or_else(|| self.text_box(&c.to_string(), style))
    }

    fn atom(&self, node: &Node, style: Style, cramped: bool, next: Option<&Node>) -> (MBox, Class) {
        match node {
            Node::Sym { c, class, variant } => {
                let mut b = self.sym(*c, *variant, style);
                // An italic letter keeps its italic correction before upright material, as TeX adds it.
                if !matches!(
                    next,
                    Some(Node::Sym {
                        variant: Variant::Normal,
                        ..
                    }) | None
                ) {
                    b.w += b.italic;
                }
                (b, *class)
            }
            Node::Text(t) => (self.text_box(t, style), Class::Ord),
            Node::Func { name, .. } => {
                let chars: Vec<Node> = name
                    .chars()
                    .map(|c| Node::Sym {
                        c,
                        class: Class::Ord,
                        variant: Variant::Upright,
                    })
                    .collect();
                let mut b = self.list(&chars, style, cramped);
                b.simple = false;
                (b, Class::Op)
            }
            Node::BigOp { c, .. } => (self.big_op(*c, style), Class::Op),
            Node::Frac {
                num,
                den,
                rule,
                style: forced,
            } => (
                self.fraction(num, den, *rule, forced.unwrap_or(style), cramped),
                Class::Inner,
            ),
            Node::Sqrt { index, body } => (self.radical(index.as_deref(), body, style), Class::Ord),
            Node::Scripts { base, sub, sup } => {
                self.scripts(base, sub.as_deref(), sup.as_deref(), style, cramped)
            }
            Node::Group(inner) => {
                let mut b = self.list(inner, style, cramped);
                b.simple = false;
                (b, Class::Ord)
            }
            Node::Fenced { open, close, body } => {
                let inner = self.list(body, style, cramped);
                (self.fence(*open, *close, inner, style), Class::Inner)
            }
            Node::Big { c, size, class } => {
                let total = [1.2, 1.8, 2.4, 3.0][(*size as usize).clamp(1, 4) - 1];
                (self.delimiter(*c, total * self.scale(style), style), *class)
            }
            Node::Table {
                kind,
                open,
                close,
                align,
                rows,
            } => {
                let table = self.table(*kind, align, rows, style);
                if open.is_some() || close.is_some() {
                    (self.fence(*open, *close, table, style), Class::Inner)
                } else {
                    (table, Class::Ord)
                }
            }
            Node::Accent {
                mark,
                stretchy,
                body,
            } => (
                self.accent(*mark, *stretchy, body, style, cramped),
                Class::Ord,
            ),
            Node::Bar { over, body } => (self.bar(*over, body, style, cramped), Class::Ord),
            Node::Stack { over, base, annot } => {
                let class = match base.as_slice() {
                    [Node::Sym { class, .. }] => *class,
                    [Node::Accent { stretchy: true, .. }] => Class::Rel,
                    _ => Class::Ord,
                };
                let a = self.list(annot, smaller(style), *over || cramped);
                // An extensible arrow (`\xrightarrow{…}`) reaches past its label on both sides.
                let b = match base.as_slice() {
                    [
                        Node::Accent {
                            mark,
                            stretchy: true,
                            body,
                        },
                    ] if matches!(body.as_slice(), [Node::Space(_)]) => {
                        let reach = (a.w / self.scale(style) + 0.6).max(1.0);
                        let arrow = Node::Accent {
                            mark: *mark,
                            stretchy: true,
                            body: vec![Node::Space(reach)],
                        };
                        self.list(std::slice::from_ref(&arrow), style, cramped)
                    }
                    _ => self.list(base, style, cramped),
                };
                let (over_box, under_box) = if *over {
                    (Some(a), None)
                } else {
                    (None, Some(a))
                };
                (self.limits(b, over_box, under_box, style), class)
            }
            Node::Space(em) => (
                MBox {
                    w: em * self.scale(style),
                    ..MBox::default()
                },
                Class::Ord,
            ),
            Node::Style(_) => (MBox::default(), Class::Ord),
        }
    }

    /// A big operator: its display size in display style, centred on the axis.
    fn big_op(&self, c: char, style: Style) -> MBox {
        let Some(g) = self.font.glyph(c) else {
            return self.text_box(&c.to_string(), style);
        };
        let g = if style == Style::Display {
            match self
                .font
                .stretch(g, self.font.display_operator_min_height(), true)
            {
                Stretched::Single(v) => v,
                Stretched::Assembly(..) => g,
            }
        } else {
            g
        };
        let mut b = self.glyph_id_box(g, style);
        // Slanted integrals reach past their advance; without an italic correction in the font, the
        // superscript starts where the ink ends.
        let (_, _, ink_right, _) = self.font.bounds(g);
        b.italic = b
            .italic
            .max((ink_right - self.font.advance(g)) * self.scale(style));
        let shift = (b.h - b.d) / 2.0 - self.axis(style);
        let mut out = MBox {
            w: b.w,
            italic: b.italic,
            simple: true,
            ..MBox::default()
        };
        b.simple = true;
        out.put(b, 0.0, -shift);
        out
    }

    fn fraction(
        &self,
        num: &[Node],
        den: &[Node],
        rule: bool,
        style: Style,
        cramped: bool,
    ) -> MBox {
        let part = frac_part(style);
        let n = self.list(num, part, cramped);
        let d = self.list(den, part, true);
        let display = style == Style::Display;
        let t = if rule {
            self.k(style, |c| c.fraction_rule_thickness())
        } else {
            0.0
        };
        let axis = self.axis(style);
        let (mut up, mut down, gap_n, gap_d) = if rule {
            if display {
                (
                    self.k(style, |c| c.fraction_numerator_display_style_shift_up()),
                    self.k(style, |c| c.fraction_denominator_display_style_shift_down()),
                    self.k(style, |c| c.fraction_num_display_style_gap_min()),
                    self.k(style, |c| c.fraction_denom_display_style_gap_min()),
                )
            } else {
                (
                    self.k(style, |c| c.fraction_numerator_shift_up()),
                    self.k(style, |c| c.fraction_denominator_shift_down()),
                    self.k(style, |c| c.fraction_numerator_gap_min()),
                    self.k(style, |c| c.fraction_denominator_gap_min()),
                )
            }
        } else if display {
            let gap = self.k(style, |c| c.stack_display_style_gap_min()) / 2.0;
            (
                self.k(style, |c| c.stack_top_display_style_shift_up()),
                self.k(style, |c| c.stack_bottom_display_style_shift_down()),
                gap,
                gap,
            )
        } else {
            let gap = self.k(style, |c| c.stack_gap_min()) / 2.0;
            (
                self.k(style, |c| c.stack_top_shift_up()),
                self.k(style, |c| c.stack_bottom_shift_down()),
                gap,
                gap,
            )
        };
        up = up.max(axis + t / 2.0 + gap_n + n.d);
        down = down.max(d.h - axis + t / 2.0 + gap_d);
        let pad = 0.12 * self.scale(style);
        let inner = n.w.max(d.w);
        let mut out = MBox {
            w: inner + 2.0 * pad,
            ..MBox::default()
        };
        let (nw, dw) = (n.w, d.w);
        out.put(n, pad + (inner - nw) / 2.0, up);
        out.put(d, pad + (inner - dw) / 2.0, -down);
        if rule {
            out.rule(pad, axis - t / 2.0, inner, t);
        }
        out
    }

    fn radical(&self, index: Option<&[Node]>, body: &[Node], style: Style) -> MBox {
        let b = self.list(body, style, true);
        let t = self.k(style, |c| c.radical_rule_thickness());
        let mut gap = if style == Style::Display {
            self.k(style, |c| c.radical_display_style_vertical_gap())
        } else {
            self.k(style, |c| c.radical_vertical_gap())
        };
        let extra = self.k(style, |c| c.radical_extra_ascender());
        let need = b.h + b.d + gap + t;
        let s = self.scale(style);
        let Some(root) = self.font.glyph('√') else {
            return b;
        };
        let sign = self.stretched(root, need / s, true, style);
        let total = sign.h + sign.d;
        if total > need {
            gap += (total - need) / 2.0;
        }
        // The sign's top meets the bar's top.
        let bar_top = b.h + gap + t;
        let sign_shift = bar_top - sign.h;
        let mut out = MBox::default();
        let mut x = 0.0;
        if let Some(index) = index {
            let i = self.list(index, Style::ScriptScript, false);
            let before = self.k(style, |c| c.radical_kern_before_degree());
            let after = self.k(style, |c| c.radical_kern_after_degree());
            let raise = self.font.radical_degree_bottom_raise() * total + sign_shift - sign.d;
            let iw = i.w;
            out.put(i, before.max(0.0), raise + 0.0);
            x = (before.max(0.0) + iw + after).max(0.0);
        }
        let sw = sign.w;
        out.put(sign, x, sign_shift);
        x += sw;
        let bw = b.w;
        out.put(b, x, 0.0);
        out.rule(x, bar_top - t, bw, t);
        out.h = out.h.max(bar_top + extra);
        out.w = x + bw;
        out
    }

    /// A glyph stretched to at least `size` em (at `style`'s scale) as a box, vertically or horizontally.
    fn stretched(&self, g: ttf_parser::GlyphId, size: f32, vertical: bool, style: Style) -> MBox {
        let s = self.scale(style);
        match self.font.stretch(g, size, vertical) {
            Stretched::Single(v) => self.glyph_id_box(v, style),
            Stretched::Assembly(parts, length) => {
                let mut out = MBox::default();
                let mut width: f32 = 0.0;
                let (_, y0, _, _) = self.font.bounds(parts[0].0);
                for (p, at) in &parts {
                    let pb = self.glyph_id_box(*p, style);
                    width = width.max(pb.w);
                    if vertical {
                        // Parts go bottom to top, each part's origin `at` above the first part's bottom.
                        out.put(pb, 0.0, at * s + y0 * s);
                    } else {
                        out.put(pb, at * s, 0.0);
                    }
                }
                out.w = if vertical { width } else { length * s };
                out
            }
        }
    }

    /// A delimiter of total height at least `size`, centred on the axis.
    fn delimiter(&self, c: char, size: f32, style: Style) -> MBox {
        let Some(g) = self.font.glyph(c) else {
            return self.text_box(&c.to_string(), style);
        };
        let b = self.stretched(g, size / self.scale(style), true, style);
        let shift = (b.h - b.d) / 2.0 - self.axis(style);
        let mut out = MBox {
            w: b.w,
            ..MBox::default()
        };
        out.put(b, 0.0, -shift);
        out
    }

    /// `inner` between delimiters grown to cover it, TeX's rule (90% of it, or all but 0.5 em).
    fn fence(&self, open: Option<char>, close: Option<char>, inner: MBox, style: Style) -> MBox {
        let axis = self.axis(style);
        let reach = (inner.h - axis).max(inner.d + axis);
        let size = (2.0 * reach * 0.901).max(2.0 * reach - 0.5 * self.scale(style));
        let mut out = MBox::default();
        if let Some(c) = open {
            let b = self.delimiter(c, size, style);
            let w = b.w;
            out.put(b, 0.0, 0.0);
            out.w += w;
        }
        let w = inner.w;
        let x = out.w;
        out.put(inner, x, 0.0);
        out.w += w;
        if let Some(c) = close {
            let b = self.delimiter(c, size, style);
            let w = b.w;
            let x = out.w;
            out.put(b, x, 0.0);
            out.w += w;
        }
        out
    }

    fn scripts(
        &self,
        base: &Node,
        sub: Option<&[Node]>,
        sup: Option<&[Node]>,
        style: Style,
        cramped: bool,
    ) -> (MBox, Class) {
        let (b, class) = self.atom(base, style, cramped, None);
        let limits = match base {
            Node::BigOp { limits, .. } | Node::Func { limits, .. } => {
                *limits && style == Style::Display
            }
            _ => false,
        };
        let small = smaller(style);
        let sub_box = sub.map(|n| self.list(n, small, true));
        let sup_box = sup.map(|n| self.list(n, small, cramped));
        if limits {
            return (self.limits(b, sup_box, sub_box, style), class);
        }
        let mut out = MBox {
            w: b.w,
            ..MBox::default()
        };
        let italic = b.italic;
        let simple = b.simple;
        let (bh, bd, bw) = (b.h, b.d, b.w);
        out.put(b, 0.0, 0.0);
        let mut sup_shift = 0.0;
        let mut sub_shift = 0.0;
        if let Some(p) = &sup_box {
            sup_shift = if cramped {
                self.k(style, |c| c.superscript_shift_up_cramped())
            } else {
                self.k(style, |c| c.superscript_shift_up())
            };
            if !simple {
                sup_shift =
                    sup_shift.max(bh - self.k(small, |c| c.superscript_baseline_drop_max()));
            }
            sup_shift = sup_shift.max(p.d + self.k(style, |c| c.superscript_bottom_min()));
        }
        if let Some(s) = &sub_box {
            sub_shift = self.k(style, |c| c.subscript_shift_down());
            if !simple {
                sub_shift = sub_shift.max(bd + self.k(small, |c| c.subscript_baseline_drop_min()));
            }
            sub_shift = sub_shift.max(s.h - self.k(style, |c| c.subscript_top_max()));
        }
        if let (Some(p), Some(s)) = (&sup_box, &sub_box) {
            let gap = (sup_shift - p.d) - (s.h - sub_shift);
            let min = self.k(style, |c| c.sub_superscript_gap_min());
            if gap < min {
                sub_shift += min - gap;
                let limit = self.k(style, |c| c.superscript_bottom_max_with_subscript());
                let psi = limit - (sup_shift - p.d);
                if psi > 0.0 {
                    sup_shift += psi;
                    sub_shift -= psi;
                }
            }
        }
        let after = self.k(style, |c| c.space_after_script());
        let mut end = bw;
        if let Some(p) = sup_box {
            let x = bw + italic;
            let pw = p.w;
            out.put(p, x, sup_shift);
            end = end.max(x + pw);
        }
        if let Some(s) = sub_box {
            let x = bw;
            let sw = s.w;
            out.put(s, x, -sub_shift);
            end = end.max(x + sw);
        }
        out.w = end + after;
        (out, class)
    }

    /// `base` with `over` centred above it and `under` below (display limits, `\overset`).
    fn limits(&self, base: MBox, over: Option<MBox>, under: Option<MBox>, style: Style) -> MBox {
        let width = base
            .w
            .max(over.as_ref().map_or(0.0, |b| b.w))
            .max(under.as_ref().map_or(0.0, |b| b.w));
        let mut out = MBox {
            w: width,
            ..MBox::default()
        };
        let italic = base.italic;
        let (bh, bd, bw) = (base.h, base.d, base.w);
        out.put(base, (width - bw) / 2.0, 0.0);
        if let Some(o) = over {
            let rise = (bh + self.k(style, |c| c.upper_limit_gap_min()) + o.d)
                .max(bh + self.k(style, |c| c.upper_limit_baseline_rise_min()));
            let ow = o.w;
            out.put(o, (width - ow) / 2.0 + italic / 2.0, rise);
        }
        if let Some(u) = under {
            let drop = (bd + self.k(style, |c| c.lower_limit_gap_min()) + u.h)
                .max(bd + self.k(style, |c| c.lower_limit_baseline_drop_min()));
            let uw = u.w;
            out.put(u, (width - uw) / 2.0 - italic / 2.0, -drop);
        }
        out
    }

    fn table(
        &self,
        kind: TableKind,
        align: &[char],
        rows: &[Vec<Vec<Node>>],
        style: Style,
    ) -> MBox {
        let cell_style = if kind == TableKind::Aligned && style == Style::Display {
            Style::Display
        } else if style == Style::Display {
            Style::Text
        } else {
            style
        };
        let s = self.scale(style);
        // An aligned column after the alignment point starts with an empty atom, as `&=` in LaTeX, so the
        // relation keeps its space on the left.
        let cells: Vec<Vec<MBox>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if kind == TableKind::Aligned && i % 2 == 1 {
                            let mut with_empty = vec![Node::Group(Vec::new())];
                            with_empty.extend(c.iter().cloned());
                            self.list(&with_empty, cell_style, false)
                        } else {
                            self.list(c, cell_style, false)
                        }
                    })
                    .collect()
            })
            .collect();
        let columns = align
            .len()
            .max(cells.iter().map(Vec::len).max().unwrap_or(0));
        let mut widths = vec![0.0f32; columns];
        for row in &cells {
            for (i, c) in row.iter().enumerate() {
                widths[i] = widths[i].max(c.w);
            }
        }
        let gap = |i: usize| -> f32 {
            match kind {
                TableKind::Aligned if i % 2 == 1 => 0.0,
                TableKind::Aligned => 2.0 * s,
                _ => 1.0 * s,
            }
        };
        // Rows at least a strut high, as LaTeX's arrays (\arraystretch 1.2 for matrices).
        let (strut_h, strut_d, jot) = match kind {
            TableKind::Aligned => (0.75 * s, 0.25 * s, 0.3 * s),
            _ => (0.85 * s, 0.35 * s, 0.0),
        };
        let heights: Vec<(f32, f32)> = cells
            .iter()
            .map(|r| {
                r.iter()
                    .fold((strut_h, strut_d), |(h, d), c| (h.max(c.h), d.max(c.d)))
            })
            .collect();
        let total: f32 = heights.iter().map(|(h, d)| h + d).sum::<f32>()
            + jot * heights.len().saturating_sub(1) as f32;
        let mut out = MBox::default();
        let mut y = self.axis(style) + total / 2.0;
        for (row, (h, d)) in cells.into_iter().zip(heights) {
            y -= h;
            let mut x = 0.0;
            for (i, cell) in row.into_iter().enumerate() {
                if i > 0 {
                    x += gap(i);
                }
                let slack = widths[i] - cell.w;
                let dx = match align.get(i).copied().unwrap_or('c') {
                    'l' => 0.0,
                    'r' => slack,
                    _ => slack / 2.0,
                };
                out.put(cell, x + dx, y);
                x += widths[i];
            }
            y -= d + jot;
        }
        out.w = widths.iter().sum::<f32>() + (1..columns).map(gap).sum::<f32>();
        if kind == TableKind::Cases {
            // A little room between the brace and the cases.
            for item in &mut out.items {
                shift_x(item, 0.17 * s);
            }
            out.w += 0.17 * s;
        }
        out.simple = false;
        out
    }

    fn accent(
        &self,
        mark: char,
        stretchy: bool,
        body: &[Node],
        style: Style,
        cramped: bool,
    ) -> MBox {
        let b = self.list(body, style, true);
        let _ = cramped;
        let s = self.scale(style);
        let Some(g) = self.font.glyph(mark) else {
            return b;
        };
        let base_height = self.k(style, |c| c.accent_base_height());
        let (bw, bh) = (b.w, b.h);
        let single = match body {
            [Node::Sym { c, variant, .. }] => self.font.glyph(styled(*c, *variant)),
            _ => None,
        };
        let mut out = MBox {
            w: bw,
            ..MBox::default()
        };
        out.put(b, 0.0, 0.0);
        if stretchy {
            let a = self.stretched(g, bw / s, false, style);
            let gap = self.k(style, |c| c.overbar_vertical_gap()) * 0.5;
            let rise = bh + gap + a.d;
            let aw = a.w;
            out.put(a, (bw - aw) / 2.0, rise);
            out.w = bw.max(aw);
            return out;
        }
        let a = self.glyph_id_box(g, style);
        let attach_base = single
            .and_then(|g| self.font.top_accent(g))
            .map_or(bw / 2.0, |x| x * s);
        let (ax0, _, ax1, _) = self.font.bounds(g);
        let attach_mark = self
            .font
            .top_accent(g)
            .map_or((ax0 + ax1) / 2.0 * s, |x| x * s);
        let rise = (bh - base_height).max(0.0);
        out.put(a, attach_base - attach_mark, rise);
        out
    }

    fn bar(&self, over: bool, body: &[Node], style: Style, cramped: bool) -> MBox {
        let b = self.list(body, style, over || cramped);
        let (bw, bh, bd) = (b.w, b.h, b.d);
        let mut out = MBox {
            w: bw,
            ..MBox::default()
        };
        out.put(b, 0.0, 0.0);
        if over {
            let t = self.k(style, |c| c.overbar_rule_thickness());
            let gap = self.k(style, |c| c.overbar_vertical_gap());
            out.rule(0.0, bh + gap, bw, t);
            out.h += self.k(style, |c| c.overbar_extra_ascender());
        } else {
            let t = self.k(style, |c| c.underbar_rule_thickness());
            let gap = self.k(style, |c| c.underbar_vertical_gap());
            out.rule(0.0, -bd - gap - t, bw, t);
            out.d += self.k(style, |c| c.underbar_extra_descender());
        }
        out
    }
}

fn shift_x(item: &mut Placed, dx: f32) {
    match item {
        Placed::Glyph { x, .. } | Placed::Rule { x, .. } | Placed::Text { x, .. } => *x += dx,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::font::builtin;
    use crate::math::parse;

    fn lay(src: &str, display: bool) -> Formula {
        layout(&parse(src).unwrap(), display, builtin(), &|t: &str| {
            t.chars().count() as f32
        })
    }

    fn glyphs(f: &Formula) -> Vec<(u16, f32, f32)> {
        f.items
            .iter()
            .filter_map(|i| match i {
                Placed::Glyph { id, x, y, .. } => Some((*id, *x, *y)),
                _ => None,
            })
            .collect()
    }

    fn gid(c: char) -> u16 {
        builtin().glyph(c).unwrap().0
    }

    #[test]
    fn a_fraction_puts_numerator_above_and_denominator_below_a_rule_on_the_axis() {
        let f = lay(r"\frac{1}{2}", false);
        let g = glyphs(&f);
        let one = g.iter().find(|(id, ..)| *id == gid('1')).unwrap();
        let two = g.iter().find(|(id, ..)| *id == gid('2')).unwrap();
        assert!(one.2 > 0.3 && two.2 < -0.2, "{g:?}");
        let rule = f.items.iter().find_map(|i| match i {
            Placed::Rule { y, h, w, .. } => Some((*y, *h, *w)),
            _ => None,
        });
        let (y, h, w) = rule.unwrap();
        let axis = builtin().constant(|c| c.axis_height());
        assert!((y + h / 2.0 - axis).abs() < 1e-3 && w > 0.3);
        // A display fraction is larger than an inline one.
        let d = lay(r"\frac{1}{2}", true);
        assert!(d.ascent + d.descent > f.ascent + f.descent + 0.2);
    }

    #[test]
    fn scripts_are_smaller_and_raised_or_lowered() {
        let f = lay("x_1^2", false);
        let g = glyphs(&f);
        let scales: Vec<f32> = f
            .items
            .iter()
            .filter_map(|i| match i {
                Placed::Glyph { scale, .. } => Some(*scale),
                _ => None,
            })
            .collect();
        assert_eq!(g[0].0, gid('𝑥'));
        assert!(scales[1] < 0.8 && scales[2] < 0.8);
        assert!(g[1].2 > 0.2, "superscript raised: {g:?}");
        assert!(g[2].2 < -0.1, "subscript lowered: {g:?}");
    }

    #[test]
    fn display_sums_take_limits_above_and_below_inline_ones_beside() {
        let d = lay(r"\sum_{i=1}^{n} i", true);
        let g = glyphs(&d);
        let n = g.iter().find(|(id, ..)| *id == gid('𝑛')).unwrap();
        let sum_x = g[0].1;
        assert!(n.2 > 0.8, "n above the sum: {g:?}");
        assert!(n.1 > sum_x, "{g:?}");
        let t = lay(r"\sum_{i=1}^{n} i", false);
        let g = glyphs(&t);
        let n = g.iter().find(|(id, ..)| *id == gid('𝑛')).unwrap();
        assert!(n.2 < 0.8 && n.1 > 0.5, "n beside the sum: {g:?}");
        // The display sum is a larger glyph than the inline one.
        assert_ne!(glyphs(&d)[0].0, glyphs(&t)[0].0);
    }

    #[test]
    fn roots_cover_their_body_and_brackets_grow_with_matrices() {
        let r = lay(r"\sqrt{\frac{a}{b}}", false);
        let small = lay(r"\sqrt{a}", false);
        assert!(
            r.ascent > small.ascent + 0.2,
            "{} {}",
            r.ascent,
            small.ascent
        );
        assert!(r.items.iter().any(|i| matches!(i, Placed::Rule { .. })));
        let m = lay(
            r"\begin{pmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 1 \end{pmatrix}",
            true,
        );
        assert!(m.ascent + m.descent > 3.0, "{} {}", m.ascent, m.descent);
        let c = lay(
            r"f(x)=\begin{cases} x, & x\ge 0 \\ -x, & x<0 \end{cases}",
            true,
        );
        assert!(c.ascent + c.descent > 2.0);
    }

    #[test]
    fn vectors_units_and_text_lay_out() {
        let v = lay(r"\overrightarrow{AB}", false);
        let ab = lay("AB", false);
        assert!(v.ascent > ab.ascent + 0.1 && (v.width - ab.width).abs() < 0.3);
        let u = lay(r"a=9.8\,\mathrm{m/s^2}", false);
        assert!(glyphs(&u).iter().any(|(id, ..)| *id == gid('m')));
        let t = lay(r"\text{速度}=\frac{s}{t}", false);
        assert!(
            t.items
                .iter()
                .any(|i| matches!(i, Placed::Text { text, .. } if text == "速度"))
        );
        let h = lay("H_2SO_4", false);
        assert_eq!(glyphs(&h).len(), 5);
        assert!(lay(r"\because x>0 \therefore x^2>0", false).width > 3.0);
        assert!(lay(r"\lim_{x\to 0}\frac{\sin x}{x}=1", true).width > 3.0);
        assert!(lay(r"\int_0^1 x^2\,dx", true).width > 2.0);
        assert!(lay(r"\begin{aligned} a&=b+c \\ &=d \end{aligned}", true).descent > 0.5);
    }

    #[test]
    fn binary_minus_becomes_unary_after_a_relation() {
        let spaced = lay("a-b", false).width;
        let unary = lay("-b", false).width + lay("a", false).width;
        assert!(spaced > unary + 0.3, "{spaced} {unary}");
    }
}
