//! Reading YAML input files: encoding checks, and one parse (saphyr) that yields both the values (as
//! serde_yaml values, read exactly as yaml_serde reads them) and where each one stands, so that
//! `questions[3].answer` can be located for diagnostics. A file outside the plain subset this parse reads
//! with certainty (tags, anchors, duplicate keys, numbers in hex or with exponents, syntax errors) is
//! handed to yaml_serde instead, whose reading and messages are the reference; its positions then come
//! from a second, position-only pass when a diagnostic first needs one.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser, ScalarStyle, StrInput};
use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Number, Value};

use crate::diag::{Diagnostic, Pos, pos_of_byte};

/// Where each node of a document sits, in the order of the file (a node, then its children): one
/// vector per file, so that recording and dropping positions costs next to nothing.
#[derive(Debug, Default)]
struct Spans {
    nodes: Vec<Node>,
}

#[derive(Debug)]
struct Node {
    value: Pos32,
    /// The key that introduces a map entry (line 0: none).
    key: Pos32,
    /// Characters to underline: a one-line scalar's length, else 1.
    width: u32,
    /// The index just past this node's last descendant.
    end: u32,
    kind: Kind,
    /// The key of a map entry, as written.
    name: Text,
    /// The source text of a plain scalar read as a number, bool or null (`0.50` stays `0.50`, where
    /// the value is the float 0.5).
    plain: Text,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Scalar,
    Seq,
    Map,
}

#[derive(Debug, Clone, Copy, Default)]
struct Pos32 {
    line: u32,
    column: u32,
}

impl Pos32 {
    fn of(marker: saphyr_parser::Marker) -> Pos32 {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Pos32 {
            line: clamp(marker.line()),
            column: clamp(marker.col() + 1),
        }
    }

    fn pos(self) -> Option<Pos> {
        (self.line > 0).then(|| Pos::new(self.line as usize, self.column as usize))
    }
}

/// Text from the file: a range of the source when it is spelt there as it reads, else its own copy.
#[derive(Debug)]
enum Text {
    None,
    Source(u32, u32),
    Owned(Box<str>),
}

impl Text {
    fn new(text: &Cow<'_, str>, source: &str) -> Text {
        if let Cow::Borrowed(b) = text {
            let start = (b.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
            if start <= source.len()
                && b.len() <= source.len() - start
                && let (Ok(start), Ok(len)) = (u32::try_from(start), u32::try_from(b.len()))
            {
                return Text::Source(start, len);
            }
        }
        Text::Owned(text.as_ref().into())
    }

    fn as_str<'t>(&'t self, source: &'t str) -> Option<&'t str> {
        match self {
            Text::None => None,
            Text::Source(start, len) => source.get(*start as usize..(*start + *len) as usize),
            Text::Owned(text) => Some(text),
        }
    }
}

/// A parsed YAML file that can say where each of its values came from.
#[derive(Debug)]
pub struct YamlDoc {
    pub file: PathBuf,
    pub text: String,
    pub value: Value,
    /// Made by the parse itself, or on first use when yaml_serde read the file (or the bank cache had
    /// its values): a clean file then never needs positions.
    spans: std::sync::OnceLock<Spans>,
}

/// Reads `path` as UTF-8 text, turning the usual mistakes (GBK from Excel, an empty file) into diagnostics.
pub fn read_text(path: &Path, shown_as: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(shown_as, Pos::START, format!("cannot read the file: {e}"))
    })?;
    decode_text(&bytes, shown_as)
}

