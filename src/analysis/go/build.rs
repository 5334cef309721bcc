//! The Go builds of each stage: where each binary lands and whether cgo is
//! on for it, from the command line, the stage's variables and its cwd.

use super::cmd::{self, GoCommand, Verb};
use crate::analysis::commands::Arg;
use crate::analysis::env::{self, Env, join_path};
use crate::analysis::stages::StageFacts;
use crate::message::Loc;
use crate::syntax::Document;

/// Where a build puts its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// One executable at this absolute path.
    File(String),
    /// Executables named after their packages, in this directory.
    Dir(String),
    /// Nothing is written (`go build ./...`, `go run`).
    Nothing,
    /// It depends on something dfslim cannot see: why.
    Unknown(String),
}

impl Output {
    pub fn path(&self) -> Option<&str> {
        match self {
            Output::File(p) | Output::Dir(p) => Some(p),
            _ => None,
        }
    }
}

/// Whether cgo is on for a build, and what says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cgo {
    Off(String),
    On(String),
    /// Not set: Go's default, which is on when a C compiler is found
    /// (and, before Go 1.20, links the net package against libc).
    Default,
    /// Set from a value only the build knows.
    Unknown(String),
}

/// A `go build|install|run` in a RUN, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoBuild {
    pub ins: usize,
    pub stage: usize,
    pub cmd: GoCommand,
    /// The directory it runs in, when known.
    pub cwd: Option<String>,
    pub output: Output,
    pub cgo: Cgo,
    /// GOFLAGS in effect, when set.
    pub goflags: Option<String>,
    /// The variables in effect (ARG and ENV), for reading `$LDFLAGS`.
    pub env: Env,
}

impl GoBuild {
    pub fn is_run(&self) -> bool {
        self.cmd.verb == Verb::Run
    }

    /// `go install example.com/tool@v1`: a tool fetched by version, not the
    /// project's own code built from the context.
    pub fn is_remote(&self) -> bool {
        self.cmd.packages().iter().any(|a| a.value.contains('@'))
    }
}

/// The go builds of `stage`; `module` is the build context's module path.
pub fn builds<'a>(
    doc: &Document,
    stage: &StageFacts,
    lines: &dyn Fn(usize) -> &'a [crate::analysis::commands::CommandLine],
    module: Option<&str>,
) -> Vec<GoBuild> {
    let mut out = Vec::new();
    for &i in &stage.runs {
        let ins = &doc.instructions()[i];
        let at = stage.at(doc, i);
        let exec_form = matches!(ins.command(), Some(crate::syntax::Command::Exec(_)));
        for cmd in cmd::go_commands_in(lines(i), exec_form) {
            let mut env = at.env.clone();
            for (k, v) in &cmd.env {
                env.set(k, env::Value::Known(v.clone()));
            }
            let cwd = cwd(at.workdir.as_deref(), &cmd);
            let output = output(&cmd, cwd.as_deref(), &env, doc.escape(), module);
            let cgo = cgo(doc, stage, i, &cmd);
            let goflags = env.known("GOFLAGS").map(str::to_string);
            out.push(GoBuild {
                ins: i,
                stage: stage.index,
                cmd,
                cwd,
                output,
                cgo,
                goflags,
                env,
            });
        }
    }
    out
}

fn cwd(workdir: Option<&str>, cmd: &GoCommand) -> Option<String> {
    let mut dir = workdir?.to_string();
    for c in &cmd.cd {
        dir = join_path(&dir, c.as_deref()?);
    }
    Some(dir)
}

/// The last path element Go names a binary after: `server` for
/// `./cmd/server`, `app` for `example.com/app/v2`, `tool` for `x/tool@v1`.
pub fn binary_name(import_path: &str) -> Option<String> {
    let p = import_path.split('@').next()?.trim_end_matches('/');
    let mut parts: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if parts.len() > 1
        && parts.last().is_some_and(|l| {
            l.len() > 1 && l.starts_with('v') && l[1..].bytes().all(|b| b.is_ascii_digit())
        })
    {
        parts.pop();
    }
    let last = parts.last()?;
    (!last.contains("...") && *last != "..").then(|| last.to_string())
}

