//! Which stage ships, and which stages are products of their own.
//!
//! The image that ships is the last stage, unless configuration names
//! another (`ship = true` on a `[[context]]` target). A stage that compose,
//! bake or dfslim.toml builds as a target, other than the shipped one, is
//! somebody's image too (often a development one, with the toolchain, hot
//! reload and a debugger): it stays as it is, and so does every stage whose
//! contents reach it (its base, the stages it copies from). Development
//! stages (named `dev`, `debug`, ...; running `go run`, `npm run dev`, ...)
//! are never slimmed, whoever builds them; the one exception is a last stage
//! nothing targets, which is the image itself (the seed's `go run`).

use super::stages::{Base, Source, StageFacts};
use crate::catalog;
use crate::syntax::Document;

/// Who builds which stage of a Dockerfile, besides the default build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    /// Stages built as a `--target`, each with who builds it.
    pub built: Vec<Target>,
    /// The stage that ships, when it is not the last one.
    pub ship: Option<String>,
}

/// A stage built as a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The stage's name as the builder gives it.
    pub stage: String,
    /// `compose service backend (compose.yaml)`, `bake target dev (docker-bake.hcl)`...
    pub by: String,
}

impl Targets {
    pub const NONE: &'static Targets = &Targets {
        built: Vec::new(),
        ship: None,
    };
}

/// What each stage is to the rewrite.
#[derive(Clone, Debug, Default)]
pub struct Roles {
    /// The index of the stage that ships.
    pub shipped: usize,
    /// Per stage: why it must stay as it is, when it must.
    pub frozen: Vec<Option<String>>,
    /// Per stage: who builds it as a target.
    pub built_by: Vec<Vec<String>>,
}

/// Works out the roles of `stages`.
pub fn roles(doc: &Document, stages: &[StageFacts], targets: &Targets) -> Roles {
    let n = stages.len();
    let by_name = |name: &str| {
        doc.stages()
            .iter()
            .rev()
            .find(|s| s.name_lower().as_deref() == Some(name.to_lowercase().as_str()))
            .map(|s| s.index)
    };
    let shipped = targets
        .ship
        .as_deref()
        .and_then(by_name)
        .unwrap_or(n.saturating_sub(1));
    let mut built_by = vec![Vec::new(); n];
    for t in &targets.built {
        if let Some(i) = by_name(&t.stage) {
            built_by[i].push(t.by.clone());
        }
    }
    // Per stage: what it is, when it is a product of its own.
    let mut what: Vec<Option<String>> = vec![None; n];
    for i in 0..n {
        let dev = dev_style(doc, &stages[i], i == n - 1 && built_by[i].is_empty());
        let by =
            (!built_by[i].is_empty()).then(|| format!("built by {}", built_by[i].join(" and ")));
        what[i] = match (dev, by) {
            (Some(why), Some(by)) => Some(format!("{by}, a development stage ({why})")),
            (Some(why), None) => Some(format!("a development stage ({why})")),
            (None, Some(by)) if i != shipped => Some(by),
            _ => None,
        };
    }
    let mut frozen: Vec<Option<String>> = (0..n)
        .map(|i| {
            what[i]
                .as_ref()
                .map(|w| format!("stage {} is {w}", stage_name(doc, i)))
        })
        .collect();
    // What reaches a frozen stage stays too: its base, what it copies from.
    // `root[s]`: the product whose contents stage s reaches.
    let mut root: Vec<usize> = (0..n).collect();
    let mut todo: Vec<usize> = (0..n).filter(|&i| frozen[i].is_some()).collect();
    while let Some(f) = todo.pop() {
        let mut feeders: Vec<usize> = stages[f]
            .copies
            .iter()
            .filter_map(|c| match c.source {
                Source::Stage(s) => Some(s),
                _ => None,
            })
            .collect();
        if let Base::Stage(b) = stages[f].base {
            feeders.push(b);
        }
        for s in feeders {
            if frozen[s].is_none() {
                let how = if stages[f].base == Base::Stage(s) {
                    "the base of"
                } else {
                    "copied into"
                };
                root[s] = root[f];
                let r = root[f];
                let product = if r == f {
                    String::new()
                } else {
                    format!(", which reaches stage {}", stage_name(doc, r))
                };
                frozen[s] = Some(format!(
                    "stage {} is {how} stage {}{product}, {}",
                    stage_name(doc, s),
                    stage_name(doc, f),
                    what[r].as_deref().unwrap_or("a product of its own")
                ));
                todo.push(s);
            }
        }
    }
    Roles {
        shipped,
        frozen,
        built_by,
    }
}

