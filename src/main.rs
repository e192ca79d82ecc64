//! The examgen binary: parses the command line, runs it, and is the one place that prints errors and exits.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use examgen::cli::Cli;

// jemalloc rather than glibc's malloc: a class batch allocates and frees small objects on two threads by
// the million, and glibc spent a quarter of `batch --per-student`'s time in malloc and free (Cargo.toml).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with exit 0, and usage errors to stderr with exit 2;
            // `examgen --help | head` closing the pipe is no reason to fail.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let stdout = std::io::stdout();
    // stderr is locked per message, not for the whole run: a batch's or a scan's progress bar (and any
    // warning) may be drawn from a worker thread, which would wait on a lock the main thread never gives back.
    match examgen::commands::run(cli, &mut stdout.lock(), &mut std::io::stderr()) {
        Ok(()) => ExitCode::SUCCESS,
        // Whoever read our output has all they wanted (`examgen export … | head`): no message, exit 0.
        Err(err) if err.kind == examgen::error::ErrorKind::ClosedPipe => ExitCode::SUCCESS,
        Err(err) => {
            // Not eprint!: it panics when stderr itself is closed.
            let _ = std::io::stderr().write_all(err.render().as_bytes());
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
