//! The start of every paper-making job: a blueprint, its bank and the draw made from them.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::exam::draw::{self, Draw, DrawOptions};
use crate::input::bank::Bank;
use crate::input::blueprint::Blueprint;
use crate::input::manifest::Manifest;

/// What to draw: the command line's draw arguments, without the command line.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    pub blueprint: PathBuf,
    pub seed: Option<u64>,
    pub variants: usize,
    pub distinct: bool,
    pub exclude_used: Vec<PathBuf>,
}

/// A blueprint, its bank and the draw made from them.
pub struct Drawn {
    pub bank: Bank,
    pub blueprint: Blueprint,
    pub draw: Draw,
}

impl Drawn {
    /// Loads the blueprint and its bank and draws; warnings and a generated seed are reported on `err`.
    pub fn load(req: &DrawRequest, err: &mut dyn Write) -> Result<Drawn> {
        let blueprint = Blueprint::load(&req.blueprint)?;
        let bank = Bank::load(&blueprint.bank).map_err(|e| {
            let message = format!(
                "{} (the bank of blueprint {})",
                e.message,
                req.blueprint.display()
            );
            Error { message, ..e }
        })?;
        print_warnings(&bank, err);
        let mut exclude = HashSet::new();
        for file in &req.exclude_used {
            exclude.extend(read_used_ids(file)?);
        }
        let seed = match req.seed {
            Some(seed) => seed,
            None => {
                let seed = crate::exam::dice::random_seed();
                let _ = writeln!(
                    err,
                    "seed: {seed} (pass --seed {seed} to draw the same paper again)"
                );
                seed
            }
        };
        let options = DrawOptions {
            seed,
            variants: req.variants,
            distinct: req.distinct,
            exclude,
        };
        let draw = draw::draw(&bank, &blueprint, &options)?;
        for w in &draw.warnings {
            let _ = writeln!(err, "warning: {w}");
        }
        Ok(Drawn {
            bank,
            blueprint,
            draw,
        })
    }

    pub fn manifest(&self) -> Manifest {
        crate::exam::draw::record::manifest(&self.bank, &self.blueprint, &self.draw)
    }

    /// The draw as text: per variant, every question's number, id, section, difficulty and answer.
    pub fn listing(&self) -> String {
        let Drawn {
            bank,
            blueprint,
            draw,
        } = self;
        let mut out = String::new();
        let total = draw.variants[0].total_points();
        out.push_str(&format!(
            "{}\nseed {}, {} variant(s){}, {} questions, {} points\n",
            blueprint.title,
            draw.seed,
            draw.variants.len(),
            if draw.distinct {
                " with distinct questions"
            } else {
                ""
            },
            draw.variants[0].questions().count(),
            total.normalize()
        ));
        // With a facility target or a calibrated bank, what the class is expected to score.
        let asks = blueprint.target_facility.is_some()
            || blueprint.parts.iter().any(|p| p.target_facility.is_some());
        let calibration = crate::input::calibration::Calibration::read(&bank.root)
            .ok()
            .flatten();
        if asks || calibration.is_some() {
            let p = crate::exam::draw::facility::expected_facilities(
                bank,
                &calibration.unwrap_or_default(),
            );
            for v in &draw.variants {
                let mean = crate::exam::draw::facility::expected_mean(v, &p);
                let total = v.total_points().to_string().parse::<f64>().unwrap_or(0.0);
                out.push_str(&format!(
                    "variant {}: expected mean score {mean:.1} of {} points (facility {:.3})\n",
                    v.label,
                    v.total_points().normalize(),
                    if total > 0.0 { mean / total } else { 0.0 }
                ));
            }
        }
        for v in &draw.variants {
            out.push_str(&format!("\n== variant {} ==\n", v.label));
            for part in &v.parts {
                let p = &blueprint.parts[part.part];
                out.push_str(&format!(
                    "{} ({} × {} points)\n",
                    p.title,
                    part.questions.len(),
                    p.points.normalize()
                ));
                for dq in &part.questions {
                    let q = &bank.questions[dq.question];
                    let answer = crate::input::bank::answer_text(&dq.answer).replace('\n', " / ");
                    let answer: String = answer.chars().take(40).collect();
                    out.push_str(&format!(
                        "{:>4}  {:<14} {:<8} d{}  {}\n",
                        dq.number, q.id, bank.sections[q.section].id, q.difficulty, answer
                    ));
                }
            }
        }
        out
    }
}

/// Prints a bank's warnings; they are advice, so failing to print them must not fail the command.
pub fn print_warnings(bank: &Bank, err: &mut dyn Write) {
    if !bank.warnings.is_empty() {
        let _ = writeln!(err, "{}", crate::diag::render_all(&bank.warnings));
    }
}

/// Question ids from a manifest.json, or from a text file with one id per line (`#` starts a comment).
fn read_used_ids(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io("read the list of used questions", path, e))?;
    if text.trim_start().starts_with('{') {
        let manifest = Manifest::read(path)?;
        return Ok(manifest.used_ids().map(str::to_string).collect());
    }
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}
