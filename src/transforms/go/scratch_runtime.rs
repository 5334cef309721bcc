//! `scratch-runtime` (level 4): the runtime stage `FROM scratch` (or, with
//! `runtime = "distroless"`, `gcr.io/distroless/static-debian12`), with what
//! the program needs from the old base brought along.
//!
//! **What**: the last stage's base (alpine, busybox, debian, ubuntu,
//! distroless base/cc) becomes `scratch`; the CA certificate bundle is copied
//! from the builder so TLS works; `USER root`/`nobody` become numeric ids
//! (scratch has no /etc/passwd); a distroless `:nonroot` base keeps its user
//! as `USER 65532:65532`. The runtime's RUN lines go, each replaced by what
//! it gave the program (see `runs.rs`): `ca-certificates` by the copied
//! bundle, `tzdata` by the zone database in the binary (`-tags timetzdata`,
//! or Go's zoneinfo.zip when the Go is older than 1.15), `chmod +x` on the
//! copied binary by nothing, `addgroup`/`adduser` by passwd and group lines
//! written in the builder and copied (USER and `--chown` get the numbers),
//! `tini`/`dumb-init` by a static build of it from the builder.
//!
//! With `runtime = "distroless"` (dfslim.toml or `--runtime`) the base is
//! `gcr.io/distroless/static-debian12` instead: `:nonroot` when the image
//! runs as a non-root user (a user the RUN lines created becomes
//! distroless's `nonroot`, 65532, and the report says the uid changed),
//! `:latest` when it runs as root (running as another user is the opt-in
//! `nonroot-user`'s decision, with its checks). It has the CA bundle, the
//! zone database and a passwd, so none of those is copied. Pinned by digest
//! when the file pins its images. One transform with a choice rather than a
//! sibling: every check (static binary, no shell, the RUN lines) is the
//! same, and `--skip scratch-runtime` keeps meaning "no minimal runtime".
//!
//! A glibc binary (cgo on, a Debian builder) on a Debian runtime gets
//! `gcr.io/distroless/base-debian12` (or `cc`) instead, when nothing else
//! is needed (`glibc_runtime.rs`); this step then runs although cgo-off
//! did not apply.
//!
//! A shell-form CMD or ENTRYPOINT that is one plain command is written in
//! exec form (`shell_plain`). A runtime `FROM $APP_IMAGE` whose global ARG
//! has a default dfslim would replace gets a new default instead of a new
//! FROM (`analysis::stages::image_arg`): the build arg keeps working.
//!
//! **Why**: scratch is empty; the image is the binary and a few files
//! (seed: 30 MB -> 23 MB). Nothing in it can be exploited but the program.
//!
//! **Refuses** when the runtime runs a command it cannot replace (a package
//! the program may need, `curl` for a HEALTHCHECK when the program has no
//! health command of its own, shell syntax), its command needs a shell or is
//! not a binary copied from a builder, a HEALTHCHECK runs something scratch
//! lacks, a user or `--chown` is named that scratch cannot resolve, or the
//! binary may be dynamically linked (cgo not off). Leaves
//! `gcr.io/distroless/static` alone (as small, and it says so).
//!
//! **Example**: `FROM alpine:3.22` -> `FROM scratch` +
//! `COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`.

mod accounts;
mod glibc_runtime;
mod health;
mod runs;
mod users;

use crate::analysis::base::BaseImage;
use crate::analysis::stages::{Base, Process, Source, image_arg};
use crate::analysis::{Family, Libc, StageFacts, covers};
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::pipeline::Runtime;
use crate::syntax::{Command, Document, Instruction, Keyword, Span};
use crate::transforms::text::{
    continued_to_eof, inner_comments, insert_after, json_array, kw_like, replace_args,
};
use crate::transforms::{Cx, Outcome, Transform, pin};

pub struct ScratchRuntime;

const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The zone database the golang image ships with its toolchain.
const GO_ZONEINFO: &str = "/usr/local/go/lib/time/zoneinfo.zip";
/// distroless's `nonroot` user and group.
const NONROOT: u32 = 65532;
/// The PATH the engine gives a container whose image sets none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Transform for ScratchRuntime {
    fn id(&self) -> &'static str {
        "scratch-runtime"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }

    /// A glibc binary on a Debian runtime needs no cgo-off: it gets
    /// distroless base of the same release. When it cannot, the step still
    /// says why the runtime stays, if dfslim wrote that runtime stage (a
    /// runtime the user wrote stays "needs cgo-off", as it always said).
    fn runs_without(&self, dep: &str, cx: &Cx) -> bool {
        if dep != "cgo-off" {
            return false;
        }
        let Some(s) = glibc_runtime::glibc_builder(cx) else {
            return false;
        };
        let Some(rt) = cx.facts.runtime() else {
            return false;
        };
        let written = cx.doc.instructions()[cx.doc.stages()[rt.index].from]
            .from()
            .is_some_and(|f| (cx.added)(f.image.span.start));
        written || matches!(glibc_runtime::plan(cx, rt, s), Ok(Outcome::Apply { .. }))
    }
}

