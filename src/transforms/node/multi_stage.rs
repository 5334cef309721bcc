//! `node-multi-stage` (level 2): a builder stage and a runtime stage that
//! gets the app as the builder left it.
//!
//! **What**: the image's Node.js stage becomes the builder (named `builder`,
//! or keeping its name) and a new last stage on the same node release's
//! slim image (`node:20` -> `FROM node:20-slim`; a slim or alpine builder's
//! own tag) receives the app directory with `COPY --from=builder`: its
//! package.json, lock file, `node_modules`, build output (`dist/`,
//! `build/`...) and every file the app may read, at the same path; files
//! the build copied elsewhere follow. What the running container needs moves
//! to the runtime (EXPOSE, USER, ENV such as NODE_ENV, CMD...). npm's cache,
//! compilers, OS packages installed to build and global tools stay behind.
//!
//! **Why**: the builder's extras (npm's download cache, python3/g++ for
//! node-gyp, apt lists) are left out of the image; with the slim base the
//! image is the node runtime and the app.
//!
//! **Refuses** when the app has no directory of its own (no WORKDIR, or /),
//! the stage installs OS packages the app may need at run time, the command
//! runs a tool installed globally in the builder or through corepack, Node
//! does not come from the node image, or the shipped stage is not the last.
//!
//! **Example**: `FROM node:20` ... `RUN npm ci` ... `CMD ["node","server.js"]`
//! -> the same as `builder`, then `FROM node:20-slim`, `WORKDIR /app`,
//! `COPY --from=builder /app /app`, `CMD ["node","server.js"]`.

use super::tag::{NodeTag, Variant};
use crate::analysis::Family;
use crate::analysis::node::cmd::{Manager, Starts, starts};
use crate::analysis::stages::{Base, Source};
use crate::catalog;
use crate::ecosystem::Ecosystem;
use crate::message::Loc;
use crate::syntax::Keyword;
use crate::transforms::text::kw;
use crate::transforms::{Cx, Outcome, Transform, pin, split};

pub struct NodeMultiStage;

