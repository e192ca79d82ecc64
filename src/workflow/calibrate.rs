//! `examgen calibrate` as a job: pools graded exams into each question's measured facility, discrimination
//! and sample size (`.calibration.yaml` beside the bank's files), and reports the questions that look
//! miskeyed (negative discrimination) and those far from their labelled difficulty.
//!
//! Pooling: p by counts (full-credit students summed over exams ÷ students summed). Discrimination is the
//! n-weighted mean of each exam's own value: it compares the top and bottom 27% *by total on that paper*,
//! and totals of different papers are not on one scale, so one ranking over the pooled students would
//! mean nothing. The per-exam values are exactly what `grade` reports (the same item analysis code).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::exam::grade::item_analysis;
use crate::input::bank::Bank;
use crate::input::calibration::{
    CALIBRATION_FORMAT, Calibration, MIN_SAMPLE, Measured, path_in, prior_facility,
};
use crate::input::manifest::slash_path;
use crate::workflow::graded::GradedClass;

/// How far measured p may sit from the prior of its label before the report lists it.
pub const FAR_FROM_LABEL: f64 = 0.25;
/// Fewer students than this say too little about a label to list it as far off.
pub const MIN_SAMPLE_FOR_LABEL: usize = 10;

pub struct CalibrateRequest<'a> {
    pub grades: &'a [PathBuf],
    /// The bank to calibrate; None: the bank of the first exam's manifest.
    pub bank: Option<&'a Path>,
}

/// A pooled calibration: the file to write and the report to print.
pub struct Calibrated {
    pub path: PathBuf,
    pub calibration: Calibration,
    pub report: String,
    /// Questions graded but no longer in the bank (left out of the file).
    pub unknown: Vec<String>,
}

#[derive(Default)]
struct Pool {
    marked: usize,
    full: usize,
    weighted_discrimination: f64,
}

/// Pools the exams and builds the file and the report; nothing is written.
pub fn calibrate(req: &CalibrateRequest) -> Result<Calibrated> {
    let mut pools: BTreeMap<String, Pool> = BTreeMap::new();
    let mut bank_path: Option<PathBuf> = req.bank.map(Path::to_path_buf);
    let mut students = 0;
    for dir in req.grades {
        let class = GradedClass::load(dir, None)?;
        if bank_path.is_none() {
            let as_written = PathBuf::from(&class.manifest.bank.path);
            let beside = class
                .manifest_path
                .parent()
                .map(|p| p.join(&class.manifest.bank.path));
            bank_path = [Some(as_written), beside]
                .into_iter()
                .flatten()
                .find(|p| p.is_dir());
            if bank_path.is_none() {
                return Err(Error::input(format!(
                    "the bank {} of {} is not there",
                    class.manifest.bank.path,
                    class.manifest_path.display()
                ))
                .because("pass it with --bank DIR"));
            }
        }
        students += class.grading.students.len();
        for item in item_analysis(&class.manifest, &class.grading) {
            let marked = item.n - item.unmarked;
            if marked == 0 {
                continue;
            }
            let pool = pools.entry(item.id.clone()).or_default();
            pool.marked += marked;
            // facility is full ÷ marked; times marked it is the count again.
            pool.full += (item.facility * marked as f64).round() as usize;
            pool.weighted_discrimination += item.discrimination * marked as f64;
        }
    }
    let bank_path = bank_path.expect("at least one grades folder");
    let bank = Bank::load(&bank_path)?;
    let mut calibration = Calibration {
        format: CALIBRATION_FORMAT.into(),
        sources: req.grades.iter().map(|d| slash_path(d)).collect(),
        questions: BTreeMap::new(),
    };
    let mut unknown = Vec::new();
    for (id, pool) in pools {
        if bank.question(&id).is_none() {
            unknown.push(id);
            continue;
        }
        calibration.questions.insert(
            id,
            Measured {
                n: pool.marked,
                p: pool.full as f64 / pool.marked as f64,
                discrimination: pool.weighted_discrimination / pool.marked as f64,
            },
        );
    }
    let report = report(&bank, &calibration, req.grades.len(), students);
    Ok(Calibrated {
        path: path_in(&bank_path),
        calibration,
        report,
        unknown,
    })
}

/// The report: negative discrimination worst first, then measured p far from the label's prior.
fn report(bank: &Bank, c: &Calibration, exams: usize, students: usize) -> String {
    let mut out = format!(
        "{} question(s) measured from {exams} graded exam(s), {students} student(s); a measured p steers draws from n ≥ {MIN_SAMPLE}\n",
        c.questions.len()
    );
    let mut negative: Vec<(&String, &Measured)> = c
        .questions
        .iter()
        .filter(|(_, m)| m.discrimination < 0.0)
        .collect();
    negative.sort_by(|a, b| {
        a.1.discrimination
            .total_cmp(&b.1.discrimination)
            .then(a.0.cmp(b.0))
    });
    out.push_str(&format!(
        "\nnegative discrimination — strong students missed what weak ones got right; check the key and the stem ({}):\n",
        negative.len()
    ));
    if negative.is_empty() {
        out.push_str("  none\n");
    }
    for (id, m) in &negative {
        let q = bank.question(id).expect("calibrated ids are in the bank");
        out.push_str(&format!(
            "  {id:<14} discrimination {:+.2}  p {:.2}  n {:<4} key {}\n",
            m.discrimination,
            m.p,
            m.n,
            q.answer_text().lines().next().unwrap_or("")
        ));
    }
    let mut far: Vec<(&String, &Measured, u8, f64)> = c
        .questions
        .iter()
        .filter(|(_, m)| m.n >= MIN_SAMPLE_FOR_LABEL)
        .filter_map(|(id, m)| {
            let d = bank.question(id)?.difficulty;
            let gap = m.p - prior_facility(d);
            (gap.abs() >= FAR_FROM_LABEL).then_some((id, m, d, gap))
        })
        .collect();
    far.sort_by(|a, b| b.3.abs().total_cmp(&a.3.abs()).then(a.0.cmp(b.0)));
    out.push_str(&format!(
        "\nfar from the labelled difficulty (measured p at least {FAR_FROM_LABEL} from the label's prior, n ≥ {MIN_SAMPLE_FOR_LABEL}) ({}):\n",
        far.len()
    ));
    if far.is_empty() {
        out.push_str("  none\n");
    }
    for (id, m, d, gap) in far {
        out.push_str(&format!(
            "  {id:<14} difficulty {d} (prior p {:.2})  measured p {:.2}  n {:<4} {}\n",
            prior_facility(d),
            m.p,
            m.n,
            if gap > 0.0 {
                "easier than labelled"
            } else {
                "harder than labelled"
            }
        ));
    }
    out
}
