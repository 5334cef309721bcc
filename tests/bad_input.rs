//! Bad input and file safety, through the built binary: every bad file
//! gets exit 2 and one message naming it (with its line where there is
//! one), never a panic, and stays untouched (same bytes, same inode); a
//! file that may not be written keeps its bytes and leaves no temp file.
//!
//! Not here:
//! - A file that changes between read and write is tested here on a 5 MB
//!   file, changed as soon as /proc shows dfslim has read it (while it is
//!   still working), and in `fsio::tests::a_file_changed_meanwhile_is_not_overwritten`.
//! - A malformed `dfslim.toml`: the configuration file is being written (src/config.rs).

#![cfg(unix)]

use assert_cmd::Command;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A Go service that every level rewrites.
const GO: &str =
    "FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n";

fn dfslim() -> Command {
    let mut c = Command::cargo_bin("dfslim").unwrap();
    c.timeout(Duration::from_secs(20)).env("NO_COLOR", "1");
    c
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let out = dfslim().current_dir(dir).args(args).output().unwrap();
    let o = Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !o.stderr.contains("panicked") && !o.stderr.contains("RUST_BACKTRACE"),
        "dfslim panicked: {}",
        o.stderr
    );
    o
}

/// A file's bytes and inode: "untouched" means both are the same.
fn snapshot(p: &Path) -> (Vec<u8>, u64) {
    (fs::read(p).unwrap(), fs::metadata(p).unwrap().ino())
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dfslim-"))
        .collect()
}

/// `dfslim fix NAME` in a fresh directory holding NAME with `bytes`: exit 2,
/// exactly one stderr line, which starts with `expect`; the file untouched.
fn rejects(name: &str, bytes: &[u8], expect: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(name);
    fs::write(&f, bytes).unwrap();
    let before = snapshot(&f);
    for args in [
        vec!["fix", name],
        vec!["fix", "--check", name],
        vec!["fix", "--dry-run", name],
    ] {
        let o = run(dir.path(), &args);
        assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
        let lines: Vec<&str> = o.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one message, got {lines:#?}");
        assert!(
            lines[0].starts_with(expect),
            "{args:?}: expected {expect:?}…, got {:?}",
            lines[0]
        );
        assert!(o.stdout.is_empty(), "{args:?}: stdout {:?}", o.stdout);
    }
    assert_eq!(snapshot(&f), before, "{name} was touched");
    assert!(temp_files(dir.path()).is_empty());
    o_first_line(dir.path(), name)
}

fn o_first_line(dir: &Path, name: &str) -> String {
    run(dir, &["fix", name])
        .stderr
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_binary_file() {
    let m = rejects(
        "bin.Dockerfile",
        b"FROM a\x00b\n\x7fELF\x02\x01",
        "bin.Dockerfile:1:7: ",
    );
    assert!(m.contains("binary"), "{m}");
}

#[test]
fn non_utf8_bytes() {
    let m = rejects(
        "latin1.Dockerfile",
        b"FROM golang:1.21\nLABEL author=\"Jos\xe9\"\n",
        "latin1.Dockerfile:2:18: ",
    );
    assert!(m.contains("UTF-8"), "{m}");
}

#[test]
fn an_empty_file() {
    let m = rejects("empty.Dockerfile", b"", "empty.Dockerfile:1:1: ");
    assert!(m.contains("no instructions"), "{m}");
}

#[test]
fn only_comments() {
    let m = rejects(
        "c.Dockerfile",
        b"# syntax=docker/dockerfile:1\n# nothing here\n\n",
        "c.Dockerfile:",
    );
    assert!(m.contains("no instructions"), "{m}");
}

#[test]
fn an_unterminated_heredoc() {
    let m = rejects(
        "h.Dockerfile",
        b"FROM golang:1.21\nRUN <<EOF\ngo build -o /app .\nEOF \n",
        "h.Dockerfile:2:1: ",
    );
    assert!(
        m.contains("unterminated heredoc") && m.contains("EOF"),
        "{m}"
    );
}

#[test]
fn a_bad_parser_directive() {
    let m = rejects(
        "d.Dockerfile",
        b"# escape=x\nFROM golang:1.21\n",
        "d.Dockerfile:1:1: ",
    );
    assert!(m.contains("escape"), "{m}");
    let m = rejects(
        "d.Dockerfile",
        b"# syntax=a\n# SYNTAX=b\nFROM golang:1.21\n",
        "d.Dockerfile:2:1: ",
    );
    assert!(m.contains("only one syntax"), "{m}");
}

#[test]
fn json_that_is_not_a_string_array() {
    rejects(
        "j.Dockerfile",
        b"FROM golang:1.21\nCMD [\"/app\", 1]\n",
        "j.Dockerfile:2:1: ",
    );
}

/// What issue 7 asks: an unknown instruction (the build would fail) is an
/// error naming the file and line, and the file is left alone.
#[test]
fn an_unknown_instruction_is_an_error() {
    rejects(
        "u.Dockerfile",
        GO.replace("WORKDIR /src\n", "WORKDIR /src\nFROB a\n")
            .as_bytes(),
        "u.Dockerfile:3:1: ",
    );
}

#[test]
fn a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["fix", "nope.Dockerfile"]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr.starts_with("nope.Dockerfile: no such file"),
        "{}",
        o.stderr
    );
    assert!(!dir.path().join("nope.Dockerfile").exists());
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("Dockerfile");
    let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !ok.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED a_fifo: mkfifo failed");
        return;
    }
    // The 20 s timeout of `dfslim()` fails this if opening it blocks.
    let o = run(dir.path(), &["fix", "Dockerfile"]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr.starts_with("Dockerfile: not a regular file"),
        "{}",
        o.stderr
    );
    assert!(
        fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo_like()
    );
}

