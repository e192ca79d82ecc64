//! Bringing questions in and out of other tools: spreadsheet import, CSV, Moodle XML and GIFT export,
//! and the skeleton of a new bank.

pub mod csv;
pub mod gift;
pub mod import;
mod import_images;
pub mod moodle;
mod moodle_html;
pub mod skeleton;
