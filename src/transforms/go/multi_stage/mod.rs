//! `multi-stage` (level 2): a builder stage and a runtime stage that gets
//! only the binary.
//!
//! **What**: when the image's stage builds Go, it becomes the builder (named
//! `builder`, or keeping its name) and a new last stage `FROM alpine:<tag>`
//! receives the binary with `COPY --from=builder`, at the same path. What
//! the running container needs follows it: EXPOSE, USER, VOLUME, LABEL,
//! STOPSIGNAL, HEALTHCHECK, ONBUILD, ENTRYPOINT and CMD move; ENV (but not Go
//! toolchain settings) and the ARGs they use are carried; the working
//! directory is recreated with its resolved path; /etc/passwd when USER names
//! a user the builder created; the zone database when tzdata was installed;
//! data files the build copied in (and, from the build context, directories
//! such as templates/ and static/ that the program reads at run time).
//!
//! A glibc binary (cgo on, a Debian builder) gets `FROM
//! debian:<release>-slim` instead, the builder's release, with the run-time
//! packages of the C libraries it links installed and the CA bundle copied
//! (`glibc.rs`; needs the program's sources).
//!
//! **Why**: the image then holds a binary and a 5 MB base instead of the
//! toolchain, sources and caches (seed: 700 MB -> 30 MB).
//!
//! **Refuses** when the runtime would lack something: packages installed for
//! run time, a command that is not the built binary, no CMD at all, a binary
//! path it cannot know, a glibc binary with cgo on (alpine is musl).
//!
//! **Example**: see `dfslim explain multi-stage`.

mod binary;
mod needs;

use super::glibc;
use super::goflags;
use crate::analysis::{Cgo, Family, Libc};
use crate::catalog;
use crate::transforms::split;
use crate::transforms::text::kw;
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct MultiStage;

/// The zone database the golang image ships with its toolchain.
pub(crate) const GO_ZONEINFO: &str = "/usr/local/go/lib/time/zoneinfo.zip";

