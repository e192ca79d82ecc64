//! `manifest.json`: the record of a generated set — which bank, blueprint and seed, and per variant every
//! question with its printed option order and answer. Grading reads it. Format: docs/manifest.md.
//!
//! One way down, no circles: `question` records a printed question and a part; `compact` holds a
//! variant's questions compactly and spells them as `examgen-manifest/2` does; `record` is the manifest
//! those make up; `read` reads it as it streams in and `write` writes it, whole or record by record.

mod compact;
mod question;
mod read;
mod record;
mod write;

use std::path::Path;

pub use compact::Questions;
pub use question::{PartInfo, QuestionRecord};
pub use record::{
    BankRef, BlueprintRef, DrawDigest, MANIFEST_FORMAT, MANIFEST_FORMAT_COMPACT, Manifest,
    StudentRecord, VariantRecord,
};
pub use write::{SharedSheets, VariantSpill, element_json};

/// A path as written on any system: forward slashes.
pub fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