/// Decodes file bytes as UTF-8 (a BOM is allowed); `shown_as` names the file in diagnostics.
pub fn decode_text(bytes: &[u8], shown_as: &Path) -> Result<String, Diagnostic> {
    // Notepad's 「Unicode」 is UTF-16: decoded, so it is neither called GBK nor parsed with NUL bytes.
    let utf16 = crate::util::utf16::decode_utf16(bytes);
    let bytes = match &utf16 {
        Some(text) => text.as_bytes(),
        None => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let pos = pos_of_byte(std::str::from_utf8(valid).unwrap_or(""), valid.len());
            let bad = &bytes[err.valid_up_to()..bytes.len().min(err.valid_up_to() + 2)];
            let hex: Vec<String> = bad.iter().map(|b| format!("{b:02X}")).collect();
            return Err(Diagnostic::error(
                shown_as,
                pos,
                format!("the file is not UTF-8 text (bytes {} cannot be decoded)", hex.join(" ")),
            )
            .with_source(&String::from_utf8_lossy(bytes))
            .with_help(
                "re-save the file as UTF-8; Excel and Notepad on Chinese Windows save GBK by default \
                 (Notepad: 另存为 → 编码 UTF-8)",
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(Diagnostic::error(shown_as, Pos::START, "the file is empty")
            .with_help("write the section header and questions, or delete the file"));
    }
    Ok(text.to_string())
}

/// A key typed with a Chinese input method's punctuation: `stem：` (full-width colon), or an ideographic
/// space in the indentation. YAML sees neither as syntax, so its own error lands a line or two later and
/// says nothing of the cause; a teacher is told which line and character to retype instead.
#[derive(Debug, PartialEq)]
struct InputMethodSlip {
    pos: Pos,
    message: String,
    help: &'static str,
}

impl InputMethodSlip {
    fn into_diagnostic(self, file: &Path) -> Diagnostic {
        Diagnostic::error(file, self.pos, self.message).with_help(self.help)
    }
}

/// A key as examgen spells its keys: lower-case ASCII letters and underscores. Before a colon with no
/// space after it (`points:1`) it is a missing space; other text with a colon (`http://…`, `10:30`,
/// `A:甲`) is not taken for one.
fn looks_like_our_key(key: &str, after_colon: Option<&char>) -> bool {
    key.len() >= 2
        && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        && after_colon.is_some_and(|c| !c.is_whitespace() && *c != '/')
}

/// How many lines above a syntax error to look for the slip that caused it: the parser reports a
/// full-width colon at the next key, or at the end of the mapping a few lines on.
const SLIP_LINES_BEFORE: usize = 3;

/// The input-method slip nearest above (or on) 1-based line `error_line`, if any.
fn input_method_slip(text: &str, error_line: usize) -> Option<InputMethodSlip> {
    let first = error_line.saturating_sub(SLIP_LINES_BEFORE).max(1);
    let lines: Vec<&str> = text.lines().collect();
    (first..=error_line.min(lines.len()))
        .rev()
        .find_map(|line| slip_on_line(lines[line - 1], line))
}

fn slip_on_line(line_text: &str, line: usize) -> Option<InputMethodSlip> {
    let indent: Vec<char> = line_text
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t' | '\u{3000}'))
        .collect();
    if let Some(at) = indent.iter().position(|&c| c == '\t') {
        return Some(InputMethodSlip {
            pos: Pos::new(line, at + 1),
            message: format!(
                "YAML syntax error: line {line} is indented with a tab, which YAML does not allow"
            ),
            help: "indent with spaces (two per level, as the lines above); an editor's \"convert tabs to spaces\" does it for the whole file",
        });
    }
    if let Some(at) = indent.iter().position(|&c| c == '\u{3000}') {
        return Some(InputMethodSlip {
            pos: Pos::new(line, at + 1),
            message: format!(
                "YAML syntax error: line {line} is indented with a full-width space (　), which YAML does not count as indentation"
            ),
            help: "retype the indentation with ordinary spaces (a Chinese input method in full-width mode types 　)",
        });
    }
    // `key：`, `- key：`, also `key ：`: an ASCII key name (as every examgen key is) before a full-width colon.
    let chars: Vec<char> = line_text.chars().collect();
    let mut i = indent.len();
    if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c == ' ') {
        i += 2;
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
    }
    let key_start = i;
    while chars
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
    {
        i += 1;
    }
    let key: String = chars[key_start..i].iter().collect();
    while chars.get(i) == Some(&' ') {
        i += 1;
    }
    // `points:1`: a key of ours and its value with no space between, which YAML reads as one text.
    if i == key_start + key.chars().count()
        && chars.get(i) == Some(&':')
        && looks_like_our_key(&key, chars.get(i + 1))
    {
        let value: String = chars[i + 1..].iter().collect();
        return Some(InputMethodSlip {
            pos: Pos::new(line, i + 2),
            message: format!(
                "YAML syntax error: `{key}:{value}` has no space after the colon, so YAML reads it as text, not as the key `{key}`"
            ),
            help: "write a space after the colon: `key: value`",
        });
    }
    if key.is_empty() || chars.get(i) != Some(&'：') {
        return None;
    }
    Some(InputMethodSlip {
        pos: Pos::new(line, i + 1),
        message: format!(
            "YAML syntax error: `{key}：` is typed with a full-width colon (：); YAML reads `{key}` as a key only before an ASCII colon and a space"
        ),
        help: "retype it as `key: value` with the English colon (a Chinese input method types ：; switch it to English punctuation for keys)",
    })
}

impl YamlDoc {
    /// Parses `text`; a syntax error comes back as one located diagnostic.
    pub fn parse(file: &Path, text: String) -> Result<YamlDoc, Diagnostic> {
        if let Some((value, spans)) = build(&text, true) {
            return Ok(YamlDoc {
                file: file.to_path_buf(),
                text,
                value,
                spans: spans.into(),
            });
        }
        let value: Value = match serde_yaml::from_str(&text) {
            Ok(v) => v,
            Err(err) => {
                let pos = err
                    .location()
                    .map_or(Pos::START, |l| Pos::new(l.line(), l.column()));
                if let Some(slip) = input_method_slip(&text, pos.line) {
                    return Err(slip.into_diagnostic(file).with_source(&text));
                }
                let message = strip_location(&err.to_string());
                return Err(Diagnostic::error(file, pos, format!("YAML syntax error: {message}"))
                    .with_help(
                        "check indentation (spaces, not tabs) and quote text that contains `: ` or starts with a special character",
                    )
                    .with_source(&text));
            }
        };
        Ok(YamlDoc {
            file: file.to_path_buf(),
            text,
            value,
            spans: std::sync::OnceLock::new(),
        })
    }

    /// A document whose values are not needed (the bank cache has them): its text, for positions only.
    pub fn unparsed(file: &Path, text: String) -> YamlDoc {
        YamlDoc {
            file: file.to_path_buf(),
            text,
            value: Value::Null,
            spans: std::sync::OnceLock::new(),
        }
    }

    fn spans(&self) -> &Spans {
        self.spans
            .get_or_init(|| build(&self.text, false).map_or_else(Spans::default, |(_, s)| s))
    }

    /// The node at `path` (`questions[3].options[1]`), and whether it is the node itself or, when the
    /// path goes further than the file, its nearest ancestor. None for a file without a document.
    fn node(&self, path: &str) -> Option<(&Node, bool)> {
        let nodes = &self.spans().nodes;
        let mut at = 0;
        nodes.first()?;
        for step in steps(path) {
            let parent = &nodes[at];
            let mut child = at + 1;
            let mut index = 0;
            let mut found = None;
            while child < parent.end as usize {
                let hit = match (&step, parent.kind) {
                    (Step::Key(key), Kind::Map) => {
                        nodes[child].name.as_str(&self.text) == Some(*key)
                    }
                    (Step::Index(i), Kind::Seq) => index == *i,
                    _ => break,
                };
                if hit {
                    found = Some(child);
                    break;
                }
                index += 1;
                child = nodes[child].end as usize;
            }
            match found {
                Some(child) => at = child,
                None => return Some((&nodes[at], false)),
            }
        }
        Some((&nodes[at], true))
    }

    fn exact(&self, path: &str) -> Option<&Node> {
        match self.node(path) {
            Some((node, true)) => Some(node),
            _ => None,
        }
    }

    /// The position of the value at `path`, or of its nearest located ancestor.
    pub fn pos(&self, path: &str) -> Pos {
        self.node(path)
            .and_then(|(n, _)| n.value.pos())
            .unwrap_or(Pos::START)
    }

    /// The byte offset in the file where the value at `path` starts (from its line and column, which count
    /// characters): where a search for something written in the value begins.
    pub fn value_byte(&self, path: &str) -> usize {
        let start = self.pos(path);
        let line_start: usize = self
            .text
            .split_inclusive('\n')
            .take(start.line.saturating_sub(1))
            .map(str::len)
            .sum();
        line_start
            + self.text[line_start..]
                .chars()
                .take(start.column.saturating_sub(1))
                .map(char::len_utf8)
                .sum::<usize>()
    }

    /// The position of the key that introduces `path` (falls back to the value's position).
    pub fn key_pos(&self, path: &str) -> Pos {
        self.exact(path)
            .and_then(|s| s.key.pos())
            .unwrap_or_else(|| self.pos(path))
    }

    /// The source text of a plain scalar at `path` that YAML reads as a number, bool or null.
    pub fn plain_scalar(&self, path: &str) -> Option<&str> {
        self.exact(path).and_then(|s| s.plain.as_str(&self.text))
    }

    /// An error located at the value `path`, underlining it, with the source line attached.
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let width = self.exact(path).map_or(1, |s| s.width as usize);
        Diagnostic::error(&self.file, self.pos(path), message)
            .with_width(width)
            .with_source(&self.text)
    }

    /// An error located at the key of `path`, underlining the key.
    pub fn error_at_key(&self, path: &str, key: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.file, self.key_pos(path), message)
            .with_width(key.chars().count())
            .with_source(&self.text)
    }

    pub fn warning_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(&self.file, self.pos(path), message).with_source(&self.text)
    }

    /// Deserializes the value at `path` into `T`; a type error is located at the exact field.
    pub fn deserialize<T: DeserializeOwned>(
        &self,
        value: &Value,
        path: &str,
    ) -> Result<T, Diagnostic> {
        serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
            let inner = err.path().to_string();
            let full = join_path(path, if inner == "." { "" } else { &inner });
            let message = strip_location(&err.into_inner().to_string());
            let shown = display_path(&full);
            match plain_type_error(&message, shown) {
                Some((message, help)) => self
                    .error_at(&full, format!("`{shown}`: {message}"))
                    .with_help(help),
                None => self.error_at(&full, format!("`{shown}`: {message}")),
            }
        })
    }

    /// Checks that the mapping at `path` has only `allowed` keys; each stray key is one diagnostic with a suggestion.
    pub fn check_keys(
        &self,
        value: &Value,
        path: &str,
        what: &str,
        allowed: &[&str],
    ) -> Vec<Diagnostic> {
        let Some(map) = value.as_mapping() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for key in map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let key_path = join_path(path, &name);
            let mut d =
                self.error_at_key(&key_path, &name, format!("unknown key `{name}` in {what}"));
            d = match (chinese_key(&name, allowed), closest(&name, allowed)) {
                (Some(key), _) => d.with_help(format!(
                    "keys are written in English: `{name}` is `{key}` (write `{key}:`)"
                )),
                (None, Some(best)) => d.with_help(format!("did you mean `{best}`?")),
                (None, None) => d.with_help(format!("allowed keys are: {}", allowed.join(", "))),
            };
            out.push(d);
        }
        out
    }
}