trait FifoLike {
    fn is_fifo_like(&self) -> bool;
}

impl FifoLike for fs::FileType {
    fn is_fifo_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_fifo()
    }
}

/// A directory given where a Dockerfile is needed.
#[test]
fn a_directory_named_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("Dockerfile")).unwrap();
    let o = run(dir.path(), &["fix", "Dockerfile"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.starts_with("Dockerfile: "), "{}", o.stderr);
    assert!(dir.path().join("Dockerfile").is_dir());
}

/// Walking a tree, a directory named Dockerfile is not mistaken for one.
#[test]
fn a_directory_named_dockerfile_inside_a_tree_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("svc/Dockerfile")).unwrap();
    fs::write(dir.path().join("svc/Dockerfile/x"), "not a dockerfile").unwrap();
    fs::write(dir.path().join("Dockerfile"), GO).unwrap();
    let o = run(dir.path(), &["fix", "--check", "."]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(!o.stderr.contains("svc/Dockerfile"), "{}", o.stderr);
    assert_eq!(o.stdout.trim(), "Dockerfile");
}

#[test]
fn level_9_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    fs::write(&f, GO).unwrap();
    let before = snapshot(&f);
    let o = run(dir.path(), &["fix", "--level", "9", "Dockerfile"]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr.contains("'9'") && o.stderr.contains("--level"),
        "{}",
        o.stderr
    );
    assert_eq!(snapshot(&f), before);
}

#[test]
fn non_utf8_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dfslim()
        .current_dir(dir.path())
        .args(["fix", "-"])
        .write_stdin(&b"FROM a\nRUN \xff\n"[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("-:") && err.contains("2:5") && err.contains("UTF-8"),
        "{err}"
    );
}

/// Makes `path` unwritable even for root (`chattr +i`, undone on drop), or
/// by its mode when not root. `None` when neither works here.
struct ReadOnly(PathBuf, bool);

impl ReadOnly {
    fn make(path: &Path) -> Option<ReadOnly> {
        let chattr = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if chattr {
            return Some(ReadOnly(path.to_path_buf(), true));
        }
        let mode = if path.is_dir() { 0o555 } else { 0o444 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).ok()?;
        let guard = ReadOnly(path.to_path_buf(), false);
        // Root ignores modes: then this would prove nothing.
        let writable = if path.is_dir() {
            tempfile::tempfile_in(path).is_ok()
        } else {
            fs::OpenOptions::new().write(true).open(path).is_ok()
        };
        (!writable).then_some(guard)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        } else {
            let mode = if self.0.is_dir() { 0o755 } else { 0o644 };
            let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(mode));
        }
    }
}