/// An init run as PID 1, whose static build the builder installs.
struct InitCopy {
    /// The builder's package manager (`apk`, `apt`).
    manager: &'static str,
    package: String,
    /// Where the package puts the static build, in the builder.
    src: String,
    /// Where the ENTRYPOINT runs it.
    dest: String,
    init: &'static catalog::Init,
    /// The runtime's RUN that installed it.
    run: usize,
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = facts
        .runtime()
        .ok_or_else(|| Outcome::not_applicable("no stages"))?;
    let stage = &doc.stages()[rt.index];
    let line = |i: usize| Loc::at(doc, i);
    if doc.stages().len() < 2 || cx.go().builds_go(rt.index) {
        return Err(Outcome::not_applicable(
            "the image is built in its own stage (no separate runtime stage; see multi-stage)",
        ));
    }
    // `FROM $APP_IMAGE` with `ARG APP_IMAGE=ubuntu:latest`: the default is
    // the base a build gets; the edit changes the default, not the FROM.
    let arg = match &rt.base {
        Base::Image(b) if b.repository.contains('$') => image_arg(doc, rt.index),
        _ => None,
    };
    let arg_base = arg.as_ref().map(|a| {
        let tag = a.image.tag.as_ref().map(|t| t.text.clone());
        crate::analysis::base::classify(&a.image, tag)
    });
    let img = match (&rt.base, &arg_base) {
        (_, Some(b)) => b,
        (Base::Image(b), None) => b,
        (Base::Stage(_), None) => {
            return Err(Outcome::not_applicable(
                "the runtime starts from another stage",
            ));
        }
        (Base::Unknown(t), None) => {
            return Err(Outcome::refuse(format!(
                "the runtime base {t} is only known at build time"
            )));
        }
    };
    match img.family {
        Family::Scratch => return Err(Outcome::not_applicable("the runtime is already scratch")),
        Family::Distroless { static_only: true } => {
            return Err(Outcome::not_applicable(format!(
                "the runtime is {}: already as small as scratch plus CA certificates, tzdata and a nonroot user; kept",
                img.repository
            )));
        }
        _ => {}
    }
    let replaceable = &catalog::tables().images.scratch_replaceable;
    if !replaceable.iter().any(|r| {
        img.repository == *r
            || img.repository.ends_with(&format!("/{r}"))
            || (r.contains('/') && img.repository.starts_with(r.as_str()))
    }) {
        return Err(Outcome::refuse(format!(
            "the runtime base {} may provide files the program needs; dfslim only replaces alpine, busybox, debian, ubuntu and distroless",
            img.repository
        )));
    }
    let distroless = cx.selection.runtime == Runtime::Distroless;
    let minimal = if distroless { "distroless" } else { "scratch" };

    // Binaries that reach the image must be static.
    let shipped = cx.go().shipped_builds();
    if shipped.is_empty() {
        return Err(Outcome::not_applicable(
            "no Go build reaches the runtime stage",
        ));
    }
    if let Some(b) = shipped.iter().find(|b| !b.is_static()) {
        if let Some(s) = glibc_runtime::glibc_builder(cx) {
            return glibc_runtime::plan(cx, rt, s);
        }
        return Err(Outcome::refuse(format!(
            "cgo is not switched off for the build on {}: a dynamically linked binary cannot run on {minimal} (see cgo-off)",
            line(b.ins)
        )));
    }
    let builder_stage = shipped[0].stage;
    let builder = doc.stages()[builder_stage]
        .name
        .as_ref()
        .map_or(builder_stage.to_string(), |n| n.text.clone());

    // What the RUN lines did, command by command.
    let runs = runs::read(cx, rt, img.family == Family::Alpine, minimal)?;
    if let Some(u) = runs.update_ca
        && let Some(c) = rt.copies.iter().find(|c| {
            c.source == Source::Context
                && c.dest.as_deref().is_some_and(|d| {
                    covers("/usr/local/share/ca-certificates", d) || covers("/etc/ssl/certs", d)
                })
        })
    {
        return Err(Outcome::refuse(format!(
            "{} adds CA certificates of its own, which {} merges into the bundle; the builder's bundle would not have them",
            line(c.ins),
            line(u)
        )));
    }

