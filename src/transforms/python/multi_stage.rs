//! `python-multi-stage` (level 2): a builder that installs the app's
//! packages into a virtual environment, and a runtime on the same Python's
//! slim image that gets the environment and the app at the same paths.
//!
//! **What**: the image's Python stage becomes the builder (named `builder`,
//! or keeping its name). Where its packages go decides what the runtime
//! copies:
//! - pip into the system Python (the usual `RUN pip install -r
//!   requirements.txt`): before the first install, `RUN python -m venv
//!   --without-pip /opt/venv` and `ENV PATH="/opt/venv/bin:$PATH"
//!   PIP_PYTHON=/opt/venv/bin/python`, so the user's pip lines, unchanged,
//!   install into the venv (pip >= 22.3 reads PIP_PYTHON); a `python -m pip`
//!   line runs the image's own interpreter (`/usr/local/bin/python`), which
//!   has pip. poetry and pipenv get `VIRTUAL_ENV=/opt/venv`, which both use.
//! - a venv the file makes itself and activates (`python -m venv /venv`,
//!   `ENV PATH=/venv/bin:$PATH`): that one, as it is.
//! - `uv sync`: the project environment (`UV_PROJECT_ENVIRONMENT`, else
//!   `.venv` in the project directory), which travels with the app.
//! - `pip install --user`: the user base (`/root/.local`).
//!
//! A new last stage on `python:<same version and release>-slim` (a slim or
//! alpine builder keeps its tag) gets the environment and the app directory
//! (WORKDIR) with `COPY --from=builder` at the same paths, `PATH` with the
//! environment's `bin` first, files the build copied elsewhere, and what
//! the running container needs (EXPOSE, USER, ENV, CMD...; pip, uv, poetry
//! settings stay behind). The command is kept, except that `uv run X`,
//! `poetry run X` and `pipenv run X` become `X` (the runner stays in the
//! builder; the environment is on PATH). Run-time libraries the packages
//! need are installed in the runtime (`apt-get install
//! --no-install-recommends`): the library of each `-dev` package the builder
//! installed (`libpq-dev` -> `libpq5`), of each package built from source
//! (`psycopg2` -> `libpq5`, `mysqlclient` -> `libmariadb3`), of wheels that
//! load one (`psycopg` -> `libpq5`), and the builder's other OS packages
//! (ffmpeg...), which the app may run. Compilers, headers, pip's cache and
//! the installers stay behind.
//!
//! Why one transform and not a venv step then a split: a venv in a single
//! stage only adds bytes (with pip seeded into it, 13-22 MB measured); it
//! pays only because the runtime copies it alone. A venv with no pip
//! (`--without-pip`) is what keeps level 2 from growing.
//!
//! **Why**: the builder's compilers and headers (the full image: about 1 GB)
//! and pip's download cache stay behind; the runtime is slim Python and the
//! app: 991,823,600 -> 128,891,411 bytes measured for a Flask app.
//!
//! **Refuses** when the app has no directory of its own (no WORKDIR, or /);
//! the image has no command, or runs uv/poetry/pipenv other than `run`, or
//! `uv run --with` (packages added at run time); Python does not come from
//! the python image; the stage that ships is not the last; an install puts
//! packages elsewhere (`--target`, `--prefix`, `uv pip install --system`), a
//! venv the file makes is not the one its installs use, or packages go to
//! two places; a tool other than pip, setuptools or wheel is pip-installed
//! after the app's packages (it would land in the venv); the builder
//! installs a `-dev` package whose run-time library dfslim does not know,
//! or needs a Debian library on alpine; a builder RUN runs a command that may
//! write files outside the app's directory and the environment (curl, wget,
//! a script); `.python-version` names another Python than the image's (uv
//! would install that one, which the runtime lacks); the image's pip is too
//! old for PIP_PYTHON (python:3.6 and older).
//!
//! **Example**: `FROM python:3.12` ... `RUN pip install -r requirements.txt`
//! ... `CMD ["gunicorn", "app:app"]` -> the same as `builder` with the venv
//! lines before the install, then `FROM python:3.12-slim`, `WORKDIR /app`,
//! `COPY --from=builder /opt/venv /opt/venv`, `ENV PATH="/opt/venv/bin:$PATH"`,
//! `COPY --from=builder /app /app`, `CMD ["gunicorn", "app:app"]`.

