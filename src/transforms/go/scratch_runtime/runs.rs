//! The RUN lines of a runtime stage, read command by command: what each one
//! gives the running program, so a minimal runtime (no shell, no package
//! manager) can get the same another way. A command dfslim cannot account
//! for refuses the step, naming it.
//!
//! | command | what the minimal runtime gets instead |
//! |---|---|
//! | `apk add` / `apt-get install` `ca-certificates` (+ `update-ca-certificates`) | the CA bundle copied from the builder (distroless: its own) |
//! | `tzdata` | the zone database in the binary (`-tags timetzdata`) or Go's zoneinfo.zip (distroless: its own) |
//! | `libc6`, `libc6-compat`, `musl`... | nothing: the binary is static |
//! | `tini`, `dumb-init` run as PID 1 | a static build of it, installed in the builder and copied |
//! | `chmod +x` on a Go binary copied from a builder | nothing: `COPY --from` keeps the 0755 `go build` gave it |
//! | `addgroup`, `adduser`, `groupadd`, `useradd` | passwd/group lines written in the builder and copied, numeric USER and `--chown` |
//! | `apk update`, `apt-get update`, `rm -rf` of caches, `echo`, `ls` | nothing: they only served the install or the build log |
//! | `curl`, `wget` | refused (naming the HEALTHCHECK that runs it), unless the program has its own health command |

use super::accounts::Accounts;
use crate::analysis::StageFacts;
use crate::analysis::commands::CommandLine;
use crate::catalog::{self, Init};
use crate::message::Loc;
use crate::transforms::{Cx, Outcome};