    // What the runtime gets from builders.
    // A source is a directory when a build made it one (go install ./...);
    // anything else is taken as a file, which never over-claims a path.
    let dirs: Vec<&str> = cx.go().output_dirs();
    let copied: Vec<String> = rt
        .copies
        .iter()
        .filter(|c| matches!(c.source, Source::Stage(_) | Source::Image(_)))
        .flat_map(|c| c.landing(|src| dirs.contains(&src.trim_end_matches('/'))))
        .collect();
    let has = |path: &str| copied.iter().any(|d| covers(d, path));
    // Where the engine finds a program: a bare name on the PATH (the
    // engine's default one when the image sets none), else from WORKDIR.
    let resolve = |prog: &str, ins: usize| {
        if prog.starts_with('/') {
            prog.to_string()
        } else if !prog.contains('/') {
            let path = rt
                .at(doc, ins)
                .env
                .known("PATH")
                .unwrap_or(DEFAULT_PATH)
                .to_string();
            path.split(':')
                .map(|d| crate::analysis::env::join_path(d, prog))
                .find(|p| has(p))
                .unwrap_or_else(|| format!("/{prog}"))
        } else {
            rt.at(doc, ins)
                .workdir
                .as_deref()
                .map_or(prog.to_string(), |w| {
                    crate::analysis::env::join_path(w, prog)
                })
        }
    };

