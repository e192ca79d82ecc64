//! The kinds of document made from one variant's paper data: which template lays each out and which Word
//! writer writes it, named once here instead of by strings.

use crate::render::template::Template;

/// One document of a variant's paper set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// The students' paper.
    Paper,
    /// The teacher's edition: the paper with the answers in red under each question.
    Teacher,
    /// The answer key (答案与解析).
    Key,
    /// The review handout (考点回顾) of the notes the paper tested.
    Review,
    /// The answer sheet (答题卡) to mark with a pencil and scan.
    AnswerSheet,
}

impl DocKind {
    /// The template that lays it out (the teacher's edition is the paper's template with the answers shown).
    pub fn template(self) -> Template {
        match self {
            DocKind::Paper | DocKind::Teacher => Template::Paper,
            DocKind::Key => Template::Key,
            DocKind::Review => Template::Review,
            DocKind::AnswerSheet => Template::AnswerSheet,
        }
    }

    /// Whether its data shows the answers under each question.
    pub fn shows_answers(self) -> bool {
        self == DocKind::Teacher
    }

    /// Whether a Word version can be written: answer sheets are forms to mark and scan, printed as they are.
    pub fn has_word_version(self) -> bool {
        self != DocKind::AnswerSheet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_teachers_edition_is_the_paper_template_with_answers() {
        assert_eq!(DocKind::Teacher.template(), Template::Paper);
        assert_eq!(DocKind::Paper.template(), Template::Paper);
        assert!(DocKind::Teacher.shows_answers() && !DocKind::Paper.shows_answers());
        assert_eq!(DocKind::AnswerSheet.template(), Template::AnswerSheet);
        assert!(!DocKind::AnswerSheet.has_word_version() && DocKind::Key.has_word_version());
    }
}
