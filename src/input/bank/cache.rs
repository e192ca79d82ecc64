//! The validated bank kept in `.examgen-cache/` inside the bank folder, so a second run on an unchanged
//! bank reads one file instead of parsing and checking every section again.
//!
//! A cache file holds what loading and checking the section files produced — sections, notes, questions,
//! answer-leak pairs, the digest and the warnings exactly as a fresh run made them — under a key of the
//! cache format, examgen's version and build, the bank folder as written (paths in messages depend on
//! it) and the SHA-256 over every section file's name and bytes. A file whose checksum, key or encoding
//! does not match is ignored and rewritten; it is never trusted. Figures are checked on every run (their
//! image files are not part of the key), and a bank with errors is never cached.
//!
//! The folder ignores itself for git (its own `.gitignore` of `*`) and carries a `CACHEDIR.TAG`, so it
//! is neither committed nor backed up. Where it cannot be written (a read-only bank, a full disk) the
//! run goes on uncached. `--no-cache` or `EXAMGEN_NO_CACHE=1` bypasses it: nothing is read or written.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Note, Question, Section};
use crate::diag::Diagnostic;

/// The cache folder inside a bank folder (hidden, so it is never read as a section).
pub const DIR: &str = ".examgen-cache";
/// Set by `--no-cache`; `EXAMGEN_NO_CACHE` (any value but empty or `0`) does the same.
pub const ENV_OFF: &str = "EXAMGEN_NO_CACHE";
/// Bumped whenever what is stored, or how, changes: an older file then simply misses.
const FORMAT: u32 = 2;
const MAGIC: &[u8] = b"examgen bank cache\n";

static DISABLED: AtomicBool = AtomicBool::new(false);

/// Turns the cache off for the rest of the process (`--no-cache`).
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

fn enabled() -> bool {
    !DISABLED.load(Ordering::Relaxed)
        && std::env::var_os(ENV_OFF).is_none_or(|v| v.is_empty() || v == "0")
}

/// What a cache file must match to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Key {
    format: u32,
    /// examgen's version, and its executable's size and modification time: a rebuilt examgen may check
    /// differently under the same version number.
    examgen: String,
    build: String,
    /// The bank folder as the user wrote it: every path in a message starts with it.
    root: String,
    /// SHA-256 over every section file's name and bytes (`Bank::digest`).
    digest: String,
}

impl Key {
    pub(super) fn new(root: &Path, digest: &str) -> Key {
        Key {
            format: FORMAT,
            examgen: env!("CARGO_PKG_VERSION").to_string(),
            build: build_id(),
            root: root.to_string_lossy().into_owned(),
            digest: digest.to_string(),
        }
    }
}

/// The running executable's size and modification time; empty when they cannot be read.
fn build_id() -> String {
    let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    else {
        return String::new();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{}:{modified}", meta.len())
}

/// A validated bank as stored, before its figures are checked.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Cached {
    pub sections: Vec<Section>,
    pub notes: Vec<Note>,
    pub questions: Vec<Question>,
    pub leaks: Vec<(usize, usize)>,
    /// Every diagnostic of loading and checking the files (warnings only: a bank with errors is not stored).
    pub warnings: Vec<Diagnostic>,
}

/// The same, borrowed, for writing.
#[derive(Serialize)]
pub(super) struct CachedRef<'a> {
    pub sections: &'a [Section],
    pub notes: &'a [Note],
    pub questions: &'a [Question],
    pub leaks: &'a [(usize, usize)],
    pub warnings: &'a [Diagnostic],
}

/// The cache file for a bank folder written as `root`: one per spelling of the folder, since the paths in
/// its messages differ.
pub fn file_for(root: &Path) -> PathBuf {
    let spelling = Sha256::digest(root.as_os_str().as_encoded_bytes());
    let name: String = spelling[..8].iter().map(|b| format!("{b:02x}")).collect();
    root.join(DIR).join(format!("bank-{name}.bin"))
}

/// The cached bank for `key`, if a sound cache file for exactly that key exists.
pub(super) fn load(root: &Path, key: &Key) -> Option<Cached> {
    if !enabled() {
        return None;
    }
    let bytes = std::fs::read(file_for(root)).ok()?;
    decode(&bytes, key)
}

fn decode(bytes: &[u8], key: &Key) -> Option<Cached> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (sum, payload) = rest.split_at_checked(32)?;
    if Sha256::digest(payload).as_slice() != sum {
        return None;
    }
    let (stored, body): (Key, &[u8]) = postcard::take_from_bytes(payload).ok()?;
    if stored != *key {
        return None;
    }
    postcard::from_bytes(body).ok()
}

fn encode(key: &Key, bank: &CachedRef) -> Option<Vec<u8>> {
    let mut payload = postcard::to_stdvec(key).ok()?;
    payload.extend(postcard::to_stdvec(bank).ok()?);
    let mut out = Vec::with_capacity(MAGIC.len() + 32 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend(payload);
    Some(out)
}

/// Stores a validated bank; any failure (a read-only folder, a full disk) leaves the run uncached.
pub(super) fn save(root: &Path, key: &Key, bank: &CachedRef) {
    if !enabled() {
        return;
    }
    let Some(bytes) = encode(key, bank) else {
        return;
    };
    let _ = write(root, &bytes);
}

fn write(root: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = root.join(DIR);
    if !dir.is_dir() {
        std::fs::create_dir(&dir)?;
        // The folder keeps itself out of git and of backups, whatever the bank's own .gitignore says.
        std::fs::write(
            dir.join(".gitignore"),
            "# examgen's cache of this bank; safe to delete\n*\n",
        )?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n\
             # This file is a cache directory tag created by examgen.\n",
        )?;
    }
    // Written beside and renamed into place, so a reader never sees half a file; with the usual
    // permissions (not a temporary file's owner-only ones), so a colleague sharing the bank can read it.
    let tmp = dir.join(format!(".tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, file_for(root)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(digest: &str) -> Key {
        Key::new(Path::new("bank"), digest)
    }

    fn empty() -> CachedRef<'static> {
        CachedRef {
            sections: &[],
            notes: &[],
            questions: &[],
            leaks: &[(1, 2)],
            warnings: &[],
        }
    }

    #[test]
    fn a_file_decodes_only_under_its_own_key() {
        let bytes = encode(&key("abc"), &empty()).unwrap();
        assert_eq!(decode(&bytes, &key("abc")).unwrap().leaks, vec![(1, 2)]);
        assert!(decode(&bytes, &key("abd")).is_none());
        let other_version = Key {
            examgen: "0.0.0-other".into(),
            ..key("abc")
        };
        assert!(decode(&bytes, &other_version).is_none());
        let other_spelling = Key::new(Path::new("./bank"), "abc");
        assert!(decode(&bytes, &other_spelling).is_none());
    }

    #[test]
    fn a_damaged_or_foreign_file_is_never_trusted() {
        let bytes = encode(&key("abc"), &empty()).unwrap();
        for i in [0, MAGIC.len(), MAGIC.len() + 40, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            assert!(decode(&bad, &key("abc")).is_none(), "byte {i} flipped");
        }
        assert!(decode(&bytes[..bytes.len() - 1], &key("abc")).is_none());
        assert!(decode(b"", &key("abc")).is_none());
        assert!(decode(b"section:\n  id: x\n", &key("abc")).is_none());
    }
}
