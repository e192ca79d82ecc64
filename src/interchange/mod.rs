//! Bringing questions in and out of other tools: spreadsheet import, CSV, Moodle XML and GIFT export,
//! Word, Moodle XML and GIFT import, and the skeleton of a new bank.

pub mod csv;
pub mod docx_import;
pub mod drafts;
pub mod gift;
pub mod gift_import;
pub mod import;
mod import_images;
pub mod moodle;
mod moodle_html;
pub mod moodle_import;
pub mod skeleton;

// What Moodle's two formats share, so neither exporter leans on the other.

/// A Moodle category path: levels joined by `/`, a `/` inside a name doubled.
pub fn category_path(levels: &[&str]) -> String {
    levels
        .iter()
        .map(|l| l.replace('/', "//"))
        .collect::<Vec<_>>()
        .join("/")
}

/// Moodle's fractions for k correct options: equal shares that sum to 100 within Moodle's tolerance.
pub fn moodle_fraction(k: usize) -> String {
    let share = 100.0 / k as f64;
    let text = format!("{share:.5}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