impl Transform for NodeMultiStage {
    fn id(&self) -> &'static str {
        "node-multi-stage"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// npm and yarn settings that only matter to the install.
fn is_install_setting(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    k.starts_with("NPM_CONFIG_") || k.starts_with("YARN_") || k == "COREPACK_HOME"
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let doc = cx.doc;
    let node = cx.node();
    let rt = cx.shipped_stage(&node.node_stage, Ecosystem::Node)?;
    if node.installs_in(rt.index).next().is_none() {
        return Err(Outcome::not_applicable(
            "already split: the image's stage installs no packages (they come from another stage)",
        ));
    }
    if rt.index + 1 != doc.stages().len() {
        return Err(Outcome::refuse(
            "the stage that ships is not the last one; dfslim only splits the last stage",
        ));
    }
    let stage = &doc.stages()[rt.index];
    let img = match &rt.base {
        Base::Image(b) if b.family == Family::Node => b,
        Base::Image(b) => {
            return Err(Outcome::refuse(format!(
                "Node.js does not come from the node image here ({}); dfslim only splits stages on it",
                b.repository
            )));
        }
        _ => {
            return Err(Outcome::refuse(
                "the stage starts from another stage or an image only the build knows",
            ));
        }
    };
    // The app's directory.
    let explicit_workdir = split::sets_workdir(doc, stage);
    let workdir = rt
        .end
        .workdir
        .clone()
        .filter(|w| explicit_workdir && w != "/")
        .ok_or_else(|| {
            Outcome::refuse(
                "the app has no directory of its own (no WORKDIR, or /): dfslim cannot tell its files from the image's",
            )
        })?;
    if !split::is_plain_path(&workdir, doc.escape()) {
        return Err(Outcome::refuse(format!(
            "the path {workdir:?} has characters dfslim will not write into a COPY line"
        )));
    }
    // What the container runs must be there in the runtime.
    let proc = rt
        .entrypoint
        .as_ref()
        .filter(|p| !p.shell_form)
        .or(rt.cmd.as_ref())
        .ok_or_else(|| Outcome::refuse("the image has no CMD or ENTRYPOINT"))?;
    if let Some(argv) = &proc.argv {
        let prog = argv.first().map(String::as_str).unwrap_or("");
        match starts(argv) {
            Starts::Node => {}
            Starts::Script {
                manager: Manager::Pnpm,
                ..
            } => {
                return Err(Outcome::refuse(format!(
                    "the command on {} runs pnpm, which the builder enables with corepack; node-cmd must turn it into node first",
                    Loc::at(doc, proc.ins)
                )));
            }
            Starts::Script { .. } => {}
            Starts::Other => {
                if let Some((_, ins, _)) = node.globals.iter().find(|(s, _, pkgs)| {
                    *s == rt.index
                        && pkgs
                            .iter()
                            .any(|p| prog.contains(p.split('@').next().unwrap_or(p)))
                }) {
                    return Err(Outcome::refuse(format!(
                        "the command runs {prog}, installed globally on {}; the runtime would not have it",
                        Loc::at(doc, *ins)
                    )));
                }
            }
        }
    }
    // OS packages the app may use at run time.
    let table = &catalog::tables().node;
    for inst in &rt.installs {
        let kept: Vec<&str> = inst
            .packages
            .iter()
            .filter(|p| {
                !table.build_only_packages.contains(p)
                    && !matches!(p.as_str(), "nodejs" | "npm" | "yarn")
                    && !p.ends_with("-dev")
            })
            .map(String::as_str)
            .collect();
        if !kept.is_empty() {
            return Err(Outcome::refuse(format!(
                "{} installs {} with {}, which the app may need at run time; the runtime would not have them",
                Loc::at(doc, inst.ins),
                crate::transforms::text::listing(&kept, ", "),
                inst.manager
            )));
        }
    }

    // The runtime base: the same release, slim.
    let written = img.tag_written.clone().unwrap_or_default();
    let tag = NodeTag::parse(img.tag.as_deref().unwrap_or(&written));
    let runtime_tag = match tag.variant {
        Variant::Full if written.contains('$') => format!("{written}-slim"),
        Variant::Full => NodeTag::parse(&written).slim(),
        _ => written.clone(),
    };
    // What moves into a slim runtime must still be there.
    if tag.variant == Variant::Full {
        let missing = &table.missing_on_slim;
        for i in parts_moving(cx, rt.index) {
            let ins = &doc.instructions()[i];
            if let Some(prog) = program_of(ins).filter(|p| missing.iter().any(|m| m == p)) {
                return Err(Outcome::refuse(format!(
                    "the {} on {} runs `{prog}`, which the node:{runtime_tag} runtime does not have",
                    ins.keyword.as_str().unwrap_or("instruction"),
                    Loc::of(ins)
                )));
            }
        }
    }
    let from_img = doc.stages()[rt.index]
        .image
        .as_ref()
        .expect("an image base");
    let registry = from_img
        .registry
        .as_ref()
        .map_or(String::new(), |r| format!("{}/", r.text));
    let runtime = pin::reference(
        cx,
        &format!("{registry}{}:{runtime_tag}", from_img.path.text),
        None,
    )
    .map_err(Outcome::refuse)?;

    let mut edits = Vec::new();
    let mut notes: Vec<String> = runtime.note.into_iter().collect();
    let (builder, name_edit) = split::name_builder(doc, stage)?;
    edits.extend(name_edit);
    let parts = split::carried_instructions(cx, rt, &is_install_setting, &|_, _| None);
    let copy = |src: &str| format!("{} --from={builder} {src} {src}", kw(doc, "COPY"));
    let mut block = vec![format!("{} {}", kw(doc, "FROM"), runtime.text)];
    block.extend(parts.args);
    block.extend(parts.env);
    block.push(format!("{} {workdir}", kw(doc, "WORKDIR")));
    if split::passwd(cx, rt.index) {
        block.push(copy("/etc/passwd"));
        block.push(copy("/etc/group"));
        notes.push(
            "/etc/passwd and /etc/group copied: USER names a user the builder created".into(),
        );
    }
    block.push(copy(&workdir));
    // Files the build copied outside the app's directory.
    let mut elsewhere = Vec::new();
    for c in rt.copies.iter().filter(|c| c.source == Source::Context) {
        let Some(dest) = &c.dest else { continue };
        let inside = *dest == workdir || dest.starts_with(&format!("{workdir}/"));
        if inside || dest == "/" || elsewhere.contains(dest) {
            continue;
        }
        if !split::is_plain_path(dest, doc.escape()) {
            return Err(Outcome::refuse(format!(
                "the file copied to {dest:?} on {} has characters dfslim will not write into a COPY line",
                Loc::at(doc, c.ins)
            )));
        }
        elsewhere.push(dest.clone());
    }
    for d in &elsewhere {
        block.push(copy(d));
    }
    block.extend(parts.tail);
    edits.extend(split::relocate(doc, &parts.moved, &block).map_err(Outcome::refuse)?);
    if !elsewhere.is_empty() {
        notes.push(format!(
            "also copied into the runtime: {} (copied in outside {workdir})",
            crate::transforms::text::listing(&elsewhere, ", ")
        ));
    }
    Ok(Outcome::apply(
        edits,
        format!(
            "split into `{builder}` and a runtime stage on node:{runtime_tag} that gets {workdir} as the builder left it (not npm's cache, compilers or build-only packages)"
        ),
    )
    .with_notes(notes))
}

/// The HEALTHCHECK, CMD and ENTRYPOINT instructions of stage `s`: what the
/// runtime will run.
fn parts_moving(cx: &Cx, s: usize) -> Vec<usize> {
    cx.doc.stages()[s]
        .range()
        .filter(|&i| {
            matches!(
                cx.doc.instructions()[i].keyword,
                Keyword::Healthcheck | Keyword::Cmd | Keyword::Entrypoint
            )
        })
        .collect()
}

/// The program an instruction runs (a HEALTHCHECK's command, a CMD's argv[0]).
fn program_of(ins: &crate::syntax::Instruction) -> Option<String> {
    use crate::syntax::{Args, Command};
    let cmd = match &ins.args {
        Args::Healthcheck { cmd: Some(c), .. } => Some(c.clone()),
        _ => ins.command().cloned(),
    }?;
    let word = match cmd {
        Command::Exec(items) => items.first().map(|j| j.value.clone()),
        Command::Shell(w) => w.text.split_whitespace().next().map(str::to_string),
    }?;
    Some(word.rsplit('/').next().unwrap_or(&word).to_string())
}
