//! The start of every paper-making job: a blueprint, its bank and the draw made from them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::exam::draw::{self, Draw, DrawOptions, Variant};
use crate::input::bank::Bank;
use crate::input::blueprint::Blueprint;
use crate::input::manifest::{DrawDigest, Manifest, VariantRecord};

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
    /// The draw; its `variants` are empty when they are arranged as needed ([`Drawn::load_lazily`]).
    pub draw: Draw,
    /// The draw before arrangement, kept when the variants are arranged as needed.
    lazy: Option<draw::Plan>,
}

impl Drawn {
    /// Loads the blueprint and its bank and draws; warnings and a generated seed are reported on `err`.
    pub fn load(req: &DrawRequest, err: &mut dyn Write) -> Result<Drawn> {
        Drawn::load_as(req, err, false)
    }

    /// [`Drawn::load`], each variant arranged only when it is asked for ([`Drawn::variant`]) and not kept:
    /// a batch with a variant per student holds one student's variant at a time, not the class's.
    pub fn load_lazily(req: &DrawRequest, err: &mut dyn Write) -> Result<Drawn> {
        Drawn::load_as(req, err, true)
    }

    fn load_as(req: &DrawRequest, err: &mut dyn Write, lazily: bool) -> Result<Drawn> {
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
        let plan = draw::plan(&bank, &blueprint, &options)?;
        for w in &plan.warnings {
            let _ = writeln!(err, "warning: {w}");
        }
        let variants = if lazily {
            Vec::new()
        } else {
            (0..plan.variants())
                .map(|v| plan.arrange(&bank, &blueprint, v))
                .collect()
        };
        let draw = Draw {
            seed: plan.seed,
            distinct: plan.distinct,
            variants,
            warnings: plan.warnings.clone(),
        };
        Ok(Drawn {
            lazy: lazily.then_some(plan),
            bank,
            blueprint,
            draw,
        })
    }

    /// How many variants the draw has.
    pub fn variant_count(&self) -> usize {
        self.lazy
            .as_ref()
            .map_or(self.draw.variants.len(), |plan| plan.variants())
    }

    /// Variant `v`: the drawn one, or arranged now when the variants are arranged as needed.
    pub fn variant(&self, v: usize) -> Cow<'_, Variant> {
        match &self.lazy {
            Some(plan) => Cow::Owned(plan.arrange(&self.bank, &self.blueprint, v)),
            None => Cow::Borrowed(&self.draw.variants[v]),
        }
    }

    /// Variant `v`'s manifest record (without sheet geometry).
    pub fn variant_record(&self, v: usize) -> VariantRecord {
        draw::record::variant_record(&self.bank, &self.variant(v))
    }

    /// The manifest without its variants and students ([`crate::exam::draw::record::head`]).
    pub fn manifest_head(&self) -> Manifest {
        let total = self.variant(0).total_points();
        draw::record::head(
            &self.bank,
            &self.blueprint,
            self.draw.seed,
            self.draw.distinct,
            total,
        )
    }

    /// The draw's fingerprint ([`Manifest::draw_digest`]), made one variant at a time.
    pub fn draw_digest(&self) -> String {
        let mut digest = DrawDigest::new(&self.manifest_head());
        for v in 0..self.variant_count() {
            digest.add(&self.variant_record(v));
        }
        digest.finish()
    }

    /// The whole manifest, every variant in it (arranged now when they are arranged as needed).
    pub fn manifest(&self) -> Manifest {
        Manifest {
            variants: (0..self.variant_count())
                .map(|v| self.variant_record(v))
                .collect(),
            ..self.manifest_head()
        }
    }

    /// The draw as text: per variant, every question's number, id, section, difficulty and answer.
    pub fn listing(&self) -> String {
        let Drawn {
            bank,
            blueprint,
            draw,
            ..
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
        return Ok(manifest.used_ids().into_iter().collect());
    }
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}