/// Keys as a teacher names them in Chinese, with the key each means (when `allowed` has it here).
const CHINESE_KEYS: &[(&str, &[&str])] = &[
    (
        "title",
        &["标题", "试卷标题", "名称", "试卷名称", "题目名称"],
    ),
    ("subtitle", &["副标题", "科目"]),
    (
        "duration",
        &["时长", "考试时长", "考试时间", "时间", "时限"],
    ),
    ("bank", &["题库"]),
    ("layout", &["版式", "版面", "纸张"]),
    ("parts", &["大题", "部分", "题型列表", "组成"]),
    ("notice", &["须知", "考生须知", "注意事项"]),
    ("fonts", &["字体"]),
    ("templates", &["模板"]),
    ("duplex", &["双面", "双面打印"]),
    ("density", &["密度", "疏密"]),
    ("type", &["题型", "类型", "题目类型"]),
    ("count", &["题数", "数量", "题量", "数目", "道数"]),
    ("points", &["分值", "分数", "每题分值", "每题分数", "得分"]),
    ("instructions", &["说明", "答题说明", "要求"]),
    ("sections", &["章节", "范围", "章节分布"]),
    ("difficulty", &["难度", "难易度", "难易程度"]),
    ("tags", &["标签"]),
    ("scoring", &["计分", "评分", "计分规则"]),
    ("id", &["编号", "题号", "序号"]),
    ("stem", &["题干", "题目", "内容", "试题内容"]),
    ("options", &["选项"]),
    ("answer", &["答案", "正确答案", "参考答案"]),
    ("explanation", &["解析", "答案解析", "解释"]),
    ("note", &["考点", "知识点"]),
    ("notes", &["考点", "知识点", "讲义"]),
    ("text", &["正文", "内容", "文本"]),
    ("section", &["章", "章节信息"]),
    ("group", &["分组", "组"]),
    ("weight", &["权重", "占比", "比重"]),
    ("order", &["顺序", "排序"]),
    ("questions", &["题目", "试题", "题目列表"]),
];

