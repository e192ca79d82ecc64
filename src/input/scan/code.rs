//! The text of an answer sheet's QR code: which exam (the manifest's draw digest), variant, page and, on a
//! personalised sheet, student. It is what identifies a scanned page; names are never read.

/// What a sheet's QR code says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetCode {
    /// [`Manifest::draw_digest`](crate::input::manifest::Manifest::draw_digest) of the exam.
    pub digest: String,
    pub variant: String,
    /// 1-based page of the sheet.
    pub page: u32,
    /// How many pages the sheet has (a one-page sheet's code says only `1`).
    pub pages: u32,
    /// The student a class batch printed the sheet for; `None` on a blank sheet.
    pub student: Option<String>,
}

/// The first field, so a QR code of anything else (a URL, another tool's sheet) is told apart at once.
const TAG: &str = "EXAMGEN1";

impl SheetCode {
    /// `EXAMGEN1|digest|variant|page|id`: the id last and whole, so an id may hold any character; the
    /// page is `k/n` on a sheet of two or more pages, `1` on a one-page sheet.
    pub fn to_text(&self) -> String {
        let page = if self.pages > 1 {
            format!("{}/{}", self.page, self.pages)
        } else {
            self.page.to_string()
        };
        self.text_with_page(&page)
    }

    /// The code's text with `page` written where the page goes (layout's page marker, for a sheet whose
    /// page count is known only once it is laid out).
    pub fn text_with_page(&self, page: &str) -> String {
        format!(
            "{TAG}|{}|{}|{page}|{}",
            self.digest,
            self.variant,
            self.student.as_deref().unwrap_or("")
        )
    }

    /// Reads a QR code's text; `None` when it is not an examgen sheet's code.
    pub fn parse(text: &str) -> Option<SheetCode> {
        let mut f = text.splitn(5, '|');
        if f.next()? != TAG {
            return None;
        }
        let digest = f.next()?.to_string();
        let variant = f.next()?.to_string();
        let field = f.next()?;
        let (page, pages): (u32, u32) = match field.split_once('/') {
            Some((k, n)) => (k.parse().ok()?, n.parse().ok()?),
            None => (field.parse().ok()?, 1),
        };
        let student = f.next()?;
        if page == 0 || page > pages {
            return None;
        }
        Some(SheetCode {
            digest,
            variant,
            page,
            pages,
            student: (!student.is_empty()).then(|| student.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_foreign_codes_are_refused() {
        let c = SheetCode {
            digest: "0123456789abcdef".into(),
            variant: "B".into(),
            page: 1,
            pages: 1,
            student: Some("2025|07".into()),
        };
        assert_eq!(c.to_text(), "EXAMGEN1|0123456789abcdef|B|1|2025|07");
        assert_eq!(SheetCode::parse(&c.to_text()), Some(c.clone()));
        let blank = SheetCode {
            student: None,
            ..c.clone()
        };
        assert_eq!(SheetCode::parse(&blank.to_text()), Some(blank));
        assert_eq!(SheetCode::parse("https://example.com/"), None);
        assert_eq!(SheetCode::parse("EXAMGEN1|d|A|one|"), None);
        let second = SheetCode {
            page: 2,
            pages: 3,
            ..c.clone()
        };
        assert_eq!(second.to_text(), "EXAMGEN1|0123456789abcdef|B|2/3|2025|07");
        assert_eq!(SheetCode::parse(&second.to_text()), Some(second));
        assert_eq!(SheetCode::parse("EXAMGEN1|d|A|4/3|"), None);
        assert_eq!(SheetCode::parse("EXAMGEN1|d|A|0/3|"), None);
        assert_eq!(SheetCode::parse("EXAMGEN1|d|A"), None);
    }
}
