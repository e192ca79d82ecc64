//! How teachers type choice questions: answer slots in any bracket, option labels typed into the option
//! text, and options that must not move (以上都对) or refer to each other (A和B).

use std::ops::Range;

use super::{QuestionType, Rich, letter};
use crate::diag::Diagnostic;
use crate::input::yaml::{YamlDoc, join_path};

/// The answer slot as printed: two ideographic spaces between full-width brackets, wide enough to write
/// a letter or two in.
pub const SLOT: &str = "（\u{3000}\u{3000}）";

/// Byte ranges of the answer slots of a stem: a bracket — （）, (), 【】, 〔〕 or a mix of （ and ) —
/// holding only spaces (ASCII, full-width, NBSP, tabs) or underscores, or nothing.
pub fn answer_slots(stem: &str) -> Vec<Range<usize>> {
    let mut slots = Vec::new();
    let mut at = 0;
    while let Some(c) = stem[at..].chars().next() {
        let start = at;
        at += c.len_utf8();
        let closers: &[char] = match c {
            '（' | '(' => &['）', ')'],
            '【' => &['】'],
            '〔' => &['〕'],
            _ => continue,
        };
        let mut end = None;
        for (i, d) in stem[at..].char_indices() {
            if closers.contains(&d) {
                end = Some(at + i + d.len_utf8());
                break;
            }
            if !is_slot_filler(d) {
                break;
            }
        }
        if let Some(end) = end {
            slots.push(start..end);
            at = end;
        }
    }
    slots
}

fn is_slot_filler(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}' | '\u{A0}' | '_' | '＿')
}

/// The stem with every answer slot printed as [`SLOT`].
pub fn normalize_slots(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len() + 8);
    let mut last = 0;
    for r in answer_slots(stem) {
        out.push_str(&stem[last..r.start]);
        out.push_str(SLOT);
        last = r.end;
    }
    out.push_str(&stem[last..]);
    out
}

/// A label typed at the start of an option (`A. `, `A、`, `（A）`, `Ａ．`): its letter index and the
/// byte length of the label with the spaces after it. A letter followed by another letter reference
/// (`A、B都对`) is the option's content, not a label.
pub fn option_label(text: &str) -> Option<(usize, usize)> {
    let mut chars = text.char_indices().peekable();
    let (_, first) = *chars.peek()?;
    let bracketed = matches!(first, '(' | '（');
    if bracketed {
        chars.next();
    }
    let (_, l) = chars.next()?;
    let index = option_letter(l)?;
    let (i, sep) = chars.next()?;
    let ok = if bracketed {
        matches!(sep, ')' | '）')
    } else {
        matches!(sep, '.' | '．' | '、' | ':' | '：' | ')' | '）' | '。')
    };
    if !ok {
        return None;
    }
    let mut end = i + sep.len_utf8();
    // 「C:\Windows」, 「D:/数据」: a drive letter, not a label.
    if matches!(sep, ':' | '：') && text[end..].starts_with(['\\', '/']) {
        return None;
    }
    let rest = &text[end..];
    let trimmed = rest.trim_start_matches([' ', '\u{3000}', '\t', '\u{A0}']);
    end += rest.len() - trimmed.len();
    // 「A、B都对」, 「A.B.C三项」: the letter starts a list of option letters.
    let mut after = trimmed.chars();
    if let (Some(n), next) = (after.next(), after.next())
        && option_letter(n).is_some()
        && next.is_none_or(|c| !c.is_ascii_alphabetic())
    {
        return None;
    }
    Some((index, end))
}

/// Labels typed without a separator, `D 管理` or `A尊重`: read as labels only when every option of three
/// or more starts with its own letter, in order (A, B, C, D), a separator or a space or a Han character
/// after it — one `B超检查` alone is content.
fn loose_labels(
    options: &[(String, String)],
    labels: &[Option<(usize, usize)>],
) -> Option<Vec<Option<(usize, usize)>>> {
    if options.len() < 3 {
        return None;
    }
    options
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, ((_, text), strong))| {
            let label = strong.or_else(|| loose_label(text))?;
            (label.0 == i).then_some(Some(label))
        })
        .collect()
}

fn loose_label(text: &str) -> Option<(usize, usize)> {
    let mut chars = text.char_indices();
    let index = option_letter(chars.next()?.1)?;
    let (at, next) = chars.next()?;
    if !(next.is_whitespace() || crate::util::chars::is_han(next)) {
        return None;
    }
    let rest = &text[at..];
    Some((index, text.len() - rest.trim_start().len()))
}