/// The allowed key a Chinese key means, e.g. `题数` → `count` (the first of `allowed` that it names).
fn chinese_key<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let name = name.trim().trim_end_matches(['：', ':']);
    allowed.iter().copied().find(|key| {
        CHINESE_KEYS
            .iter()
            .any(|(k, names)| k == key && names.contains(&name))
    })
}

/// One step of a path: a key or a list index.
#[derive(Debug, PartialEq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `questions[3].answer` → `questions`, `[3]`, `answer`; an index that is no number is read as a key.
fn steps(path: &str) -> impl Iterator<Item = Step<'_>> {
    path.split('.').filter(|s| !s.is_empty()).flat_map(|part| {
        let (key, indices) = part.split_at(part.find('[').unwrap_or(part.len()));
        let key = (!key.is_empty()).then_some(Step::Key(key));
        let indices = indices.split('[').filter(|s| !s.is_empty()).map(|i| {
            let i = i.trim_end_matches(']');
            i.parse().map_or(Step::Key(i), Step::Index)
        });
        key.into_iter().chain(indices)
    })
}

pub fn join_path(base: &str, child: &str) -> String {
    match (base.is_empty(), child.is_empty()) {
        (_, true) => base.to_string(),
        (true, false) => child.to_string(),
        (false, false) if child.starts_with('[') => format!("{base}{child}"),
        _ => format!("{base}.{child}"),
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(top level)" } else { path }
}

/// serde's type errors in a teacher's words, with what to write: `count: 10题` or `count: 五` → "is not
/// a whole number", write `count: 10`. None for the messages that already say what is wrong.
fn plain_type_error(message: &str, path: &str) -> Option<(String, String)> {
    let (found, expected) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?
        .rsplit_once(", expected ")?;
    let wanted = match expected {
        "usize" | "u8" | "u16" | "u32" | "u64" => "a whole number",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a difficulty level" => "a difficulty level",
        _ => return None,
    };
    let key = path
        .rsplit(['.', ']'])
        .next()
        .filter(|k| !k.is_empty())
        .unwrap_or("value");
    let typed = found
        .strip_prefix("string ")
        .map(|s| s.trim_matches('"').to_string())
        .or_else(|| found.split('`').nth(1).map(str::to_string))
        .unwrap_or_else(|| found.to_string());
    let digits: String = typed
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let help = match wanted {
        "true or false" => format!("write `{key}: true` or `{key}: false`"),
        "a difficulty level" => crate::input::typed::DIFFICULTY_HELP.to_string(),
        _ if typed.starts_with('-') => format!("write a number of at least 0, e.g. `{key}: 10`"),
        _ if !digits.is_empty() && digits.len() < typed.len() => {
            format!("write the number alone, in digits: `{key}: {digits}`")
        }
        "a whole number" if !digits.is_empty() => format!(
            "write a whole number: `{key}: {}`",
            digits.split('.').next().unwrap_or("1")
        ),
        _ => format!("write it in digits, e.g. `{key}: 10`"),
    };
    Some((format!("`{typed}` is not {wanted}"), help))
}

/// serde_yaml appends " at line L column C"; we print the location ourselves.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The allowed name nearest to a misspelt one, if it is near enough to be a typo.
pub fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::levenshtein(name, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min()
        .map(|(_, a)| a)
}

/// Deeper than this, a file is left to yaml_serde (its own recursion limit is 128).
const MAX_DEPTH: usize = 100;

/// Parses the first document of `text` into its positions and, with `values`, its values. With values it
/// gives up (None) on anything whose reading is yaml_serde's to decide; positions alone take what they can
/// (after a syntax error, the nodes read so far).
fn build(text: &str, values: bool) -> Option<(Value, Spans)> {
    let mut b = Builder {
        parser: Parser::new_from_str(text),
        text,
        values,
        broken: false,
        last_width: 1,
        depth: 0,
        // About one node per 40 bytes of a section file.
        nodes: Vec::with_capacity(text.len() / 32 + 16),
    };
    let root = loop {
        let (event, pos) = b.next()?;
        match event {
            Event::StreamStart | Event::DocumentStart(_) => continue,
            // An empty document: yaml_serde's reading (null) and its checks of the stream.
            Event::StreamEnd | Event::DocumentEnd => return None,
            other => break b.node(other, pos, Pos32::default(), Text::None)?,
        }
    };
    if values {
        // Anything after the first document (a second one) is yaml_serde's error to report.
        loop {
            match b.next() {
                Some((Event::DocumentEnd, _)) => continue,
                Some((Event::StreamEnd, _)) => break,
                _ => return None,
            }
        }
        if b.broken {
            return None;
        }
    }
    Some((root, Spans { nodes: b.nodes }))
}

struct Builder<'i> {
    parser: Parser<'i, StrInput<'i>>,
    text: &'i str,
    values: bool,
    /// The parser stopped at a syntax error.
    broken: bool,
    /// Width of the event last read, for underlining scalars.
    last_width: u32,
    depth: usize,
    nodes: Vec<Node>,
}

