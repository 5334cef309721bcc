//! USER and `--chown` in a runtime without /etc/passwd (scratch, or
//! distroless for a user a RUN created): a name becomes the numeric ids it
//! stands for (the ids the RUN that created it gave, root and nobody, or
//! distroless's nonroot), and a name dfslim cannot resolve refuses the step.

use super::NONROOT;
use super::runs::Runs;
use crate::analysis::base::BaseImage;
use crate::analysis::{Family, StageFacts};
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Keyword, Span};
use crate::transforms::{Cx, Outcome, split};

/// What the runtime is, as far as users go.
pub(super) struct Runtime<'a> {
    pub img: &'a BaseImage,
    pub distroless: bool,
    /// `scratch` or `distroless`, for messages.
    pub minimal: &'a str,
    /// A distroless `:nonroot` base (runs as 65532 unless told otherwise).
    pub nonroot_base: bool,
    /// /etc/passwd reaches the runtime (copied from a builder).
    pub passwd: bool,
    /// The builder stage's name, for messages.
    pub builder: &'a str,
}

/// The edits that make every USER and `--chown` numeric, what they say,
/// and the uid the image ends up running as (when known).
pub(super) struct Users {
    pub edits: Vec<Edit>,
    pub notes: Vec<String>,
    pub final_uid: Option<u32>,
}

/// A USER or `--chown` value rewritten to numbers.
struct Ids {
    uid: u32,
    gid: Option<u32>,
}

impl Ids {
    fn text(&self) -> String {
        match self.gid {
            Some(g) => format!("{}:{g}", self.uid),
            None => self.uid.to_string(),
        }
    }
}

pub(super) fn numeric(
    cx: &Cx,
    rt: &StageFacts,
    runtime: Runtime,
    runs: &Runs,
) -> Result<Users, Outcome> {
    let Runtime {
        img,
        distroless,
        minimal,
        nonroot_base,
        passwd,
        builder,
    } = runtime;
    let doc = cx.doc;
    let stage = &doc.stages()[rt.index];
    let line = |i: usize| Loc::at(doc, i);
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    let accounts = &runs.accounts;
    let known = |name: &str| -> Option<u32> {
        match name {
            "root" => Some(0),
            "nobody" => Some(65534),
            "nonroot" if matches!(img.family, Family::Distroless { .. }) => Some(NONROOT),
            _ => None,
        }
    };
    // A name as ids: (ids, the user was created by a RUN). On distroless a
    // created user or group is its nonroot (65532).
    let ids_of = |user: &str, group: Option<&str>| -> Option<(Ids, bool)> {
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let created = accounts.created(user);
        let (uid, primary) = if numeric(user) {
            (user.parse().ok()?, None)
        } else if created && distroless {
            (NONROOT, Some(NONROOT))
        } else if created {
            let (u, g) = accounts.user(user)?;
            (u, Some(g))
        } else {
            let id = known(user)?;
            (id, Some(id))
        };
        let gid = match group {
            None => primary,
            Some(g) if numeric(g) => Some(g.parse().ok()?),
            Some(g) => Some(match known(g) {
                Some(id) => id,
                None if distroless => accounts.group(g).map(|_| NONROOT)?,
                None => accounts.group(g)?,
            }),
        };
        Some((Ids { uid, gid }, created))
    };
    let mut final_uid: Option<u32> = nonroot_base.then_some(NONROOT);
    for &u in &rt.users {
        let ins = &doc.instructions()[u];
        let Some(w) = ins.text_arg() else { continue };
        let (user, group) = split::user_and_group(&w.text);
        if split::numeric_ids(user, group) {
            final_uid = user.parse().ok();
            continue;
        }
        if passwd && !accounts.any() {
            final_uid = Some(1); // a name the copied passwd resolves: not root, as far as dfslim knows
            continue;
        }
        let Some((ids, created)) = ids_of(user, group) else {
            return Err(Outcome::refuse(format!(
                "USER {} on {} names a user {minimal} cannot look up (no /etc/passwd)",
                w.text,
                line(u)
            )));
        };
        final_uid = Some(ids.uid);
        let text = ids.text();
        edits.push(Edit::replace(w.span, text.clone()));
        notes.push(if created && distroless {
            format!(
                "USER {} -> {text}: the user {user} the RUN on {} created (uid {}) becomes distroless's nonroot user; files it owns outside the image (volumes) need that uid",
                w.text,
                line(runs.account_runs[0]),
                accounts.user(user).map_or(0, |i| i.0)
            )
        } else if created {
            format!(
                "USER {} -> {text} (the ids the RUN on {} gave it; /etc/passwd and /etc/group come from `{builder}`)",
                w.text,
                line(runs.account_runs[0])
            )
        } else {
            format!("USER {} -> {text} ({minimal} has no /etc/passwd)", w.text)
        });
    }
    for i in stage.range() {
        let ins = &doc.instructions()[i];
        let Some(f) = ins
            .flag("chown")
            .filter(|_| matches!(ins.keyword, Keyword::Copy | Keyword::Add))
        else {
            continue;
        };
        let v = f.value().unwrap_or("");
        if v.split(':').all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            || (passwd && !accounts.any())
        {
            continue;
        }
        let (user, group) = split::user_and_group(v);
        let Some((mut ids, _)) = ids_of(user, group) else {
            return Err(Outcome::refuse(format!(
                "--chown={v} on {} names a user {minimal} cannot look up; use numeric ids",
                line(i)
            )));
        };
        if group.is_none() {
            ids.gid = None; // `--chown=user`: Docker takes the uid as gid too
        }
        let raw = f.span.of(doc.text());
        let at = raw.find(v).unwrap_or(raw.len() - v.len());
        edits.push(Edit::replace(
            Span::new(f.span.start + at, f.span.start + at + v.len()),
            ids.text(),
        ));
        notes.push(format!(
            "--chown={v} on {} -> --chown={}",
            line(i),
            ids.text()
        ));
    }
    Ok(Users {
        edits,
        notes,
        final_uid,
    })
}
