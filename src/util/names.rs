//! Files a teacher names in a bank, found as their own computer finds them: Windows and macOS ignore the
//! case of letters in file names (`图1.PNG` opens `图1.png`), so a bank written there works here too; and a
//! name that is near a file in the folder (full-width brackets typed with the Chinese input method, a
//! space, another extension) is suggested in the error.

use std::path::{Path, PathBuf};

/// The file `path` names, its folders and name compared without regard to letter case when the exact
/// path does not exist: `Some(path)` as given when it exists, the one entry that matches in each folder
/// otherwise, and `None` when nothing does or two entries differ only by case (which one was meant is
/// not ours to guess).
pub fn find_ignoring_case(path: &Path) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    let mut found = PathBuf::new();
    for part in path.components() {
        let next = found.join(part);
        if next.exists() {
            found = next;
            continue;
        }
        let std::path::Component::Normal(name) = part else {
            return None;
        };
        let wanted = name.to_str()?.to_lowercase();
        let folder = if found.as_os_str().is_empty() {
            Path::new(".")
        } else {
            found.as_path()
        };
        let mut matches = std::fs::read_dir(folder).ok()?.filter_map(|entry| {
            let entry = entry.ok()?;
            let entry_name = entry.file_name().into_string().ok()?;
            (entry_name.to_lowercase() == wanted).then_some(entry_name)
        });
        let only = matches.next()?;
        if matches.next().is_some() {
            return None;
        }
        found.push(only);
    }
    Some(found)
}

/// The name of a file beside where `path` points that the writer probably meant, for an error message:
/// the one file whose name is the same once full-width characters, spaces and letter case are set aside,
/// else the one whose name without extension is, else the one within two characters' editing.
pub fn near_name(path: &Path) -> Option<String> {
    let wanted = path.file_name()?.to_str()?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let names: Vec<String> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n != wanted)
        .collect();
    let key = folded(wanted);
    let stem_key = folded(stem(wanted));
    let only = |candidates: Vec<&String>| (candidates.len() == 1).then(|| candidates[0].clone());
    only(names.iter().filter(|n| folded(n) == key).collect())
        .or_else(|| {
            only(
                names
                    .iter()
                    .filter(|n| folded(stem(n)) == stem_key)
                    .collect(),
            )
        })
        .or_else(|| {
            let mut close: Vec<(usize, &String)> = names
                .iter()
                .map(|n| (strsim::levenshtein(&folded(n), &key), n))
                .filter(|(d, _)| *d <= 2 && key.chars().count() > 4)
                .collect();
            close.sort();
            match close.as_slice() {
                [(d, n)] => Some((*n).clone()).filter(|_| *d > 0),
                [(d, n), (d2, _), ..] if d < d2 => Some((*n).clone()),
                _ => None,
            }
        })
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// A name as a reader sees it: full-width letters, digits and punctuation as their ASCII forms (the
/// Chinese input method types `（1）` for `(1)`), without spaces, in lower case.
fn folded(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            '\u{3000}' => None,
            '。' => Some('.'),
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for n in names {
            let path = dir.path().join(n);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        dir
    }

    #[test]
    fn a_name_in_another_case_finds_the_file_as_windows_does() {
        let dir = folder_with(&["图 (1).png", "Figures/Chart.JPG"]);
        let d = dir.path();
        assert_eq!(
            find_ignoring_case(&d.join("图 (1).PNG")),
            Some(d.join("图 (1).png"))
        );
        assert_eq!(
            find_ignoring_case(&d.join("figures/chart.jpg")),
            Some(d.join("Figures/Chart.JPG"))
        );
        assert_eq!(
            find_ignoring_case(&d.join("图 (1).png")),
            Some(d.join("图 (1).png"))
        );
        assert_eq!(find_ignoring_case(&d.join("图 (2).png")), None);
        assert_eq!(find_ignoring_case(&d.join("nothing/chart.jpg")), None);
    }

    #[test]
    fn two_files_differing_only_by_case_are_not_guessed_between() {
        let dir = folder_with(&["a.png", "A.png"]);
        if std::fs::read_dir(dir.path()).unwrap().count() < 2 {
            return; // a file system that ignores case itself holds one of them
        }
        assert_eq!(find_ignoring_case(&dir.path().join("a.PNG")), None);
    }

    #[test]
    fn near_names_are_suggested() {
        let dir = folder_with(&["图 (1).png", "社会工作流程.jpg", "chart-2024.svg", "x.png"]);
        let d = dir.path();
        // Full-width brackets from the Chinese input method, no space.
        assert_eq!(
            near_name(&d.join("图（1）.png")).as_deref(),
            Some("图 (1).png")
        );
        // Another extension.
        assert_eq!(
            near_name(&d.join("社会工作流程.png")).as_deref(),
            Some("社会工作流程.jpg")
        );
        // A slip of a character.
        assert_eq!(
            near_name(&d.join("chart-2042.svg")).as_deref(),
            Some("chart-2024.svg")
        );
        assert_eq!(near_name(&d.join("完全不同的名字.png")), None);
    }
}
