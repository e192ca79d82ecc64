//! LaTeX math source → a typed formula tree. Every error carries the byte span of what is wrong in the
//! source, so `check` can point at it; nothing unknown is passed through silently.

use super::MathError;
use super::symbols;
pub use super::symbols::Class;

/// The alphabet letters and digits are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Letters italic, digits and capital Greek upright: plain math.
    Normal,
    /// `\mathrm`, `\operatorname`: upright letters.
    Upright,
    /// `\mathbf`, `\boldsymbol`.
    Bold,
    /// `\mathbb`.
    DoubleStruck,
    /// `\mathcal`.
    Script,
}

/// TeX's four styles: display (`$$`), text (inline), and the smaller script sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    Display,
    Text,
    Script,
    ScriptScript,
}

/// How a table environment lines up its columns and what brackets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `matrix`, `pmatrix`, `bmatrix` …: centred columns.
    Matrix,
    /// `cases`: left-aligned columns, a brace on the left.
    Cases,
    /// `aligned`, `align*`, `split`, `gathered`: columns alternately right and left aligned.
    Aligned,
    /// `array{lcr}`: the columns as declared.
    Array,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// One symbol of the math font (a letter, a digit, an operator …).
    Sym {
        c: char,
        class: Class,
        variant: Variant,
    },
    /// Text set in the body font: `\text{…}`, `\mbox{…}`, and Chinese typed inside a formula.
    Text(String),
    /// A named function set upright (`\sin`, `\lim`, `\operatorname{tr}`); `limits`: scripts above and below
    /// in display style.
    Func {
        name: String,
        limits: bool,
    },
    /// `\sum`, `\int` …; `limits` as for functions.
    BigOp {
        c: char,
        limits: bool,
    },
    /// `\frac`, `\dfrac`, `\tfrac`; `rule` false for `\binom`'s stack. `style` forces a style on both parts.
    Frac {
        num: Vec<Node>,
        den: Vec<Node>,
        rule: bool,
        style: Option<Style>,
    },
    Sqrt {
        index: Option<Vec<Node>>,
        body: Vec<Node>,
    },
    Scripts {
        base: Box<Node>,
        sub: Option<Vec<Node>>,
        sup: Option<Vec<Node>>,
    },
    Group(Vec<Node>),
    /// `\left( … \right)`: delimiters grown to the body; None for `.`.
    Fenced {
        open: Option<char>,
        close: Option<char>,
        body: Vec<Node>,
    },
    /// `\big(` … `\Bigg)`: a delimiter of a fixed larger size (1 to 4).
    Big {
        c: char,
        size: u8,
        class: Class,
    },
    Table {
        kind: TableKind,
        open: Option<char>,
        close: Option<char>,
        /// Per column: 'l', 'c' or 'r'.
        align: Vec<char>,
        rows: Vec<Vec<Vec<Node>>>,
    },
    /// `\vec`, `\hat`, `\overrightarrow` …; `stretchy` marks grow to the base's width.
    Accent {
        mark: char,
        stretchy: bool,
        body: Vec<Node>,
    },
    /// `\overline` (over) and `\underline`.
    Bar {
        over: bool,
        body: Vec<Node>,
    },
    /// `\overset{annot}{base}`, `\underset`, `\stackrel`.
    Stack {
        over: bool,
        base: Vec<Node>,
        annot: Vec<Node>,
    },
    /// Horizontal space in em (negative for `\!`).
    Space(f32),
    /// `\displaystyle`, `\textstyle`: the rest of the group in that style.
    Style(Style),
}

/// Parses a formula's LaTeX source.
pub fn parse(src: &str) -> Result<Vec<Node>, MathError> {
    let mut p = Parser {
        src,
        pos: 0,
        variant: Variant::Normal,
    };
    let (nodes, stop) = p.list()?;
    match stop {
        Stop::Eof => Ok(nodes),
        Stop::Brace(at) => Err(MathError::new(
            at,
            1,
            "this `}` closes nothing: remove it or add the `{` it belongs to",
        )),
        Stop::Amp(at) => Err(MathError::new(
            at,
            1,
            "`&` outside a table: use it inside \\begin{aligned} … \\end{aligned} or a matrix, or write \\&",
        )),
        Stop::Row(at) => Err(MathError::new(
            at,
            2,
            "`\\\\` outside a table: start a new line inside \\begin{aligned} … \\end{aligned}",
        )),
        Stop::End(at, len, _) => Err(MathError::new(at, len, "this \\end has no \\begin")),
        Stop::Right(at) => Err(MathError::new(at, 6, "this \\right has no \\left")),
    }
}

