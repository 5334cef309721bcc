//! `dfslim config`: the configuration in force, and what it gives a path.

use super::{OK, fail, print};
use clap::Args;
use dfslim::config::{Config, Flags};
use dfslim::fix::Plan;
use dfslim::{compose, walk};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// A Dockerfile, or a directory (each Dockerfile under it is shown).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// The configuration file [default: dfslim.toml here or in the nearest
    /// parent, up to the repository root].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn run(args: ConfigArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config = match super::fix::load_config(args.config.as_deref(), &cwd) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let filter = match walk::Filter::default().exclude_under(&config.dir, &config.exclude) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let found = walk::discover(std::slice::from_ref(&args.path), &filter);
    let (compose, notes) = compose::map_all(&found.composes, &cwd);
    let mut out = general(&config);
    for (path, msg) in notes {
        let _ = writeln!(out, "# {path}: {msg}");
    }
    let plan = Plan {
        config,
        flags: Flags::default(),
        context: None,
        compose,
        cwd,
    };
    let files: Vec<&PathBuf> = found.files.iter().filter_map(|f| f.as_ref().ok()).collect();
    if files.is_empty() {
        let _ = writeln!(
            out,
            "\n# no Dockerfiles under {}",
            walk::display(&args.path)
        );
    }
    for path in files {
        out.push('\n');
        out.push_str(&for_path(&plan, path));
    }
    print(&out);
    OK
}

/// The file-wide settings, as TOML with where each came from.
fn general(c: &Config) -> String {
    let mut out = String::new();
    let place = |line: usize| c.place(line);
    match &c.file {
        Some(f) => {
            let _ = writeln!(out, "# configuration: {}", f.display());
        }
        None => {
            let _ = writeln!(
                out,
                "# configuration: none (no dfslim.toml found; defaults)"
            );
        }
    }
    match c.level {
        Some((l, line)) => {
            let _ = writeln!(out, "level = {l}  # {}", place(line));
        }
        None => {
            let _ = writeln!(out, "level = {}  # default", dfslim::pipeline::MAX_LEVEL);
        }
    }
    let _ = writeln!(out, "exclude = {}", list(&c.exclude));
    for t in &c.transforms {
        let table = if dfslim::ecosystem::Ecosystem::parse(&t.id).is_some() {
            "ecosystems"
        } else {
            "transforms"
        };
        let _ = writeln!(
            out,
            "{table}.{}.enabled = {}  # {}",
            t.id,
            t.enabled,
            place(t.line)
        );
    }
    if let Some((a, line)) = c.allow_unpinned {
        let _ = writeln!(out, "allow_unpinned = {a}  # {}", place(line));
    }
    match c.runtime {
        Some((r, line)) => {
            let _ = writeln!(out, "runtime = {:?}  # {}", runtime_name(r), place(line));
        }
        None => {
            let _ = writeln!(out, "runtime = \"scratch\"  # default");
        }
    }
    for o in &c.overrides {
        let _ = writeln!(
            out,
            "# [[override]] at {}: paths = {}",
            place(o.line),
            list(&o.paths)
        );
    }
    for x in &c.contexts {
        let target = x.target.as_ref().map_or(String::new(), |t| {
            format!(
                ", target = {t:?}{}",
                if x.ship { ", ship = true" } else { "" }
            )
        });
        let _ = writeln!(
            out,
            "# [[context]] at {}: dockerfile = {:?}, context = {:?}{target}",
            place(x.line),
            x.dockerfile,
            x.context
        );
    }
    out
}

fn runtime_name(r: dfslim::pipeline::Runtime) -> &'static str {
    match r {
        dfslim::pipeline::Runtime::Scratch => "scratch",
        dfslim::pipeline::Runtime::Distroless => "distroless",
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// What one Dockerfile gets.
fn for_path(plan: &Plan, path: &Path) -> String {
    let abs = walk::absolute_in(&plan.cwd, path);
    let r = plan.config.resolve(&abs, &plan.flags);
    let (context, from) = plan.context_of(path, &abs);
    let runs: Vec<&str> = r.selection.transforms().iter().map(|t| t.id()).collect();
    let mut out = String::new();
    let _ = writeln!(out, "[{:?}]", walk::display(path));
    let _ = writeln!(out, "level = {}  # {}", r.selection.level, r.level_from);
    let _ = writeln!(
        out,
        "transforms = {}",
        list(&runs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    );
    for (id, why) in &r.disabled {
        let _ = writeln!(out, "# {id} off: {why}");
    }
    for line in &r.overrides {
        let _ = writeln!(
            out,
            "# [[override]] at {} applies",
            plan.config.place(*line)
        );
    }
    let _ = writeln!(out, "context = {:?}  # {from}", walk::display(&context));
    // Which stages others build, and which ships.
    let targets = plan.targets_of(&abs);
    for t in &targets.built {
        let _ = writeln!(out, "# stage {:?} is built by {}", t.stage, t.by);
    }
    match &targets.ship {
        Some(s) => {
            let _ = writeln!(out, "ships = {s:?}  # [[context]] ship = true");
        }
        None => {
            let _ = writeln!(out, "ships = \"the last stage\"");
        }
    }
    out
}
