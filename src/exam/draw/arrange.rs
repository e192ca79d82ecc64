//! Arranging a selected set into one variant: question order within parts, numbering and option shuffles.

use super::*;
use crate::exam::dice::Dice;
use crate::input::bank::{Answer, Bank, Question};
use crate::input::blueprint::Blueprint;

/// Orders one variant: questions shuffled within each part, options shuffled, answers remapped.
pub(super) fn arrange(
    bank: &Bank,
    blueprint: &Blueprint,
    set: &[Vec<usize>],
    label: String,
    dice: &mut Dice,
) -> Variant {
    let mut number = 0;
    let mut parts = Vec::new();
    for (pi, chosen) in set.iter().enumerate() {
        let part = &blueprint.parts[pi];
        let mut order = chosen.clone();
        // Start from bank order so the shuffle depends only on the set, not on how it was found.
        order.sort_unstable();
        dice.shuffle(&mut order);
        let questions = order
            .into_iter()
            .map(|qi| {
                number += 1;
                let q = &bank.questions[qi];
                let option_order = shuffle_options(q, dice);
                DrawnQuestion {
                    number,
                    question: qi,
                    points: q.points.unwrap_or(part.points),
                    answer: remap(&q.answer, &option_order),
                    option_order,
                }
            })
            .collect();
        parts.push(DrawnPart {
            part: pi,
            questions,
        });
    }
    Variant { label, parts }
}

/// Printed position → original index; the last `keep_last` options (以上都对) keep their place. Options
/// that are all quantities (`18`, `2025年`, `3个`, `50%`, `十八`) print in ascending order instead, as real
/// items list them, whatever the bank's order.
pub(super) fn shuffle_options(q: &Question, dice: &mut Dice) -> Vec<usize> {
    let mut order: Vec<usize> = (0..q.options.len()).collect();
    if q.shuffle && q.options.len() > 1 {
        let movable = q.options.len() - q.keep_last.min(q.options.len());
        // The dice roll either way, so every other question keeps the shuffle it had before.
        dice.shuffle(&mut order[..movable]);
        let texts: Vec<String> = q.options[..movable]
            .iter()
            .map(|o| o.source().to_string())
            .collect();
        if let Some(sorted) = natural_order(&texts) {
            order[..movable].copy_from_slice(&sorted);
        }
    }
    order
}

/// The indices of `options` by ascending value, when every option is a quantity with the same unit.
pub fn natural_order(options: &[String]) -> Option<Vec<usize>> {
    let values: Vec<(f64, &str)> = options.iter().map(|o| quantity(o)).collect::<Option<_>>()?;
    if values.len() < 2 || values.iter().any(|(_, unit)| *unit != values[0].1) {
        return None;
    }
    let mut order: Vec<usize> = (0..options.len()).collect();
    order.sort_by(|a, b| values[*a].0.total_cmp(&values[*b].0));
    Some(order)
}

/// `2025年` → (2025, "年"), `50%` → (50, "%"), `十八` → (18, ""): a number in Arabic digits (ASCII or
/// full-width, with an optional decimal point) or in Chinese numerals up to 万, then a unit of at most
/// two characters that are neither digits nor numerals (`年`, `个`, `人`, `%`, `万人`).
fn quantity(option: &str) -> Option<(f64, &str)> {
    let text = option.trim();
    if let Some(day) = date(text) {
        return Some((day, "年月日"));
    }
    let digits: String = text
        .chars()
        .map_while(|c| match c {
            '0'..='9' | '.' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            _ => None,
        })
        .collect();
    let (value, rest) = if digits.is_empty() {
        let numerals: String = text
            .chars()
            .take_while(|c| chinese_digit(*c).is_some() || matches!(c, '十' | '百' | '千' | '万'))
            .collect();
        (chinese_number(&numerals)?, &text[numerals.len()..])
    } else {
        let byte_len: usize = text
            .chars()
            .take(digits.chars().count())
            .map(char::len_utf8)
            .sum();
        (digits.parse::<f64>().ok()?, &text[byte_len..])
    };
    let unit = rest.trim();
    let plain = |c: char| !c.is_ascii_digit() && chinese_digit(c).is_none() && !c.is_whitespace();
    (unit.chars().count() <= 2 && unit.chars().all(plain)).then_some((value, unit))
}

