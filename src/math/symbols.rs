//! The commands that stand for one symbol (`\alpha`, `\le`, `\because` …) with their TeX atom class, the
//! class of characters typed as they are, and the named functions (`\sin`, `\lim`).

/// TeX's atom classes: they decide the space between neighbours (`a+b`, `a=b`, `f(x)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Ord,
    Op,
    Bin,
    Rel,
    Open,
    Close,
    Punct,
    Inner,
}

/// The symbol a command names, and its class; None for commands that are not plain symbols.
pub fn command(name: &str) -> Option<(char, Class)> {
    use Class::*;
    let s = match name {
        // Greek, lower case (math italic when laid out) and upper case (upright).
        "alpha" => ('α', Ord),
        "beta" => ('β', Ord),
        "gamma" => ('γ', Ord),
        "delta" => ('δ', Ord),
        "epsilon" => ('ϵ', Ord),
        "varepsilon" => ('ε', Ord),
        "zeta" => ('ζ', Ord),
        "eta" => ('η', Ord),
        "theta" => ('θ', Ord),
        "vartheta" => ('ϑ', Ord),
        "iota" => ('ι', Ord),
        "kappa" => ('κ', Ord),
        "lambda" => ('λ', Ord),
        "mu" => ('μ', Ord),
        "nu" => ('ν', Ord),
        "xi" => ('ξ', Ord),
        "omicron" => ('ο', Ord),
        "pi" => ('π', Ord),
        "varpi" => ('ϖ', Ord),
        "rho" => ('ρ', Ord),
        "varrho" => ('ϱ', Ord),
        "sigma" => ('σ', Ord),
        "varsigma" => ('ς', Ord),
        "tau" => ('τ', Ord),
        "upsilon" => ('υ', Ord),
        "phi" => ('ϕ', Ord),
        "varphi" => ('φ', Ord),
        "chi" => ('χ', Ord),
        "psi" => ('ψ', Ord),
        "omega" => ('ω', Ord),
        "Gamma" => ('Γ', Ord),
        "Delta" => ('Δ', Ord),
        "Theta" => ('Θ', Ord),
        "Lambda" => ('Λ', Ord),
        "Xi" => ('Ξ', Ord),
        "Pi" => ('Π', Ord),
        "Sigma" => ('Σ', Ord),
        "Upsilon" => ('Υ', Ord),
        "Phi" => ('Φ', Ord),
        "Psi" => ('Ψ', Ord),
        "Omega" => ('Ω', Ord),
        // Binary operators.
        "pm" => ('±', Bin),
        "mp" => ('∓', Bin),
        "times" => ('×', Bin),
        "div" => ('÷', Bin),
        "cdot" => ('⋅', Bin),
        "ast" => ('∗', Bin),
        "star" => ('⋆', Bin),
        "circ" => ('∘', Bin),
        "bullet" => ('∙', Bin),
        "cup" => ('∪', Bin),
        "cap" => ('∩', Bin),
        "wedge" | "land" => ('∧', Bin),
        "vee" | "lor" => ('∨', Bin),
        "oplus" => ('⊕', Bin),
        "ominus" => ('⊖', Bin),
        "otimes" => ('⊗', Bin),
        "odot" => ('⊙', Bin),
        "setminus" => ('∖', Bin),
        // Relations.
        "le" | "leq" => ('≤', Rel),
        "ge" | "geq" => ('≥', Rel),
        "leqslant" => ('⩽', Rel),
        "geqslant" => ('⩾', Rel),
        "ne" | "neq" => ('≠', Rel),
        "approx" => ('≈', Rel),
        "equiv" => ('≡', Rel),
        "sim" => ('∼', Rel),
        "simeq" => ('≃', Rel),
        "cong" => ('≅', Rel),
        "propto" => ('∝', Rel),
        "triangleq" => ('≜', Rel),
        "ll" => ('≪', Rel),
        "gg" => ('≫', Rel),
        "in" => ('∈', Rel),
        "notin" => ('∉', Rel),
        "ni" => ('∋', Rel),
        "subset" => ('⊂', Rel),
        "subseteq" => ('⊆', Rel),
        "subsetneq" => ('⊊', Rel),
        "supset" => ('⊃', Rel),
        "supseteq" => ('⊇', Rel),
        "perp" => ('⊥', Rel),
        "parallel" => ('∥', Rel),
        "mid" => ('∣', Rel),
        "to" | "rightarrow" => ('→', Rel),
        "gets" | "leftarrow" => ('←', Rel),
        "leftrightarrow" => ('↔', Rel),
        "Rightarrow" | "implies" => ('⇒', Rel),
        "Leftarrow" => ('⇐', Rel),
        "Leftrightarrow" | "iff" => ('⇔', Rel),
        "longrightarrow" => ('⟶', Rel),
        "longleftarrow" => ('⟵', Rel),
        "mapsto" => ('↦', Rel),
        "uparrow" => ('↑', Rel),
        "downarrow" => ('↓', Rel),
        "rightleftharpoons" => ('⇌', Rel),
        "because" => ('∵', Rel),
        "therefore" => ('∴', Rel),
        // Ordinary symbols.
        "infty" => ('∞', Ord),
        "partial" => ('∂', Ord),
        "nabla" => ('∇', Ord),
        "angle" => ('∠', Ord),
        "triangle" => ('△', Ord),
        "square" | "Box" => ('□', Ord),
        "degree" => ('°', Ord),
        "prime" => ('′', Ord),
        "emptyset" => ('∅', Ord),
        "varnothing" => ('∅', Ord),
        "forall" => ('∀', Ord),
        "exists" => ('∃', Ord),
        "neg" | "lnot" => ('¬', Ord),
        "ldots" | "dots" => ('…', Inner),
        "cdots" => ('⋯', Inner),
        "vdots" => ('⋮', Ord),
        "ddots" => ('⋱', Ord),
        "hbar" => ('ℏ', Ord),
        "ell" => ('ℓ', Ord),
        "Re" => ('ℜ', Ord),
        "Im" => ('ℑ', Ord),
        "aleph" => ('ℵ', Ord),
        "top" => ('⊤', Ord),
        "bot" => ('⊥', Ord),
        "backslash" => ('\\', Ord),
        "vert" => ('|', Ord),
        "Vert" => ('‖', Ord),
        "circledcirc" => ('⊚', Ord),
        // Escaped characters.
        "%" => ('%', Ord),
        "$" => ('$', Ord),
        "#" => ('#', Ord),
        "&" => ('&', Ord),
        "_" => ('_', Ord),
        "{" | "lbrace" => ('{', Open),
        "}" | "rbrace" => ('}', Close),
        "|" => ('‖', Ord),
        "langle" => ('⟨', Open),
        "rangle" => ('⟩', Close),
        "lfloor" => ('⌊', Open),
        "rfloor" => ('⌋', Close),
        "lceil" => ('⌈', Open),
        "rceil" => ('⌉', Close),
        "lvert" => ('|', Open),
        "rvert" => ('|', Close),
        "lVert" => ('‖', Open),
        "rVert" => ('‖', Close),
        _ => return None,
    };
    Some(s)
}

