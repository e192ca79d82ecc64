//! Writing output files so that a failed run changes nothing: one file through a temporary beside it,
//! a whole run's files through a staging folder beside the output folder, moved into place together.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The folder a file lands in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Refuses an output folder that is an existing file: the user's mistake, named with its path.
pub fn check_output_folder(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "-o {}: that is a file, not a folder",
            dir.display()
        ))
        .because("give a folder for the output (it is created if missing)"));
    }
    Ok(())
}

/// Refuses an output file that is an existing folder.
pub fn check_output_file(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::input(format!(
            "-o {}: that is a folder, not a file",
            path.display()
        ))
        .because("give the name of the file to write, e.g. -o bank.xml"));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so a failed run never leaves a
/// half-written file behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    check_output_file(path)?;
    let dir = parent_of(path);
    if dir.exists() && !dir.is_dir() {
        return Err(Error::input(format!(
            "-o {}: {} is a file, not a folder",
            path.display(),
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::output("create the output folder", dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::output("create a temporary file in", dir, e))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| Error::output("write", path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::output("write", path, e))?;
    make_readable(tmp.as_file());
    tmp.persist(path)
        .map_err(|e| Error::output("write", path, e.error))?;
    Ok(())
}

/// Temporary files are private (0600); a finished paper is an ordinary file others may print.
fn make_readable(file: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Writes every file of one run under `dir` so that they land together: all are written into a staging
/// folder beside `dir` (same file system, so moving is a rename), and only when every one is complete are
/// they moved into place. A full disk or a refused file therefore leaves `dir` as it was, and papers,
/// keys and manifest.json never come from different runs. Should a move fail half-way, the files already
/// replaced are put back.
pub fn write_run(dir: &Path, files: &[(&Path, &[u8])]) -> Result<()> {
    check_output_folder(dir)?;
    for (path, _) in files {
        relative_in(dir, path)?;
    }
    if files.is_empty() {
        return std::fs::create_dir_all(dir)
            .map_err(|e| Error::output("create the output folder", dir, e));
    }
    let run = StagedRun::new(dir)?;
    for (path, bytes) in files {
        run.write(path, bytes)?;
    }
    run.commit()
}

/// A run's files written one by one as they are made, into a staging folder beside the output folder, and
/// moved into place together by [`StagedRun::commit`]. Dropped without a commit (an error, a panic), the
/// staging folder goes with everything in it, so a failed run leaves the output folder exactly as it was
/// and never a half-written file in it. A class batch streams thousands of files through one of these.
pub struct StagedRun {
    dir: PathBuf,
    staging: tempfile::TempDir,
    /// Every file written, relative to `dir`.
    files: std::sync::Mutex<Vec<PathBuf>>,
}

impl StagedRun {
    pub fn new(dir: &Path) -> Result<StagedRun> {
        check_output_folder(dir)?;
        Ok(StagedRun {
            dir: dir.to_path_buf(),
            staging: staging_folder(dir)?,
            files: Default::default(),
        })
    }

    /// Writes `bytes` as `path` (a file under the output folder) into the staging folder, complete and
    /// synced before this returns. Any thread may write.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(path)?;
        std::io::Write::write_all(&mut file, bytes).map_err(|e| Error::output("write", path, e))?;
        self.close(path, file)
    }

    /// Opens `path` (a file under the output folder) in the staging folder, for a file written piece by
    /// piece (a print file); hand it back to [`StagedRun::close`] when it is complete.
    pub fn create(&self, path: &Path) -> Result<std::fs::File> {
        let rel = relative_in(&self.dir, path)?;
        let staged = self.staging.path().join("new").join(&rel);
        std::fs::create_dir_all(parent_of(&staged)).map_err(|e| Error::output("write", path, e))?;
        let file = std::fs::File::create(&staged).map_err(|e| Error::output("write", path, e))?;
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel);
        Ok(file)
    }

    /// A scratch file in the staging folder, never moved into the output folder: it is gone once closed
    /// (or when the run fails), and lies on the same disk as the run's files.
    pub fn scratch(&self) -> Result<std::fs::File> {
        tempfile::tempfile_in(self.staging.path())
            .map_err(|e| Error::output("write into", self.staging.path(), e))
    }

    /// A file opened by [`StagedRun::create`], synced and made readable.
    pub fn close(&self, path: &Path, file: std::fs::File) -> Result<()> {
        file.sync_all()
            .map_err(|e| Error::output("write", path, e))?;
        make_readable(&file);
        Ok(())
    }

    /// Moves every file into the output folder: each old file goes aside first, so a failure restores
    /// the folder exactly.
    pub fn commit(self) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::output("create the output folder", &self.dir, e))?;
        let mut files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        // Written from several threads: moved in name order, the same on every run.
        files.sort();
        let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        for rel in &files {
            let path = self.dir.join(rel);
            if let Err(e) = move_in(self.staging.path(), rel, &path, &mut done) {
                roll_back(&done);
                return Err(e);
            }
        }
        Ok(())
    }
}

/// `path` relative to the output folder `dir`: an internal error when it lies outside, bad input when a
/// folder already has its name.
fn relative_in(dir: &Path, path: &Path) -> Result<PathBuf> {
    let rel = path.strip_prefix(dir).map_err(|_| {
        Error::internal(format!(
            "{} is outside the output folder {}",
            path.display(),
            dir.display()
        ))
    })?;
    if path.is_dir() {
        return Err(Error::input(format!(
            "{} is a folder; the run needs to write a file of that name",
            path.display()
        ))
        .because("move or rename that folder and run again"));
    }
    Ok(rel.to_path_buf())
}

