//! Blueprints: what a paper is made of (parts, counts, points, section spread, difficulty mix), read from YAML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_yaml::Value;
use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::input::bank::QuestionType;
use crate::input::typed;
use crate::input::yaml::{YamlDoc, join_path, read_text};

const BLUEPRINT_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "duration",
    "bank",
    "layout",
    "parts",
    "notice",
    "fonts",
    "templates",
    "duplex",
    "score_boxes",
    "density",
    "typography",
    "target_facility",
];
const TYPOGRAPHY_KEYS: &[&str] = &["autospace"];
/// The densities a blueprint may name (layout's `Density`; this layer does not see layout).
pub const DENSITIES: &[&str] = &["compact", "normal", "roomy"];
const PART_KEYS: &[&str] = &[
    "title",
    "type",
    "count",
    "points",
    "instructions",
    "sections",
    "difficulty",
    "tags",
    "scoring",
    "target_facility",
];

/// How a part's questions are spread over the bank's sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spread {
    /// As evenly as possible over the sections that have such questions.
    Even,
    /// In proportion to each section's supply.
    Proportional,
    /// Exact counts per section id (hard); ids are checked against the bank by the draw.
    Quotas(Vec<(String, usize)>),
    /// Shares per section id (`{cpc20: 24%, ...}`, adding up to 100%), or with `None` (`weighted`) the
    /// `weight:` each section declares; soft, with at least one question per weighted section.
    Weighted(Option<Vec<(String, Decimal)>>),
}

/// How a multiple-choice question is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    AllOrNothing,
    /// Each correct option chosen earns this much when no wrong option is chosen; all correct earns full points.
    Partial(Decimal),
}

#[derive(Debug, Clone)]
pub struct Part {
    pub title: String,
    pub kind: QuestionType,
    pub count: usize,
    pub points: Decimal,
    pub instructions: Option<String>,
    pub spread: Spread,
    /// Target share per difficulty level 1..=5, as weights summing to 1 (None: no target).
    pub difficulty: Option<[Decimal; 5]>,
    pub tags: Vec<String>,
    pub scoring: Scoring,
    /// The part's expected facility (`target_facility: 0.65 ± 0.03`), measured where calibrated.
    pub target_facility: Option<FacilityTarget>,
}

/// `target_facility: 0.65 ± 0.03`: the expected share of the points a class earns, and how far off it may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FacilityTarget {
    pub value: f64,
    pub tolerance: f64,
}

/// The tolerance of a `target_facility` given as a bare number.
pub const DEFAULT_FACILITY_TOLERANCE: f64 = 0.03;

#[derive(Debug, Clone)]
pub struct Blueprint {
    pub path: PathBuf,
    pub digest: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub duration: Option<u32>,
    /// The bank folder, resolved against the blueprint's folder.
    pub bank: PathBuf,
    pub layout: String,
    /// Lines of the 考生须知 box; defaults are used when absent.
    pub notice: Option<Vec<String>>,
    pub fonts: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub duplex: bool,
    /// A 得分 | 评卷人 box beside each part heading.
    pub score_boxes: bool,
    /// compact, normal or roomy; None: the command line's, else normal.
    pub density: Option<String>,
    /// A quarter em between Han and Western letters or digits (`typography: {autospace: false}`: none).
    pub autospace: bool,
    /// The whole paper's expected facility (`target_facility: 0.65 ± 0.03`).
    pub target_facility: Option<FacilityTarget>,
    pub parts: Vec<Part>,
}

#[derive(Deserialize)]
struct RawBlueprint {
    title: String,
    #[serde(default)]
    subtitle: Option<String>,
    #[serde(default, deserialize_with = "crate::input::typed::minutes")]
    duration: Option<u32>,
    #[serde(default)]
    bank: Option<String>,
    #[serde(default)]
    layout: Option<String>,
    #[serde(default)]
    notice: Option<Vec<String>>,
    #[serde(default)]
    fonts: Option<String>,
    #[serde(default)]
    templates: Option<String>,
    #[serde(default)]
    duplex: Option<bool>,
    #[serde(default)]
    score_boxes: Option<bool>,
    #[serde(default)]
    density: Option<String>,
    #[serde(default)]
    typography: Option<RawTypography>,
    #[serde(default)]
    target_facility: Option<Value>,
    parts: Vec<Value>,
}