fn output(
    cmd: &GoCommand,
    cwd: Option<&str>,
    env: &Env,
    escape: char,
    module: Option<&str>,
) -> Output {
    let pkgs = cmd.packages();
    let many = pkgs.iter().filter(|a| !a.value.ends_with(".go")).count() > 1
        || pkgs.iter().any(|a| a.value.contains("..."));
    let name_of = |pkgs: &[Arg]| -> Result<String, String> {
        if let Some(a) = pkgs.iter().find(|a| a.dynamic) {
            return Err(format!(
                "the package {} is only known at build time",
                a.value
            ));
        }
        if let Some(first) = pkgs.first().filter(|a| a.value.ends_with(".go")) {
            let file = first.value.rsplit('/').next().unwrap_or(&first.value);
            return Ok(file.trim_end_matches(".go").to_string());
        }
        let pkg = pkgs.first().map_or(".", |a| a.value.as_str());
        if pkg == "." || pkg == "./" {
            return match module.and_then(binary_name) {
                Some(n) if cmd.cd.is_empty() => Ok(n),
                _ => Err("the binary is named after the Go package in the build directory, and go.mod could not be read".into()),
            };
        }
        binary_name(pkg).ok_or_else(|| format!("cannot tell the binary name of {pkg}"))
    };
    match cmd.verb {
        Verb::Run => Output::Nothing,
        Verb::Build => {
            if let Some(o) = cmd.flag("o") {
                let Some(value) = o.value.as_deref() else {
                    return Output::Unknown("-o has no value".into());
                };
                let Some(v) = env
                    .expand_strict(value, escape)
                    .filter(|v| !v.contains("$(") && !v.contains('`'))
                else {
                    return Output::Unknown(format!("-o {value} is only known at build time"));
                };
                let Some(dir) = cwd else {
                    return Output::Unknown(
                        "the working directory is only known at build time".into(),
                    );
                };
                let path = join_path(dir, &v);
                if v.ends_with('/') {
                    return match name_of(pkgs) {
                        Ok(n) if !many => Output::File(join_path(&path, &n)),
                        _ => Output::Dir(path),
                    };
                }
                return Output::File(path);
            }
            if many {
                return Output::Nothing;
            }
            let Some(dir) = cwd else {
                return Output::Unknown("the working directory is only known at build time".into());
            };
            match name_of(pkgs) {
                Ok(n) => Output::File(join_path(dir, &n)),
                Err(why) => Output::Unknown(why),
            }
        }
        Verb::Install => {
            let bin = match env.known("GOBIN").filter(|s| !s.is_empty()) {
                Some(b) if b.contains('$') => {
                    return Output::Unknown(format!("GOBIN={b} is only known at build time"));
                }
                Some(b) => b.to_string(),
                None => match env.get("GOPATH") {
                    Some(env::Value::Known(p)) => {
                        let first = p.split(':').next().unwrap_or(p);
                        format!("{}/bin", first.trim_end_matches('/'))
                    }
                    Some(env::Value::Unknown) => {
                        return Output::Unknown("GOPATH is only known at build time".into());
                    }
                    None => "/root/go/bin".to_string(),
                },
            };
            // Cross-compiled installs go to bin/GOOS_GOARCH.
            let cross = ["GOOS", "GOARCH"].iter().any(|v| env.is_set(v));
            let bin = if cross {
                match (env.known("GOOS"), env.known("GOARCH")) {
                    (Some("linux"), Some("amd64")) => bin,
                    _ if env.known("GOBIN").is_some() => bin,
                    _ => {
                        return Output::Unknown(
                            "a cross-compiling go install puts binaries in bin/GOOS_GOARCH".into(),
                        );
                    }
                }
            } else {
                bin
            };
            let bin = join_path("/", &bin);
            if many {
                return Output::Dir(bin);
            }
            match name_of(pkgs) {
                Ok(n) => Output::File(join_path(&bin, &n)),
                Err(_) => Output::Dir(bin),
            }
        }
    }
}

fn cgo(doc: &Document, stage: &StageFacts, ins: usize, cmd: &GoCommand) -> Cgo {
    let here = Loc::at(doc, ins);
    if let Some((_, v)) = cmd.env.iter().rev().find(|(k, _)| k == "CGO_ENABLED") {
        let why = format!("CGO_ENABLED={v} on the build line ({here})");
        return match v.as_str() {
            "0" => Cgo::Off(why),
            "1" => Cgo::On(why),
            _ => Cgo::Unknown(why),
        };
    }
    let at = stage.at(doc, ins);
    match at.env.get("CGO_ENABLED") {
        None => Cgo::Default,
        Some(env::Value::Known(v)) => {
            let why = format!("CGO_ENABLED={v} is set before the build ({here})");
            match v.as_str() {
                "0" => Cgo::Off(why),
                "1" => Cgo::On(why),
                "" => Cgo::Default,
                _ => Cgo::Unknown(why),
            }
        }
        Some(env::Value::Unknown) => Cgo::Unknown("CGO_ENABLED is only known at build time".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_binaries_like_go() {
        assert_eq!(binary_name("./cmd/server").as_deref(), Some("server"));
        assert_eq!(binary_name("example.com/app/v2").as_deref(), Some("app"));
        assert_eq!(
            binary_name("golang.org/x/tools/gopls@latest").as_deref(),
            Some("gopls")
        );
        assert_eq!(binary_name("./..."), None);
    }
}