fn option_letter(c: char) -> Option<usize> {
    match c {
        'A'..='H' => Some(c as usize - 'A' as usize),
        'Ａ'..='Ｈ' => Some(c as usize - 'Ａ' as usize),
        _ => None,
    }
}

/// Whether an option speaks about the others (以上都对, 都不对, all of the above), so it must stay last.
pub fn is_inclusive_option(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '。' | '.' | '！' | '!'))
        .collect::<String>()
        .to_lowercase();
    t.starts_with("以上")
        || t.starts_with("上述")
        || t.starts_with("前述")
        || matches!(
            t.as_str(),
            "都对"
                | "都不对"
                | "都正确"
                | "都不正确"
                | "全对"
                | "全错"
                | "均对"
                | "均不对"
                | "均正确"
        )
        || t.contains("oftheabove")
        || t.contains("allabove")
        || t.contains("noneabove")
}

/// Whether an option names other options (A和B, A、B、C都对, AB两项), so shuffling would change its meaning.
pub fn refers_to_options(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).any(|w| {
        option_letter(w[0]).is_some()
            && matches!(
                w[1],
                '和' | '与' | '及' | '、' | '或' | ',' | '，' | '+' | '＋' | '/'
            )
            && option_letter(w[2]).is_some()
    }) || chars.windows(3).any(|w| {
        option_letter(w[0]).is_some()
            && option_letter(w[1]).is_some()
            && matches!(w[2], '都' | '均' | '两' | '三' | '项' | '正' | '错')
    })
}

/// The options with typed labels removed. Labels are typed on every option, in order (A. B. C. …, any
/// usual separator), or they are not labels: then they are removed, with one warning at the first option.
/// Every option labelled but out of order would print one answer and mark another, so that is an error
/// at the first option whose label names another position. Otherwise the text is the option's content
/// (`C:\Windows`, `C:\d #2` as option D); two or more label-like starts get a warning, one gets nothing.
/// `options` holds each option's YAML path and text.
pub(super) fn strip_option_labels(
    doc: &YamlDoc,
    id: &str,
    options: Vec<(String, String)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let labels: Vec<Option<(usize, usize)>> =
        options.iter().map(|(_, text)| option_label(text)).collect();
    let labelled: Vec<usize> = (0..options.len())
        .filter(|&i| labels[i].is_some())
        .collect();
    let loose = loose_labels(&options, &labels);
    let (labels, labelled) = match loose {
        Some(loose) => (loose, (0..options.len()).collect()),
        None => (labels, labelled),
    };
    if labelled.is_empty() {
        return options.into_iter().map(|(_, text)| text).collect();
    }
    if labelled.len() == options.len() {
        if let Some(i) = (0..options.len()).find(|&i| labels[i].is_some_and(|(l, _)| l != i)) {
            let label = labels[i].map_or(0, |(l, _)| l);
            diags.push(
                doc.error_at(
                    &options[i].0,
                    format!(
                        "option {} of question `{id}` starts with the label {}",
                        letter(i),
                        letter(label)
                    ),
                )
                .with_help(
                    "examgen prints the letters itself; remove the typed labels, and put the options in the \
                     order the answer letters mean",
                ),
            );
            return options.into_iter().map(|(_, text)| text).collect();
        }
        diags.push(
            doc.warning_at(
                &options[0].0,
                format!("the options of question `{id}` start with typed labels (A. B. ...); they were removed"),
            )
            .with_help("examgen prints the letters itself; write the options without them"),
        );
        return options
            .into_iter()
            .zip(labels)
            .map(|((_, text), label)| {
                let len = label.map_or(0, |(_, len)| len);
                let rest = text[len..].trim();
                if rest.is_empty() {
                    text
                } else {
                    rest.to_string()
                }
            })
            .collect();
    }
    if labelled.len() >= 2 {
        let letters: Vec<String> = labelled.iter().map(|&i| letter(i).to_string()).collect();
        diags.push(
            doc.warning_at(
                &options[labelled[0]].0,
                format!(
                    "options {} of question `{id}` start like typed labels but the others do not; they print as typed",
                    letters.join(", ")
                ),
            )
            .with_help(
                "examgen prints the letters itself: if these are labels, remove them (or type one on every \
                 option, in order, and examgen removes them)",
            ),
        );
    }
    options.into_iter().map(|(_, text)| text).collect()
}

/// A question being read: its document, its path there and its id, for located messages.
pub(super) struct QuestionAt<'a> {
    pub doc: &'a YamlDoc,
    pub path: &'a str,
    pub id: &'a str,
}