    // The process: the program (after an init, when one runs as PID 1) must
    // be a binary copied from a builder.
    let procs: Vec<&Process> = [&rt.entrypoint, &rt.cmd].into_iter().flatten().collect();
    if procs.is_empty() {
        return Err(Outcome::refuse(format!(
            "the image has no CMD or ENTRYPOINT: it may be run with a command that {minimal} does not have"
        )));
    }
    // A shell form that is one plain command runs the same in exec form.
    let mut exec_form: Vec<(usize, Vec<String>, &'static str)> = Vec::new();
    for p in &procs {
        if p.shell_form {
            let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
            let argv = shell_plain(doc, rt, p).map_err(|why| {
                Outcome::refuse(format!(
                    "the {what} on {} is in shell form; {minimal} has no /bin/sh, and {why}",
                    line(p.ins)
                ))
            })?;
            exec_form.push((p.ins, argv, what));
        }
    }
    let lead = rt
        .entrypoint
        .as_ref()
        .or(rt.cmd.as_ref())
        .expect("one of them");
    let mut argv: Vec<String> = lead.argv.clone().unwrap_or_default();
    if lead.entrypoint
        && let Some(c) = &rt.cmd
    {
        argv.extend(c.argv.clone().unwrap_or_default());
    }
    let what = if lead.entrypoint { "ENTRYPOINT" } else { "CMD" };
    let Some(first) = argv.first().cloned() else {
        return Err(Outcome::refuse(format!(
            "the {what} on {} runs nothing: the image may be run with a command that {minimal} does not have",
            line(lead.ins)
        )));
    };
    let first_name = first.rsplit('/').next().unwrap_or(&first).to_string();
    let init = runs
        .inits
        .iter()
        .find(|(_, init, _)| init.name == first_name || init.packages.contains(&first_name));
    let mut program = first.clone();
    let mut init_copy: Option<InitCopy> = None;
    match init {
        Some(&(run, init, ref package)) if !has(&resolve(&first, lead.ins)) => {
            let (manager, builder_pkg) = builder_package(facts, builder_stage, init)
                .map_err(|why| {
                    Outcome::refuse(format!(
                        "{} installs {package} to run as PID 1 (the {what} on {}); {why}, and {minimal} cannot run a dynamically linked one",
                        line(run),
                        line(lead.ins)
                    ))
                })?;
            let dest = if first.starts_with('/') {
                first.clone()
            } else {
                let rt_manager = if img.family == Family::Alpine {
                    "apk"
                } else {
                    "apt"
                };
                let dir = init
                    .paths
                    .get(rt_manager)
                    .and_then(|p| p.rsplit_once('/'))
                    .map_or("/usr/local/bin", |(d, _)| d);
                format!("{dir}/{first}")
            };
            // The program comes after the init's options.
            let mut k = 1;
            while let Some(w) = argv.get(k) {
                if w == "--" {
                    k += 1;
                    break;
                }
                if !w.starts_with('-') {
                    break;
                }
                if init.options_with_value.contains(w) {
                    k += 1;
                }
                k += 1;
            }
            let Some(p) = argv.get(k) else {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs {} with no program after it",
                    line(lead.ins),
                    init.name
                )));
            };
            program = p.clone();
            init_copy = Some(InitCopy {
                manager,
                package: builder_pkg.0,
                src: builder_pkg.1,
                dest,
                init,
                run,
            });
        }
        _ => {}
    }
    let program_path = resolve(&program, lead.ins);
    if !has(&program_path) {
        return Err(Outcome::refuse(format!(
            "the {what} on {} runs {program}, which is not copied from a builder; {minimal} would not have it",
            line(lead.ins)
        )));
    }
    if let Some((run, init, package)) = runs
        .inits
        .iter()
        .find(|(_, i, _)| init_copy.as_ref().is_none_or(|c| c.init.name != i.name))
    {
        return Err(Outcome::refuse(format!(
            "{} installs {package}, but the image does not run {} as PID 1; dfslim does not know what it is for",
            line(*run),
            init.name
        )));
    }

    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for (i, argv, what) in &exec_form {
        let ins = &doc.instructions()[*i];
        let array = json_array(argv);
        edits.extend(replace_args(doc, ins, array.clone()));
        let args = if *what == "ENTRYPOINT" {
            "; `docker run IMAGE ARGS` now passes ARGS to the program (the shell form dropped them)"
        } else {
            ""
        };
        notes.push(format!(
            "the {what} on {} is written in exec form, {array}: one plain command runs the same without /bin/sh (found on the same PATH, from the same WORKDIR), and the program is PID 1, so docker stop's SIGTERM reaches it{args}",
            line(*i)
        ));
    }

    // HEALTHCHECKs: the program itself, or its own health command.
    let checks = health::checks(
        cx,
        rt,
        &runs,
        health::Program {
            name: &program,
            path: &program_path,
        },
        minimal,
        &health::Paths {
            has: &has,
            resolve: &resolve,
        },
    )?;
    edits.extend(checks.0);
    notes.extend(checks.1);

    // Users: numbers, which hold without a passwd.
    let accounts = &runs.accounts;
    let nonroot_base = img.tag.as_deref().is_some_and(|t| t.contains("nonroot"))
        && matches!(img.family, Family::Distroless { .. });
    let users = users::numeric(
        cx,
        rt,
        users::Runtime {
            img,
            distroless,
            minimal,
            nonroot_base,
            passwd: has("/etc/passwd"),
            builder: &builder,
        },
        &runs,
    )?;
    edits.extend(users.edits);
    notes.extend(users.notes);
    let final_uid = users.final_uid;
    let nonroot_target = final_uid.is_some_and(|u| u != 0);

    // The base.
    let from_ins = &doc.instructions()[stage.from];
    let from = from_ins
        .from()
        .ok_or_else(|| Outcome::refuse("cannot read the runtime's FROM"))?;
    let base_text = if distroless {
        let image = distroless_static(img, nonroot_target);
        let old_digest = arg
            .as_ref()
            .map_or(&from.image, |a| &a.image)
            .digest
            .as_ref()
            .map(|d| d.text.as_str());
        let p = pin::reference(cx, &image, old_digest).map_err(Outcome::refuse)?;
        notes.extend(p.note);
        if !nonroot_target {
            notes.push(format!(
                "the image runs as root, so the root variant {image}; the opt-in nonroot-user can make it run as a non-root user"
            ));
        }
        p.text
    } else {
        "scratch".to_string()
    };
    match &arg {
        // The user's knob stays: only its default changes.
        Some(a) => {
            edits.push(Edit::replace(a.default.span, base_text.clone()));
            notes.push(format!(
                "the runtime's FROM on {} reads the build arg {}: its default (ARG on {}) is now {base_text}; a build that passes --build-arg {}=... still gets that image, with this stage as rewritten",
                Loc::of(from_ins),
                a.name,
                line(a.ins),
                a.name
            ));
        }
        None => edits.push(Edit::replace(from.image.span, base_text.clone())),
    }

    // What the RUN lines gave, and the CA bundle.
    let copy = |src: &str, dest: &str| {
        format!(
            "{} --from={builder} {src} {dest}",
            kw_like(doc, from_ins, "COPY")
        )
    };
    let mut added = Vec::new();
    let mut after_from = Vec::new();
    let mut builder_runs: Vec<String> = Vec::new();
    let mut carried: Vec<String> = Vec::new();
    if !distroless && !has(CA_BUNDLE) && !has("/etc/ssl/certs") {
        let bf = &facts.stages[builder_stage];
        let has_ca = matches!(bf.family, Family::Golang | Family::Alpine)
            || bf
                .installs
                .iter()
                .any(|i| i.packages.iter().any(|p| p == "ca-certificates"));
        if !has_ca {
            return Err(Outcome::refuse(format!(
                "the builder (stage {builder}) may have no CA bundle to copy; install ca-certificates there first"
            )));
        }
        // Where the RUN installed ca-certificates, else after FROM.
        if runs.ca.is_some() {
            added.push(copy(CA_BUNDLE, "/etc/ssl/certs/"));
        } else {
            after_from.push(copy(CA_BUNDLE, "/etc/ssl/certs/"));
        }
    }
    if let Some(r) = runs.ca {
        carried.push(if distroless {
            format!(
                "{} installs ca-certificates: distroless has the CA bundle",
                line(r)
            )
        } else {
            format!(
                "{} installs ca-certificates: the CA bundle is copied from `{builder}` instead",
                line(r)
            )
        });
    }

    // The zone database: what the program loads, or what the RUN installed.
    let zoneinfo = rt.end.env.known("ZONEINFO").is_some_and(&has);
    let tz_why = cx
        .go()
        .program
        .zones
        .clone()
        .or(runs.tzdata.map(|r| format!("{} installs tzdata", line(r))));
    let tz_run = runs.tzdata.map(|r| line(r).to_string());
    if let Some(why) = &tz_why
        && !distroless
        && !has("/usr/share/zoneinfo")
        && !zoneinfo
    {
        let old_go = go_version(facts, builder_stage).is_some_and(|v| v < (1, 15));
        let golang = facts.stages[builder_stage].family == Family::Golang;
        if old_go && golang {
            added.push(copy(GO_ZONEINFO, GO_ZONEINFO));
            added.push(format!(
                "{} ZONEINFO={GO_ZONEINFO}",
                kw_like(doc, from_ins, "ENV")
            ));
            let what = tz_run
                .as_ref()
                .map_or(format!("the program needs time zones ({why})"), |r| {
                    format!("{r} installs tzdata")
                });
            carried.push(format!(
                "{what}: Go's zone database {GO_ZONEINFO} is copied from `{builder}` instead, with ENV ZONEINFO (a Go before 1.15 cannot embed it)"
            ));
        } else if old_go {
            return Err(Outcome::refuse(format!(
                "the program needs time zones ({why}); its Go is older than 1.15 (no -tags timetzdata) and the builder is not the golang image, whose zoneinfo.zip dfslim would copy"
            )));
        } else {
            edits.extend(super::goflags::embed_tzdata(doc, &shipped).map_err(Outcome::refuse)?);
            if let Some(r) = &tz_run {
                carried.push(format!(
                    "{r} installs tzdata: the zone database is embedded in the binary instead (-tags timetzdata)"
                ));
            } else {
                notes.push(format!(
                    "the program needs time zones ({why}) and scratch has no zone database: the build embeds it (-tags timetzdata)"
                ));
            }
        }
    } else if let (Some(r), true) = (&tz_run, distroless) {
        carried.push(format!(
            "{r} installs tzdata: distroless has /usr/share/zoneinfo"
        ));
    }

    // Accounts: passwd/group lines and home directories, written in the builder.
    if accounts.any() {
        let rootfs = ["/rootfs", "/rootfs-runtime", "/dfslim-rootfs"]
            .into_iter()
            .find(|p| !doc.text().contains(p))
            .unwrap_or("/dfslim-rootfs");
        // On scratch the passwd names them (HOME); on distroless the
        // program runs as nonroot, so only a home the stage itself uses.
        let used = |home: &str| {
            stage.range().any(|i| {
                rt.at(doc, i)
                    .workdir
                    .as_deref()
                    .is_some_and(|w| covers(home, w))
            }) || rt.end.workdir.as_deref().is_some_and(|w| covers(home, w))
                || rt
                    .copies
                    .iter()
                    .any(|c| c.dest.as_deref().is_some_and(|d| covers(home, d)))
        };
        let homes: Vec<&accounts::User> = accounts
            .users
            .iter()
            .filter(|u| u.made_home && u.home != "/" && plain(&u.home))
            .filter(|u| !distroless || used(&u.home))
            .collect();
        let mut mkdirs: Vec<String> = Vec::new();
        let mut cmds: Vec<String> = Vec::new();
        if !distroless {
            mkdirs.push(format!("{rootfs}/etc"));
            let quote = |lines: Vec<String>| -> Result<String, Outcome> {
                if let Some(l) = lines.iter().find(|l| l.contains(['\'', '\n', '\r', '\\'])) {
                    return Err(Outcome::refuse(format!(
                        "the account line {l:?} has characters dfslim will not write into a shell line"
                    )));
                }
                Ok(lines
                    .iter()
                    .map(|l| format!("'{l}'"))
                    .collect::<Vec<_>>()
                    .join(" "))
            };
            cmds.push(format!(
                "printf '%s\\n' {} > {rootfs}/etc/passwd",
                quote(accounts.passwd_lines())?
            ));
            cmds.push(format!(
                "printf '%s\\n' {} > {rootfs}/etc/group",
                quote(accounts.group_lines())?
            ));
            added.push(copy(
                &format!("{rootfs}/etc/passwd {rootfs}/etc/group"),
                "/etc/",
            ));
        }
        for u in &homes {
            let (uid, gid) = if distroless {
                (NONROOT, NONROOT)
            } else {
                (u.uid, u.gid)
            };
            mkdirs.push(format!("{rootfs}{}", u.home));
            added.push(format!(
                "{} --from={builder} --chown={uid}:{gid} {rootfs}{} {}",
                kw_like(doc, from_ins, "COPY"),
                u.home,
                u.home
            ));
        }
        if !mkdirs.is_empty() {
            cmds.insert(0, format!("mkdir -p {}", mkdirs.join(" ")));
            builder_runs.push(cmds.join(&format!(" && {}{}    ", doc.escape(), doc.newline())));
        }
        let names: Vec<&str> = accounts.users.iter().map(|u| u.name.as_str()).collect();
        let runs_at: Vec<String> = runs
            .account_runs
            .iter()
            .map(|&r| line(r).to_string())
            .collect();
        let home = if homes.is_empty() {
            ""
        } else {
            "; the home directory it made is made in the builder and copied, owned by the user"
        };
        carried.push(if distroless {
            format!(
                "{} creates {}: distroless's nonroot user (65532) runs the program instead{home}",
                runs_at.join(" and "),
                names.join(", "),
            )
        } else {
            format!(
                "{} creates {}: the /etc/passwd and /etc/group lines it wrote are written in `{builder}` and copied instead{home}",
                runs_at.join(" and "),
                names.join(", "),
            )
        });
    }

    // An init run as PID 1: its static build, from the builder.
    if let Some(InitCopy {
        manager,
        package: pkg,
        src,
        dest,
        init,
        run,
    }) = &init_copy
    {
        builder_runs.push(if *manager == "apk" {
            format!("apk add --no-cache {pkg}")
        } else {
            format!(
                "apt-get update && apt-get install -y --no-install-recommends {pkg} && rm -rf /var/lib/apt/lists/*"
            )
        });
        added.push(copy(src, dest));
        carried.push(format!(
            "{} installs {}, run as PID 1: its static build ({manager} package {pkg}) is installed in `{builder}` instead and {src} copied to {dest}",
            line(*run),
            init.name,
        ));
    }
    for (r, what) in &runs.dropped {
        carried.push(format!("{}: {what}", line(*r)));
    }

    if nonroot_base && rt.users.is_empty() && !distroless {
        after_from.push(format!("{} 65532:65532", kw_like(doc, from_ins, "USER")));
        notes.push("kept the distroless nonroot user as USER 65532:65532".to_string());
    }
    // distroless :nonroot works in /home/nonroot; the program worked in /.
    if distroless && nonroot_target && needs_workdir(doc, stage.from, stage.end) {
        after_from.insert(0, format!("{} /", kw_like(doc, from_ins, "WORKDIR")));
        notes.push(
            "WORKDIR / kept: distroless :nonroot starts in /home/nonroot, the old base in /"
                .to_string(),
        );
    }

    // Where the new lines go: in place of the first RUN, else after FROM.
    if continued_to_eof(doc, from_ins) && (!added.is_empty() || !after_from.is_empty()) {
        return Err(Outcome::refuse(format!(
            "the FROM on {} ends with a line continuation; lines added after it would join it",
            Loc::of(from_ins)
        )));
    }
    let mut first_run = runs.deleted.first().copied();
    if !after_from.is_empty() {
        let mut lines = after_from;
        if first_run.is_none() {
            lines.append(&mut added);
        }
        edits.push(insert_after(doc, from_ins, &lines));
    }
    for &r in &runs.deleted {
        let new = if first_run == Some(r) {
            first_run = None;
            std::mem::take(&mut added)
        } else {
            Vec::new()
        };
        edits.push(replace_lines(doc, &doc.instructions()[r], &new));
    }
    if !added.is_empty() {
        edits.push(insert_after(doc, from_ins, &added));
    }
    if !builder_runs.is_empty() {
        let b_from = &doc.instructions()[doc.stages()[builder_stage].from];
        if continued_to_eof(doc, b_from) {
            return Err(Outcome::refuse(format!(
                "the FROM on {} ends with a line continuation; lines added after it would join it",
                Loc::of(b_from)
            )));
        }
        let run_kw = kw_like(doc, b_from, "RUN");
        let lines: Vec<String> = builder_runs
            .iter()
            .map(|r| format!("{run_kw} {r}"))
            .collect();
        edits.push(insert_after(doc, b_from, &lines));
    }
    notes.extend(carried);

    let certs = if added_ca(&edits, CA_BUNDLE) {
        format!(", with the CA bundle from `{builder}`")
    } else {
        String::new()
    };
    let shown = if distroless {
        base_text.as_str()
    } else {
        "scratch"
    };
    // A runtime stage an earlier step wrote is news only as a whole.
    let message = if let Some(a) = &arg {
        format!(
            "runtime {} (ARG {}) -> {shown}{certs}",
            a.default.text, a.name
        )
    } else if (cx.added)(from.image.span.start) {
        format!("the runtime stage is FROM {shown}{certs}")
    } else {
        format!("runtime {} -> {shown}{certs}", from.image.text)
    };
    let unchecked = if cx.go().program.sources_read {
        Vec::new()
    } else {
        cx.go().program.unchecked.clone()
    };
    Ok(Outcome::apply(edits, message)
        .with_notes(notes)
        .with_unchecked(unchecked))
}

