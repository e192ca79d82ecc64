//! The integration tests, in one binary (one link instead of ten): each module tests one command or
//! stage through the built `examgen` binary or the library, on fixtures in tests/fixtures.

mod util;

mod bank_cache;
mod batch;
mod calibrate;
mod check;
mod docx;
mod docx_figures;
mod docx_schema;
mod draw;
mod export;
mod figures;
mod formats;
mod formulas;
mod grade;
mod grade_input;
mod handout;
mod integrity;
mod interchange;
mod loader_fuzz;
mod old_manifests;
mod output;
mod paper;
mod review_book;
mod scan;
mod scan_field;
mod scan_marks;
mod scan_pages;
mod scan_synth;
mod shipped_bank;
mod stamp;
mod teacher_files;
mod trust;
mod trust_tables;
mod word_import;
