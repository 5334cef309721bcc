//! The Go commands inside a RUN: `go build`, `go install`, `go run`, with
//! their environment prefixes, flags and packages, every part with its span
//! in the source so a transform can insert or merge a flag exactly.

use crate::analysis::commands::{Arg, CommandLine, command_lines};
use crate::syntax::{Command, Document, Instruction};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Build,
    Install,
    Run,
}

/// A flag: `-o out`, `-o=out`, `--ldflags "..."`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoFlag {
    /// Without dashes: `ldflags`.
    pub name: String,
    pub value: Option<String>,
    /// The flag word itself (holds the value too when written `-x=value`).
    pub word: Arg,
    /// The separate value word, when written `-x value`.
    pub value_word: Option<Arg>,
}

/// One `go build|install|run` invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoCommand {
    pub verb: Verb,
    pub verb_word: Arg,
    /// `NAME=value` words before `go`, and `export`s earlier in the same RUN.
    pub env: Vec<(String, String)>,
    pub flags: Vec<GoFlag>,
    /// Packages or files (for `go run`, then the program's arguments).
    pub args: Vec<Arg>,
    /// Directories `cd`'d into earlier in the same RUN, in order; `None` in
    /// the list marks a `cd` whose target is only known at build time.
    pub cd: Vec<Option<String>>,
    /// The RUN is in exec (JSON) form.
    pub exec_form: bool,
}

impl GoCommand {
    /// The last flag named `name` (Go uses the last one given).
    pub fn flag(&self, name: &str) -> Option<&GoFlag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// The package arguments (for `go run`, only the package, not the program's args).
    pub fn packages(&self) -> &[Arg] {
        if self.verb != Verb::Run {
            return &self.args;
        }
        let files = self
            .args
            .iter()
            .take_while(|a| a.value.ends_with(".go"))
            .count();
        let n = if files > 0 {
            files
        } else {
            self.args.len().min(1)
        };
        &self.args[..n]
    }

    /// Arguments after the package in `go run`.
    pub fn program_args(&self) -> &[Arg] {
        if self.verb != Verb::Run {
            return &[];
        }
        &self.args[self.packages().len()..]
    }
}

/// Flags of go build/install/run that take a value.
const VALUE_FLAGS: &[&str] = &[
    "C",
    "o",
    "p",
    "asmflags",
    "buildmode",
    "compiler",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "mod",
    "modfile",
    "overlay",
    "pgo",
    "pkgdir",
    "tags",
    "toolexec",
    "covermode",
    "coverpkg",
    "exec",
    "cpuprofile",
    "memprofile",
];

/// The `go build|install|run` commands of a RUN instruction.
pub fn go_commands(doc: &Document, ins: &Instruction) -> Vec<GoCommand> {
    let exec_form = matches!(ins.command(), Some(Command::Exec(_)));
    go_commands_in(&command_lines(doc, ins).0, exec_form)
}

/// The `go build|install|run` commands among a RUN's command lines.
pub fn go_commands_in(lines: &[CommandLine], exec_form: bool) -> Vec<GoCommand> {
    let lines = lines.to_vec();
    let mut out = Vec::new();
    let mut cd: Vec<Option<String>> = Vec::new();
    let mut exported: Vec<(String, String)> = Vec::new();
    for line in lines {
        match line.name.as_str() {
            "cd" => {
                let target = line
                    .args
                    .get(1)
                    .filter(|a| !a.dynamic)
                    .map(|a| a.value.clone());
                cd.push(target);
                continue;
            }
            "export" => {
                for a in &line.args[1..] {
                    if let Some((n, v)) = a.value.split_once('=') {
                        exported.push((n.to_string(), v.to_string()));
                    }
                }
                continue;
            }
            "go" => {}
            _ => continue,
        }
        let mut words = line.args.into_iter().skip(1);
        let Some(verb_word) = words.next() else {
            continue;
        };
        let verb = match verb_word.value.as_str() {
            "build" => Verb::Build,
            "install" => Verb::Install,
            "run" => Verb::Run,
            _ => continue,
        };
        let mut env = exported.clone();
        env.extend(
            line.assignments
                .iter()
                .map(|(n, v, _)| (n.clone(), v.clone())),
        );
        let mut flags = Vec::new();
        let mut args = Vec::new();
        let mut rest: Vec<Arg> = words.collect();
        rest.reverse();
        while let Some(w) = rest.pop() {
            if w.value == "--" {
                args.extend(rest.drain(..).rev());
                break;
            }
            if !w.value.starts_with('-') || w.value == "-" {
                args.push(w);
                // Go stops reading flags at the first non-flag argument.
                args.extend(rest.drain(..).rev());
                break;
            }
            let body = w.value.trim_start_matches('-');
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (body.to_string(), None),
            };
            let (value, value_word) = match inline {
                Some(v) => (Some(v), None),
                None if VALUE_FLAGS.contains(&name.as_str()) => match rest.pop() {
                    Some(vw) => (Some(vw.value.clone()), Some(vw)),
                    None => (None, None),
                },
                None => (None, None),
            };
            flags.push(GoFlag {
                name,
                value,
                word: w,
                value_word,
            });
        }
        out.push(GoCommand {
            verb,
            verb_word,
            env,
            flags,
            args,
            cd: cd.clone(),
            exec_form,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(src: &str) -> (Document, Vec<GoCommand>) {
        let doc = Document::parse(src).unwrap();
        let ins = doc.instructions().last().unwrap().clone();
        let c = go_commands(&doc, &ins);
        (doc, c)
    }

    #[test]
    fn reads_go_build_lines() {
        let src = "FROM golang\nRUN cd cmd/srv && CGO_ENABLED=0 GOOS=linux go build -a \\\n  -ldflags \"-X main.v=$V\" -o=/out/app .\n";
        let (doc, c) = cmds(src);
        assert_eq!(c.len(), 1);
        let g = &c[0];
        assert_eq!(g.verb, Verb::Build);
        assert_eq!(
            g.env,
            [
                ("CGO_ENABLED".to_string(), "0".to_string()),
                ("GOOS".into(), "linux".into())
            ]
        );
        assert_eq!(g.cd, [Some("cmd/srv".to_string())]);
        let ld = g.flag("ldflags").unwrap();
        assert_eq!(ld.value.as_deref(), Some("-X main.v=$V"));
        assert_eq!(
            ld.value_word.as_ref().unwrap().span.of(doc.text()),
            "\"-X main.v=$V\""
        );
        assert_eq!(g.flag("o").unwrap().value.as_deref(), Some("/out/app"));
        assert!(g.flag("a").unwrap().value.is_none());
        assert_eq!(g.args[0].value, ".");
        assert_eq!(g.verb_word.span.of(doc.text()), "build");
    }

    #[test]
    fn exec_form_and_go_run() {
        let (doc, c) = cmds("FROM golang\nRUN [\"go\", \"build\", \"-o\", \"app\"]\n");
        assert!(c[0].exec_form);
        assert_eq!(c[0].verb_word.span.of(doc.text()), "\"build\"");
        let (_, c) = cmds("FROM golang\nRUN go run ./cmd/main.go -port 80\n");
        assert_eq!(c[0].verb, Verb::Run);
        assert_eq!(c[0].packages()[0].value, "./cmd/main.go");
        assert_eq!(c[0].program_args().len(), 2);
        let (_, c) =
            cmds("FROM golang\nRUN go mod download && go vet ./... && go install ./cmd/x@latest\n");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].verb, Verb::Install);
    }
}