/// Shell builtins and reserved words of sh, dash, ash and bash: as the
/// first word of `sh -c`, the shell runs them itself, not a program.
const SHELL_BUILTINS: &[&str] = &[
    ".", ":", "[", "[[", "alias", "bg", "break", "builtin", "case", "cd", "command", "continue",
    "declare", "do", "done", "echo", "elif", "else", "esac", "eval", "exec", "exit", "export",
    "false", "fc", "fg", "fi", "for", "function", "getopts", "hash", "if", "in", "jobs", "kill",
    "let", "local", "logout", "printf", "pwd", "read", "readonly", "return", "select", "set",
    "shift", "source", "test", "then", "time", "times", "trap", "true", "type", "typeset",
    "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
];

/// The words of a shell-form CMD or ENTRYPOINT that is one plain command:
/// `/bin/sh -c 'api --port 8080'` and `["api", "--port", "8080"]` run the
/// same program with the same arguments. sh looks a bare name up on the
/// container's PATH and a name with a slash from the working directory,
/// exactly as the engine does for the exec form; the exec form also makes
/// the program PID 1 (no shell between it and docker stop's SIGTERM).
/// Plain means: words of letters, digits and `-_./:,+@%` only (`=` too, but
/// not in the first word, which sh would read as an assignment), so nothing
/// is expanded, quoted, globbed, redirected or chained; the first word no
/// shell builtin or keyword. A CMD under an ENTRYPOINT (its arguments) and
/// a shell-form ENTRYPOINT with a CMD (which it ignored, and exec form
/// would pass) are refused, as is a stage with a SHELL instruction.
fn shell_plain(doc: &Document, rt: &StageFacts, p: &Process) -> Result<Vec<String>, String> {
    let ins = &doc.instructions()[p.ins];
    if p.entrypoint && rt.cmd.is_some() {
        return Err(
            "a shell-form ENTRYPOINT ignores the CMD, which the exec form would pass to it"
                .to_string(),
        );
    }
    if !p.entrypoint && rt.entrypoint.is_some() {
        return Err("under an ENTRYPOINT the CMD is its arguments, `/bin/sh -c ...`".to_string());
    }
    let stage = &doc.stages()[rt.index];
    if stage
        .range()
        .any(|i| doc.instructions()[i].keyword == Keyword::Shell)
    {
        return Err("the stage sets its own SHELL".to_string());
    }
    let Some(Command::Shell(w)) = ins.command() else {
        return Err("dfslim cannot read it".to_string());
    };
    let words: Vec<&str> = w
        .text
        .split([' ', '\t'])
        .filter(|s| !s.is_empty())
        .collect();
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:,+@%=".contains(&b))
    };
    let Some(first) = words.first() else {
        return Err("it runs nothing".to_string());
    };
    if !words.iter().all(|s| plain(s)) {
        return Err(
            "it uses shell syntax (variables, quotes, escapes, globs, operators or redirections)"
                .to_string(),
        );
    }
    if first.contains('=') || SHELL_BUILTINS.contains(first) {
        return Err(format!(
            "its first word {first} is shell syntax, not a program"
        ));
    }
    Ok(words.iter().map(|s| s.to_string()).collect())
}

