//! Joining a student's scanned pages into one answer row: an answer sheet of two or more pages is scanned
//! page by page, in any order and interleaved with other students' pages; each page's QR code (or its id
//! grid, on a blank sheet) says whose sheet and which page of how many it is. Pages are never joined on a
//! guess: a page whose owner is not known exactly (no id, a doubtful one) stays a row of its own, and a page
//! that never came is named with the questions it holds.

use std::collections::HashMap;

/// What a read page says about the sheet it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageKey {
    /// The student id (the QR code's, or the marked 准考证号); pages join only on an exact id.
    pub id: String,
    /// The variant printed on the sheet (its QR code's), not the one marked: a sheet's pages share it.
    pub printed_variant: String,
    /// Whether the sheet was printed for the student (a batch's) rather than blank.
    pub personal: bool,
    /// 1-based page and the sheet's page count.
    pub page: u32,
    pub pages: u32,
}

/// One answer row: the pages scanned for it (outcome indices by page, 1-based page `k` at `k - 1`) and
/// the pages that never came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinedSheet {
    /// The outcome of each page, `None` where the page was not scanned.
    pub pages: Vec<Option<usize>>,
    /// The outcome the row stands at (its first page in input order): rows keep the order of the scans.
    pub first: usize,
}

impl JoinedSheet {
    /// The 1-based pages not scanned.
    pub fn missing(&self) -> Vec<u32> {
        (1..=self.pages.len() as u32)
            .filter(|k| self.pages[*k as usize - 1].is_none())
            .collect()
    }

    /// The outcomes scanned, in page order.
    pub fn scanned(&self) -> impl Iterator<Item = usize> + '_ {
        self.pages.iter().flatten().copied()
    }
}

/// Groups read pages (outcome index and key, in input order; unread pages left out) into rows. A page of
/// a one-page sheet is a row. The pages of a longer sheet with the same id, printed variant and kind make
/// one row; a page scanned twice starts a second copy of the sheet (a duplicate, reported as such), so
/// nothing scanned is dropped. A page whose id is empty or doubtful (`?`) cannot be told apart from
/// another student's and stays alone.
pub(crate) fn join_pages(pages: &[(usize, PageKey)]) -> Vec<JoinedSheet> {
    let mut sheets: Vec<JoinedSheet> = Vec::new();
    // (id, printed variant, personal) → the copies of that sheet, as indices into `sheets`.
    let mut copies: HashMap<(&str, &str, bool), Vec<usize>> = HashMap::new();
    for (outcome, key) in pages {
        let n = key.pages.max(key.page).max(1) as usize;
        let k = key.page.max(1) as usize;
        let alone = || {
            let mut pages = vec![None; n];
            pages[k - 1] = Some(*outcome);
            JoinedSheet {
                pages,
                first: *outcome,
            }
        };
        if n == 1 || key.id.is_empty() || key.id.contains('?') {
            sheets.push(alone());
            continue;
        }
        let same = copies
            .entry((&key.id, &key.printed_variant, key.personal))
            .or_default();
        let open = same
            .iter()
            .copied()
            .find(|&s| sheets[s].pages.len() == n && sheets[s].pages[k - 1].is_none());
        match open {
            Some(s) => sheets[s].pages[k - 1] = Some(*outcome),
            None => {
                same.push(sheets.len());
                sheets.push(alone());
            }
        }
    }
    sheets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, page: u32, pages: u32) -> PageKey {
        PageKey {
            id: id.into(),
            printed_variant: "A".into(),
            personal: true,
            page,
            pages,
        }
    }

    #[test]
    fn pages_in_any_order_join_by_student_and_a_missing_page_is_named() {
        let scanned = [
            (0, key("7", 2, 3)),
            (1, key("8", 1, 3)),
            (2, key("7", 1, 3)),
            (3, key("8", 3, 3)),
            (4, key("7", 3, 3)),
        ];
        let sheets = join_pages(&scanned);
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].pages, vec![Some(2), Some(0), Some(4)]);
        assert_eq!(sheets[0].first, 0);
        assert!(sheets[0].missing().is_empty());
        assert_eq!(sheets[1].pages, vec![Some(1), None, Some(3)]);
        assert_eq!(sheets[1].missing(), vec![2]);
        assert_eq!(sheets[1].scanned().collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn a_page_scanned_twice_starts_a_second_copy_and_unsure_ids_stay_alone() {
        let blank = |id: &str, page| PageKey {
            personal: false,
            ..key(id, page, 2)
        };
        let scanned = [
            (0, key("7", 1, 2)),
            (1, key("7", 1, 2)),
            (2, key("7", 2, 2)),
            // A blank sheet with the same id is another sheet (and so a duplicate row).
            (3, blank("7", 2)),
            (4, blank("20?5", 1)),
            (5, blank("", 2)),
            // A one-page sheet's pages are rows of their own, as they always were.
            (6, key("9", 1, 1)),
            (7, key("9", 1, 1)),
        ];
        let sheets = join_pages(&scanned);
        let pages: Vec<Vec<Option<usize>>> = sheets.iter().map(|s| s.pages.clone()).collect();
        assert_eq!(
            pages,
            vec![
                vec![Some(0), Some(2)],
                vec![Some(1), None],
                vec![None, Some(3)],
                vec![Some(4), None],
                vec![None, Some(5)],
                vec![Some(6)],
                vec![Some(7)],
            ]
        );
    }
}