#[test]
fn a_read_only_file_or_directory() {
    for lock_dir in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("svc");
        fs::create_dir(&sub).unwrap();
        let f = sub.join("Dockerfile");
        fs::write(&f, GO).unwrap();
        let before = snapshot(&f);
        let locked = if lock_dir { sub.clone() } else { f.clone() };
        let Some(guard) = ReadOnly::make(&locked) else {
            eprintln!(
                "SKIPPED read-only {}: neither chattr +i nor a mode stops writes here",
                locked.display()
            );
            continue;
        };
        let o = run(dir.path(), &["fix", "svc/Dockerfile"]);
        let leftovers = temp_files(&sub);
        drop(guard);
        assert_eq!(o.code, Some(2), "{}", o.stderr);
        let first = o.stderr.lines().next().unwrap_or("");
        assert!(
            first.starts_with("svc/Dockerfile: not writable"),
            "lock_dir={lock_dir}: {}",
            o.stderr
        );
        assert_eq!(snapshot(&f), before, "lock_dir={lock_dir}");
        assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    }
}

/// A full disk: a 16 KiB tmpfs (in a private mount namespace, so nothing
/// outlives the test) holds the file and a filler that leaves no room for
/// the rewrite. Needs root and unshare; skipped with a reason otherwise.
#[test]
fn a_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("dfslim");
    // A 3 KiB Dockerfile (one page), then fill the rest of the file system.
    let padding = "# padding\n".repeat(300);
    let text = format!("{GO}{padding}");
    let script = r#"set -e