/// What the runtime's RUN lines do, as far as the program is concerned.
pub(super) struct Runs {
    /// The RUN instructions (document indices), all of which go.
    pub deleted: Vec<usize>,
    /// The RUN installing the CA bundle.
    pub ca: Option<usize>,
    /// The RUN installing the zone database.
    pub tzdata: Option<usize>,
    /// The RUN running `update-ca-certificates`.
    pub update_ca: Option<usize>,
    /// Init programs installed: the RUN, the table entry, the package.
    pub inits: Vec<(usize, &'static Init, String)>,
    /// HTTP clients installed: the RUN and the package.
    pub http_clients: Vec<(usize, String)>,
    pub accounts: Accounts,
    /// The RUNs that create accounts.
    pub account_runs: Vec<usize>,
    /// What was dropped because it does nothing a running program sees:
    /// (RUN, what), for the report.
    pub dropped: Vec<(usize, String)>,
}

/// Reads every RUN of the runtime stage `rt` (based on alpine when
/// `alpine`), for a move to `minimal` (scratch, distroless).
pub(super) fn read(cx: &Cx, rt: &StageFacts, alpine: bool, minimal: &str) -> Result<Runs, Outcome> {
    let doc = cx.doc;
    let t = &catalog::tables().runtime_runs;
    let mut r = Runs {
        deleted: Vec::new(),
        ca: None,
        tzdata: None,
        update_ca: None,
        inits: Vec::new(),
        http_clients: Vec::new(),
        accounts: Accounts::new(alpine),
        account_runs: Vec::new(),
        dropped: Vec::new(),
    };
    for &i in &rt.runs {
        let line = Loc::at(doc, i);
        let refuse = |why: String| {
            Outcome::refuse(format!(
                "{line} runs a command in the runtime that {minimal} cannot replace: {why}"
            ))
        };
        let (lines, features) = (cx.facts.lines(i), cx.facts.shell_features(i));
        if features {
            return Err(refuse(
                "it uses shell syntax (pipes, `||`, redirections, control flow, a heredoc) dfslim does not take apart, and {minimal} has no shell".to_string(),
            ));
        }
        let env = &rt.at(doc, i).env;
        for l in lines {
            if l.name.is_empty() {
                if l.assignments.is_empty() {
                    continue;
                }
                return Err(refuse(format!(
                    "it sets shell variables; {minimal} has no shell"
                )));
            }
            let words = expand(l, env, doc.escape()).map_err(&refuse)?;
            let shown = words.join(" ");
            match l.name.as_str() {
                "apk" | "apt-get" | "apt" => {
                    let (packages, only_index) = packages(&words).map_err(&refuse)?;
                    if only_index {
                        r.dropped.push((
                            i,
                            format!("`{shown}` dropped: it only served the package installs"),
                        ));
                    }
                    for p in packages {
                        let p = p.as_str();
                        if t.ca_packages.iter().any(|c| c == p) {
                            r.ca.get_or_insert(i);
                        } else if t.tz_packages.iter().any(|c| c == p) {
                            r.tzdata.get_or_insert(i);
                        } else if t.libc_packages.iter().any(|c| c == p) {
                            r.dropped.push((
                                i,
                                format!("installs {p}: dropped, the binary is static (cgo is off) and loads no C library"),
                            ));
                        } else if let Some(init) =
                            t.inits.iter().find(|n| n.packages.iter().any(|x| x == p))
                        {
                            r.inits.push((i, init, p.to_string()));
                        } else if t.http_clients.iter().any(|c| c == p) {
                            r.http_clients.push((i, p.to_string()));
                        } else {
                            return Err(refuse(format!(
                                "it installs {p} with {}, which the program may need at run time; {minimal} has no package manager",
                                l.name
                            )));
                        }
                    }
                }
                "update-ca-certificates" => {
                    r.update_ca.get_or_insert(i);
                    r.dropped.push((
                        i,
                        "`update-ca-certificates` dropped: the bundle copied is the one it generates"
                            .to_string(),
                    ));
                }
                "rm" => {
                    let paths: Vec<&String> =
                        words[1..].iter().filter(|w| !w.starts_with('-')).collect();
                    if let Some(p) = paths
                        .iter()
                        .find(|p| !t.caches.iter().any(|c| crate::analysis::covers(c, p)))
                    {
                        return Err(refuse(format!(
                            "`{shown}` removes {p}, which is not a package cache"
                        )));
                    }
                    r.dropped.push((
                        i,
                        format!("`{shown}` dropped: it only cleans up after the package installs"),
                    ));
                }
                "chmod" => {
                    chmod(cx, rt, i, &words).map_err(&refuse)?;
                    r.dropped.push((
                        i,
                        format!("`{shown}` dropped: COPY --from keeps the 0755 mode go build gave the binary"),
                    ));
                }
                "addgroup" | "adduser" | "groupadd" | "useradd" => {
                    r.accounts
                        .run(&words)
                        .map_err(|e| refuse(format!("`{shown}`: {e}")))?;
                    if !r.account_runs.contains(&i) {
                        r.account_runs.push(i);
                    }
                }
                "set" | "true" | ":" => {
                    r.dropped
                        .push((i, format!("`{shown}` dropped: it only sets shell options")));
                }
                n if t.print_only.iter().any(|p| p == n) => {
                    r.dropped.push((
                        i,
                        format!("`{shown}` dropped: it only prints to the build log"),
                    ));
                }
                n => {
                    return Err(refuse(format!(
                        "`{n}` is not one dfslim knows to replace, and {minimal} has no shell to run it"
                    )));
                }
            }
        }
        r.deleted.push(i);
    }
    Ok(r)
}

/// The words of a command, `$VARS` expanded from the stage's ARG and ENV.
fn expand(
    l: &CommandLine,
    env: &crate::analysis::env::Env,
    escape: char,
) -> Result<Vec<String>, String> {
    l.args
        .iter()
        .map(|a| {
            if a.dynamic {
                env.expand(&a.value, escape).ok_or_else(|| {
                    format!(
                        "`{}` in `{}` depends on a value only the build knows",
                        a.value, l.name
                    )
                })
            } else {
                Ok(a.value.clone())
            }
        })
        .collect()
}

/// The packages an `apk` or `apt-get` command installs (names without
/// versions), and whether it only touches the index or removes packages.
fn packages(words: &[String]) -> Result<(Vec<String>, bool), String> {
    let apk = words[0].ends_with("apk");
    let with_value: &[&str] = if apk {
        &[
            "-X",
            "--repository",
            "-t",
            "--virtual",
            "-p",
            "--root",
            "--arch",
            "--cache-dir",
            "--keys-dir",
        ]
    } else {
        &["-o", "-t", "--target-release", "-c", "--config-file"]
    };
    let mut verb = None;
    let mut out = Vec::new();
    let mut skip = false;
    for w in &words[1..] {
        if skip {
            skip = false;
            continue;
        }
        if w.starts_with('-') {
            skip = with_value.contains(&w.as_str());
            continue;
        }
        match verb {
            None => verb = Some(w.as_str()),
            Some("add" | "install") => {
                out.push(
                    w.split(['=', '<', '>', '~'])
                        .next()
                        .unwrap_or(w)
                        .to_string(),
                );
            }
            Some(_) => {}
        }
    }
    match verb {
        Some("add" | "install") => Ok((out, false)),
        Some(
            "update" | "upgrade" | "dist-upgrade" | "full-upgrade" | "del" | "remove" | "purge"
            | "autoremove" | "clean" | "autoclean" | "cache" | "info" | "fix" | "version",
        ) => Ok((Vec::new(), true)),
        Some(v) => Err(format!("`{} {v}` is not one dfslim knows", words[0])),
        None => Err(format!("`{}` without a command", words[0])),
    }
}

/// `chmod` that only adds permissions to Go binaries the image gets from a
/// builder: a no-op there, since `go build` made them 0755 and `COPY
/// --from` keeps the mode.
fn chmod(cx: &Cx, rt: &StageFacts, i: usize, words: &[String]) -> Result<(), String> {
    let mut rest = words[1..].iter().filter(|w| {
        !matches!(
            w.as_str(),
            "-v" | "-c" | "-f" | "--verbose" | "--changes" | "--silent" | "--quiet"
        )
    });
    let Some(mode) = rest.next() else {
        return Err("`chmod` without a mode".to_string());
    };
    let files: Vec<&String> = rest.collect();
    if mode.starts_with('-') || files.iter().any(|f| f.starts_with('-')) {
        return Err(format!(
            "`chmod {mode}` with options dfslim does not follow (-R...)"
        ));
    }
    let adds_exec = if mode.bytes().all(|b| b.is_ascii_digit() && b < b'8') {
        u32::from_str_radix(mode, 8).is_ok_and(|m| m & 0o100 != 0)
    } else {
        mode.split(',').all(|clause| {
            let ops = clause.trim_start_matches(['u', 'g', 'o', 'a']);
            ops.starts_with('+') && ops[1..].bytes().all(|b| b"rwxX".contains(&b))
        }) && mode.contains('x')
    };
    if !adds_exec {
        return Err(format!(
            "`chmod {mode}` changes the mode in ways COPY --from does not already give"
        ));
    }
    if files.is_empty() {
        return Err("`chmod` without a file".to_string());
    }
    let workdir = rt.at(cx.doc, i).workdir.clone();
    for f in files {
        let path = if f.contains('/') {
            f.clone()
        } else {
            format!("./{f}")
        };
        if cx
            .go()
            .binary_in_image(cx.facts, &path, workdir.as_deref())
            .is_none()
        {
            return Err(format!(
                "`chmod {mode} {f}`: {f} is not a Go binary copied from a builder, whose mode dfslim knows"
            ));
        }
    }
    Ok(())
}
