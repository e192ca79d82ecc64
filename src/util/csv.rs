//! Writing CSV for spreadsheets: UTF-8 with a BOM so Excel reads Chinese, and no cell Excel would run as a
//! formula — but a number stays a number, and reading a cell back undoes the guard, so export → import is
//! lossless.

/// Characters that make a spreadsheet read a cell as a formula.
fn starts_formula(cell: &str) -> bool {
    matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// `-1`, `+5`, `-0.5`: a plain number, which no spreadsheet runs as a formula.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// A CSV cell safe from formula injection: a leading = + - @ (or tab/CR) is neutralised with a `'`, unless
/// the cell is a plain number. A cell that already starts with `'` before such a character gets one more,
/// so [`unguard`] always gives back exactly what was written.
pub fn csv_safe(cell: &str) -> String {
    let guarded = (starts_formula(cell) && !is_number(cell))
        || cell
            .strip_prefix('\'')
            .is_some_and(|rest| starts_formula(rest) || rest.starts_with('\''));
    if guarded {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Undoes [`csv_safe`] on a cell read back: one leading `'` before a formula character or another `'` goes.
pub fn unguard(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) || rest.starts_with('\'') => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// Writes CSV rows as UTF-8 with a BOM (so Excel opens Chinese text correctly), every cell made safe.
pub fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        let safe: Vec<String> = row.iter().map(|c| csv_safe(c)).collect();
        writer
            .write_record(&safe)
            .expect("writing CSV to memory cannot fail");
    }
    writer
        .into_inner()
        .expect("writing CSV to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_start_formulas() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("-2+3"), "'-2+3");
        assert_eq!(csv_safe("-A1"), "'-A1");
        assert_eq!(csv_safe("张三"), "张三");
        assert!(write_csv(&[vec!["a".into()]]).starts_with(b"\xEF\xBB\xBF"));
    }

    #[test]
    fn numbers_stay_numbers_and_every_cell_reads_back_as_written() {
        for n in ["-1", "+5", "-0.5", "12"] {
            assert_eq!(csv_safe(n), n);
        }
        for cell in [
            "=1+1", "-1", "+5", "-2+3", "'=x", "''=x", "'", "'a", "-", "+", "a'=b", "",
        ] {
            assert_eq!(unguard(&csv_safe(cell)), cell, "{cell:?}");
        }
    }
}