#[derive(Deserialize)]
struct RawTypography {
    #[serde(default)]
    autospace: Option<bool>,
}

#[derive(Deserialize)]
struct RawPart {
    #[serde(default)]
    title: Option<String>,
    #[serde(rename = "type")]
    kind: QuestionType,
    #[serde(deserialize_with = "crate::input::typed::question_count")]
    count: usize,
    #[serde(default)]
    points: Option<Value>,
    #[serde(default)]
    instructions: Option<String>,
    #[serde(default)]
    sections: Option<Value>,
    #[serde(default)]
    difficulty: Option<Value>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    scoring: Option<Value>,
    #[serde(default)]
    target_facility: Option<Value>,
}

/// The error for a folder given where a blueprint is wanted (a teacher passing the bank itself): names
/// the blueprints found in its `exams/` folder, or the folder's own, or says how to write one.
/// A blueprint path that leads nowhere: the file meant when one beside it is near the name, else the first
/// folder of the path that is missing (run outside the bank's folder, `question-bank/` is not there).
fn not_there(path: &Path) -> Error {
    let error = Error::input(format!("the blueprint {} does not exist", path.display()));
    if let Some(near) = crate::util::names::near_name(path) {
        return error.because(format!("did you mean `{near}`, in the same folder?"));
    }
    let absent_folder = path
        .ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty() && !a.is_dir())
        .last();
    match absent_folder {
        Some(folder) => {
            let here = std::env::current_dir()
                .map(|d| format!(" ({})", d.display()))
                .unwrap_or_default();
            error.because(format!(
                "there is no folder {} here{here}: run examgen in the folder that holds it, or give the \
                 blueprint's full path, e.g. `examgen paper D:/题库/exams/mock.yaml`",
                folder.display()
            ))
        }
        None => error.because(
            "give the path of a blueprint .yaml file (docs/blueprint-format.md), or run `examgen init` for a \
             bank with an example blueprint",
        ),
    }
}