/// True when one of `edits` writes the CA bundle's COPY.
fn added_ca(edits: &[Edit], bundle: &str) -> bool {
    edits.iter().any(|e| e.text.contains(bundle))
}

/// `gcr.io/distroless/static-<release>:nonroot` (or `:latest`), keeping the
/// Debian release of a distroless base.
fn distroless_static(img: &BaseImage, nonroot: bool) -> String {
    let release = img
        .repository
        .rsplit('-')
        .next()
        .filter(|r| r.starts_with("debian") && img.repository.starts_with("gcr.io/distroless/"))
        .unwrap_or("debian12");
    let tag = if nonroot { "nonroot" } else { "latest" };
    format!("gcr.io/distroless/static-{release}:{tag}")
}

/// The package manager of a builder stage: `apk` (alpine, golang:*-alpine)
/// or `apt` (Debian, Ubuntu, golang:<v>).
fn builder_manager(facts: &crate::analysis::Facts, s: usize) -> Option<&'static str> {
    let st: &StageFacts = &facts.stages[s];
    match (st.family, st.libc) {
        (Family::Alpine, _) | (Family::Golang, Libc::Musl) => Some("apk"),
        (Family::Debian | Family::Ubuntu, _) | (Family::Golang, Libc::Glibc) => Some("apt"),
        _ => None,
    }
}

