//! The Node.js commands inside RUN, CMD and ENTRYPOINT: package installs
//! (`npm ci`, `yarn install --frozen-lockfile`, `pnpm install`), scripts
//! (`npm run build`, `yarn build`), and what a command starts.

use crate::analysis::commands::{Arg, CommandLine};

/// A package manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    Npm,
    Yarn,
    Pnpm,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Npm => "npm",
            Manager::Yarn => "yarn",
            Manager::Pnpm => "pnpm",
        }
    }
}

/// A project install: `npm install`, `npm ci`, `yarn`, `pnpm install`...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Install {
    pub ins: usize,
    pub manager: Manager,
    /// `install`, `ci`, `i` (empty for a bare `yarn`).
    pub verb: String,
    /// The manager's word (`npm`), the verb and the flags, located.
    pub words: Vec<Arg>,
    /// Dev dependencies are left out (`--omit=dev`, `--production`, `--prod`).
    pub production: bool,
}

impl Install {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.words
            .iter()
            .any(|w| w.value == flag || w.value.starts_with(&format!("{flag}=")))
    }
}

/// A package script run in a RUN: `npm run build`, `yarn build`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    pub ins: usize,
    pub manager: Manager,
    pub name: String,
}

/// What a command line of a RUN is, for Node.js.
pub enum Step {
    Install(Install),
    /// `npm install express` and the like: packages named on the line.
    Add,
    /// `npm install -g pm2`, `yarn global add`.
    Global(Vec<String>),
    Script(Script),
    /// `npm prune --production` and the like: dev dependencies removed.
    Prune,
    Other,
}

fn manager(name: &str) -> Option<Manager> {
    match name {
        "npm" => Some(Manager::Npm),
        "yarn" => Some(Manager::Yarn),
        "pnpm" => Some(Manager::Pnpm),
        _ => None,
    }
}

/// Reads one command line of RUN instruction `ins`.
pub fn step(ins: usize, line: &CommandLine, env_production: bool) -> Step {
    let Some(m) = manager(&line.name) else {
        return Step::Other;
    };
    let words = &line.args;
    let rest: Vec<&str> = words.iter().skip(1).map(|a| a.value.as_str()).collect();
    let verb = rest
        .iter()
        .find(|w| !w.starts_with('-'))
        .copied()
        .unwrap_or("");
    let flags: Vec<&str> = rest
        .iter()
        .filter(|w| w.starts_with('-'))
        .copied()
        .collect();
    let global = flags.iter().any(|f| matches!(*f, "-g" | "--global"))
        || (m == Manager::Yarn && verb == "global");
    let positional: Vec<&str> = rest
        .iter()
        .filter(|w| !w.starts_with('-'))
        .skip(1)
        .copied()
        .collect();
    let production = env_production
        || flags.iter().any(|f| {
            matches!(
                *f,
                "--production"
                    | "--prod"
                    | "-P"
                    | "--omit=dev"
                    | "--only=prod"
                    | "--only=production"
            ) || f.starts_with("--production=true")
        })
        || rest.windows(2).any(|w| w == ["--omit", "dev"]);
    let install_verb = match m {
        Manager::Npm => matches!(
            verb,
            "install" | "i" | "ci" | "clean-install" | "isntall" | "add"
        ),
        Manager::Yarn => matches!(verb, "" | "install"),
        Manager::Pnpm => matches!(verb, "install" | "i"),
    };
    if global {
        let pkgs = if m == Manager::Yarn {
            positional.iter().skip(1).map(|s| s.to_string()).collect()
        } else {
            positional.iter().map(|s| s.to_string()).collect()
        };
        return Step::Global(pkgs);
    }
    if matches!(verb, "prune") {
        return Step::Prune;
    }
    if m == Manager::Yarn && verb == "workspaces" && rest.contains(&"focus") {
        return Step::Install(Install {
            ins,
            manager: m,
            verb: "workspaces focus".into(),
            words: words.clone(),
            production,
        });
    }
    if install_verb && positional.is_empty() {
        return Step::Install(Install {
            ins,
            manager: m,
            verb: verb.to_string(),
            words: words.clone(),
            production,
        });
    }
    if install_verb || (m != Manager::Npm && verb == "add") {
        return Step::Add;
    }
    // `npm run build`, `yarn build`, `yarn run build`, `pnpm build`, `pnpm run build`.
    let script = match (m, verb) {
        (_, "run" | "run-script") => positional.first().map(|s| s.to_string()),
        (Manager::Npm, "start" | "test") => Some(verb.to_string()),
        (Manager::Npm, _) => None,
        (_, v) if !v.is_empty() => Some(v.to_string()),
        _ => None,
    };
    match script {
        Some(name) => Step::Script(Script {
            ins,
            manager: m,
            name,
        }),
        None => Step::Other,
    }
}

