//! What a Dockerfile does with Node.js: which stages are Node stages, their
//! package installs and script runs (with spans, for exact edits), and what
//! the image's command starts; with the build context's package.json and
//! lock file (see [`context`]).

pub mod cmd;
pub mod context;

use super::Facts;
use super::base::Family;
use crate::syntax::Document;
use cmd::{Install, Script, Step};

/// The Node.js facts of one Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct NodeFacts {
    /// Per stage: it is a Node.js stage (node image, or Node installed and used).
    pub node_stage: Vec<bool>,
    /// Project installs, in file order, with their stage.
    pub installs: Vec<(usize, Install)>,
    /// Package scripts run in RUNs (`npm run build`), with their stage.
    pub scripts: Vec<(usize, Script)>,
    /// Global installs (`npm install -g pm2`): (stage, instruction, packages).
    pub globals: Vec<(usize, usize, Vec<String>)>,
    /// `npm prune` and the like: (stage, instruction).
    pub prunes: Vec<(usize, usize)>,
}

impl NodeFacts {
    pub fn of(doc: &Document, facts: &Facts) -> NodeFacts {
        let mut n = NodeFacts {
            node_stage: vec![false; facts.stages.len()],
            ..NodeFacts::default()
        };
        for st in &facts.stages {
            let distroless_node = matches!(&st.base, super::stages::Base::Image(b)
                if b.repository.starts_with("gcr.io/distroless/nodejs"));
            let mut node = st.family == Family::Node
                || distroless_node
                || st.installs.iter().any(|i| {
                    i.packages
                        .iter()
                        .any(|p| matches!(p.as_str(), "nodejs" | "npm" | "yarn" | "node"))
                });
            for &r in &st.runs {
                let ins = &doc.instructions()[r];
                let production = st.at(doc, r).env.known("NODE_ENV") == Some("production");
                let _ = ins;
                for line in facts.lines(r) {
                    match cmd::step(r, line, production) {
                        Step::Install(i) => {
                            node = true;
                            n.installs.push((st.index, i));
                        }
                        Step::Script(s) => {
                            node = true;
                            n.scripts.push((st.index, s));
                        }
                        Step::Global(p) => {
                            node = true;
                            n.globals.push((st.index, r, p));
                        }
                        Step::Prune => n.prunes.push((st.index, r)),
                        Step::Add => node = true,
                        Step::Other => {}
                    }
                }
            }
            for p in [&st.cmd, &st.entrypoint].into_iter().flatten() {
                if let Some(argv) = &p.argv
                    && cmd::starts(argv) != cmd::Starts::Other
                {
                    node = true;
                }
            }
            // Inherited from a Node stage.
            if let super::stages::Base::Stage(b) = st.base {
                node |= n.node_stage[b];
            }
            n.node_stage[st.index] = node;
        }
        n
    }

    pub fn any(&self) -> bool {
        self.node_stage.iter().any(|&b| b)
    }

    /// The project installs of `stage`.
    pub fn installs_in(&self, stage: usize) -> impl Iterator<Item = &Install> {
        self.installs
            .iter()
            .filter(move |(s, _)| *s == stage)
            .map(|(_, i)| i)
    }

    /// The scripts `stage` runs in RUNs.
    pub fn scripts_in(&self, stage: usize) -> impl Iterator<Item = &Script> {
        self.scripts
            .iter()
            .filter(move |(s, _)| *s == stage)
            .map(|(_, i)| i)
    }
}
