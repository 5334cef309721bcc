//! Cargo commands: `cargo build|install|run` read out of RUN lines (every
//! word located, for exact edits) and out of a CMD's argv, with the flags
//! that decide what is built and where it lands.

use crate::analysis::commands::{Arg, CommandLine};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Build,
    Install,
    Run,
}

/// The profile a command builds with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Release,
    Named(String),
}

impl Profile {
    /// The directory under the target dir: `debug`, `release`, or the name.
    pub fn dir(&self) -> &str {
        match self {
            Profile::Dev => "debug",
            Profile::Release => "release",
            Profile::Named(n) if n == "test" => "debug",
            Profile::Named(n) if n == "bench" => "release",
            Profile::Named(n) => n,
        }
    }

    /// The name Cargo's settings use (`CARGO_PROFILE_<NAME>_STRIP`).
    pub fn name(&self) -> &str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
            Profile::Named(n) => n,
        }
    }
}

/// A cargo command, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cargo {
    pub verb: Verb,
    /// `cargo` and every word after it, located (for a CMD: not located).
    pub words: Vec<Arg>,
    /// The index in `words` of the verb.
    pub verb_at: usize,
    /// `NAME=value` words before it (`CARGO_TARGET_DIR=/out cargo build`).
    pub assignments: Vec<(String, String, Arg)>,
    pub profile: Profile,
    /// `-p/--package` values.
    pub packages: Vec<String>,
    /// `--bin` values.
    pub bins: Vec<String>,
    /// `--workspace`/`--all`, `--bins`: every binary.
    pub all: bool,
    pub target: Option<String>,
    pub target_dir: Option<String>,
    pub manifest_path: Option<String>,
    /// `cargo install --path P`.
    pub path: Option<String>,
    /// `cargo install --root R`.
    pub root: Option<String>,
    /// Feature flags as written (`--features x`, `--no-default-features`).
    pub features: Vec<String>,
    /// `cargo install <crate>` from a registry or git: not the context's code.
    pub remote: bool,
    /// Words after `--` (`cargo run -- --port 80`).
    pub program_args: Vec<String>,
    /// Flags dfslim does not know what to make of.
    pub unknown: Vec<String>,
}

impl Cargo {
    pub fn verb_word(&self) -> &Arg {
        &self.words[self.verb_at]
    }

    /// True when the flag (or one of its spellings) is on the line.
    pub fn has(&self, flags: &[&str]) -> bool {
        self.words.iter().any(|w| {
            flags
                .iter()
                .any(|f| w.value == *f || w.value.starts_with(&format!("{f}=")))
        })
    }
}

/// Flags of cargo build/install/run that take a value.
const VALUE_FLAGS: &[&str] = &[
    "-p",
    "--package",
    "--bin",
    "--example",
    "--test",
    "--bench",
    "--target",
    "--target-dir",
    "--manifest-path",
    "--path",
    "--root",
    "--features",
    "-F",
    "--profile",
    "-j",
    "--jobs",
    "--exclude",
    "--color",
    "--config",
    "-Z",
    "--message-format",
    "--timings",
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--registry",
    "--index",
    "--lockfile-path",
];

/// Flags that change nothing about what is built or where it lands.
const HARMLESS: &[&str] = &[
    "--locked",
    "--frozen",
    "--offline",
    "-q",
    "--quiet",
    "-v",
    "-vv",
    "--verbose",
    "--all-targets",
    "--lib",
    "--keep-going",
    "--force",
    "-f",
    "--no-track",
    "--ignore-rust-version",
    "--future-incompat-report",
    "--timings",
    "--color",
    "-j",
    "--jobs",
    "--config",
    "--message-format",
    "--lockfile-path",
    "-Z",
];

/// Reads a cargo command line (`cargo build --release -p api`); `None`
/// for other commands and other cargo verbs.
pub fn read(line: &CommandLine) -> Option<Cargo> {
    if line.name != "cargo" {
        return None;
    }
    read_words(&line.args, line.assignments.clone())
}

