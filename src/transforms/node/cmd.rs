//! `node-cmd` (level 2): the image's command runs `node`, not a package
//! manager.
//!
//! **What**: a CMD or ENTRYPOINT that runs a package script (`npm start`,
//! `npm run start`, `npm run serve -- --port 80`, `yarn start`,
//! `pnpm start`) becomes the exec form of what the script runs, when
//! package.json's script is a plain `node` command: `CMD ["npm","start"]`
//! with `"start": "node dist/index.js"` -> `CMD ["node", "dist/index.js"]`.
//! npm's default (`node server.js` when there is no start script and a
//! server.js) counts. A simple shell-form `node` command becomes exec form.
//!
//! **Why**: the package manager as PID 1 is a second process between
//! `docker stop` and the app (npm forwards SIGTERM to a shell that ends the
//! app without its shutdown handler running), it needs npm in the image
//! (distroless has none), and starts slower. With node as PID 1, SIGTERM
//! reaches the app: the report says whether the sources handle it (with no
//! handler, node as PID 1 ignores SIGTERM and `docker stop` waits its
//! timeout).
//!
//! **Refuses** when package.json cannot be read, the script is not a plain
//! node command (`&&`, variables, `ts-node`, `nodemon`, `next start`...),
//! or a `pre`/`post` script would no longer run.
//!
//! **Example**: `CMD ["npm", "start"]` -> `CMD ["node", "server.js"]`.

use crate::analysis::node::cmd::{Starts, plain_node, starts};
use crate::analysis::stages::Process;
use crate::ecosystem::Ecosystem;
use crate::message::Loc;
use crate::transforms::text::{json_array, replace_args};
use crate::transforms::{Cx, Outcome, Transform};

pub struct NodeCmd;

impl Transform for NodeCmd {
    fn id(&self) -> &'static str {
        "node-cmd"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        let rt = match cx.shipped_stage(&cx.node().node_stage, Ecosystem::Node) {
            Ok(rt) => rt,
            Err(why) => return why,
        };
        let procs: Vec<&Process> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
        let procs: Vec<&Process> = match procs.first() {
            Some(p) if p.entrypoint && !p.shell_form => vec![p],
            _ => procs,
        };
        let mut edits = Vec::new();
        let mut said = Vec::new();
        for p in procs {
            let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
            let ins = &cx.doc.instructions()[p.ins];
            let Some(argv) = &p.argv else { continue };
            let new = match starts(argv) {
                Starts::Node if p.shell_form => {
                    said.push(format!("{what} runs node in exec form"));
                    argv.clone()
                }
                Starts::Node | Starts::Other => continue,
                Starts::Script {
                    manager,
                    name,
                    extra,
                } => {
                    let m = manager.name();
                    let Some(ctx) = cx.facts.context.map(|c| c.node()).filter(|c| c.manifest)
                    else {
                        return Outcome::refuse(format!(
                            "the {what} on {} runs `{m} {name}`, and no package.json was read to tell what that runs; pass --context",
                            Loc::of(ins)
                        ));
                    };
                    for hook in [format!("pre{name}"), format!("post{name}")] {
                        if ctx.scripts.contains_key(&hook) {
                            return Outcome::refuse(format!(
                                "scripts.{hook} runs around `{m} {name}` and would not run under node alone"
                            ));
                        }
                    }
                    let script = ctx.scripts.get(&name).cloned();
                    let node = match &script {
                        Some(s) => plain_node(s).ok_or_else(|| {
                            format!(
                                "scripts.{name} is `{s}`, not a plain `node` command: it needs a shell or tools the runtime may not have; the {what} keeps `{m} {name}`"
                            )
                        }),
                        // npm's default start script.
                        None if name == "start" && ctx.server_js && m == "npm" => {
                            Ok(vec!["node".to_string(), "server.js".to_string()])
                        }
                        None => Err(format!("package.json has no scripts.{name}")),
                    };
                    let mut node = match node {
                        Ok(n) => n,
                        Err(why) => return Outcome::refuse(why),
                    };
                    node.extend(extra);
                    let how = script.map_or("npm's default start".to_string(), |_| {
                        format!("scripts.{name}")
                    });
                    said.push(format!(
                        "{what} runs `{}` instead of `{m} {name}` ({how})",
                        node.join(" ")
                    ));
                    node
                }
            };
            edits.extend(replace_args(cx.doc, ins, json_array(&new)));
        }
        if edits.is_empty() {
            return Outcome::not_applicable(
                "CMD and ENTRYPOINT already run node in exec form (or not a package script)",
            );
        }
        let mut notes = Vec::new();
        if let Some(ctx) = cx.facts.context.map(|c| c.node()) {
            match &ctx.sigterm {
                Some(file) => notes.push(format!(
                    "node is PID 1: SIGTERM reaches the handler in {file} on docker stop"
                )),
                None if ctx.sources_scanned => notes.push(
                    "node is PID 1 and no source registers a SIGTERM handler: node then ignores SIGTERM and docker stop waits its timeout; add process.on('SIGTERM', ...) or run with --init"
                        .to_string(),
                ),
                None => {}
            }
        }
        Outcome::apply(edits, crate::transforms::text::listing(&said, "; ")).with_notes(notes)
    }
}
