//! The builder/runtime split every ecosystem shares.
//!
//! An ecosystem decides what the runtime gets (files copied from the
//! builder, the base, what its command becomes, which ENV keys are only
//! for its toolchain); this module writes it: names the builder, moves what
//! the running container needs (EXPOSE, USER, CMD, ...) into a new last
//! stage with the ENV and ARGs it refers to, and relocates the lines so the
//! stages end up separated by one blank line. Go's `multi-stage` and
//! `node-multi-stage` are built on it.

mod carried;
mod relocate;

pub use carried::{Carried, carried_instructions};
pub use relocate::relocate;

use crate::edit::Edit;
use crate::syntax::{Document, Stage};
use crate::transforms::{Cx, Outcome};

/// The builder's name: its own, or `builder` (`build`, `go-builder` when
/// taken) added as `AS name` in the FROM's case.
pub fn name_builder(doc: &Document, stage: &Stage) -> Result<(String, Option<Edit>), Outcome> {
    let from_ins = &doc.instructions()[stage.from];
    let from = from_ins
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the FROM line"))?;
    if let Some(a) = &from.alias {
        return Ok((a.text.clone(), None));
    }
    let taken = |n: &str| {
        doc.stages()
            .iter()
            .any(|st| st.name_lower().as_deref() == Some(n))
    };
    let name = ["builder", "build", "go-builder"]
        .into_iter()
        .find(|n| !taken(n))
        .unwrap_or("builder");
    let lower = from_ins
        .keyword_span
        .of(doc.text())
        .bytes()
        .all(|b| b.is_ascii_lowercase());
    let as_kw = if lower { "as" } else { "AS" };
    let edit = Edit::insert(from.image.span.end, format!(" {as_kw} {name}"));
    Ok((name.to_string(), Some(edit)))
}

/// True when USER names a user that the builder created with adduser/useradd.
pub fn passwd(cx: &Cx, s: usize) -> bool {
    let doc = cx.doc;
    let st = &cx.facts.stages[s];
    let creates_user = st.runs.iter().any(|&r| {
        let t = doc.instructions()[r].args_span.of(doc.text());
        t.contains("adduser")
            || t.contains("useradd")
            || t.contains("addgroup")
            || t.contains("groupadd")
    });
    creates_user
        && st.users.iter().any(|&u| {
            let name = doc.instructions()[u]
                .text_arg()
                .map_or("", |w| w.text.as_str());
            let user = name.split(':').next().unwrap_or("");
            !user.is_empty()
                && !user.bytes().all(|b| b.is_ascii_digit())
                && user != "root"
                && user != "nobody"
        })
}

/// A USER value (or a `--chown` one) as its user and group.
pub fn user_and_group(value: &str) -> (&str, Option<&str>) {
    value
        .split_once(':')
        .map_or((value, None), |(u, g)| (u, Some(g)))
}

/// True when `user[:group]` are numeric ids, which a runtime without
/// /etc/passwd still resolves.
pub fn numeric_ids(user: &str, group: Option<&str>) -> bool {
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    numeric(user) && group.is_none_or(numeric)
}

/// True when `stage` sets a WORKDIR of its own: only then is its working
/// directory the app's (else it is whatever the base image left), and
/// only then does a runtime stage repeat it.
pub fn sets_workdir(doc: &Document, stage: &Stage) -> bool {
    (stage.from + 1..stage.end)
        .any(|i| doc.instructions()[i].keyword == crate::syntax::Keyword::Workdir)
}

/// A path that can be written into COPY, WORKDIR and shell lines as it is.
pub fn is_plain_path(p: &str, escape: char) -> bool {
    !p.is_empty()
        && !p.contains(escape)
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/+@:=,%~".contains(&b))
}