mount -t tmpfs -o size=16k tmpfs "$1"
printf '%s' "$3" > "$1/Dockerfile"
dd if=/dev/zero of="$1/filler" bs=1k count=64 2>/dev/null || true
sync
set +e
"$2" fix "$1/Dockerfile" 2>"$1/../stderr"
echo "exit=$?"
printf '%s' "$3" | cmp -s - "$1/Dockerfile" && echo same
ls -A "$1"
"#;
    let out = std::process::Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&mnt)
        .arg(&bin)
        .arg(&text)
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            let why = String::from_utf8_lossy(&o.stderr).into_owned();
            eprintln!("SKIPPED a_full_disk: cannot mount a tmpfs here: {why}");
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED a_full_disk: no unshare: {e}");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
    assert!(stdout.contains("exit=2"), "{stdout}\n{stderr}");
    assert!(stdout.contains("same"), "the original changed: {stdout}");
    assert!(!stdout.contains(".dfslim-"), "temp file left: {stdout}");
    assert!(
        stderr.contains("Dockerfile: ") && stderr.contains("No space left"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_symlink_stays_a_symlink_and_the_mode_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real/app.Dockerfile");
    fs::write(&target, GO).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("Dockerfile");
    symlink("real/app.Dockerfile", &link).unwrap();
    let o = run(dir.path(), &["fix", "Dockerfile"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("real/app.Dockerfile")
    );
    let after = fs::read_to_string(&target).unwrap();
    assert_ne!(after, GO, "the target was not rewritten");
    assert!(after.contains("FROM scratch"), "{after}");
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    assert!(temp_files(dir.path()).is_empty() && temp_files(&dir.path().join("real")).is_empty());

    // An executable mode too, on a plain file.
    let f = dir.path().join("x.Dockerfile");
    fs::write(&f, GO).unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(run(dir.path(), &["fix", "x.Dockerfile"]).code, Some(0));
    assert_ne!(fs::read_to_string(&f).unwrap(), GO);
    assert_eq!(
        fs::metadata(&f).unwrap().permissions().mode() & 0o7777,
        0o755
    );
}

#[test]
fn one_bad_path_among_several() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.Dockerfile"), GO).unwrap();
    fs::write(d.join("bad.Dockerfile"), b"FROM a\nRUN \xff\n").unwrap();
    fs::write(d.join("c.Dockerfile"), GO).unwrap();
    let bad_before = snapshot(&d.join("bad.Dockerfile"));
    let o = run(
        d,
        &[
            "fix",
            "a.Dockerfile",
            "missing.Dockerfile",
            "bad.Dockerfile",
            "c.Dockerfile",
        ],
    );
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(
        o.stderr.contains("missing.Dockerfile: no such file"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("bad.Dockerfile:2:5: not UTF-8"),
        "{}",
        o.stderr
    );
    assert_eq!(snapshot(&d.join("bad.Dockerfile")), bad_before);
    for good in ["a.Dockerfile", "c.Dockerfile"] {
        let after = fs::read_to_string(d.join(good)).unwrap();
        assert!(
            after.contains("FROM scratch"),
            "{good} was not processed: {after}"
        );
    }
    // --check: the good ones are listed, still exit 2 for the bad ones.
    fs::write(d.join("a.Dockerfile"), GO).unwrap();
    let o = run(d, &["fix", "--check", "bad.Dockerfile", "a.Dockerfile"]);
    assert_eq!(o.code, Some(2));
    assert_eq!(o.stdout.trim(), "a.Dockerfile");
    assert_eq!(fs::read_to_string(d.join("a.Dockerfile")).unwrap(), GO);
}

/// A text report is written a chunk of files at a time (fix::run_each):
/// across chunk boundaries, and with a path that failed before any file
/// ran, every line still comes in path order, and the summary counts all.
#[test]
fn a_large_batch_reports_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut args = vec!["fix".to_string(), "--check".to_string()];
    // Named in reverse, so the order of the output is dfslim's own.
    for i in (0..300).rev() {
        let name = format!("f{i:03}.Dockerfile");
        fs::write(d.join(&name), GO).unwrap();
        args.push(name);
    }
    args.push("f150x.Dockerfile".to_string()); // missing
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(d, &args);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    let listed: Vec<&str> = o.stdout.lines().collect();
    let expected: Vec<String> = (0..300).map(|i| format!("f{i:03}.Dockerfile")).collect();
    assert_eq!(listed, expected);
    let at = |needle: &str| {
        o.stderr
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {}", o.stderr))
    };
    assert!(at("f150.Dockerfile:") < at("f150x.Dockerfile: no such file"));
    assert!(at("f150x.Dockerfile: no such file") < at("f151.Dockerfile:"));
    assert!(at("f255.Dockerfile:") < at("f256.Dockerfile:"));
    assert!(
        o.stderr
            .contains("301 files: 300 changed, 0 unchanged, 1 error"),
        "{}",
        o.stderr
    );
}

#[path = "regressions/scale.rs"]
mod scale;

/// A file changed while dfslim works on it is not overwritten. dfslim
/// reads the 5 MB file at once and then works for most of a second; as soon
/// as /proc shows it has read the whole file and closed it (a change before
/// its last, end-of-file read would be part of what it read), the test
/// appends a line.
#[test]
fn a_file_changed_while_dfslim_works_is_not_overwritten() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    let text = scale::continuation_lines(100_000);
    fs::write(&f, &text).unwrap();
    let real = fs::canonicalize(&f).unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dfslim"))
        .current_dir(dir.path())
        .args(["fix", "Dockerfile"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let proc_dir = PathBuf::from(format!("/proc/{}", child.id()));
    let bytes_read = || {
        fs::read_to_string(proc_dir.join("io")).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("rchar: "))
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
    };
    let has_open = || {
        fs::read_dir(proc_dir.join("fd")).is_ok_and(|fds| {
            fds.flatten()
                .any(|e| fs::read_link(e.path()).is_ok_and(|t| t == real))
        })
    };
    let start = std::time::Instant::now();
    let mut changed = false;
    while start.elapsed() < Duration::from_secs(20) {
        match bytes_read() {
            Some(n) if n >= text.len() && !has_open() => {
                let mut h = fs::OpenOptions::new().append(true).open(&f).unwrap();
                h.write_all(b"# theirs\n").unwrap();
                changed = true;
                break;
            }
            Some(_) => std::thread::sleep(Duration::from_micros(200)),
            None => break, // no /proc here, or dfslim is already gone
        }
    }
    let out = child.wait_with_output().unwrap();
    if !changed {
        eprintln!("SKIPPED a_file_changed_while_dfslim_works: /proc/PID/io not readable here");
        return;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("Dockerfile: changed on disk"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(fs::read_to_string(&f).unwrap(), format!("{text}# theirs\n"));
    assert!(temp_files(dir.path()).is_empty());
}