use super::slim_base::{has, installed};
use super::tag::{PyTag, Variant, minor_below};
use crate::analysis::Family;
use crate::analysis::env::join_path;
use crate::analysis::python::cmd::{self, Install, Starts, Tool, What};
use crate::analysis::python::needs;
use crate::analysis::stages::{Base, Source, StageFacts};
use crate::catalog;
use crate::edit::Edit;
use crate::message::Loc;
use crate::syntax::{Instruction, Keyword};
use crate::transforms::text::{insert_before, json_array, kw, kw_like, listing};
use crate::transforms::{Cx, Outcome, Transform, pin, split};

pub struct PythonMultiStage;

impl Transform for PythonMultiStage {
    fn id(&self) -> &'static str {
        "python-multi-stage"
    }

    fn run(&self, cx: &Cx) -> Outcome {
        match plan(cx) {
            Ok(o) | Err(o) => o,
        }
    }
}

/// The venv dfslim makes when the packages went into the system Python.
pub const VENV: &str = "/opt/venv";

/// Installer settings that only matter to the install.
pub fn is_install_setting(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    k.starts_with("PIP_")
        || k.starts_with("UV_")
        || k.starts_with("POETRY_")
        || k.starts_with("PIPENV_")
}

/// Where the installs of the image's stage put the app's packages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The system Python: dfslim makes a venv at [`VENV`] before the
    /// first install (with PIP_PYTHON when pip installs, VIRTUAL_ENV for
    /// poetry and pipenv).
    Create {
        pip: bool,
        virtual_env: bool,
        first: usize,
    },
    /// A venv the file makes and activates: its path.
    Existing(String),
    /// uv's project environment: its path.
    UvProject(String),
    /// `pip install --user`: the user base.
    UserBase(String),
}

impl Place {
    /// The directory the runtime copies.
    pub fn dir(&self) -> &str {
        match self {
            Place::Create { .. } => VENV,
            Place::Existing(p) | Place::UvProject(p) | Place::UserBase(p) => p,
        }
    }
}