/// `` `builder` ``, or `0` for a stage without a name.
pub fn stage_name(doc: &Document, i: usize) -> String {
    doc.stages()[i]
        .name
        .as_ref()
        .map_or_else(|| i.to_string(), |n| format!("`{}`", n.text))
}

/// Why the stage is a development stage, if it is: its name, or its
/// command (unless `is_the_image`: a last stage nobody targets).
fn dev_style(doc: &Document, st: &StageFacts, is_the_image: bool) -> Option<String> {
    let dev = &catalog::tables().dev;
    if let Some(n) = doc.stages()[st.index].name_lower()
        && dev.names.contains(&n)
    {
        return Some(format!("named {n}"));
    }
    if is_the_image {
        return None;
    }
    for p in [&st.entrypoint, &st.cmd].into_iter().flatten() {
        let Some(argv) = &p.argv else { continue };
        // `sh -c "npm run dev"` reads as its inner words too.
        let words: Vec<&str> = argv
            .iter()
            .flat_map(|a| a.split_whitespace())
            .skip_while(|w| matches!(*w, "sh" | "/bin/sh" | "bash" | "/bin/bash" | "-c"))
            .collect();
        for c in &dev.commands {
            if words.len() >= c.len() && words.iter().zip(c).all(|(w, c)| w == c) {
                return Some(format!("it runs `{}`", c.join(" ")));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles_of(src: &str, targets: &Targets) -> Roles {
        let doc = Document::parse(src).unwrap();
        let st = crate::analysis::Facts::of(&doc, None).stages;
        roles(&doc, &st, targets)
    }

    #[test]
    fn targeted_and_development_stages_stay() {
        // nginx-golang: compose builds `builder`; `dev-envs` is FROM it.
        let src = "FROM golang:1.18-alpine AS builder\nRUN go build -o /bin/app .\nCMD [\"/bin/app\"]\nFROM builder AS dev-envs\nCMD [\"go\", \"run\", \"main.go\"]\nFROM scratch\nCOPY --from=builder /bin/app /app\nCMD [\"/app\"]\n";
        let t = Targets {
            built: vec![Target {
                stage: "builder".into(),
                by: "compose service backend (compose.yaml)".into(),
            }],
            ship: None,
        };
        let r = roles_of(src, &t);
        assert_eq!(r.shipped, 2);
        assert_eq!(
            r.frozen[0].as_deref(),
            Some("stage `builder` is built by compose service backend (compose.yaml)")
        );
        assert_eq!(
            r.frozen[1].as_deref(),
            Some("stage `dev-envs` is a development stage (named dev-envs)")
        );
        assert_eq!(r.frozen[2], None);
        // Nobody targets it: the builder only stays as the base of dev-envs.
        let r = roles_of(src, Targets::NONE);
        assert_eq!(
            r.frozen[0].as_deref(),
            Some(
                "stage `builder` is the base of stage `dev-envs`, a development stage (named dev-envs)"
            )
        );
    }

    #[test]
    fn the_last_stage_running_go_run_is_the_image() {
        let r = roles_of(
            "FROM golang:1.16\nCMD [\"go\",\"run\",\"./cmd/main.go\"]\n",
            Targets::NONE,
        );
        assert_eq!(r.frozen, [None]);
        // ...unless someone builds it as a development target.
        let src = "FROM golang:1.16 AS app\nCMD [\"go\",\"run\",\"./cmd/main.go\"]\n";
        let t = Targets {
            built: vec![Target {
                stage: "app".into(),
                by: "compose service web".into(),
            }],
            ship: None,
        };
        assert!(
            roles_of(src, &t).frozen[0]
                .as_deref()
                .unwrap()
                .contains("runs `go run`")
        );
    }

    #[test]
    fn configuration_names_the_stage_that_ships() {
        let src =
            "FROM node:20 AS prod\nCMD [\"node\", \"a.js\"]\nFROM prod AS lint\nRUN npm run lint\n";
        let t = Targets {
            built: vec![Target {
                stage: "prod".into(),
                by: "[[context]] at dfslim.toml:3".into(),
            }],
            ship: Some("prod".into()),
        };
        let r = roles_of(src, &t);
        assert_eq!(r.shipped, 0);
        assert_eq!(r.frozen, [None, None]);
    }
}