impl Transform for MultiStage {
    fn id(&self) -> &'static str {
        "multi-stage"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) => o,
            Err(o) => o,
        }
    }
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let stage = &doc.stages()[rt.index];
    if !cx.go().builds_go(rt.index) {
        let why = if doc.stages().len() > 1 {
            "already multi-stage: the image's stage does not build Go".to_string()
        } else {
            toolchain_kept(cx, rt)
        };
        return Err(Outcome::not_applicable(why));
    }

    // What the image runs, and where that binary is.
    let proc = binary::command(cx, rt)?;
    let workdir = rt.at(doc, proc.ins).workdir.clone();
    let binary = binary::find(cx, proc, workdir.as_deref())?;
    if let Some(p) = [Some(binary.path.as_str()), workdir.as_deref()]
        .into_iter()
        .flatten()
        .find(|p| !split::is_plain_path(p, doc.escape()))
    {
        return Err(Outcome::refuse(format!(
            "the path {p:?} has characters (blanks, quotes, $, escapes) dfslim will not write into COPY and RUN lines"
        )));
    }

    // Would the runtime lack something the builder had?
    let shipped = cx.go().shipped_builds();
    // A glibc binary (cgo on, a Debian builder) gets the builder's Debian
    // release, slim; anything else alpine. The sources say which C
    // libraries it links; without them, what the builder has headers for
    // bounds them (`glibc::libraries`), when the build asks for cgo
    // (CGO_ENABLED=1): cgo merely on by default is cgo-off's (level 3), and
    // a builder whose Debian release is unknown keeps alpine's refusal.
    let debian = match shipped.iter().find(|b| !b.is_static()) {
        Some(b)
            if rt.libc == Libc::Glibc
                && (cx.go().program.sources_read
                    || (matches!(b.cgo, Cgo::On(_))
                        && glibc::release(cx.facts, rt.index).is_ok())) =>
        {
            Some(debian_runtime(cx, rt, b)?)
        }
        _ => None,
    };
    let tzdata_installed = match &debian {
        Some(d) => needs::runtime_packages(cx, rt, &d.image)?,
        None => needs::refuse_what_alpine_lacks(cx, rt, &shipped)?,
    };

    let mut edits = Vec::new();
    let mut notes = Vec::new();
    let (builder, name_edit) = split::name_builder(doc, stage)?;
    edits.extend(name_edit);
    // Unknown binary name: make the build write where the command looks.
    if let Some(e) = binary.fix_output.clone() {
        edits.push(e);
        notes.push(format!(
            "added -o {} to the build, where the command looks for it",
            binary.path
        ));
    }

    // The runtime stage: what the container needs, then the files it gets.
    let rewrite = |i: usize, ins: &crate::syntax::Instruction| {
        (i == proc.ins)
            .then(|| binary.rewrite_command(doc, ins, proc))
            .flatten()
    };
    let parts = split::carried_instructions(cx, rt, &is_go_setting, &rewrite);
    // A file that pins its images gets a pinned runtime too.
    let image = match &debian {
        Some(d) => d.image.clone(),
        None => format!("alpine:{}", alpine_tag(cx)),
    };
    let base = pin::reference(cx, &image, None).map_err(Outcome::refuse)?;
    notes.extend(base.note);
    let mut block = vec![format!("{} {}", kw(doc, "FROM"), base.text)];
    let copy = |src: &str| format!("{} --from={builder} {src} {src}", kw(doc, "COPY"));
    if let Some(d) = &debian {
        notes.extend(d.notes.iter().cloned());
        if !d.libraries.packages.is_empty() {
            block.push(format!(
                "{} apt-get update && apt-get install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*",
                kw(doc, "RUN"),
                d.libraries.packages.join(" ")
            ));
        }
        // debian-slim has no CA certificates; the golang image has them.
        block.push(format!(
            "{} --from={builder} {CA_BUNDLE} /etc/ssl/certs/",
            kw(doc, "COPY")
        ));
    }
    block.extend(parts.args);
    block.extend(parts.env);
    let explicit_workdir = split::sets_workdir(doc, stage);
    if let Some(w) = workdir.as_deref().filter(|w| explicit_workdir && *w != "/") {
        block.push(format!("{} {w}", kw(doc, "WORKDIR")));
    }
    let mut carried = Vec::new();
    if debian.is_some() {
        carried.push(format!(
            "the CA bundle {CA_BUNDLE} (debian-slim has no ca-certificates)"
        ));
    }
    if split::passwd(cx, rt.index) {
        block.push(copy("/etc/passwd"));
        block.push(copy("/etc/group"));
        carried
            .push("/etc/passwd and /etc/group (USER names a user the builder created)".to_string());
    }
    if tzdata_installed {
        block.push(copy("/usr/share/zoneinfo"));
        carried.push("the zone database (tzdata was installed)".to_string());
    } else if let Some(why) = &cx.go().program.zones
        && debian.as_ref().is_some_and(|d| d.has_tzdata)
    {
        notes.push(format!(
            "the program needs time zones ({why}): {} has tzdata",
            debian.as_ref().map_or("", |d| d.image.as_str())
        ));
    } else if let Some(why) = &cx.go().program.zones {
        // alpine has no zone database. With cgo off, the binary can embed
        // it; with cgo on, a new build tag would make old Go rebuild its
        // standard library with cgo (and golang:alpine has no gcc), so the
        // Go toolchain's own zoneinfo.zip is copied instead.
        if shipped.iter().all(|b| matches!(b.cgo, Cgo::Off(_))) {
            edits.extend(goflags::embed_tzdata(doc, &shipped).map_err(Outcome::refuse)?);
            notes.push(format!(
                "the program needs time zones ({why}) and alpine has no zone database: the build embeds it (-tags timetzdata)"
            ));
        } else if rt.family == Family::Golang {
            block.push(copy(GO_ZONEINFO));
            block.push(format!("{} ZONEINFO={GO_ZONEINFO}", kw(doc, "ENV")));
            carried.push(format!(
                "Go's zone database {GO_ZONEINFO} (the program needs time zones: {why})"
            ));
        } else {
            return Err(Outcome::refuse(format!(
                "the program needs time zones ({why}); alpine has none, and this builder's Go has no known zoneinfo.zip to copy"
            )));
        }
    }
    block.push(copy(&binary.path));
    let mut data = needs::data_files(cx, rt.index, &binary.path);
    data.extend(needs::context_data(cx, rt.index, &binary.path, &data));
    for (src, why) in data {
        if !split::is_plain_path(&src, doc.escape()) {
            return Err(Outcome::refuse(format!(
                "{src:?} ({why}) has characters dfslim will not write into a COPY line"
            )));
        }
        block.push(copy(&src));
        carried.push(format!("{src} ({why})"));
    }
    block.extend(parts.tail);
    edits.extend(split::relocate(doc, &parts.moved, &block).map_err(Outcome::refuse)?);

    if !carried.is_empty() {
        notes.push(format!(
            "also copied into the runtime: {}",
            crate::transforms::text::listing(&carried, "; ")
        ));
    }
    let message = match &debian {
        Some(d) => format!(
            "split into `{builder}` and a runtime stage on {} (glibc, the builder's Debian release) that gets only {}",
            d.image, binary.path
        ),
        None => format!(
            "split into `{builder}` and a runtime stage that gets only {}",
            binary.path
        ),
    };
    let mut unchecked = cx.go().program.unchecked.clone();
    if debian.is_some() && !cx.go().program.sources_read {
        unchecked.push(glibc::UNCHECKED_WITHOUT_SOURCES.to_string());
    }
    Ok(Outcome::apply(edits, message)
        .with_notes(notes)
        .with_unchecked(unchecked))
}