/// Reads cargo's words (`cargo` first).
pub fn read_words(words: &[Arg], assignments: Vec<(String, String, Arg)>) -> Option<Cargo> {
    // `cargo +nightly build`: a toolchain before the verb.
    let verb_at = words
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, w)| !w.value.starts_with('+') && !w.value.starts_with('-'))
        .map(|(i, _)| i)?;
    let verb = match words[verb_at].value.as_str() {
        "build" | "b" => Verb::Build,
        "install" => Verb::Install,
        "run" | "r" => Verb::Run,
        _ => return None,
    };
    let mut c = Cargo {
        verb,
        words: words.to_vec(),
        verb_at,
        assignments,
        profile: if verb == Verb::Install {
            Profile::Release
        } else {
            Profile::Dev
        },
        packages: Vec::new(),
        bins: Vec::new(),
        all: false,
        target: None,
        target_dir: None,
        manifest_path: None,
        path: None,
        root: None,
        features: Vec::new(),
        remote: false,
        program_args: Vec::new(),
        unknown: Vec::new(),
    };
    let rest: Vec<&Arg> = words[verb_at + 1..].iter().collect();
    let mut i = 0;
    let mut positional = Vec::new();
    while i < rest.len() {
        let w = rest[i].value.as_str();
        if w == "--" {
            c.program_args = rest[i + 1..].iter().map(|a| a.value.clone()).collect();
            break;
        }
        if !w.starts_with('-') || w == "-" {
            positional.push(w.to_string());
            i += 1;
            continue;
        }
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (w.to_string(), None),
        };
        // `-prelease-api`-style short flags with the value attached.
        let (flag, inline) = match (flag.as_str(), inline) {
            (f, None)
                if f.len() > 2
                    && (f.starts_with("-p") || f.starts_with("-F"))
                    && !f.starts_with("--") =>
            {
                (f[..2].to_string(), Some(f[2..].to_string()))
            }
            (_, v) => (flag, v),
        };
        let takes = VALUE_FLAGS.contains(&flag.as_str());
        let value = match (&inline, takes) {
            (Some(v), _) => Some(v.clone()),
            (None, true) => {
                i += 1;
                rest.get(i).map(|a| a.value.clone())
            }
            (None, false) => None,
        };
        match flag.as_str() {
            "--release" | "-r" => c.profile = Profile::Release,
            "--debug" if verb == Verb::Install => c.profile = Profile::Dev,
            "--profile" => {
                c.profile = match value.as_deref() {
                    Some("release") => Profile::Release,
                    Some("dev") => Profile::Dev,
                    Some(n) => Profile::Named(n.to_string()),
                    None => Profile::Dev,
                }
            }
            "-p" | "--package" => c.packages.extend(value),
            "--bin" => c.bins.extend(value),
            "--bins" | "--workspace" | "--all" => c.all = true,
            "--target" => c.target = value,
            "--target-dir" => c.target_dir = value,
            "--manifest-path" => c.manifest_path = value,
            "--path" => c.path = value,
            "--root" => c.root = value,
            "--features" | "-F" => c
                .features
                .push(format!("--features={}", value.unwrap_or_default())),
            "--all-features" | "--no-default-features" => c.features.push(flag.clone()),
            "--git" | "--registry" | "--index" | "--version" | "--vers" => c.remote = true,
            f if HARMLESS.contains(&f)
                || (takes && !matches!(f, "--example" | "--test" | "--bench" | "--exclude")) => {}
            f => c.unknown.push(f.to_string()),
        }
        i += 1;
    }
    if verb == Verb::Install {
        // `cargo install ripgrep`: a crate from a registry.
        if !positional.is_empty() && c.path.is_none() {
            c.remote = true;
        }
        if positional.is_empty() && c.path.is_none() && !c.remote {
            // `cargo install` alone is an error since Cargo 1.x... except
            // with --path; treat as the current directory.
            c.path = Some(".".into());
        }
    } else if !positional.is_empty() && verb != Verb::Run {
        c.unknown.extend(positional);
    }
    Some(c)
}

/// Reads a cargo command from a CMD/ENTRYPOINT argv (words not located).
pub fn read_argv(argv: &[String]) -> Option<Cargo> {
    let first = argv.first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    if name != "cargo" {
        return None;
    }
    let words: Vec<Arg> = argv
        .iter()
        .map(|v| Arg {
            span: crate::syntax::Span::new(0, 0),
            value: v.clone(),
            dynamic: false,
            json: true,
        })
        .collect();
    read_words(&words, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Cargo {
        let v: Vec<String> = s.split_whitespace().map(str::to_string).collect();
        read_argv(&v).unwrap()
    }

    #[test]
    fn reads_profiles_packages_and_paths() {
        let c = argv("cargo build --release -p ws-server --target x86_64-unknown-linux-musl");
        assert_eq!(c.profile, Profile::Release);
        assert_eq!(c.packages, ["ws-server"]);
        assert_eq!(c.target.as_deref(), Some("x86_64-unknown-linux-musl"));
        assert!(c.unknown.is_empty());
        let c = argv("cargo b -r --bin=api --target-dir /out");
        assert_eq!((c.verb, c.profile.dir()), (Verb::Build, "release"));
        assert_eq!(c.bins, ["api"]);
        assert_eq!(c.target_dir.as_deref(), Some("/out"));
        let c = argv("cargo install --path . --root /usr/local");
        assert_eq!(
            (c.path.as_deref(), c.root.as_deref()),
            (Some("."), Some("/usr/local"))
        );
        assert_eq!(c.profile, Profile::Release);
        assert!(argv("cargo install diesel_cli --no-default-features").remote);
        let c = argv("cargo run --release -- --port 80");
        assert_eq!(c.program_args, ["--port", "80"]);
        assert_eq!(argv("cargo build --profile dist").profile.dir(), "dist");
        assert_eq!(argv("cargo build -pserver").packages, ["server"]);
        assert!(read_argv(&["cargo".into(), "fetch".into()]).is_none());
        assert!(!argv("cargo build --example x").unknown.is_empty());
    }
}
