//! Writing CSV for spreadsheets: UTF-8 with a BOM so Excel reads Chinese, and no cell Excel would run as a formula.

/// A CSV cell safe from formula injection: a leading = + - @ (or tab/CR) is neutralised with a quote.
pub fn csv_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
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
        assert_eq!(csv_safe("-2"), "'-2");
        assert_eq!(csv_safe("张三"), "张三");
        assert!(write_csv(&[vec!["a".into()]]).starts_with(b"\xEF\xBB\xBF"));
    }
}