/// The class of a character typed in a formula.
pub fn class_of(c: char) -> Class {
    use Class::*;
    match c {
        '+' | '-' | '−' | '*' | '±' | '×' | '÷' | '·' | '∓' => Bin,
        '=' | '<' | '>' | ':' | '≤' | '≥' | '≠' | '≈' | '→' | '∈' | '∵' | '∴' | '⇒' | '⇔' | '∥'
        | '⊥' => Rel,
        '(' | '[' => Open,
        ')' | ']' | '!' | '?' => Close,
        ',' | ';' => Punct,
        _ => Ord,
    }
}

/// Named functions set upright (`\sin x`), and whether they take limits below in display style (`\lim`).
pub fn function(name: &str) -> Option<bool> {
    let limits = match name {
        "sin" | "cos" | "tan" | "cot" | "sec" | "csc" | "arcsin" | "arccos" | "arctan" | "sinh"
        | "cosh" | "tanh" | "coth" | "log" | "ln" | "lg" | "exp" | "dim" | "ker" | "deg"
        | "arg" | "hom" => false,
        "lim" | "max" | "min" | "sup" | "inf" | "det" | "gcd" | "Pr" | "limsup" | "liminf" => true,
        _ => return None,
    };
    Some(limits)
}

/// Big operators: their symbol, and whether their scripts go above and below in display style.
pub fn big_operator(name: &str) -> Option<(char, bool)> {
    let op = match name {
        "sum" => ('∑', true),
        "prod" => ('∏', true),
        "coprod" => ('∐', true),
        "bigcup" => ('⋃', true),
        "bigcap" => ('⋂', true),
        "bigoplus" => ('⨁', true),
        "bigotimes" => ('⨂', true),
        "int" => ('∫', false),
        "iint" => ('∬', false),
        "iiint" => ('∭', false),
        "oint" => ('∮', false),
        _ => return None,
    };
    Some(op)
}

/// Accents over a formula: (mark, stretches across its base).
pub fn accent(name: &str) -> Option<(char, bool)> {
    let a = match name {
        "vec" => ('\u{20D7}', false),
        "overrightarrow" => ('→', true),
        "overleftarrow" => ('←', true),
        "overleftrightarrow" => ('↔', true),
        "hat" => ('\u{0302}', false),
        "widehat" => ('\u{0302}', true),
        "tilde" => ('\u{0303}', false),
        "widetilde" => ('\u{0303}', true),
        "bar" => ('\u{0304}', false),
        "dot" => ('\u{0307}', false),
        "ddot" => ('\u{0308}', false),
        "check" => ('\u{030C}', false),
        "breve" => ('\u{0306}', false),
        "acute" => ('\u{0301}', false),
        "grave" => ('\u{0300}', false),
        "overbrace" => ('⏞', true),
        _ => return None,
    };
    Some(a)
}

/// Spacing commands, in em.
pub fn space(name: &str) -> Option<f32> {
    let em = match name {
        "," | "thinspace" => 3.0 / 18.0,
        ":" | ">" | "medspace" => 4.0 / 18.0,
        ";" | "thickspace" => 5.0 / 18.0,
        "!" | "negthinspace" => -3.0 / 18.0,
        " " => 0.25,
        "quad" => 1.0,
        "qquad" => 2.0,
        _ => return None,
    };
    Some(em)
}

/// Delimiters after `\left`, `\right`, `\big` …: the character, or None for `.` (no delimiter).
pub fn delimiter_command(name: &str) -> Option<char> {
    Some(match name {
        "{" | "lbrace" => '{',
        "}" | "rbrace" => '}',
        "langle" => '⟨',
        "rangle" => '⟩',
        "lfloor" => '⌊',
        "rfloor" => '⌋',
        "lceil" => '⌈',
        "rceil" => '⌉',
        "|" | "Vert" | "lVert" | "rVert" => '‖',
        "vert" | "lvert" | "rvert" => '|',
        "uparrow" => '↑',
        "downarrow" => '↓',
        _ => return None,
    })
}