fn folder_given(folder: &Path) -> Error {
    let yaml_in = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut found: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml")
                }) && std::fs::read_to_string(p).is_ok_and(|t| t.contains("parts:"))
            })
            .collect();
        found.sort();
        found
    };
    let mut blueprints = yaml_in(&folder.join("exams"));
    if blueprints.is_empty() {
        blueprints = yaml_in(folder);
    }
    let error = Error::input(format!("{} is a folder, not a blueprint", folder.display()));
    match blueprints.first() {
        Some(first) => error.because(format!(
            "give a blueprint file, e.g. {}; blueprints there: {}",
            first.display(),
            blueprints
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => error.because(
            "a blueprint is a .yaml file with the paper's parts (docs/blueprint-format.md); put it in the bank's \
             exams/ folder and give its path, or run `examgen init` for a bank with an example blueprint",
        ),
    }
}

pub const LAYOUTS: &[&str] = &["a4", "a3-2col", "b4-2col", "b5", "16k"];

impl Blueprint {
    /// Reads the blueprint at `path`. The bank is not loaded here; `resolve_sections` checks quotas against it.
    pub fn load(path: &Path) -> Result<Blueprint> {
        if path.is_dir() {
            return Err(folder_given(path));
        }
        if !path.exists() {
            return Err(not_there(path));
        }
        let text = read_text(path, path).map_err(|d| {
            if d.message.starts_with("cannot read") {
                Error::input(format!("cannot read the blueprint {}", path.display()))
                    .because(d.message.trim_start_matches("cannot read the file: "))
            } else {
                Error::diagnostics(
                    format!("the blueprint {} is not readable", path.display()),
                    vec![d],
                )
            }
        })?;
        let digest = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let doc = YamlDoc::parse(path, text).map_err(|d| {
            Error::diagnostics(
                format!("the blueprint {} has errors", path.display()),
                vec![d],
            )
        })?;
        let mut diags = doc.check_keys(&doc.value, "", "a blueprint", BLUEPRINT_KEYS);
        if let Some(typography) = doc.value.get("typography") {
            diags.extend(doc.check_keys(typography, "typography", "typography", TYPOGRAPHY_KEYS));
        }
        let raw: Option<RawBlueprint> = match doc.deserialize(&doc.value, "") {
            Ok(raw) => Some(raw),
            Err(d) => {
                diags.push(d);
                None
            }
        };
        let mut parts = Vec::new();
        let mut target_facility = None;
        if let Some(raw) = &raw {
            target_facility = raw
                .target_facility
                .as_ref()
                .and_then(|v| read_target(&doc, v, "target_facility", &mut diags));
            if raw.parts.is_empty() {
                diags.push(doc.error_at("parts", "a blueprint needs at least one part"));
            }
            for (i, value) in raw.parts.iter().enumerate() {
                if let Some(part) = read_part(&doc, value, &format!("parts[{i}]"), &mut diags) {
                    parts.push(part);
                }
            }
            if let Some(density) = &raw.density
                && !DENSITIES.contains(&density.as_str())
            {
                diags.push(
                    doc.error_at("density", format!("unknown density `{density}`"))
                        .with_help(format!("known densities: {}", DENSITIES.join(", "))),
                );
            }
            let layout = raw.layout.clone().unwrap_or_else(|| "a4".into());
            if !LAYOUTS.contains(&layout.as_str()) {
                diags.push(
                    doc.error_at("layout", format!("unknown layout `{layout}`"))
                        .with_help(format!("known layouts: {}", LAYOUTS.join(", "))),
                );
            }
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Err(Error::diagnostics(
                format!("the blueprint {} has errors", path.display()),
                diags,
            ));
        }
        let raw = raw.expect("no errors means the blueprint deserialized");
        let dir = path.parent().unwrap_or(Path::new("."));
        let relative = |p: &str| {
            normalize(&if dir.as_os_str().is_empty() {
                PathBuf::from(p)
            } else {
                dir.join(p)
            })
        };
        Ok(Blueprint {
            path: path.to_path_buf(),
            digest,
            title: raw.title.trim().to_string(),
            subtitle: raw
                .subtitle
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            duration: raw.duration,
            bank: relative(raw.bank.as_deref().unwrap_or("..")),
            layout: raw.layout.unwrap_or_else(|| "a4".into()),
            notice: raw.notice,
            fonts: raw.fonts.as_deref().map(relative),
            templates: raw.templates.as_deref().map(relative),
            duplex: raw.duplex.unwrap_or(false),
            score_boxes: raw.score_boxes.unwrap_or(false),
            density: raw.density,
            autospace: raw.typography.and_then(|t| t.autospace).unwrap_or(true),
            target_facility,
            parts,
        })
    }

    /// Total points of a paper drawn from this blueprint, before per-question overrides.
    pub fn nominal_total(&self) -> Decimal {
        self.parts
            .iter()
            .map(|p| p.points * Decimal::from(p.count))
            .sum()
    }
}

/// `question-bank/exams/..` → `question-bank`, without touching the file system (paths stay relative).
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

fn read_part(
    doc: &YamlDoc,
    value: &Value,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Part> {
    let before = diags.len();
    diags.extend(doc.check_keys(value, path, "a blueprint part", PART_KEYS));
    let raw: RawPart = match doc.deserialize(value, path) {
        Ok(p) => p,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let at = |k: &str| join_path(path, k);
    if raw.count == 0 {
        diags.push(doc.error_at(&at("count"), "a part needs a count of at least 1"));
    }
    let points = match &raw.points {
        None => Decimal::ONE,
        Some(v) => match decimal(doc, v, &at("points")) {
            Some(p) if p > Decimal::ZERO => p,
            _ => {
                diags.push(
                    doc.error_at(&at("points"), "points must be a positive number")
                        .with_help("for example `points: 1` or `points: 0.5`"),
                );
                Decimal::ONE
            }
        },
    };
    let spread = match &raw.sections {
        None => Spread::Even,
        // The Chinese words a teacher would write for the three rules mean the same.
        Some(Value::String(s)) if matches!(s.trim(), "even" | "平均" | "均匀" | "平均分配") => {
            Spread::Even
        }
        Some(Value::String(s)) if matches!(s.trim(), "proportional" | "按比例" | "按题量") => {
            Spread::Proportional
        }
        Some(Value::String(s)) if matches!(s.trim(), "weighted" | "按权重" | "权重") => {
            Spread::Weighted(None)
        }
        Some(Value::Mapping(map))
            if map
                .values()
                .any(|v| v.as_str().is_some_and(|t| t.trim().ends_with('%'))) =>
        {
            read_weights(doc, map, &at("sections"), diags)
        }
        Some(Value::Mapping(map)) => {
            let mut quotas = Vec::new();
            for (k, v) in map {
                let id = k.as_str().unwrap_or_default().to_string();
                let n = v.as_u64().map(|n| n as usize);
                match n {
                    Some(n) => quotas.push((id, n)),
                    None => diags.push(doc.error_at(
                        &at(&format!("sections.{id}")),
                        format!("the quota for section `{id}` must be a whole number"),
                    )),
                }
            }
            let sum: usize = quotas.iter().map(|q| q.1).sum();
            if sum != raw.count {
                diags.push(
                    doc.error_at(
                        &at("sections"),
                        format!(
                            "the section quotas add up to {sum}, but count is {}",
                            raw.count
                        ),
                    )
                    .with_help("make the quotas add up to the part's count"),
                );
            }
            Spread::Quotas(quotas)
        }
        Some(_) => {
            diags.push(
                doc.error_at(
                    &at("sections"),
                    "sections must be `even`, `proportional`, `weighted`, or a mapping of section id to count or share",
                )
                .with_help("for example `sections: {cw: 10, vs: 12}` or `sections: {cw: 45%, vs: 55%}`"),
            );
            Spread::Even
        }
    };
    let difficulty = raw
        .difficulty
        .as_ref()
        .and_then(|v| read_difficulty(doc, v, &at("difficulty"), diags));
    let scoring = match &raw.scoring {
        None => Scoring::AllOrNothing,
        Some(v) => {
            diags.extend(doc.check_keys(v, &at("scoring"), "a scoring rule", &["partial"]));
            match v
                .get("partial")
                .and_then(|p| decimal(doc, p, &at("scoring.partial")))
            {
                Some(p)
                    if p > Decimal::ZERO && p < points && raw.kind == QuestionType::Multiple =>
                {
                    Scoring::Partial(p)
                }
                Some(_) if raw.kind != QuestionType::Multiple => {
                    diags.push(doc.error_at(
                        &at("scoring"),
                        "partial scoring applies to multiple-choice parts only",
                    ));
                    Scoring::AllOrNothing
                }
                _ => {
                    diags.push(
                        doc.error_at(
                            &at("scoring"),
                            "scoring.partial must be a positive number below the part's points",
                        )
                        .with_help("for example `scoring: {partial: 0.5}` with `points: 2`"),
                    );
                    Scoring::AllOrNothing
                }
            }
        }
    };
    let target_facility = raw
        .target_facility
        .as_ref()
        .and_then(|v| read_target(doc, v, &at("target_facility"), diags));
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    let title = raw
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| raw.kind.chinese_name().to_string());
    Some(Part {
        title,
        kind: raw.kind,
        count: raw.count,
        points,
        instructions: raw
            .instructions
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        spread,
        difficulty,
        tags: raw.tags,
        scoring,
        target_facility,
    })
}

/// `0.65 ± 0.03`, `0.65 +- 0.03`, `0.65 +/- 0.03`, or a bare `0.65` (± 0.03): a share strictly between 0 and 1
/// and a tolerance from 0 to 0.5.
fn read_target(
    doc: &YamlDoc,
    value: &Value,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<FacilityTarget> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let parsed = parse_target(&text);
    if parsed.is_none() {
        diags.push(
            doc.error_at(
                path,
                format!("`{}` is not a facility target", text.trim()),
            )
            .with_help("write the expected share of points and a tolerance, e.g. `target_facility: 0.65 ± 0.03` (or `0.65 +- 0.03`)"),
        );
    }
    parsed
}

pub fn parse_target(text: &str) -> Option<FacilityTarget> {
    let text = text.trim();
    let (value, tolerance) = match ["±", "+/-", "+-"]
        .iter()
        .find_map(|sep| text.split_once(sep))
    {
        Some((v, t)) => (v.trim().parse::<f64>().ok()?, t.trim().parse::<f64>().ok()?),
        None => (text.parse::<f64>().ok()?, DEFAULT_FACILITY_TOLERANCE),
    };
    (value > 0.0 && value < 1.0 && (0.0..=0.5).contains(&tolerance))
        .then_some(FacilityTarget { value, tolerance })
}

/// `{cpc20: 24%, xi-sw: 4%, ...}`: every share a percentage, together 100% (± 1 point for rounding).
fn read_weights(
    doc: &YamlDoc,
    map: &serde_yaml::Mapping,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Spread {
    let mut weights = Vec::new();
    for (k, v) in map {
        let id = k.as_str().unwrap_or_default().to_string();
        let share = v
            .as_str()
            .and_then(|t| t.trim().strip_suffix('%'))
            .and_then(|n| Decimal::from_str(n.trim()).ok())
            .filter(|w| *w >= Decimal::ZERO);
        match share {
            Some(w) => weights.push((id, w)),
            None => diags.push(
                doc.error_at(
                    &join_path(path, &id),
                    format!("the share of section `{id}` must be a percentage like `24%`"),
                )
                .with_help("write every section's share as a percentage, or every section's count as a whole number"),
            ),
        }
    }
    let sum: Decimal = weights.iter().map(|w| w.1).sum();
    if (sum - Decimal::ONE_HUNDRED).abs() > Decimal::ONE {
        diags.push(
            doc.error_at(path, format!("the section shares add up to {sum}%"))
                .with_help("make them add up to 100%"),
        );
    }
    Spread::Weighted(Some(weights))
}

fn decimal(doc: &YamlDoc, value: &Value, path: &str) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => doc
            .plain_scalar(path)
            .map_or_else(|| n.to_string(), str::to_string),
        Value::String(s) => typed::number_text(s, typed::POINT_UNITS),
        _ => return None,
    };
    Decimal::from_str(text.trim()).ok()
}

/// `{1: 20%, 2: 30%, ...}`: percentages (`20%`) or plain weights, normalised to shares.
fn read_difficulty(
    doc: &YamlDoc,
    value: &Value,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<[Decimal; 5]> {
    let Some(map) = value.as_mapping() else {
        diags.push(
            doc.error_at(path, "difficulty must map levels 1–5 to shares")
                .with_help("for example `difficulty: {1: 20%, 2: 30%, 3: 30%, 4: 15%, 5: 5%}`"),
        );
        return None;
    };
    let mut weights = [Decimal::ZERO; 5];
    for (k, v) in map {
        // Words as on a paper's 双向细目表 (`{易: 30%, 中: 50%, 难: 20%}`) name levels too.
        let level = k
            .as_u64()
            .filter(|l| (1..=5).contains(l))
            .or_else(|| k.as_str().and_then(typed::difficulty_level).map(u64::from));
        let key = k
            .as_u64()
            .map(|l| l.to_string())
            .unwrap_or_else(|| k.as_str().unwrap_or("?").to_string());
        let item = join_path(path, &key);
        let Some(level) = level else {
            diags.push(
                doc.error_at_key(&item, &key, format!("`{key}` is not a difficulty level"))
                    .with_help("levels are 1 to 5, or the words 易, 较易, 中, 较难, 难"),
            );
            continue;
        };
        let share = match v {
            Value::String(s) => s
                .trim()
                .strip_suffix('%')
                .and_then(|n| Decimal::from_str(n.trim()).ok()),
            other => decimal(doc, other, &item),
        };
        match share {
            Some(s) if s >= Decimal::ZERO => weights[level as usize - 1] = s,
            _ => diags.push(doc.error_at(
                &item,
                "a share must be a percentage like `20%` or a non-negative number",
            )),
        }
    }
    let sum: Decimal = weights.iter().sum();
    if sum.is_zero() {
        diags.push(doc.error_at(path, "the difficulty shares add up to zero"));
        return None;
    }
    Some(weights.map(|w| w / sum))
}

/// Exact per-level targets for `count` questions from shares, by largest remainder (ties to the lower level).
pub fn difficulty_targets(shares: &[Decimal; 5], count: usize) -> [usize; 5] {
    let exact: Vec<Decimal> = shares.iter().map(|s| *s * Decimal::from(count)).collect();
    let mut targets: [usize; 5] = [0; 5];
    for (i, e) in exact.iter().enumerate() {
        targets[i] = e.floor().try_into().unwrap_or(0);
    }
    let mut left = count - targets.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..5).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor())
            .cmp(&(exact[*a] - exact[*a].floor()))
            .then(a.cmp(b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        targets[i] += 1;
        left -= 1;
    }
    targets
}

/// Every key in `map` as text, for messages.
pub fn describe_mix(counts: &[usize; 5]) -> String {
    let parts: BTreeMap<usize, usize> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1, *c))
        .collect();
    parts
        .iter()
        .map(|(l, c)| format!("{l}: {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bank_folder_given_as_the_blueprint_names_its_blueprints() {
        let bank = tempfile::tempdir().unwrap();
        std::fs::create_dir(bank.path().join("exams")).unwrap();
        std::fs::write(
            bank.path().join("01-a.yaml"),
            "section: {id: a, title: 甲}\n",
        )
        .unwrap();
        let said = Blueprint::load(bank.path()).unwrap_err().render();
        assert!(
            said.contains("is a folder, not a blueprint") && said.contains("examgen init"),
            "{said}"
        );
        std::fs::write(
            bank.path().join("exams/期中.yaml"),
            "title: 期中\nparts: []\n",
        )
        .unwrap();
        let said = Blueprint::load(bank.path()).unwrap_err().render();
        assert!(said.contains("blueprints there: 期中.yaml"), "{said}");
    }

    #[test]
    fn a_blueprint_that_is_not_there_names_the_file_meant_or_the_missing_folder() {
        let bank = tempfile::tempdir().unwrap();
        let said = Blueprint::load(&bank.path().join("question-bank/exams/mock.yaml"))
            .unwrap_err()
            .render();
        let folder = bank.path().join("question-bank");
        assert!(
            said.contains("does not exist")
                && said.contains(&format!("there is no folder {} here", folder.display())),
            "{said}"
        );
        std::fs::create_dir_all(bank.path().join("exams")).unwrap();
        std::fs::write(
            bank.path().join("exams/期中 (1).yml"),
            "title: 期中\nparts: []\n",
        )
        .unwrap();
        let said = Blueprint::load(&bank.path().join("exams/期中（1）.yaml"))
            .unwrap_err()
            .render();
        assert!(said.contains("did you mean `期中 (1).yml`"), "{said}");
    }

    #[test]
    fn largest_remainder_targets_sum_to_count() {
        let shares = [20, 30, 30, 15, 5].map(|p| Decimal::from(p) / Decimal::from(100));
        assert_eq!(difficulty_targets(&shares, 60), [12, 18, 18, 9, 3]);
        assert_eq!(difficulty_targets(&shares, 7).iter().sum::<usize>(), 7);
        assert_eq!(difficulty_targets(&shares, 7), [2, 2, 2, 1, 0]);
    }

    #[test]
    fn facility_targets_read_as_teachers_write_them() {
        let t = |v, tol| {
            Some(FacilityTarget {
                value: v,
                tolerance: tol,
            })
        };
        assert_eq!(parse_target("0.65 ± 0.03"), t(0.65, 0.03));
        assert_eq!(parse_target("0.65 +- 0.03"), t(0.65, 0.03));
        assert_eq!(parse_target("0.7+/-0.05"), t(0.7, 0.05));
        assert_eq!(parse_target("0.6"), t(0.6, DEFAULT_FACILITY_TOLERANCE));
        for bad in ["65%", "1.2 ± 0.1", "0.6 ± 0.9", "0.6 ± x", ""] {
            assert_eq!(parse_target(bad), None, "{bad}");
        }
    }
}