/// Where the packages of stage `rt` go, or why dfslim cannot tell.
pub fn place(cx: &Cx, rt: &StageFacts) -> Result<Place, Outcome> {
    let doc = cx.doc;
    let py = cx.python();
    let app: Vec<&Install> = py.app_installs_in(rt.index).collect();
    let Some(first) = app.first() else {
        return Err(Outcome::not_applicable(
            "already split: the image's stage installs no packages (they come from another stage)",
        ));
    };
    for i in &app {
        if let Some((flag, dir)) = &i.elsewhere {
            return Err(Outcome::refuse(format!(
                "{} installs with {flag} {dir}: dfslim does not move such installs (install into the image's Python or a venv)",
                Loc::at(doc, i.ins)
            )));
        }
    }
    let workdir_at = |ins: usize| {
        rt.at(doc, ins)
            .workdir
            .clone()
            .unwrap_or_else(|| "/".to_string())
    };
    // A venv the file makes, active for the installs.
    let venv = py
        .venvs_in(rt.index)
        .filter(|v| v.ins <= first.ins)
        .last()
        .map(|v| (v.ins, join_path(&workdir_at(v.ins), &v.path)));
    if let Some((at, path)) = venv {
        if !active(cx, rt, &path, first) {
            return Err(Outcome::refuse(format!(
                "{} makes a venv at {path}, but the install on {} does not use it (no PATH or VIRTUAL_ENV naming it): dfslim cannot tell where the packages go",
                Loc::at(doc, at),
                Loc::at(doc, first.ins)
            )));
        }
        return Ok(Place::Existing(path));
    }
    let uv_sync: Vec<&&Install> = app
        .iter()
        .filter(|i| i.tool == Tool::Uv && !i.uv_pip)
        .collect();
    if let Some(i) = app.iter().find(|i| i.uv_pip) {
        return Err(Outcome::refuse(format!(
            "{} installs with `uv pip install`{}: dfslim moves pip, uv sync, poetry and pipenv installs; use `uv sync` or a venv the file makes",
            Loc::at(doc, i.ins),
            if i.system { " --system" } else { "" }
        )));
    }
    if let Some(u) = uv_sync.first() {
        if let Some(other) = app.iter().find(|i| i.tool != Tool::Uv) {
            return Err(Outcome::refuse(format!(
                "packages go to two places: uv sync on {} installs into the project's environment, {} on {} into the system Python",
                Loc::at(doc, u.ins),
                other.tool.name(),
                Loc::at(doc, other.ins)
            )));
        }
        if let Some(d) = &u.project_dir {
            return Err(Outcome::refuse(format!(
                "uv sync on {} works on the project in {d}: dfslim places the environment of a project in the working directory only",
                Loc::at(doc, u.ins)
            )));
        }
        let at = rt.at(doc, u.ins);
        let wd = workdir_at(u.ins);
        let path = match at.env.get("UV_PROJECT_ENVIRONMENT") {
            Some(crate::analysis::env::Value::Known(p)) => join_path(&wd, p),
            Some(_) => {
                return Err(Outcome::refuse(
                    "UV_PROJECT_ENVIRONMENT comes from a build argument: dfslim cannot tell where uv puts the environment",
                ));
            }
            None => join_path(&wd, ".venv"),
        };
        return Ok(Place::UvProject(path));
    }
    let users: Vec<&&Install> = app.iter().filter(|i| i.user).collect();
    if let Some(u) = users.first() {
        if let Some(other) = app.iter().find(|i| !i.user) {
            return Err(Outcome::refuse(format!(
                "packages go to two places: {} installs with --user, {} into the system Python",
                Loc::at(doc, u.ins),
                Loc::at(doc, other.ins)
            )));
        }
        if rt.users.iter().any(|&x| x < u.ins) {
            return Err(Outcome::refuse(format!(
                "{} installs with --user as a user the file sets: dfslim cannot tell that user's home",
                Loc::at(doc, u.ins)
            )));
        }
        let base = rt
            .at(doc, u.ins)
            .env
            .known("PYTHONUSERBASE")
            .map_or("/root/.local".to_string(), str::to_string);
        return Ok(Place::UserBase(base));
    }
    let pip = app.iter().any(|i| i.tool == Tool::Pip);
    let virtual_env = app
        .iter()
        .any(|i| matches!(i.tool, Tool::Poetry | Tool::Pipenv));
    Ok(Place::Create {
        pip,
        virtual_env,
        first: first.ins,
    })
}

/// True when the venv at `path` is the environment `install` uses: PATH
/// or VIRTUAL_ENV names it (as written in the stage's ENV), or the install
/// runs its pip.
fn active(cx: &Cx, rt: &StageFacts, path: &str, install: &Install) -> bool {
    let doc = cx.doc;
    let prog = &install.words[0].value;
    if prog.starts_with(&format!("{path}/bin/")) {
        return true;
    }
    let stage = &doc.stages()[rt.index];
    let mut virtual_env_var = false;
    for i in stage.from + 1..install.ins {
        let ins = &doc.instructions()[i];
        if ins.keyword != Keyword::Env {
            continue;
        }
        for p in ins.pairs() {
            let v = p.value.text.trim_matches('"');
            match p.key.text.as_str() {
                "VIRTUAL_ENV" if v.trim_end_matches('/') == path => virtual_env_var = true,
                "PATH"
                    if v.contains(&format!("{path}/bin"))
                        || (virtual_env_var
                            && (v.contains("$VIRTUAL_ENV/bin")
                                || v.contains("${VIRTUAL_ENV}/bin"))) =>
                {
                    return true;
                }
                _ => {}
            }
        }
    }
    // poetry and pipenv use VIRTUAL_ENV itself.
    virtual_env_var && matches!(install.tool, Tool::Poetry | Tool::Pipenv)
}

