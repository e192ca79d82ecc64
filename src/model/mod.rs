//! The data the templates see: a paper with its key and review, a handout, a grade report.

pub mod handout;
pub mod paper;
pub mod report;
pub mod review_book;
pub mod rich;