/// The static build of `init` the builder can install: (manager, (package, path)).
fn builder_package(
    facts: &crate::analysis::Facts,
    s: usize,
    init: &catalog::Init,
) -> Result<(&'static str, (String, String)), String> {
    let Some(manager) = builder_manager(facts, s) else {
        return Err(format!(
            "the builder has no package manager dfslim knows to get a static {} from",
            init.name
        ));
    };
    match init.r#static.get(manager) {
        Some(p) => Ok((manager, p.clone())),
        None => Err(format!(
            "the builder is Debian-based ({manager}), whose {} is dynamically linked (no static build to copy)",
            init.name
        )),
    }
}

/// The Go version of a builder on the golang image, from its tag (`1.14-alpine`).
fn go_version(facts: &crate::analysis::Facts, mut s: usize) -> Option<(u32, u32)> {
    loop {
        match &facts.stages[s].base {
            Base::Stage(b) => s = *b,
            Base::Image(b) if b.family == Family::Golang => {
                let tag = b.tag.as_deref()?;
                let mut parts = tag.split(['.', '-']);
                let major = parts.next()?.parse().ok()?;
                let minor = parts.next()?.parse().ok()?;
                return Some((major, minor));
            }
            _ => return None,
        }
    }
}

/// True when a stage has no absolute WORKDIR before it copies or runs
/// anything (so it worked in its base's directory).
fn needs_workdir(doc: &Document, from: usize, end: usize) -> bool {
    for ins in &doc.instructions()[from + 1..end] {
        match ins.keyword {
            Keyword::Workdir => {
                return !ins.text_arg().is_some_and(|w| w.text.starts_with('/'));
            }
            Keyword::Copy | Keyword::Add | Keyword::Cmd | Keyword::Entrypoint | Keyword::Volume => {
                return true;
            }
            _ => {}
        }
    }
    true
}