/// Where a run's files wait: beside `dir` when its parent is writable, else inside it.
fn staging_folder(dir: &Path) -> Result<tempfile::TempDir> {
    let parent = parent_of(dir);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let beside = std::fs::create_dir_all(parent).and_then(|_| {
        tempfile::Builder::new()
            .prefix(&format!(".{name}.examgen-"))
            .tempdir_in(parent)
    });
    match beside {
        Ok(t) => Ok(t),
        Err(first) => {
            // A writable output folder inside a read-only one (a mounted share) still works.
            if dir.is_dir() {
                tempfile::Builder::new()
                    .prefix(".examgen-")
                    .tempdir_in(dir)
                    .map_err(|e| Error::output("write into", dir, e))
            } else {
                Err(Error::output("create the output folder", dir, first))
            }
        }
    }
}

fn move_in(
    staging: &Path,
    rel: &Path,
    path: &Path,
    done: &mut Vec<(PathBuf, Option<PathBuf>)>,
) -> Result<()> {
    let parent = parent_of(path);
    std::fs::create_dir_all(parent).map_err(|e| Error::output("create the folder", parent, e))?;
    let old = if path.exists() {
        let aside = staging.join("old").join(rel);
        std::fs::create_dir_all(parent_of(&aside))
            .and_then(|_| std::fs::rename(path, &aside))
            .map_err(|e| Error::output("replace", path, e))?;
        Some(aside)
    } else {
        None
    };
    let renamed = std::fs::rename(staging.join("new").join(rel), path);
    done.push((path.to_path_buf(), old));
    renamed.map_err(|e| Error::output("write", path, e))
}

/// Undoes the moves of a failed run, newest first: new files removed, old ones back in place.
fn roll_back(done: &[(PathBuf, Option<PathBuf>)]) {
    for (path, old) in done.iter().rev() {
        let _ = std::fs::remove_file(path);
        if let Some(old) = old {
            let _ = std::fs::rename(old, path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_lands_whole_and_an_occupied_name_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let a = out.join("paper-A.pdf");
        let m = out.join("manifest.json");
        write_run(&out, &[(&a, b"old paper"), (&m, b"old manifest")]).unwrap();
        // A folder squats on the name of the run's second file: nothing may change, not even the first.
        let squat = out.join("key-A.pdf");
        std::fs::create_dir_all(&squat).unwrap();
        let err = write_run(
            &out,
            &[(&a, b"new paper"), (&squat, b"new key"), (&m, b"new")],
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 1, "{}", err.render());
        assert!(err.render().contains("key-A.pdf"), "{}", err.render());
        assert_eq!(std::fs::read(&a).unwrap(), b"old paper");
        assert_eq!(std::fs::read(&m).unwrap(), b"old manifest");
        let mut names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["out"], "no staging folder left behind");
        std::fs::remove_dir(&squat).unwrap();
        write_run(&out, &[(&a, b"new paper"), (&squat, b"new key")]).unwrap();
        assert_eq!(std::fs::read(&squat).unwrap(), b"new key");
        assert_eq!(std::fs::read(&a).unwrap(), b"new paper");
    }

    #[test]
    fn a_staged_run_dropped_without_commit_leaves_nothing_and_a_committed_one_lands_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_run(&out, &[(&out.join("old.csv"), b"old")]).unwrap();
        let names = || {
            let mut names: Vec<_> = std::fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        {
            let run = StagedRun::new(&out).unwrap();
            run.write(&out.join("papers/a.pdf"), b"a").unwrap();
            let mut f = run.create(&out.join("print.pdf")).unwrap();
            std::io::Write::write_all(&mut f, b"half a print fi").unwrap();
            // An error here: the run is dropped before its commit.
        }
        assert_eq!(names(), ["out"], "the staging folder went with the run");
        assert!(!out.join("papers").exists() && !out.join("print.pdf").exists());
        let run = StagedRun::new(&out).unwrap();
        run.write(&out.join("papers/a.pdf"), b"a").unwrap();
        let mut f = run.create(&out.join("print.pdf")).unwrap();
        std::io::Write::write_all(&mut f, b"print").unwrap();
        run.close(&out.join("print.pdf"), f).unwrap();
        run.commit().unwrap();
        assert_eq!(std::fs::read(out.join("papers/a.pdf")).unwrap(), b"a");
        assert_eq!(std::fs::read(out.join("print.pdf")).unwrap(), b"print");
        assert_eq!(std::fs::read(out.join("old.csv")).unwrap(), b"old");
        assert_eq!(names(), ["out"]);
    }

    #[test]
    fn a_failed_move_puts_the_old_files_back() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a.csv");
        let b = tmp.path().join("b.csv");
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        let staging = tempfile::tempdir_in(tmp.path()).unwrap();
        std::fs::create_dir_all(staging.path().join("new")).unwrap();
        std::fs::write(staging.path().join("new/a.csv"), "new a").unwrap();
        let mut done = Vec::new();
        move_in(staging.path(), Path::new("a.csv"), &a, &mut done).unwrap();
        // b was never staged, so its move fails; a must get its old text back.
        assert!(move_in(staging.path(), Path::new("b.csv"), &b, &mut done).is_err());
        roll_back(&done);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
    }

    #[test]
    fn an_output_folder_that_is_a_file_is_bad_input() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("out");
        std::fs::write(&file, "x").unwrap();
        let err = write_run(&file, &[(&file.join("a.pdf"), b"x")]).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(err.message.contains("is a file, not a folder"), "{err}");
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
    }
}