impl<'i> Builder<'i> {
    fn next(&mut self) -> Option<(Event<'i>, Pos32)> {
        match self.parser.next() {
            Some(Ok((event, span))) => {
                self.last_width = if span.end.line() == span.start.line() {
                    let cols = span.end.col().saturating_sub(span.start.col()).max(1);
                    u32::try_from(cols).unwrap_or(u32::MAX)
                } else {
                    1
                };
                Some((event, Pos32::of(span.start)))
            }
            _ => {
                self.broken = true;
                None
            }
        }
    }

    fn push(&mut self, kind: Kind, value: Pos32, key: Pos32, name: Text, plain: Text) -> usize {
        let width = if kind == Kind::Scalar {
            self.last_width
        } else {
            1
        };
        let at = self.nodes.len();
        self.nodes.push(Node {
            value,
            key,
            width,
            end: u32::try_from(at + 1).unwrap_or(u32::MAX),
            kind,
            name,
            plain,
        });
        at
    }

    /// Closes the node at `at` after its last descendant.
    fn close(&mut self, at: usize) {
        self.nodes[at].end = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
    }

    /// The value of the node that starts with `event` (already read), recording its positions and
    /// consuming the rest of it. None: give up (values), or the stream broke before the node began
    /// (positions).
    fn node(&mut self, event: Event<'i>, pos: Pos32, key: Pos32, name: Text) -> Option<Value> {
        let exotic = |anchor: usize, tag: bool| anchor != 0 || tag;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                if !self.values {
                    let source = if plain {
                        Text::new(&text, self.text)
                    } else {
                        Text::None
                    };
                    self.push(Kind::Scalar, pos, key, name, source);
                    return Some(Value::Null);
                }
                if exotic(anchor, tag.is_some()) {
                    return None;
                }
                let (value, source) = if plain {
                    match resolve_plain(&text)? {
                        None => (Value::String(text.into_owned()), Text::None),
                        Some(other) => (other, Text::new(&text, self.text)),
                    }
                } else {
                    (Value::String(text.into_owned()), Text::None)
                };
                self.push(Kind::Scalar, pos, key, name, source);
                Some(value)
            }
            Event::SequenceStart(anchor, tag) => {
                if self.values && exotic(anchor, tag.is_some()) {
                    return None;
                }
                self.depth += 1;
                if self.values && self.depth > MAX_DEPTH {
                    return None;
                }
                let at = self.push(Kind::Seq, pos, key, name, Text::None);
                let mut items = Vec::new();
                while let Some((event, item_pos)) = self.next() {
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    match self.node(event, item_pos, Pos32::default(), Text::None) {
                        Some(value) if self.values => items.push(value),
                        Some(_) => {}
                        None if self.values => return None,
                        None => break,
                    }
                }
                self.close(at);
                self.depth -= 1;
                Some(Value::Sequence(items))
            }
            Event::MappingStart(anchor, tag) => {
                if self.values && exotic(anchor, tag.is_some()) {
                    return None;
                }
                self.depth += 1;
                if self.values && self.depth > MAX_DEPTH {
                    return None;
                }
                let at = self.push(Kind::Map, pos, key, name, Text::None);
                let mut map = Mapping::new();
                while let Some((event, key_pos)) = self.next() {
                    let (name, key_value) = match event {
                        Event::MappingEnd => break,
                        Event::Scalar(name, style, anchor, tag) => {
                            let key_value = if !self.values {
                                Value::Null
                            } else if exotic(anchor, tag.is_some()) {
                                return None;
                            } else if style == ScalarStyle::Plain {
                                match resolve_plain(&name)? {
                                    None => Value::String(name.to_string()),
                                    // A key that reads as null or a bool is left to yaml_serde.
                                    Some(Value::Null | Value::Bool(_)) => return None,
                                    Some(number) => number,
                                }
                            } else {
                                Value::String(name.to_string())
                            };
                            (Text::new(&name, self.text), key_value)
                        }
                        // Complex keys never occur in our formats; their entries are found by no path.
                        other => {
                            if self.values {
                                return None;
                            }
                            if self
                                .node(other, key_pos, Pos32::default(), Text::None)
                                .is_none()
                            {
                                break;
                            }
                            (Text::None, Value::Null)
                        }
                    };
                    let Some((event, value_pos)) = self.next() else {
                        break;
                    };
                    match self.node(event, value_pos, key_pos, name) {
                        Some(value) if self.values => {
                            // A duplicate key is yaml_serde's error to report.
                            if map.insert(key_value, value).is_some() {
                                return None;
                            }
                        }
                        Some(_) => {}
                        None if self.values => return None,
                        None => break,
                    }
                }
                self.close(at);
                self.depth -= 1;
                Some(Value::Mapping(map))
            }
            // An alias: its position only (values: yaml_serde resolves anchors).
            Event::Alias(_) if !self.values => {
                self.push(Kind::Scalar, pos, key, name, Text::None);
                Some(Value::Null)
            }
            _ => None,
        }
    }
}

