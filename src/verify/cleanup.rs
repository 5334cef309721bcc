//! Removing every container and image a verify run made, whatever ends it.
//!
//! The removal is done by a small `sh` process started in its own process
//! group, which learns the names on its stdin and acts when that pipe
//! closes. The pipe closes when dfslim is done, returns an error, panics,
//! or is killed by Ctrl-C (which the janitor, in another process group,
//! does not receive): one path for all of them, with no signal handling in
//! dfslim itself. Should `sh` be missing, dfslim removes them itself when
//! the [`Janitor`] is dropped (Ctrl-C then leaves them behind).

use super::docker::{Docker, Endpoint};
use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

/// Reads `c NAME` (container), `t TAG` (image to keep with --keep-images)
/// and `i ID` (an intermediate image; removed only while untagged) lines,
/// and `d` when dfslim is done with them. Without `d` (Ctrl-C, a crash) the
/// engine may still be finishing a build: the containers are killed first
/// and the sweep is done again a few seconds later.
const SCRIPT: &str = r#"trap '' INT HUP TERM
d=$1 keep=$2 c= t= i= done=
while IFS=' ' read -r kind what; do
  case $kind in c) c="$c $what" ;; t) t="$t $what" ;; i) i="$i $what" ;; d) done=1 ;; esac
done
sweep() {
  [ -n "$c" ] && "$d" rm -f $c >/dev/null 2>&1
  [ "$keep" != 1 ] && [ -n "$t" ] && "$d" rmi -f $t >/dev/null 2>&1
  [ -z "$i" ] && return 0
  # A step the legacy builder was running when the client stopped is still
  # committed: a dangling child of one of ours. An image without a parent
  # (a first step on scratch, perhaps another build's, still running) is
  # nobody's child: an empty name would match the list's separators.
  for id in $("$d" images -q -f dangling=true 2>/dev/null); do
    p=$("$d" image inspect -f '{{.Parent}}' "$id" 2>/dev/null)
    p=$(printf %.12s "${p#sha256:}")
    [ -n "$p" ] || continue
    case "$i " in *" $p "*) "$d" rmi "$id" >/dev/null 2>&1 ;; esac
  done
  for id in $i; do
    [ "$("$d" image inspect -f '{{len .RepoTags}}' "$id" 2>/dev/null)" = 0 ] &&
      "$d" rmi "$id" >/dev/null 2>&1
  done
  return 0
}
sweep
[ -z "$done" ] && sleep 2 && sweep && sleep 3 && sweep
exit 0
"#;

/// What to remove, and who removes it.
pub struct Janitor {
    program: std::path::PathBuf,
    /// The engine it cleans.
    endpoint: Endpoint,
    keep_images: bool,
    child: Option<(Child, ChildStdin)>,
    /// Everything registered, for the fallback when there is no janitor.
    lines: Vec<String>,
}

impl Janitor {
    /// Starts the janitor for the client `program` (on the user's default engine).
    pub fn start(program: &Path, keep_images: bool) -> Janitor {
        Janitor::start_at(program, &Endpoint::Default, keep_images)
    }

    /// Starts the janitor for the engine `docker` drives.
    pub fn for_engine(docker: &Docker, keep_images: bool) -> Janitor {
        Janitor::start_at(&docker.program, &docker.endpoint, keep_images)
    }

    fn start_at(program: &Path, endpoint: &Endpoint, keep_images: bool) -> Janitor {
        let mut cmd = Command::new("sh");
        endpoint.apply(&mut cmd);
        cmd.arg("-c")
            .arg(SCRIPT)
            .arg("dfslim-verify-janitor")
            .arg(program)
            .arg(if keep_images { "1" } else { "0" })
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Out of the terminal's foreground group: Ctrl-C is not for it.
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .ok()
            .and_then(|mut c| c.stdin.take().map(|s| (c, s)));
        Janitor {
            program: program.to_path_buf(),
            endpoint: endpoint.clone(),
            keep_images,
            child,
            lines: Vec::new(),
        }
    }

    /// A container to remove (register it before creating it).
    pub fn container(&mut self, name: &str) {
        self.register('c', name);
    }

