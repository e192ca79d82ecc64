//! Whole jobs that chain the stages (draw → model → render) and hand back the files to write.

pub mod batch;