/// How yaml_serde reads a plain scalar, where that is certain: null, bools, decimal integers and decimal
/// fractions (Some(Some(value))), and every text that cannot be a number (Some(None): a string, the
/// scalar's own text). None for the rest (`0x1F`, `1e3`, `+1`, `.5`, `3-5`, integers beyond 64 bits),
/// which the caller leaves to yaml_serde itself.
fn resolve_plain(s: &str) -> Option<Option<Value>> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Some(Value::Null)),
        "true" | "True" | "TRUE" => return Some(Some(Value::Bool(true))),
        "false" | "False" | "FALSE" => return Some(Some(Value::Bool(false))),
        _ => {}
    }
    let bytes = s.as_bytes();
    // A number starts with a digit, a sign or a dot, and holds only ASCII letters, digits, signs and dots.
    let may_be_number = matches!(bytes[0], b'0'..=b'9' | b'+' | b'-' | b'.')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !may_be_number {
        return Some(None);
    }
    // Without a digit only `.inf` and `.nan` in their spellings are numbers (`..`, `-` are text).
    if !bytes.iter().any(u8::is_ascii_digit) {
        let lower = s.to_ascii_lowercase();
        if lower.contains("inf") || lower.contains("nan") {
            return None;
        }
        return Some(None);
    }
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if digits(unsigned) {
        // Leading zeros make text (YAML 1.2): `007`, `-01`.
        if unsigned.len() > 1 && unsigned.starts_with('0') {
            return Some(None);
        }
        let number = if s.starts_with('-') {
            Number::from(s.parse::<i64>().ok()?)
        } else {
            Number::from(s.parse::<u64>().ok()?)
        };
        return Some(Some(Value::Number(number)));
    }
    match unsigned.split_once('.') {
        Some((whole, fraction)) if digits(whole) && digits(fraction) => {
            let f: f64 = s.parse().ok()?;
            f.is_finite().then(|| Some(Value::Number(Number::from(f))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> YamlDoc {
        YamlDoc::parse(Path::new("t.yaml"), text.to_string()).unwrap()
    }

    #[test]
    fn type_errors_say_what_to_write() {
        let said = |m: &str| plain_type_error(m, "parts[0].count");
        assert_eq!(
            said(r#"invalid type: string "10题", expected usize"#),
            Some((
                "`10题` is not a whole number".into(),
                "write the number alone, in digits: `count: 10`".into()
            ))
        );
        assert_eq!(
            said(r#"invalid type: string "五", expected usize"#)
                .unwrap()
                .1,
            "write it in digits, e.g. `count: 10`"
        );
        assert_eq!(
            said("invalid type: floating point `2.5`, expected usize").unwrap(),
            (
                "`2.5` is not a whole number".into(),
                "write a whole number: `count: 2`".into()
            )
        );
        assert_eq!(
            said("invalid value: integer `-3`, expected u32").unwrap().1,
            "write a number of at least 0, e.g. `count: 10`"
        );
        assert_eq!(said("missing field `title`"), None);
    }

    #[test]
    fn indexes_nested_paths_with_keys_and_values() {
        let d = doc(
            "section:\n  id: cw\nquestions:\n  - id: q1\n    answer: C\n  - id: q2\n    options: [a, 0.50]\n",
        );
        assert_eq!(d.pos("section.id"), Pos::new(2, 7));
        assert_eq!(d.key_pos("section.id"), Pos::new(2, 3));
        assert_eq!(d.pos("questions[0].answer"), Pos::new(5, 13));
        assert_eq!(d.pos("questions[1].options[1]"), Pos::new(7, 18));
        assert_eq!(d.plain_scalar("questions[1].options[1]"), Some("0.50"));
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(d.pos("questions[1].nothing"), Pos::new(6, 5));
    }

    /// What yaml_serde reads, and what the one-pass parse reads where it does not give up.
    fn both(text: &str) -> (Option<Value>, Option<Value>) {
        let reference = serde_yaml::from_str::<Value>(text).ok();
        (reference, build(text, true).map(|(v, _)| v))
    }

    #[test]
    fn plain_scalars_read_as_yaml_serde_reads_them() {
        let scalars = [
            "0.50",
            "1.5",
            "-2.25",
            "00.5",
            "3",
            "-3",
            "0",
            "-0",
            "007",
            "-01",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1e3",
            "1E-2",
            "0x1F",
            "0o17",
            "0b101",
            "+1",
            "+1.5",
            ".5",
            "1.",
            "-.5",
            ".inf",
            "-.inf",
            ".nan",
            "inf",
            "nan",
            "Infinity",
            "+.inf",
            ".Inf",
            "-.NaN",
            "3-5",
            "1:30",
            "12:30:00",
            "2025-01-01",
            "10%",
            "1_000",
            "2025年",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "False",
            "FALSE",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "A",
            "ACD",
            "B,C",
            "对",
            "√",
            "-",
            "--",
            "..",
            "+",
            "1.2.3",
            "1e",
            "e1",
            "0x",
            "1.5.",
            "1..5",
        ];
        let mut fast = 0;
        for s in scalars {
            for text in [
                format!("k: {s}\n"),
                format!("k: [{s}, x]\n"),
                format!("{s}: v\n"),
                format!("k: \"{s}\"\n"),
                format!("k: '{s}'\n"),
                format!("k: |\n  {s}\n"),
            ] {
                let (reference, ours) = both(&text);
                if let Some(ours) = ours {
                    fast += 1;
                    assert_eq!(Some(ours), reference, "{text:?}");
                }
            }
        }
        assert!(fast > 300, "only {fast} read in one pass");
    }

    #[test]
    fn what_yaml_serde_decides_is_left_to_it() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: 1\na: 2\n",
            "a: 1\n---\nb: 2\n",
            "a: [1, 2\nb: 3\n",
            "# only a comment\n",
            "? [a, b]\n: c\n",
            "a: 0x1F\n",
        ] {
            assert!(build(text, true).is_none(), "{text:?}");
        }
        // Read by yaml_serde all the same, with positions from the position-only pass.
        let d = doc("base: &b {x: 1}\nuse: *b\nn: 0x1F\n");
        assert_eq!(d.value["n"], Value::Number(Number::from(31u64)));
        assert_eq!(d.pos("n"), Pos::new(3, 4));
        assert_eq!(d.plain_scalar("n"), Some("0x1F"));
        assert_eq!(d.pos("use"), Pos::new(2, 6));
        let dup = YamlDoc::parse(Path::new("t.yaml"), "a: 1\na: 2\n".to_string()).unwrap_err();
        assert!(dup.message.contains("duplicate"), "{}", dup.message);
    }

    /// Every YAML file of the repository (the shipped bank, blueprints, the test fixtures good and bad)
    /// reads the same both ways, and almost every one in one pass.
    #[test]
    fn the_repository_yaml_reads_the_same_in_one_pass() {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    out.push(path);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "question-bank",
            "tests/fixtures",
            "templates",
            "examples",
            "docs",
        ] {
            walk(&root.join(dir), &mut files);
        }
        let (mut fast, mut total) = (0, 0);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            total += 1;
            let (reference, ours) = both(&text);
            if let Some(ours) = ours {
                fast += 1;
                assert_eq!(Some(ours), reference, "{}", file.display());
            } else {
                eprintln!("not in one pass: {}", file.display());
            }
        }
        // Only the two bad fixtures that are no YAML document (an empty file, a syntax error) are not.
        assert!(
            total > 20 && fast + 2 >= total,
            "{fast} of {total} in one pass"
        );
    }

    #[test]
    fn paths_split_into_keys_and_indices() {
        let split: Vec<Step> = steps("questions[3].options[1]").collect();
        assert_eq!(
            split,
            vec![
                Step::Key("questions"),
                Step::Index(3),
                Step::Key("options"),
                Step::Index(1)
            ]
        );
        assert_eq!(steps("").count(), 0);
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = YamlDoc::parse(Path::new("t.yaml"), "a: [1, 2\nb: 3\n".to_string()).unwrap_err();
        assert!(
            err.message.starts_with("YAML syntax error"),
            "{}",
            err.message
        );
        assert!(err.pos.line >= 1);
    }

    #[test]
    fn chinese_keys_are_named_by_the_english_key_they_mean() {
        let text = "标题: 测验\nparts:\n  - {题型: 单选, 题数: 3, 分值: 1, 题目: x}\n";
        let doc = YamlDoc::parse(Path::new("t.yaml"), text.to_string()).unwrap();
        let top = doc.check_keys(&doc.value, "", "a blueprint", &["title", "parts"]);
        assert_eq!(top.len(), 1);
        assert_eq!(
            top[0].help.as_deref(),
            Some("keys are written in English: `标题` is `title` (write `title:`)")
        );
        let part = &doc.value["parts"][0];
        let helps: Vec<String> = doc
            .check_keys(part, "parts[0]", "a part", &["type", "count", "points"])
            .into_iter()
            .map(|d| d.help.unwrap_or_default())
            .collect();
        assert_eq!(
            helps[..3],
            [
                "keys are written in English: `题型` is `type` (write `type:`)",
                "keys are written in English: `题数` is `count` (write `count:`)",
                "keys are written in English: `分值` is `points` (write `points:`)",
            ]
        );
        // A Chinese word naming a key not allowed here lists the allowed keys instead.
        assert!(helps[3].starts_with("allowed keys are"), "{}", helps[3]);
    }

    #[test]
    fn a_full_width_colon_after_a_key_is_named_where_it_was_typed() {
        // The parser's own error lands on line 5 (`options`); the slip is on line 4.
        let text = "questions:\n  - id: t1\n    type: single\n    stem：下列哪项正确？\n    options: [甲, 乙]\n";
        let err = YamlDoc::parse(Path::new("t.yaml"), text.to_string()).unwrap_err();
        assert_eq!(err.pos, Pos::new(4, 9), "{}", err.message);
        assert!(err.message.contains("`stem：`"), "{}", err.message);
        assert_eq!(err.source_line.as_deref(), Some("    stem：下列哪项正确？"));
        // The first key of a list item, and a top-level key.
        let err = YamlDoc::parse(
            Path::new("t.yaml"),
            "questions:\n  - id：t1\n    type: single\n".into(),
        )
        .unwrap_err();
        assert_eq!(err.pos, Pos::new(2, 7), "{}", err.message);
        let err =
            YamlDoc::parse(Path::new("t.yaml"), "title：测验\nbank: ..\n".into()).unwrap_err();
        assert_eq!(err.pos, Pos::new(1, 6), "{}", err.message);
    }

    #[test]
    fn a_full_width_space_in_the_indentation_is_named() {
        let text = "questions:\n  - id: t1\n\u{3000}\u{3000}type: single\n    stem: x\n";
        let err = YamlDoc::parse(Path::new("t.yaml"), text.to_string()).unwrap_err();
        assert_eq!(err.pos, Pos::new(3, 1), "{}", err.message);
        assert!(err.message.contains("full-width space"), "{}", err.message);
    }

    #[test]
    fn a_full_width_colon_inside_text_is_no_slip() {
        // A tab in the indentation, a key of ours with no space after its colon.
        let err = YamlDoc::parse(
            Path::new("t.yaml"),
            "title: 测验\nparts:\n\t- type: single\n".into(),
        )
        .unwrap_err();
        assert_eq!(err.pos, Pos::new(3, 1), "{}", err.message);
        assert!(
            err.message.contains("indented with a tab"),
            "{}",
            err.message
        );
        let err = YamlDoc::parse(
            Path::new("t.yaml"),
            "title: 测验\nparts:\n  - type: single\n    count: 2\n    points:1\n".into(),
        )
        .unwrap_err();
        assert_eq!(err.pos, Pos::new(5, 12), "{}", err.message);
        assert!(
            err.message.contains("`points:1` has no space"),
            "{}",
            err.message
        );
        assert_eq!(slip_on_line("    text: 见 http://example.com", 1), None);
        assert_eq!(slip_on_line("    - 10:30", 1), None);
        assert_eq!(slip_on_line("    - A:甲", 1), None);
        // Chinese text uses ： freely; only a key before it is a slip.
        assert_eq!(slip_on_line("    stem: 案例：小王是社工", 1), None);
        assert_eq!(slip_on_line("      注意：以下说法", 1), None);
        // A real syntax error elsewhere keeps the parser's message.
        let err =
            YamlDoc::parse(Path::new("t.yaml"), "a: [1, 2\nb: 案例：小王\n".into()).unwrap_err();
        assert!(
            err.message.contains("YAML syntax error") && !err.message.contains("full-width"),
            "{}",
            err.message
        );
    }

    #[test]
    fn suggests_the_nearest_key() {
        assert_eq!(
            closest("anwser", &["answer", "options", "stem"]),
            Some("answer")
        );
        assert_eq!(closest("zzzzzz", &["answer", "options"]), None);
    }
}
