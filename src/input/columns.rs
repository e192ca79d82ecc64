//! Column headings of the tables teachers type (rosters, answers and marks files): one rule for how a
//! heading is spelled and one list of names per column, so a roster and an answers file read the same
//! headings the same way.

use unicode_normalization::UnicodeNormalization;

/// The student id: 学号 in a school, 准考证号/考号 in an exam.
pub const ID: &[&str] = &[
    "id",
    "studentid",
    "student_id",
    "学号",
    "准考证号",
    "准考证",
    "考号",
    "考生号",
    "考生编号",
    "学籍号",
];
pub const NAME: &[&str] = &[
    "name",
    "studentname",
    "姓名",
    "学生姓名",
    "考生姓名",
    "名字",
];
pub const CLASS: &[&str] = &["class", "班级", "班别", "所在班级"];
pub const SEAT: &[&str] = &["seat", "座位号", "座号", "座位"];
/// Columns a class list carries along that name nobody and answer nothing: a row number, gender.
pub const CARRIED: &[&str] = &["序号", "性别", "gender", "sex"];

/// A heading as compared: full-width forms folded (NFKC), every space dropped (`姓 名`, `准考证号 `,
/// `姓　名` padded to line up in Excel), a trailing colon (`姓名：`) or required-mark `*` dropped, lower case.
pub fn heading_key(heading: &str) -> String {
    let folded: String = heading
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .trim_start_matches('*')
        .trim_end_matches([':', '*'])
        .to_string()
}

/// Whether `heading` names one of `names` (each written as `heading_key` leaves it).
pub fn names(heading: &str, names: &[&str]) -> bool {
    names.contains(&heading_key(heading).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_read_as_teachers_type_them() {
        for typed in [
            "姓名",
            " 姓 名 ",
            "姓　名",
            "姓名：",
            "*姓名",
            "\u{FEFF}姓名",
            "Name",
            "学生姓名",
        ] {
            assert!(names(typed, NAME), "{typed:?}");
        }
        for typed in ["准考证号 ", "学 号", "Student ID", "ＩＤ", "考生号:"] {
            assert!(names(typed, ID), "{typed:?}");
        }
        assert!(!names("姓名拼音", NAME));
        assert!(!names("序号", ID));
        assert!(names("序 号", CARRIED));
    }
}
