//! The one error type of examgen and the fixed exit codes it maps to.

use std::fmt;

use crate::diag::{self, Diagnostic};

/// What kind of failure, which decides the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user's input (bank, blueprint, roster, ...) is wrong: exit code 1.
    Input,
    /// The command line is wrong: exit code 2.
    Usage,
    /// Something failed that the user could not have caused (I/O, a bug): exit code 3.
    Internal,
    /// The reader of our output went away (`examgen export … | head`): not a failure, so exit 0 quietly
    /// as ripgrep and the coreutils do.
    ClosedPipe,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Input => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Internal => 3,
            ErrorKind::ClosedPipe => 0,
        }
    }
}

/// An error with a headline, the causes behind it, and any located diagnostics.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub causes: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            causes: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Input, message)
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    /// An input error made of located diagnostics (the headline says how many).
    pub fn diagnostics(message: impl Into<String>, diagnostics: Vec<Diagnostic>) -> Error {
        Error {
            diagnostics,
            ..Error::input(message)
        }
    }

    /// Adds a cause: the lower-level reason, printed under the headline.
    pub fn because(mut self, cause: impl fmt::Display) -> Error {
        self.causes.push(cause.to_string());
        self
    }

    /// An I/O failure on `path`; a missing file is the user's mistake, anything else is not.
    pub fn io(action: &str, path: &std::path::Path, err: std::io::Error) -> Error {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidInput => ErrorKind::Input,
            _ => ErrorKind::Internal,
        };
        Error::new(kind, format!("cannot {action} {}", path.display())).because(err)
    }

    /// A failure writing the run's output to `path`. A full disk, a read-only folder, a file where a
    /// folder should be or a name the file system refuses are the user's to fix (exit 1, with the path);
    /// a closed pipe is no failure at all.
    pub fn output(action: &str, path: &std::path::Path, err: std::io::Error) -> Error {
        use std::io::ErrorKind as K;
        let kind = match err.kind() {
            K::BrokenPipe => ErrorKind::ClosedPipe,
            K::NotFound
            | K::InvalidInput
            | K::PermissionDenied
            | K::ReadOnlyFilesystem
            | K::StorageFull
            | K::QuotaExceeded
            | K::FileTooLarge
            | K::AlreadyExists
            | K::NotADirectory
            | K::IsADirectory
            | K::DirectoryNotEmpty
            | K::InvalidFilename
            | K::CrossesDevices => ErrorKind::Input,
            _ => ErrorKind::Internal,
        };
        Error::new(kind, format!("cannot {action} {}", path.display())).because(err)
    }

    /// A failure writing to standard output: a closed pipe ends the run quietly, anything else is ours.
    pub fn stdout(err: std::io::Error) -> Error {
        let kind = if err.kind() == std::io::ErrorKind::BrokenPipe {
            ErrorKind::ClosedPipe
        } else {
            ErrorKind::Internal
        };
        Error::new(kind, "cannot write the output").because(err)
    }

    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }

    /// The full report: diagnostics first, then the headline and its causes.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if !self.diagnostics.is_empty() {
            out.push_str(&diag::render_all(&self.diagnostics));
            out.push('\n');
        }
        out.push_str("error: ");
        out.push_str(&self.message);
        out.push('\n');
        for cause in &self.causes {
            out.push_str("  caused by: ");
            out.push_str(cause);
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for cause in &self.causes {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind as K;

    #[test]
    fn a_full_disk_or_a_refused_folder_is_the_users_to_fix_and_a_closed_pipe_no_failure() {
        let path = std::path::Path::new("out/paper-A.pdf");
        for kind in [
            K::StorageFull,
            K::PermissionDenied,
            K::ReadOnlyFilesystem,
            K::NotADirectory,
        ] {
            let err = Error::output("write", path, std::io::Error::from(kind));
            assert_eq!(err.exit_code(), 1, "{kind:?}");
            assert!(err.render().contains("out/paper-A.pdf"), "{}", err.render());
        }
        let pipe = Error::stdout(std::io::Error::from(K::BrokenPipe));
        assert_eq!(pipe.kind, ErrorKind::ClosedPipe);
        assert_eq!(pipe.exit_code(), 0);
        assert_eq!(Error::stdout(std::io::Error::from(K::Other)).exit_code(), 3);
    }
}
