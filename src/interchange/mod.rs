//! Bringing questions in and out of other tools: spreadsheet import, CSV, Moodle XML and GIFT export,
//! and the skeleton of a new bank.

pub mod csv;
pub mod gift;
pub mod import;
pub mod moodle;
pub mod skeleton;