    /// A tagged image to remove unless images are kept.
    pub fn image(&mut self, tag: &str) {
        self.register('t', tag);
    }

    /// An intermediate image of the legacy builder: removed once untagged.
    pub fn intermediate(&mut self, id: &str) {
        self.register('i', id);
    }

    fn register(&mut self, kind: char, what: &str) {
        let line = format!("{kind} {what}");
        if let Some((_, stdin)) = &mut self.child {
            // A janitor that died leaves the fallback below.
            if writeln!(stdin, "{line}")
                .and_then(|_| stdin.flush())
                .is_err()
            {
                self.child = None;
            }
        }
        self.lines.push(line);
    }

    /// Removes everything now and waits until it is done.
    pub fn finish(mut self) {
        if let Some((_, stdin)) = &mut self.child {
            // Done: nothing is being built any more, one sweep is enough.
            let _ = writeln!(stdin, "d").and_then(|_| stdin.flush());
        }
        self.run();
    }

    /// The tags and container names registered so far (what an engine that
    /// stopped answering may still hold).
    pub fn registered(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l.starts_with("t ") || l.starts_with("c "))
            .map(|l| l[2..].to_string())
            .collect()
    }

    fn run(&mut self) {
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            if child.wait().is_ok_and(|s| s.success()) {
                self.lines.clear();
                return;
            }
        }
        self.fallback();
    }

    /// The janitor's work done from here.
    fn fallback(&mut self) {
        let take = |kind: char, lines: &[String]| -> Vec<String> {
            lines
                .iter()
                .filter_map(|l| l.strip_prefix(kind)?.strip_prefix(' '))
                .map(str::to_string)
                .collect()
        };
        let client = || {
            let mut c = Command::new(&self.program);
            self.endpoint.apply(&mut c);
            c
        };
        let docker = |args: &[&str], names: &[String]| {
            if !names.is_empty() {
                let _ = client()
                    .args(args)
                    .args(names)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        };
        docker(&["rm", "-f"], &take('c', &self.lines));
        if !self.keep_images {
            docker(&["rmi", "-f"], &take('t', &self.lines));
        }
        for id in take('i', &self.lines) {
            let tags = client()
                .args(["image", "inspect", "-f", "{{len .RepoTags}}", &id])
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output();
            if tags.is_ok_and(|o| o.status.success() && o.stdout.trim_ascii() == b"0") {
                docker(&["rmi"], &[id]);
            }
        }
        self.lines.clear();
    }
}

impl Drop for Janitor {
    fn drop(&mut self) {
        self.run();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A client that lists three dangling images (one whose parent is ours,
    /// one another build's child, one without a parent) and logs `rmi`.
    fn fake_client(dir: &Path) -> std::path::PathBuf {
        let program = dir.join("docker");
        let log = dir.join("rmi.log");
        std::fs::write(
            &program,
            format!(
                r#"#!/bin/sh
case "$1 $2" in
  "images -q") printf '%s\n' child0000001 other0000001 orphan000001 ;;
  "image inspect")
    case "$*" in
      *Parent*child0000001) echo sha256:aaaaaaaaaaaa0123 ;;
      *Parent*other0000001) echo sha256:bbbbbbbbbbbb0123 ;;
      *Parent*orphan000001) echo ;;
      *RepoTags*) echo 0 ;;
    esac ;;
  rmi*) shift; echo "$*" >> {log} ;;
esac
"#,
                log = log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        program
    }

    #[test]
    fn the_sweep_removes_only_children_of_its_own_images() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake_client(dir.path());
        let mut janitor = Janitor::start(&program, false);
        assert!(janitor.child.is_some(), "sh is needed for this test");
        janitor.intermediate("aaaaaaaaaaaa");
        janitor.finish();
        let log = std::fs::read_to_string(dir.path().join("rmi.log")).unwrap();
        let removed: Vec<&str> = log.lines().collect();
        // The child of ours and ours (untagged); never the parentless image
        // of a build running beside this one, nor another build's child.
        assert_eq!(removed, ["child0000001", "aaaaaaaaaaaa"], "{log}");
    }
}
