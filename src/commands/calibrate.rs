//! `examgen calibrate`: pools graded exams into the bank's `.calibration.yaml` and prints what to check.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::write_failed;
use crate::error::Result;
use crate::workflow::calibrate::{CalibrateRequest, calibrate};

pub fn run(
    grades: &[PathBuf],
    bank: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let calibrated = calibrate(&CalibrateRequest { grades, bank })?;
    if !calibrated.unknown.is_empty() {
        let _ = writeln!(
            err,
            "warning: {} graded question(s) are no longer in the bank and were left out: {}",
            calibrated.unknown.len(),
            calibrated.unknown.join(", ")
        );
    }
    crate::util::fs::write_atomically(
        &calibrated.path,
        calibrated.calibration.to_yaml().as_bytes(),
    )?;
    writeln!(out, "wrote {}", calibrated.path.display()).map_err(write_failed)?;
    out.write_all(calibrated.report.as_bytes())
        .map_err(write_failed)
}