/// The CA bundle of Debian's ca-certificates (and the golang image's).
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The runtime of a glibc binary: the builder's Debian release, slim.
struct DebianRuntime {
    /// `debian:bookworm-slim`.
    image: String,
    libraries: glibc::Libraries,
    /// The slim image has tzdata (until bookworm; trixie dropped it).
    has_tzdata: bool,
    notes: Vec<String>,
}

/// Which Debian runtime a glibc binary built by `b` gets, and the run-time
/// packages of the C libraries it links; refused when the builder's
/// release or a library's package is unknown.
fn debian_runtime(
    cx: &Cx,
    rt: &crate::analysis::StageFacts,
    b: &crate::analysis::GoBuild,
) -> Result<DebianRuntime, Outcome> {
    let at = crate::message::Loc::at(cx.doc, b.ins);
    let cgo = match &b.cgo {
        Cgo::On(why) | Cgo::Unknown(why) => why.clone(),
        _ => format!("cgo is on by default for the build on {at} (the builder has gcc)"),
    };
    let release = glibc::release(cx.facts, rt.index).map_err(|why| {
        Outcome::refuse(format!(
            "{cgo}: the binary links glibc and needs a runtime of the builder's Debian release, and {why}"
        ))
    })?;
    let libraries = glibc::libraries(cx, &glibc::chain(cx.facts, rt.index), &release.name)
        .map_err(|why| Outcome::refuse(format!("{cgo}: the binary links glibc; {why}")))?;
    let image = format!("debian:{}-slim", release.name);
    let mut notes = vec![format!(
        "{cgo}: the binary links glibc, so the runtime is {image}, not alpine (musl): {}",
        release.why
    )];
    if libraries.packages.is_empty() && !cx.go().program.sources_read {
        notes.push(
            "the builder installs no -dev package, so the program can link only glibc, libgcc and libstdc++, which debian-slim has: nothing to install"
                .to_string(),
        );
    } else if libraries.packages.is_empty() {
        notes.push("the program links no C library beyond glibc: nothing to install".to_string());
    } else {
        notes.push(format!(
            "the runtime installs the C libraries the program links: {}",
            crate::transforms::text::listing(&libraries.why, "; ")
        ));
    }
    notes.extend(
        libraries
            .why
            .iter()
            .filter(|w| libraries.packages.is_empty() && w.contains("github.com"))
            .cloned(),
    );
    let old = ["jessie", "stretch", "buster", "bullseye", "bookworm"];
    Ok(DebianRuntime {
        has_tzdata: old.contains(&release.name.as_str()),
        image,
        libraries,
        notes,
    })
}

/// Programs that rebuild a Go program from its sources as they change: a
/// development image, which needs the toolchain.
const RELOADERS: &[&str] = &[
    "air",
    "CompileDaemon",
    "reflex",
    "gin",
    "realize",
    "fresh",
    "modd",
];

/// Why a single-stage image that builds no Go binary keeps what it has
/// (the whole Go toolchain, when it starts from the golang image).
fn toolchain_kept(cx: &Cx, rt: &crate::analysis::StageFacts) -> String {
    let doc = cx.doc;
    if rt.family != Family::Golang {
        return "the image does not build Go".to_string();
    }
    let procs = [&rt.entrypoint, &rt.cmd];
    for p in procs.into_iter().flatten() {
        let words: Vec<String> = p.argv.clone().unwrap_or_else(|| {
            doc.instructions()[p.ins]
                .args_span
                .of(doc.text())
                .split_whitespace()
                .map(str::to_string)
                .collect()
        });
        if let Some(r) = words
            .iter()
            .find(|w| RELOADERS.contains(&w.rsplit('/').next().unwrap_or(w)))
        {
            return format!(
                "the image does not build Go: its command on {} runs {r}, which rebuilds the program from its sources as they change (a development image): it needs the Go toolchain",
                crate::message::Loc::at(doc, p.ins)
            );
        }
    }
    if let Some(&r) = rt
        .runs
        .iter()
        .find(|&&r| cx.facts.lines(r).iter().any(|l| l.name == "make"))
    {
        return format!(
            "the image does not build Go itself: {} builds with make, which dfslim does not see into (which binary, where), so the Go toolchain stays",
            crate::message::Loc::at(doc, r)
        );
    }
    "the image does not build Go: no `go build` or `go install` dfslim can read (a `go get`, a quoted command), so there is no binary to split off and the Go toolchain stays".to_string()
}

/// Toolchain settings that mean nothing to the running program.
fn is_go_setting(key: &str) -> bool {
    key.starts_with("GO") || key.starts_with("CGO_")
}

/// The alpine release for the runtime: the builder's own, else the default.
fn alpine_tag(cx: &Cx) -> String {
    let rt = cx.facts.runtime();
    let tag = rt.and_then(|r| match &r.base {
        crate::analysis::stages::Base::Image(b) => b.tag.clone(),
        _ => None,
    });
    if let Some(t) = tag
        && let Some(i) = t.find("alpine")
    {
        let v: String = t[i + 6..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if v.contains('.') {
            return v;
        }
    }
    catalog::tables().images.default_alpine.clone()
}
