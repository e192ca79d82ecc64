//! examgen: YAML question bank → randomised, section-balanced Chinese exam papers, keys and handouts.
//!
//! The folders are the stages, and data flows one way, down this list; a module imports only from the
//! layers above it in the list, never from a later one:
//!
//! 1. [`diag`], [`error`], [`util`] — located problems; the one error type; files, threads, CSV writing and
//!    character classes; [`math`] — LaTeX formulas in bank text: parsed, laid out in the math font, as OMML.
//! 2. [`input`] — everything a teacher types: YAML with spans, the bank, blueprints, manifests, rosters, tables.
//! 3. [`exam`] — what is decided about an exam: seeded dice, the draw, grading and item analysis, bank stats.
//! 4. [`model`] — the data templates see: paper, handout and grade report.
//! 5. [`render`] — templates → page markup → layout (positioned boxes, no PDF types) → PDF.
//! 6. [`interchange`] — questions in and out of other tools: spreadsheet import, CSV, Moodle XML, GIFT.
//! 7. [`workflow`] — whole jobs that chain the stages and return the files to write: paper sets, class
//!    batches, answer sheets, handouts, grade reports.
//! 8. [`cli`] and [`commands`] — argument parsing and one thin module per subcommand.

pub mod diag;
pub mod error;
pub mod math;
pub mod util;

pub mod input;

pub mod exam;

pub mod model;

pub mod render;

pub mod interchange;

pub mod workflow;

pub mod cli;
pub mod commands;