/// Why a list ended, with the byte offset of what ended it.
#[derive(Debug)]
enum Stop {
    Eof,
    Brace(usize),
    Amp(usize),
    Row(usize),
    /// `\end{name}`: offset, length, name.
    End(usize, usize, String),
    Right(usize),
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    variant: Variant,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    /// Reads a command name after a backslash at `self.pos` (which points past it): letters, or one other
    /// character.
    fn command_name(&mut self) -> Result<&'a str, MathError> {
        let start = self.pos;
        let rest = &self.src[start..];
        let letters = rest
            .char_indices()
            .find(|(_, c)| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |(i, _)| i);
        let len = if letters > 0 {
            letters
        } else {
            match rest.chars().next() {
                Some(c) => c.len_utf8(),
                None => {
                    return Err(MathError::new(
                        start - 1,
                        1,
                        "a formula cannot end with `\\`",
                    ));
                }
            }
        };
        self.pos += len;
        // `\mathrm*` style stars (`align*`) are read by the environment name, not here.
        Ok(&self.src[start..start + len])
    }

    /// A list of atoms up to the end, a `}`, `&`, `\\`, `\end` or `\right`.
    fn list(&mut self) -> Result<(Vec<Node>, Stop), MathError> {
        let mut nodes: Vec<Node> = Vec::new();
        loop {
            self.skip_space();
            let at = self.pos;
            let Some(c) = self.peek() else {
                return Ok((nodes, Stop::Eof));
            };
            self.pos += c.len_utf8();
            match c {
                '{' => {
                    let inner = self.group_body(at)?;
                    nodes.push(Node::Group(inner));
                }
                '}' => return Ok((nodes, Stop::Brace(at))),
                '&' => return Ok((nodes, Stop::Amp(at))),
                '^' | '_' => self.script(&mut nodes, c == '^', at)?,
                // Unicode's prime is drawn raised at full size, so it follows its base as it is.
                '\'' => nodes.push(prime()),
                '~' => nodes.push(Node::Space(0.25)),
                '%' => {
                    return Err(MathError::new(
                        at,
                        1,
                        "`%` starts a comment in LaTeX: write a percent sign as `\\%`",
                    ));
                }
                '#' => {
                    return Err(MathError::new(at, 1, "write `#` as `\\#`"));
                }
                '\\' => {
                    let name = self.command_name()?;
                    let len = name.len() + 1;
                    if name == "\\" {
                        return Ok((nodes, Stop::Row(at)));
                    }
                    if name == "end" {
                        let env = self.env_name(at)?;
                        return Ok((nodes, Stop::End(at, self.pos - at, env)));
                    }
                    if name == "right" {
                        return Ok((nodes, Stop::Right(at)));
                    }
                    self.command(name, at, len, &mut nodes)?;
                }
                c if is_text_char(c) => {
                    // Chinese typed in a formula (速度 = 路程/时间) is set as text in the body font.
                    let mut text = c.to_string();
                    while let Some(d) = self.peek().filter(|d| is_text_char(*d)) {
                        text.push(d);
                        self.pos += d.len_utf8();
                    }
                    nodes.push(Node::Text(text));
                }
                c => nodes.push(self.sym(c)),
            }
        }
    }

    fn sym(&self, c: char) -> Node {
        let c = if c == '-' { '−' } else { c };
        Node::Sym {
            c,
            class: symbols::class_of(c),
            variant: self.variant,
        }
    }

    /// The inside of a `{…}` whose `{` was at `open`.
    fn group_body(&mut self, open: usize) -> Result<Vec<Node>, MathError> {
        let (inner, stop) = self.list()?;
        match stop {
            Stop::Brace(_) => Ok(inner),
            Stop::Eof => Err(MathError::new(
                open,
                1,
                "this `{` is never closed: add the matching `}`",
            )),
            other => Err(self.misplaced(other)),
        }
    }

    fn misplaced(&self, stop: Stop) -> MathError {
        match stop {
            Stop::Amp(at) => MathError::new(at, 1, "`&` inside braces: close the `{` first"),
            Stop::Row(at) => MathError::new(at, 2, "`\\\\` inside braces: close the `{` first"),
            Stop::End(at, len, _) => MathError::new(
                at,
                len,
                "this \\end comes before a `{` opened earlier is closed",
            ),
            Stop::Right(at) => {
                MathError::new(at, 6, "this \\right has no \\left in the same group")
            }
            Stop::Brace(at) => MathError::new(at, 1, "unexpected `}`"),
            Stop::Eof => MathError::new(self.src.len(), 0, "the formula ends too early"),
        }
    }

    /// One argument: a `{group}`, a command, or one character.
    fn arg(&mut self, command_at: usize, command_len: usize) -> Result<Vec<Node>, MathError> {
        self.skip_space();
        let at = self.pos;
        let missing = || {
            MathError::new(
                command_at,
                command_len,
                format!(
                    "{} needs an argument in braces",
                    &self.src[command_at..command_at + command_len]
                ),
            )
        };
        let Some(c) = self.peek() else {
            return Err(missing());
        };
        self.pos += c.len_utf8();
        match c {
            '{' => self.group_body(at),
            '}' | '&' | '^' | '_' => Err(missing()),
            '\\' => {
                let name = self.command_name()?;
                if matches!(name, "\\" | "end" | "right") {
                    return Err(missing());
                }
                let mut nodes = Vec::new();
                self.command(name, at, name.len() + 1, &mut nodes)?;
                Ok(nodes)
            }
            c if is_text_char(c) => Ok(vec![Node::Text(c.to_string())]),
            c => Ok(vec![self.sym(c)]),
        }
    }

    fn script(&mut self, nodes: &mut Vec<Node>, sup: bool, at: usize) -> Result<(), MathError> {
        let arg = self.arg(at, 1)?;
        attach(nodes, sup, arg, at)
    }

    /// Raw text up to the `}` that closes the group opened before `self.pos` (for `\text`).
    fn raw_group(&mut self, command_at: usize, command_len: usize) -> Result<String, MathError> {
        self.skip_space();
        if self.peek() != Some('{') {
            return Err(MathError::new(
                command_at,
                command_len,
                format!(
                    "{} needs its text in braces",
                    &self.src[command_at..command_at + command_len]
                ),
            ));
        }
        let open = self.pos;
        self.pos += 1;
        let mut depth = 0;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            match c {
                '\\' => match self.peek() {
                    Some(d @ ('$' | '%' | '{' | '}' | '&' | '#' | '_')) => {
                        text.push(d);
                        self.pos += 1;
                    }
                    Some(' ') => {
                        text.push(' ');
                        self.pos += 1;
                    }
                    _ => {
                        let name_at = self.pos - 1;
                        let name = self.command_name()?;
                        return Err(MathError::new(
                            name_at,
                            name.len() + 1,
                            format!(
                                "\\{name} inside text: only \\$ \\% \\{{ \\}} \\& \\# \\_ are escapes there"
                            ),
                        ));
                    }
                },
                '{' => {
                    depth += 1;
                }
                '}' if depth == 0 => return Ok(text),
                '}' => depth -= 1,
                c => text.push(c),
            }
        }
        Err(MathError::new(
            open,
            1,
            "this `{` is never closed: add the matching `}`",
        ))
    }

    /// `{name}` after `\begin` or `\end`.
    fn env_name(&mut self, command_at: usize) -> Result<String, MathError> {
        self.skip_space();
        let rest = &self.src[self.pos..];
        if !rest.starts_with('{') {
            return Err(MathError::new(
                command_at,
                self.pos - command_at,
                "an environment name in braces must follow, as in \\begin{cases}",
            ));
        }
        let Some(close) = rest.find('}') else {
            return Err(MathError::new(
                self.pos,
                1,
                "this `{` is never closed: add the matching `}`",
            ));
        };
        let name = rest[1..close].trim().to_string();
        self.pos += close + 1;
        Ok(name)
    }

    /// A delimiter after `\left`, `\right` or `\big`: None for `.`.
    fn delimiter(&mut self, command_at: usize) -> Result<Option<char>, MathError> {
        self.skip_space();
        let at = self.pos;
        let bad = |at: usize, len: usize| {
            MathError::new(
                at,
                len,
                "a delimiter must follow: one of ( ) [ ] | . \\{ \\} \\langle \\rangle \\lfloor \\rfloor \\lceil \\rceil \\|",
            )
        };
        let Some(c) = self.peek() else {
            return Err(bad(command_at, at - command_at));
        };
        self.pos += c.len_utf8();
        match c {
            '.' => Ok(None),
            '(' | ')' | '[' | ']' | '|' | '/' | '<' | '>' => Ok(Some(match c {
                '<' => '⟨',
                '>' => '⟩',
                c => c,
            })),
            '\\' => {
                let name = self.command_name()?;
                symbols::delimiter_command(name)
                    .map(Some)
                    .ok_or_else(|| bad(at, name.len() + 1))
            }
            _ => Err(bad(at, c.len_utf8())),
        }
    }

    fn command(
        &mut self,
        name: &'a str,
        at: usize,
        len: usize,
        nodes: &mut Vec<Node>,
    ) -> Result<(), MathError> {
        if let Some((c, class)) = symbols::command(name) {
            let variant = if matches!(c, 'α'..='ω' | 'ϵ' | 'ϑ' | 'ϕ' | 'ϱ' | 'ϖ') {
                self.variant
            } else {
                Variant::Upright
            };
            nodes.push(Node::Sym { c, class, variant });
            return Ok(());
        }
        if let Some(em) = symbols::space(name) {
            nodes.push(Node::Space(em));
            return Ok(());
        }
        if let Some(limits) = symbols::function(name) {
            nodes.push(Node::Func {
                name: name.to_string(),
                limits,
            });
            return Ok(());
        }
        if let Some((c, limits)) = symbols::big_operator(name) {
            nodes.push(Node::BigOp { c, limits });
            return Ok(());
        }
        if let Some((mark, stretchy)) = symbols::accent(name) {
            let body = self.arg(at, len)?;
            nodes.push(Node::Accent {
                mark,
                stretchy,
                body,
            });
            return Ok(());
        }
        match name {
            "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" | "tbinom" => {
                let num = self.arg(at, len)?;
                let den = self.arg(at, len)?;
                let style = match name {
                    "dfrac" | "cfrac" | "dbinom" => Some(Style::Display),
                    "tfrac" | "tbinom" => Some(Style::Text),
                    _ => None,
                };
                let frac = Node::Frac {
                    num,
                    den,
                    rule: !name.ends_with("binom"),
                    style,
                };
                nodes.push(if name.ends_with("binom") {
                    Node::Fenced {
                        open: Some('('),
                        close: Some(')'),
                        body: vec![frac],
                    }
                } else {
                    frac
                });
            }
            "sqrt" => {
                self.skip_space();
                let index = if self.peek() == Some('[') {
                    let open = self.pos;
                    self.pos += 1;
                    let close = self.src[self.pos..].find(']').ok_or_else(|| {
                        MathError::new(open, 1, "this `[` is never closed: add the matching `]`")
                    })?;
                    let inner_src = &self.src[self.pos..self.pos + close];
                    let inner = parse(inner_src).map_err(|e| e.shifted(self.pos))?;
                    self.pos += close + 1;
                    Some(inner)
                } else {
                    None
                };
                let body = self.arg(at, len)?;
                nodes.push(Node::Sqrt { index, body });
            }
            "text" | "textrm" | "mbox" | "textnormal" | "hbox" | "textup" => {
                let text = self.raw_group(at, len)?;
                nodes.push(Node::Text(text));
            }
            "operatorname" => {
                let text = self.raw_group(at, len)?;
                nodes.push(Node::Func {
                    name: text,
                    limits: false,
                });
            }
            "mathrm" | "mathbf" | "mathbb" | "mathcal" | "mathit" | "boldsymbol" | "bm"
            | "mathsf" | "mathnormal" | "rm" => {
                let variant = match name {
                    "mathrm" | "mathsf" | "rm" => Variant::Upright,
                    "mathbf" | "boldsymbol" | "bm" => Variant::Bold,
                    "mathbb" => Variant::DoubleStruck,
                    "mathcal" => Variant::Script,
                    _ => Variant::Normal,
                };
                let saved = std::mem::replace(&mut self.variant, variant);
                let body = self.arg(at, len);
                self.variant = saved;
                nodes.push(Node::Group(body?));
            }
            "left" => {
                let open = self.delimiter(at)?;
                let (body, stop) = self.list()?;
                let Stop::Right(right_at) = stop else {
                    return Err(match stop {
                        Stop::Eof => MathError::new(
                            at,
                            len,
                            "this \\left has no \\right: add \\right) (or \\right.)",
                        ),
                        other => self.misplaced(other),
                    });
                };
                let close = self.delimiter(right_at)?;
                nodes.push(Node::Fenced { open, close, body });
            }
            "big" | "Big" | "bigg" | "Bigg" | "bigl" | "Bigl" | "biggl" | "Biggl" | "bigr"
            | "Bigr" | "biggr" | "Biggr" | "bigm" | "Bigm" => {
                let c = self.delimiter(at)?;
                let size = match name.trim_end_matches(['l', 'r', 'm']) {
                    "big" => 1,
                    "Big" => 2,
                    "bigg" => 3,
                    _ => 4,
                };
                let class = if name.ends_with('l') {
                    Class::Open
                } else if name.ends_with('r') {
                    Class::Close
                } else if name.ends_with('m') {
                    Class::Rel
                } else {
                    c.map_or(Class::Ord, symbols::class_of)
                };
                if let Some(c) = c {
                    nodes.push(Node::Big { c, size, class });
                }
            }
            "begin" => {
                let env = self.env_name(at)?;
                let node = self.environment(&env, at)?;
                nodes.push(node);
            }
            "overline" | "underline" => {
                let body = self.arg(at, len)?;
                nodes.push(Node::Bar {
                    over: name == "overline",
                    body,
                });
            }
            "overset" | "underset" | "stackrel" => {
                let annot = self.arg(at, len)?;
                let base = self.arg(at, len)?;
                nodes.push(Node::Stack {
                    over: name != "underset",
                    base,
                    annot,
                });
            }
            "limits" | "nolimits" => match nodes.last_mut() {
                Some(Node::BigOp { limits, .. } | Node::Func { limits, .. }) => {
                    *limits = name == "limits";
                }
                _ => {
                    return Err(MathError::new(
                        at,
                        len,
                        format!("\\{name} must follow a big operator such as \\sum or \\lim"),
                    ));
                }
            },
            "displaystyle" => nodes.push(Node::Style(Style::Display)),
            "textstyle" => nodes.push(Node::Style(Style::Text)),
            "not" => {
                self.skip_space();
                let next = self.arg(at, len)?;
                let negated = match next.as_slice() {
                    [Node::Sym { c: '=', .. }] => '≠',
                    [Node::Sym { c: '∈', .. }] => '∉',
                    [Node::Sym { c: '<', .. }] => '≮',
                    [Node::Sym { c: '>', .. }] => '≯',
                    [Node::Sym { c: '≡', .. }] => '≢',
                    _ => {
                        return Err(MathError::new(
                            at,
                            self.pos - at,
                            "\\not works before = < > \\in \\equiv here; use \\neq, \\notin …",
                        ));
                    }
                };
                nodes.push(Node::Sym {
                    c: negated,
                    class: Class::Rel,
                    variant: Variant::Upright,
                });
            }
            "ce" => {
                let text = self.raw_group(at, len)?;
                let chem = super::parse::chemistry(&text)
                    .map_err(|e| e.shifted(self.pos - 1 - text.len()))?;
                nodes.push(Node::Group(chem));
            }
            "xrightarrow" | "xleftarrow" => {
                let annot = self.arg(at, len)?;
                let arrow = if name == "xrightarrow" { '→' } else { '←' };
                nodes.push(Node::Stack {
                    over: true,
                    base: vec![Node::Accent {
                        mark: arrow,
                        stretchy: true,
                        body: vec![Node::Space(1.0)],
                    }],
                    annot,
                });
            }
            _ => {
                return Err(MathError::new(
                    at,
                    len,
                    format!(
                        "unknown command \\{name}: see docs/formulas.md for the supported commands"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The body of `\begin{env}` up to its `\end{env}`.
    fn environment(&mut self, env: &str, at: usize) -> Result<Node, MathError> {
        let (kind, open, close) = match env {
            "matrix" | "smallmatrix" => (TableKind::Matrix, None, None),
            "pmatrix" => (TableKind::Matrix, Some('('), Some(')')),
            "bmatrix" => (TableKind::Matrix, Some('['), Some(']')),
            "Bmatrix" => (TableKind::Matrix, Some('{'), Some('}')),
            "vmatrix" => (TableKind::Matrix, Some('|'), Some('|')),
            "Vmatrix" => (TableKind::Matrix, Some('‖'), Some('‖')),
            "cases" => (TableKind::Cases, Some('{'), None),
            "aligned" | "align" | "align*" | "split" | "gathered" | "gather" | "gather*"
            | "alignedat" | "eqnarray" | "eqnarray*" => (TableKind::Aligned, None, None),
            "array" => (TableKind::Array, None, None),
            _ => {
                return Err(MathError::new(
                    at,
                    self.pos - at,
                    format!(
                        "unknown environment {env}: use matrix, pmatrix, bmatrix, vmatrix, cases, aligned or array"
                    ),
                ));
            }
        };
        let mut align = Vec::new();
        if kind == TableKind::Array {
            let spec = self.raw_group(at, self.pos - at)?;
            align = spec
                .chars()
                .filter(|c| matches!(c, 'l' | 'c' | 'r'))
                .collect();
        }
        if env == "alignedat" {
            self.raw_group(at, self.pos - at)?;
        }
        let mut rows: Vec<Vec<Vec<Node>>> = vec![Vec::new()];
        loop {
            let (cell, stop) = self.list()?;
            let row = rows.last_mut().expect("rows starts with one row");
            row.push(cell);
            match stop {
                Stop::Amp(_) => {}
                Stop::Row(_) => rows.push(Vec::new()),
                Stop::End(end_at, end_len, name) => {
                    if name != env {
                        return Err(MathError::new(
                            end_at,
                            end_len,
                            format!(
                                "\\end{{{name}}} closes \\begin{{{env}}}: write \\end{{{env}}}"
                            ),
                        ));
                    }
                    break;
                }
                Stop::Eof => {
                    return Err(MathError::new(
                        at,
                        6 + env.len() + 2,
                        format!("\\begin{{{env}}} is never closed: add \\end{{{env}}}"),
                    ));
                }
                other => return Err(self.misplaced(other)),
            }
        }
        // A trailing `\\` leaves an empty last row.
        if rows.len() > 1 && rows.last().is_some_and(|r| r.len() == 1 && r[0].is_empty()) {
            rows.pop();
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        if align.is_empty() {
            align = (0..columns)
                .map(|i| match kind {
                    TableKind::Cases => 'l',
                    TableKind::Aligned if env.starts_with("gather") => 'c',
                    TableKind::Aligned => {
                        if i % 2 == 0 {
                            'r'
                        } else {
                            'l'
                        }
                    }
                    _ => 'c',
                })
                .collect();
        }
        while align.len() < columns {
            align.push('c');
        }
        Ok(Node::Table {
            kind,
            open,
            close,
            align,
            rows,
        })
    }
}

fn prime() -> Node {
    Node::Sym {
        c: '′',
        class: Class::Ord,
        variant: Variant::Upright,
    }
}

/// Characters set as body text inside a formula: Han, kana, full-width forms and CJK punctuation.
fn is_text_char(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF01..=0xFF5E | 0x20000..=0x2FFFF)
}

/// Puts `script` on the last atom of `nodes` as a superscript (`sup`) or subscript.
fn attach(nodes: &mut Vec<Node>, sup: bool, script: Vec<Node>, at: usize) -> Result<(), MathError> {
    let base = match nodes.pop() {
        Some(Node::Scripts { base, sub, sup: s }) => {
            let taken = if sup { &s } else { &sub };
            if taken.is_some() {
                return Err(MathError::new(
                    at,
                    1,
                    if sup {
                        "a second superscript: put both in braces, as x^{ab}"
                    } else {
                        "a second subscript: put both in braces, as x_{ab}"
                    },
                ));
            }
            let (sub, sup_) = if sup {
                (sub, Some(script))
            } else {
                (Some(script), s)
            };
            nodes.push(Node::Scripts {
                base,
                sub,
                sup: sup_,
            });
            return Ok(());
        }
        // A script after a space or style change attaches to an empty base, as TeX does.
        Some(n @ (Node::Space(_) | Node::Style(_))) => {
            nodes.push(n);
            Node::Group(Vec::new())
        }
        Some(n) => n,
        None => Node::Group(Vec::new()),
    };
    let (sub, sup_) = if sup {
        (None, Some(script))
    } else {
        (Some(script), None)
    };
    nodes.push(Node::Scripts {
        base: Box::new(base),
        sub,
        sup: sup_,
    });
    Ok(())
}

/// `\ce{…}` (mhchem's common subset): element symbols upright, counts after an element or `)` as
/// subscripts, charges after `^`, `->` `<=>` `=` as arrows, `+` as an operator.
pub(crate) fn chemistry(src: &str) -> Result<Vec<Node>, MathError> {
    let upright = |c: char| Node::Sym {
        c,
        class: symbols::class_of(c),
        variant: Variant::Upright,
    };
    let rel = |c: char| Node::Sym {
        c,
        class: Class::Rel,
        variant: Variant::Upright,
    };
    let mut nodes: Vec<Node> = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let rest = &src[at..];
        if rest.starts_with("<=>") {
            nodes.push(rel('⇌'));
            i += 3;
            continue;
        }
        if rest.starts_with("->") {
            nodes.push(rel('→'));
            i += 2;
            continue;
        }
        match c {
            ' ' => {}
            '^' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && matches!(chars[end].1, '0'..='9' | '+' | '-') {
                    end += 1;
                }
                if end == start {
                    return Err(MathError::new(
                        at,
                        1,
                        "a charge must follow ^, as in SO4^2-",
                    ));
                }
                let charge: Vec<Node> = chars[start..end]
                    .iter()
                    .map(|(_, c)| upright(if *c == '-' { '−' } else { *c }))
                    .collect();
                attach(&mut nodes, true, charge, at)?;
                i = end;
                continue;
            }
            '0'..='9'
                if matches!(
                    nodes.last(),
                    Some(Node::Sym { c: 'A'..='Z' | 'a'..='z' | ')' | ']', .. })
                        | Some(Node::Scripts { .. })
                ) && !matches!(nodes.last(), Some(Node::Scripts { sub: Some(_), .. })) =>
            {
                let start = i;
                let mut end = i;
                while end < chars.len() && chars[end].1.is_ascii_digit() {
                    end += 1;
                }
                let count: Vec<Node> = chars[start..end].iter().map(|(_, c)| upright(*c)).collect();
                attach(&mut nodes, false, count, at)?;
                i = end;
                continue;
            }
            '=' => nodes.push(rel('=')),
            '+' => nodes.push(Node::Sym {
                c: '+',
                class: Class::Bin,
                variant: Variant::Upright,
            }),
            '(' | ')' | '[' | ']' | '.' | '·' | '↑' | '↓' | '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                nodes.push(upright(c))
            }
            c if is_text_char(c) => nodes.push(Node::Text(c.to_string())),
            _ => {
                return Err(MathError::new(
                    at,
                    c.len_utf8(),
                    format!("`{c}` in \\ce{{}}: write formulas like \\ce{{2H2 + O2 -> 2H2O}}"),
                ));
            }
        }
        i += 1;
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(c: char) -> Node {
        Node::Sym {
            c,
            class: symbols::class_of(c),
            variant: Variant::Normal,
        }
    }

    #[test]
    fn fractions_scripts_and_roots() {
        let nodes = parse(r"\frac{a}{b} + x_1^2 - \sqrt[3]{y}").unwrap();
        assert_eq!(nodes.len(), 5);
        assert!(matches!(&nodes[0], Node::Frac { rule: true, num, .. } if num == &vec![sym('a')]));
        assert!(matches!(
            &nodes[2],
            Node::Scripts {
                sub: Some(_),
                sup: Some(_),
                ..
            }
        ));
        assert_eq!(nodes[3], sym('−'));
        assert!(matches!(&nodes[4], Node::Sqrt { index: Some(i), .. } if i == &vec![sym('3')]));
    }

    #[test]
    fn greek_big_operators_functions_and_limits() {
        let nodes = parse(r"\sum_{i=1}^{n} \alpha_i = \lim_{x\to 0}\frac{\sin x}{x}").unwrap();
        assert!(
            matches!(&nodes[0], Node::Scripts { base, .. } if **base == Node::BigOp { c: '∑', limits: true })
        );
        assert!(
            matches!(&nodes[1], Node::Scripts { base, .. } if matches!(**base, Node::Sym { c: 'α', .. }))
        );
        assert!(
            matches!(&nodes[3], Node::Scripts { base, .. } if matches!(&**base, Node::Func { name, limits: true } if name == "lim"))
        );
        let int = parse(r"\int\limits_0^1").unwrap();
        assert!(
            matches!(&int[0], Node::Scripts { base, .. } if **base == Node::BigOp { c: '∫', limits: true })
        );
    }

    #[test]
    fn environments_rows_and_cells() {
        let nodes = parse(r"\begin{cases} x+y=1 \\ x-y=3 \end{cases}").unwrap();
        let Node::Table {
            kind, rows, open, ..
        } = &nodes[0]
        else {
            panic!("{nodes:?}")
        };
        assert_eq!((*kind, rows.len(), *open), (TableKind::Cases, 2, Some('{')));
        let nodes = parse(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \\ \end{pmatrix}").unwrap();
        let Node::Table { rows, align, .. } = &nodes[0] else {
            panic!()
        };
        assert_eq!((rows.len(), rows[0].len(), align.len()), (2, 2, 2));
        let nodes = parse(r"\begin{aligned} a &= b \\ &= c \end{aligned}").unwrap();
        let Node::Table { align, .. } = &nodes[0] else {
            panic!()
        };
        assert_eq!(align, &vec!['r', 'l']);
    }

    #[test]
    fn text_with_chinese_units_and_escapes() {
        let nodes = parse(r"v = 3\,\mathrm{m/s^2}\text{（向东）} 50\%").unwrap();
        assert!(nodes.contains(&Node::Text("（向东）".into())));
        assert!(nodes.contains(&Node::Space(3.0 / 18.0)));
        let Node::Group(unit) = &nodes[4] else {
            panic!("{nodes:?}")
        };
        assert!(matches!(
            unit[0],
            Node::Sym {
                c: 'm',
                variant: Variant::Upright,
                ..
            }
        ));
        assert!(matches!(nodes.last(), Some(Node::Sym { c: '%', .. })));
        assert_eq!(parse("速度=路程").unwrap()[0], Node::Text("速度".into()));
        assert!(parse(r"\because a \therefore b").is_ok());
        assert!(parse(r"\overrightarrow{AB}\cdot\vec{a}").is_ok());
    }

    #[test]
    fn chemistry_subscripts_and_charges() {
        let plain = parse("H_2SO_4").unwrap();
        assert_eq!(plain.len(), 3);
        let ce = parse(r"\ce{2H2 + O2 -> 2H2O}").unwrap();
        let Node::Group(nodes) = &ce[0] else { panic!() };
        assert!(nodes.iter().any(|n| matches!(n, Node::Sym { c: '→', .. })));
        assert_eq!(
            nodes
                .iter()
                .filter(|n| matches!(n, Node::Scripts { sub: Some(_), .. }))
                .count(),
            3
        );
        let ion = parse(r"\ce{SO4^2-}").unwrap();
        let Node::Group(nodes) = &ion[0] else {
            panic!()
        };
        assert!(matches!(
            nodes.last(),
            Some(Node::Scripts {
                sub: Some(_),
                sup: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases = [
            (r"\frac{1}{2", "{2", "never closed"),
            (r"x}", "}", "closes nothing"),
            (r"\alpah + 1", r"\alpah", "unknown command"),
            (r"\begin{cases} x \end{matrix}", r"\end{matrix}", "closes"),
            (r"\left( x", r"\left", "no \\right"),
            (r"x^", "^", "argument"),
            (r"a^b^c", "^", "second superscript"),
            (r"50%", "%", "\\%"),
            (r"\frac", r"\frac", "argument"),
            (
                r"\begin{foo}x\end{foo}",
                r"\begin{foo}",
                "unknown environment",
            ),
        ];
        for (src, shown, says) in cases {
            let e = parse(src).expect_err(src);
            let at = &src[e.offset..e.offset + e.len];
            let at = if shown == "{2" {
                &src[e.offset..e.offset + 2]
            } else {
                at
            };
            assert_eq!(at, shown, "{src}: {e:?}");
            assert!(e.message.contains(says), "{src}: {}", e.message);
        }
    }
}