/// `2024年3月28日` (or `2024年3月`, or a span such as `2024年11月5日至6日`, dated by its start) as a
/// number that sorts chronologically.
fn date(text: &str) -> Option<f64> {
    let mut fields = [0u32; 3];
    let mut rest = text;
    for (i, mark) in ['年', '月', '日'].into_iter().enumerate() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match rest[digits..].strip_prefix(mark) {
            Some(after) if digits > 0 => {
                fields[i] = rest[..digits].parse().ok()?;
                rest = after;
            }
            _ if i >= 2 => break,
            _ => return None,
        }
    }
    Some(f64::from(fields[0] * 10_000 + fields[1] * 100 + fields[2]))
}

fn chinese_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|d| d as u32)
        .or(match c {
            '零' => Some(0),
            '两' => Some(2),
            _ => None,
        })
}

/// 十八 → 18, 二十 → 20, 一百零五 → 105, 二〇二五 → 2025 (digit by digit when there is no 十/百/千/万).
fn chinese_number(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    if text.chars().all(|c| chinese_digit(c).is_some()) {
        return text
            .chars()
            .try_fold(0f64, |n, c| Some(n * 10.0 + f64::from(chinese_digit(c)?)));
    }
    let (mut total, mut section, mut digit) = (0u32, 0u32, None::<u32>);
    for c in text.chars() {
        let scale = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                total += (section + digit.take().unwrap_or(0)).max(1) * 10_000;
                section = 0;
                continue;
            }
            _ => {
                digit = Some(chinese_digit(c)?);
                continue;
            }
        };
        section += digit.take().unwrap_or(1) * scale;
    }
    Some(f64::from(total + section + digit.unwrap_or(0)))
}

/// The answer in printed letters for an option order.
pub fn remap(answer: &Answer, option_order: &[usize]) -> Answer {
    let printed = |orig: usize| {
        option_order
            .iter()
            .position(|o| *o == orig)
            .expect("option order is a permutation")
    };
    match answer {
        Answer::Single(i) => Answer::Single(printed(*i)),
        Answer::Multiple(v) => {
            let mut p: Vec<usize> = v.iter().map(|i| printed(*i)).collect();
            p.sort_unstable();
            Answer::Multiple(p)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(options: &[&str]) -> Option<Vec<usize>> {
        natural_order(&options.iter().map(|o| o.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn quantities_are_read_with_their_unit() {
        assert_eq!(quantity("2025年"), Some((2025.0, "年")));
        assert_eq!(quantity("50%"), Some((50.0, "%")));
        assert_eq!(quantity("１８"), Some((18.0, "")));
        assert_eq!(quantity("十八"), Some((18.0, "")));
        assert_eq!(quantity("二十个"), Some((20.0, "个")));
        assert_eq!(quantity("一百零五"), Some((105.0, "")));
        assert_eq!(quantity("二〇二五年"), Some((2025.0, "年")));
        assert_eq!(quantity("3.5万人"), Some((3.5, "万人")));
        assert_eq!(quantity("2024年3月28日"), Some((20240328.0, "年月日")));
        assert_eq!(quantity("2024年11月5日至6日"), Some((20241105.0, "年月日")));
        assert_eq!(quantity("每年至少培训一次"), None);
        assert_eq!(quantity("18人的标准"), None);
    }

    #[test]
    fn only_sets_of_like_quantities_get_a_natural_order() {
        assert_eq!(order(&["18", "15", "12", "20"]), Some(vec![2, 1, 0, 3]));
        assert_eq!(
            order(&["2035年", "2025年", "2050年", "2030年"]),
            Some(vec![1, 3, 0, 2])
        );
        assert_eq!(
            order(&["十八", "十五", "二十", "十二"]),
            Some(vec![3, 1, 0, 2])
        );
        assert_eq!(
            order(&["2024年11月5日至6日", "2024年3月28日", "2023年11月5日至6日"]),
            Some(vec![2, 1, 0])
        );
        assert_eq!(order(&["3个", "5年", "1个", "2个"]), None);
        assert_eq!(order(&["18", "按需配备", "12", "20"]), None);
    }
}