/// A path that can be written into COPY and shell lines as it is.
fn plain(p: &str) -> bool {
    !p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/+@".contains(&b))
}

/// Replaces the whole lines of `ins` with `lines` (indented like it),
/// keeping the comment lines inside it; removing it leaves no second blank
/// line in a row.
fn replace_lines(doc: &Document, ins: &Instruction, lines: &[String]) -> Edit {
    let text = doc.text();
    let nl = doc.newline();
    let mut span = doc.line_span(ins);
    let indent = doc.indent_at(ins.keyword_span.start);
    let mut new: String = inner_comments(doc, ins)
        .iter()
        .map(|c| format!("{}{nl}", c.trim_end_matches(['\r', '\n'])))
        .collect();
    for l in lines {
        new.push_str(&format!("{indent}{l}{nl}"));
    }
    if !span.is_empty() && !text[..span.end].ends_with('\n') && !new.is_empty() {
        new.truncate(new.len() - nl.len());
    }
    if new.is_empty() {
        // Two blank lines would meet: take one of them.
        let before_blank = span.start == 0 || {
            let prev = text[..span.start.saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |p| p + 1);
            text[prev..span.start].trim().is_empty()
        };
        let next_end = text[span.end..]
            .find('\n')
            .map_or(text.len(), |p| span.end + p + 1);
        let after_blank = span.end < text.len() && text[span.end..next_end].trim().is_empty();
        if before_blank && after_blank {
            span = Span::new(span.start, next_end);
        }
    }
    Edit::replace(span, new)
}