fn plan(cx: &Cx) -> Result<Outcome, Outcome> {
    let (doc, facts) = (cx.doc, cx.facts);
    let rt = super::python_runtime(cx)?;
    let py = cx.python();
    if let Some(why) = facts.frozen(rt.index) {
        return Err(Outcome::not_applicable(format!("{why}: left as is")));
    }
    if py.app_installs_in(rt.index).next().is_none() {
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
        Base::Image(b) if b.family == Family::Python => b,
        Base::Image(b) => {
            return Err(Outcome::refuse(format!(
                "Python does not come from the python image here ({}); dfslim only splits stages on it (a runtime needs the same Python at the same path)",
                b.repository
            )));
        }
        _ => {
            return Err(Outcome::refuse(
                "the stage starts from another stage or an image only the build knows",
            ));
        }
    };
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
    let proc = rt
        .entrypoint
        .as_ref()
        .filter(|p| !p.shell_form)
        .or(rt.cmd.as_ref())
        .ok_or_else(|| Outcome::refuse("the image has no CMD or ENTRYPOINT"))?;
    let written = img.tag_written.clone().unwrap_or_default();
    let tag = PyTag::parse(img.tag.as_deref().unwrap_or(&written));
    if tag.variant == Variant::Windows {
        return Err(Outcome::refuse(
            "the python image is a Windows one; dfslim splits Linux images only",
        ));
    }
    let runtime_tag = match tag.variant {
        Variant::Full if written.contains('$') => format!("{written}-slim"),
        Variant::Full => PyTag::parse(&written).slim(),
        _ => written.clone(),
    };
    let place = place(cx, rt)?;
    let env_dir = place.dir().to_string();
    if !split::is_plain_path(&env_dir, doc.escape()) {
        return Err(Outcome::refuse(format!(
            "the environment's path {env_dir:?} has characters dfslim will not write into a COPY line"
        )));
    }
    let table = &catalog::tables().python;
    let mut notes: Vec<String> = Vec::new();
    let mut unchecked: Vec<String> = Vec::new();
    let inside = |p: &str| p == workdir || p.starts_with(&format!("{workdir}/"));

    if let Place::Create { pip: true, .. } = place
        && let Some(minor) = tag.minor()
        && minor_below(&minor, &table.pip_python_since)
    {
        return Err(Outcome::refuse(format!(
            "python:{minor}'s pip is older than 22.3 and cannot install into a venv from outside (PIP_PYTHON); dfslim would have to seed pip into the venv, which the runtime would then carry"
        )));
    }
    if let Place::Create { .. } = place
        && (facts
            .copied_from(rt.index)
            .iter()
            .any(|c| c.starts_with(VENV))
            || rt
                .copies
                .iter()
                .any(|c| c.dest.as_deref().is_some_and(|d| d.starts_with(VENV))))
    {
        return Err(Outcome::refuse(format!(
            "the stage already uses {VENV}: dfslim will not put a venv there"
        )));
    }
    // uv installs a Python of its own when the project asks for another minor.
    if let Place::UvProject(_) = place
        && let (Some(want), Some(minor)) = (
            cx.facts
                .context
                .and_then(|c| c.python().python_version.clone()),
            tag.minor(),
        )
        && let Some(want_minor) = PyTag::parse(&want).minor()
        && want_minor != minor
    {
        return Err(Outcome::refuse(format!(
            ".python-version asks for Python {want}, and the image has {minor}: uv would install {want} in the builder, and the environment would point at a Python the runtime does not have"
        )));
    }

    // Tools pip installs into the venv once PIP_PYTHON is set.
    if let Place::Create {
        pip: true, first, ..
    } = place
    {
        for i in py
            .installs_in(rt.index)
            .filter(|i| i.what == What::Tools && i.tool == Tool::Pip && i.ins >= first)
        {
            let others: Vec<&String> = i
                .packages
                .iter()
                .filter(|p| !matches!(p.as_str(), "pip" | "setuptools" | "wheel"))
                .collect();
            if let Some(t) = others.first() {
                return Err(Outcome::refuse(format!(
                    "{} pip-installs {t} in or after the RUN that installs the app's packages: with them going into a venv, it would land there too; install it in a RUN of its own before",
                    Loc::at(doc, i.ins)
                )));
            }
            notes.push(format!(
                "{} upgrades {} inside the venv (it runs after the venv is made): a few MB the runtime carries",
                Loc::at(doc, i.ins),
                listing(&i.packages, ", ")
            ));
        }
    }

    // What else the builder's RUNs do: files written outside the app's
    // directory and the environment would not reach the runtime.
    let kept = |p: &str| {
        inside(p)
            || p == env_dir
            || p.starts_with(&format!("{env_dir}/"))
            || p.starts_with("/tmp")
            || p.starts_with("/root/.cache")
            || p.starts_with("/var/lib/apt")
            || p.starts_with("/var/cache")
    };
    for &r in &rt.runs {
        let wd = rt.at(doc, r).workdir.clone().unwrap_or_else(|| "/".into());
        for l in cx.facts.lines(r) {
            if l.name.is_empty() {
                continue;
            }
            let python = cmd::is_python(&l.name);
            if !python
                && !cmd::is_pip(&l.name)
                && l.name != "virtualenv"
                && !table.build_commands.contains(&l.name)
            {
                return Err(Outcome::refuse(format!(
                    "{} runs `{}`, which may write files outside {workdir} and {env_dir} that the runtime would not get",
                    Loc::at(doc, r),
                    l.name
                )));
            }
            if matches!(
                l.name.as_str(),
                "mkdir" | "touch" | "cp" | "mv" | "ln" | "chown" | "chmod" | "sed"
            ) {
                let operands: Vec<&crate::analysis::commands::Arg> = l
                    .args
                    .iter()
                    .skip(1)
                    .filter(|a| !a.value.starts_with('-'))
                    .collect();
                // cp, mv, ln and sed write their last operand only.
                let written: Vec<&crate::analysis::commands::Arg> =
                    if matches!(l.name.as_str(), "cp" | "mv" | "ln" | "sed") {
                        operands.last().copied().into_iter().collect()
                    } else {
                        operands
                    };
                let outside = written.into_iter().find(|a| {
                    (a.value.starts_with('/') || (wd == "/" && a.value.contains('/')))
                        && !kept(&join_path(&wd, &a.value))
                });
                if let Some(a) = outside {
                    return Err(Outcome::refuse(format!(
                        "{} runs `{} ... {}`, outside {workdir} and {env_dir}: the runtime would not get it",
                        Loc::at(doc, r),
                        l.name,
                        a.value
                    )));
                }
            }
            let installs_or_venv = l.args.iter().any(|a| a.value == "-m")
                && l.args
                    .iter()
                    .any(|a| matches!(a.value.as_str(), "pip" | "venv" | "virtualenv"));
            if python && !installs_or_venv {
                notes.push(format!(
                    "{} runs `{}`: what it writes outside {workdir} and {env_dir} is not in the runtime",
                    Loc::at(doc, r),
                    l.args.iter().take(3).map(|a| a.value.as_str()).collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }

    // OS packages: build-only stay, -dev ones bring their library, others come along.
    let runtime_alpine = tag.variant == Variant::Alpine;
    let mut os_pkgs: Vec<String> = Vec::new();
    let mut why_libs: Vec<String> = Vec::new();
    let mut recommends_off = true;
    let mut manager = if runtime_alpine { "apk" } else { "apt" }.to_string();
    for inst in &rt.installs {
        manager = inst.manager.clone();
        if inst.manager == "apt" {
            let t = doc.instructions()[inst.ins].args_span.of(doc.text());
            recommends_off &= t.contains("--no-install-recommends");
        }
        for p in &inst.packages {
            if table.build_only_packages.contains(p) {
                continue;
            }
            if let Some((_, libs)) = table.dev_runtime.iter().find(|(d, _)| d == p) {
                if runtime_alpine && !libs.is_empty() {
                    return Err(Outcome::refuse(format!(
                        "{} installs {p}; dfslim knows the Debian name of its run-time library, not alpine's",
                        Loc::at(doc, inst.ins)
                    )));
                }
                for l in libs {
                    if !os_pkgs.contains(l) {
                        os_pkgs.push(l.clone());
                        why_libs.push(format!("{l} ({p})"));
                    }
                }
                continue;
            }
            if p.ends_with("-dev") || p.ends_with("-devel") {
                return Err(Outcome::refuse(format!(
                    "{} installs {p}, whose run-time library dfslim does not know: the runtime would lack it; add it to transforms/tables/python.toml or split by hand",
                    Loc::at(doc, inst.ins)
                )));
            }
            if !os_pkgs.contains(p) {
                os_pkgs.push(p.clone());
            }
        }
    }
    let carried_os: Vec<String> = os_pkgs
        .iter()
        .filter(|p| !why_libs.iter().any(|w| w.starts_with(&format!("{p} "))))
        .cloned()
        .collect();
    if !carried_os.is_empty() {
        notes.push(format!(
            "installed in the runtime too: {} (the builder installs them and the app may use them)",
            listing(&carried_os, ", ")
        ));
    }
    // Libraries the installed packages load.
    let inst = installed(cx, rt.index);
    for i in py.app_installs_in(rt.index) {
        let n = needs(doc, facts, rt.index, i);
        for (lib, pkg) in &n.runtime {
            if os_pkgs.contains(lib) {
                continue;
            }
            if runtime_alpine {
                return Err(Outcome::refuse(format!(
                    "{pkg} needs {lib} at run time; dfslim knows its Debian name, not alpine's"
                )));
            }
            // A slim builder that built it without the library installed would have failed.
            let _ = has(&inst, lib);
            os_pkgs.push(lib.clone());
            why_libs.push(format!("{lib} ({pkg})"));
        }
        for u in n.unchecked {
            if !unchecked.contains(&u) {
                unchecked.push(u);
            }
        }
    }
    if tag.variant == Variant::Full {
        notes.push(
            "the packages were installed on the full image: one that loads a system library dfslim's table does not list would fail at import on slim (dfslim verify --smoke runs it)"
                .to_string(),
        );
    }

    // The command: runners stay in the builder.
    let mut said_cmd = Vec::new();
    let mut dev_noted = false;
    for p in [&rt.entrypoint, &rt.cmd].into_iter().flatten() {
        let what = if p.entrypoint { "ENTRYPOINT" } else { "CMD" };
        let ins = &doc.instructions()[p.ins];
        let Some(argv) = &p.argv else {
            let text = ins.args_span.of(doc.text());
            if ["uv ", "poetry ", "pipenv "]
                .iter()
                .any(|t| text.trim_start().starts_with(t))
            {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs a package manager in a shell command dfslim cannot read; the runtime will not have it",
                    Loc::of(ins)
                )));
            }
            continue;
        };
        // ENTRYPOINT ["python", "manage.py"] + CMD ["runserver"] read as one.
        let whole: Vec<String> = match (&rt.entrypoint, p.entrypoint) {
            (Some(e), false) if !e.shell_form => e
                .argv
                .iter()
                .flatten()
                .chain(argv.iter())
                .cloned()
                .collect(),
            _ => argv.clone(),
        };
        if let Some(why) = cmd::dev_server(&whole).filter(|_| !dev_noted) {
            dev_noted = true;
            notes.push(format!(
                "the {what} on {}: {why}; dfslim keeps it (for production, serve the app with gunicorn or uvicorn)",
                Loc::of(ins)
            ));
        }
        let prog = argv.first().map(String::as_str).unwrap_or("");
        let prog = prog.rsplit('/').next().unwrap_or(prog);
        match cmd::starts(argv) {
            Starts::Runner { tool, argv: inner } => {
                if let Some(flag) = cmd::runner_changes_env(argv) {
                    return Err(Outcome::refuse(format!(
                        "the {what} on {} runs `{} run {flag}`, which changes the environment at run time; the runtime will not have {}",
                        Loc::of(ins),
                        tool.name(),
                        tool.name()
                    )));
                }
                said_cmd.push((
                    p.ins,
                    inner.clone(),
                    format!(
                        "`{} run {}` -> `{}`",
                        tool.name(),
                        inner.join(" "),
                        inner.join(" ")
                    ),
                ));
            }
            _ if matches!(prog, "uv" | "poetry" | "pipenv" | "pip" | "pip3") => {
                return Err(Outcome::refuse(format!(
                    "the {what} on {} runs {prog}, which stays in the builder",
                    Loc::of(ins)
                )));
            }
            _ => {}
        }
    }
    let _ = proc;

    // The runtime base.
    let from_img = stage.image.as_ref().expect("an image base");
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
    notes.extend(runtime.note.clone());

    let mut edits = Vec::new();
    let (builder, name_edit) = split::name_builder(doc, stage)?;
    edits.extend(name_edit);
    // The venv, before the first install.
    if let Place::Create {
        pip,
        virtual_env,
        first,
    } = place
    {
        let at = &doc.instructions()[first];
        let mut env = Vec::new();
        if virtual_env {
            env.push(format!("VIRTUAL_ENV={VENV}"));
        }
        env.push(format!("PATH=\"{VENV}/bin:$PATH\""));
        if pip {
            env.push(format!("PIP_PYTHON={VENV}/bin/python"));
        }
        edits.push(insert_before(
            doc,
            at,
            &[
                format!(
                    "{} python -m venv --without-pip {VENV}",
                    kw_like(doc, at, "RUN")
                ),
                format!("{} {}", kw_like(doc, at, "ENV"), env.join(" ")),
            ],
        ));
        // `python -m pip` would now run the venv's Python, which has no pip.
        for i in py
            .installs_in(rt.index)
            .filter(|i| i.module_form && i.ins >= first)
        {
            let w = &i.words[0];
            if !w.value.starts_with('/') {
                edits.push(Edit::replace(w.span, format!("/usr/local/bin/{}", w.value)));
                notes.push(format!(
                    "`{} -m pip` on {} runs /usr/local/bin/{} (the image's Python, which has pip; the venv has none)",
                    w.value,
                    Loc::at(doc, i.ins),
                    w.value
                ));
            }
        }
    }
    let rewrite = |i: usize, ins: &Instruction| -> Option<String> {
        let (_, argv, _) = said_cmd.iter().find(|(at, _, _)| *at == i)?;
        let _ = ins;
        Some(format!(
            "{} {}",
            kw_like(
                doc,
                &doc.instructions()[i],
                doc.instructions()[i].keyword.as_str().unwrap_or("CMD")
            ),
            json_array(argv)
        ))
    };
    let parts = split::carried_instructions(cx, rt, &is_install_setting, &rewrite);
    let copy = |src: &str| format!("{} --from={builder} {src} {src}", kw(doc, "COPY"));
    let mut block = vec![format!("{} {}", kw(doc, "FROM"), runtime.text)];
    block.extend(parts.args);
    let path_carried = parts.env.iter().any(|e| {
        e.contains(&format!("{env_dir}/bin"))
            || e.contains("$VIRTUAL_ENV/bin")
            || e.contains("${VIRTUAL_ENV}/bin")
    });
    block.extend(parts.env);
    if !os_pkgs.is_empty() {
        let run = kw(doc, "RUN");
        block.push(if manager == "apk" {
            format!("{run} apk add --no-cache {}", os_pkgs.join(" "))
        } else {
            let flag = if recommends_off || rt.installs.is_empty() {
                " --no-install-recommends"
            } else {
                ""
            };
            format!(
                "{run} apt-get update && apt-get install -y{flag} {} && rm -rf /var/lib/apt/lists/*",
                os_pkgs.join(" ")
            )
        });
    }
    block.push(format!("{} {workdir}", kw(doc, "WORKDIR")));
    if split::passwd(cx, rt.index) {
        block.push(copy("/etc/passwd"));
        block.push(copy("/etc/group"));
        notes.push(
            "/etc/passwd and /etc/group copied: USER names a user the builder created".into(),
        );
    }
    if !inside(&env_dir) {
        block.push(copy(&env_dir));
    }
    if !path_carried {
        block.push(format!("{} PATH=\"{env_dir}/bin:$PATH\"", kw(doc, "ENV")));
    }
    block.push(copy(&workdir));
    let mut elsewhere = Vec::new();
    for c in rt.copies.iter().filter(|c| c.source == Source::Context) {
        let Some(dest) = &c.dest else { continue };
        if inside(dest) || dest == "/" || elsewhere.contains(dest) || dest.starts_with("/tmp") {
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
            listing(&elsewhere, ", ")
        ));
    }
    if !why_libs.is_empty() {
        notes.push(format!(
            "run-time libraries installed in the runtime: {}",
            listing(&why_libs, ", ")
        ));
    }
    for (_, _, s) in &said_cmd {
        notes.push(format!(
            "the command runs {s}: the runner stays in the builder, the environment is on PATH"
        ));
    }
    let what = match &place {
        Place::Create { .. } => format!("a venv at {VENV}"),
        Place::Existing(p) => format!("the venv {p}"),
        Place::UvProject(p) => format!("uv's environment {p}"),
        Place::UserBase(p) => format!("the user base {p}"),
    };
    Ok(Outcome::apply(
        edits,
        format!(
            "split into `{builder}` (packages into {what}) and a runtime stage on python:{runtime_tag} that gets {env_dir} and {workdir} (not pip's cache, compilers or headers)"
        ),
    )
    .with_notes(notes)
    .with_unchecked(unchecked))
}