/// Stem and option checks of a choice or judge question that depend on how teachers type them: a second
/// answer slot, a last option such as 以上都对 that must stay last, options that name each other.
pub(super) fn check_choice_question(
    at: &QuestionAt,
    kind: QuestionType,
    stem: &Rich,
    options: &[String],
    (shuffle, keep_last): (&mut Option<bool>, &mut Option<usize>),
    diags: &mut Vec<Diagnostic>,
) {
    let (doc, path, id) = (at.doc, at.path, at.id);
    let slots = stem.slot_spans().len();
    if matches!(
        kind,
        QuestionType::Single | QuestionType::Multiple | QuestionType::Judge
    ) && slots > 1
    {
        diags.push(
            doc.warning_at(
                &join_path(path, "stem"),
                format!("question `{id}` has {slots} answer slots （　） in its stem"),
            )
            .with_help(
                "a choice or judge question has one place to write the answer; keep one （　）",
            ),
        );
    }
    if !kind.has_options() || options.len() < 3 || shuffle.is_some() {
        return;
    }
    if let Some(i) = options.iter().position(|o| refers_to_options(o)) {
        *shuffle = Some(false);
        diags.push(
            doc.warning_at(
                &format!("{}[{i}]", join_path(path, "options")),
                format!(
                    "option {} of question `{id}` names other options, so its options are not shuffled",
                    letter(i)
                ),
            )
            .with_help("write `shuffle: false` to say so and silence this warning"),
        );
        return;
    }
    if keep_last.is_none() && options.last().is_some_and(|o| is_inclusive_option(o)) {
        // 以上都对 means nothing anywhere but last; pinning it is what the teacher meant.
        *keep_last = Some(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_typed_slot_form_is_one_slot() {
        for stem in [
            "第1题（　　）。",
            "第1题（ ）",
            "第1题(    )",
            "第1题（____）",
            "第1题【　】",
            "第1题（）",
            "第1题()",
            "第1题（\u{A0}）",
            "第1题（ )",
        ] {
            assert_eq!(answer_slots(stem).len(), 1, "{stem}");
            assert!(normalize_slots(stem).starts_with("第1题（\u{3000}\u{3000}）"));
        }
        assert!(answer_slots("社会工作（社工）是").is_empty());
        assert!(answer_slots("(1) 第一").is_empty());
        assert_eq!(answer_slots("（　）和（ ）").len(), 2);
    }

    #[test]
    fn labels_are_read_but_letter_lists_are_content() {
        assert_eq!(option_label("A. 12"), Some((0, 3)));
        assert_eq!(option_label("B、社区"), Some((1, 4)));
        assert_eq!(option_label("（C）社区"), Some((2, 7)));
        assert_eq!(option_label("Ｄ．社区"), Some((3, 6)));
        assert_eq!(option_label("A、B都对"), None);
        assert_eq!(option_label("B超检查"), None);
        assert_eq!(option_label("社区"), None);
        assert_eq!(option_label("A.B.C三项"), None);
        assert_eq!(option_label("C:\\Windows"), None);
        assert_eq!(option_label("D：/数据"), None);
        assert_eq!(option_label("C: 社区"), Some((2, 3)));
    }

    #[test]
    fn labels_without_separators_only_on_every_option_in_order() {
        let doc = YamlDoc::unparsed(Path::new("b.yaml"), String::new());
        let strip = |texts: &[&str]| {
            let options = texts
                .iter()
                .map(|t| (String::new(), t.to_string()))
                .collect();
            strip_option_labels(&doc, "q", options, &mut Vec::new())
        };
        assert_eq!(
            strip(&["A. 助人自助", "B．慈善", "C、救济", "D 管理"]),
            ["助人自助", "慈善", "救济", "管理"]
        );
        assert_eq!(
            strip(&["A尊重", "B接纳", "C个别化", "D控制"]),
            ["尊重", "接纳", "个别化", "控制"]
        );
        assert_eq!(strip(&["A超", "B超检查", "CT"]), ["A超", "B超检查", "CT"]);
        assert_eq!(
            strip(&["心电图", "B超检查", "血常规"]),
            ["心电图", "B超检查", "血常规"]
        );
        assert_eq!(strip(&["A尊重", "B接纳"]), ["A尊重", "B接纳"]);
    }

    #[test]
    fn inclusive_and_referring_options() {
        for t in [
            "以上都对",
            "以上均是",
            "以上都不对。",
            "都不对",
            "All of the above",
        ] {
            assert!(is_inclusive_option(t), "{t}");
        }
        assert!(!is_inclusive_option("社区服务"));
        assert!(refers_to_options("A和B"));
        assert!(refers_to_options("A、B、C都正确"));
        assert!(refers_to_options("AB两项"));
        assert!(!refers_to_options("ABC法则"));
    }
}