/// What a CMD/ENTRYPOINT argv starts, read the Node.js way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Starts {
    /// `node [flags] file [args]`.
    Node,
    /// A package script through its manager: `npm start`, `yarn start`,
    /// `npm run serve -- --port 80` (extra arguments after `--`).
    Script {
        manager: Manager,
        name: String,
        extra: Vec<String>,
    },
    Other,
}

pub fn starts(argv: &[String]) -> Starts {
    let Some(first) = argv.first() else {
        return Starts::Other;
    };
    let prog = first.rsplit('/').next().unwrap_or(first);
    if prog == "node" || prog == "nodejs" {
        return Starts::Node;
    }
    let Some(m) = manager(prog) else {
        return Starts::Other;
    };
    let rest = &argv[1..];
    let (name, after) = match (m, rest.first().map(String::as_str)) {
        (_, Some("run" | "run-script")) => match rest.get(1) {
            Some(n) => (n.clone(), &rest[2..]),
            None => return Starts::Other,
        },
        (Manager::Npm, Some("start")) => ("start".to_string(), &rest[1..]),
        (Manager::Npm, _) => return Starts::Other,
        (_, Some(n)) if !n.starts_with('-') => (n.to_string(), &rest[1..]),
        _ => return Starts::Other,
    };
    let extra: Vec<String> = match after.first().map(String::as_str) {
        Some("--") => after[1..].to_vec(),
        // yarn and pnpm pass extra arguments without `--`.
        _ if m != Manager::Npm => after.to_vec(),
        Some(_) => return Starts::Other,
        None => Vec::new(),
    };
    Starts::Script {
        manager: m,
        name,
        extra,
    }
}

/// The argv of a package script that is a plain `node` command
/// (`node dist/index.js --port 80`), `None` for anything a shell would be
/// needed for (`&&`, variables, other programs).
pub fn plain_node(script: &str) -> Option<Vec<String>> {
    let parsed = crate::analysis::shell::parse(script);
    if parsed.uses_shell_features || parsed.commands.len() != 1 {
        return None;
    }
    let c = &parsed.commands[0];
    if !c.assignments.is_empty() || c.words.iter().any(|w| w.dynamic || w.glob) {
        return None;
    }
    let argv: Vec<String> = c.words.iter().map(|w| w.value.clone()).collect();
    (argv.first().map(String::as_str) == Some("node") && argv.len() > 1).then_some(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn reads_what_commands_start() {
        assert_eq!(starts(&v(&["node", "server.js"])), Starts::Node);
        assert_eq!(
            starts(&v(&["npm", "start"])),
            Starts::Script {
                manager: Manager::Npm,
                name: "start".into(),
                extra: vec![]
            }
        );
        assert_eq!(
            starts(&v(&["npm", "run", "serve", "--", "--port", "80"])),
            Starts::Script {
                manager: Manager::Npm,
                name: "serve".into(),
                extra: v(&["--port", "80"])
            }
        );
        assert_eq!(
            starts(&v(&["yarn", "start"])),
            Starts::Script {
                manager: Manager::Yarn,
                name: "start".into(),
                extra: vec![]
            }
        );
        assert_eq!(starts(&v(&["pm2-runtime", "x.js"])), Starts::Other);
        assert_eq!(
            plain_node("node dist/index.js"),
            Some(v(&["node", "dist/index.js"]))
        );
        assert_eq!(plain_node("NODE_ENV=production node a.js"), None);
        assert_eq!(plain_node("tsc && node dist/a.js"), None);
        assert_eq!(plain_node("nodemon a.js"), None);
    }
}
