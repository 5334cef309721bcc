//! The Python transforms on the shapes they must refuse or handle, each
//! with a build context written for the case (golden/python-* has the full
//! rewrites at every level), and awesome-compose's Python services, whose
//! compose files build `target: builder`: that stage stays byte for byte.

mod common;

use common::steps::notes;

use dfslim::analysis::BuildContext;
use dfslim::fix::{Mode, Plan};
use dfslim::pipeline::{self, Run, Selection, Status};
use dfslim::report::FileOutcome;
use dfslim::syntax::Document;
use dfslim::{compose, walk};
use std::fs;
use std::path::Path;

/// A context directory with these files.
fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

fn run(text: &str, level: u8, dir: Option<&Path>) -> Run {
    let ctx = dir.map(BuildContext::load);
    let sel = Selection {
        level,
        ..Selection::default()
    };
    let r = pipeline::run(text, &sel, ctx.as_ref()).unwrap();
    let again = pipeline::run(&r.output, &sel, ctx.as_ref()).unwrap();
    assert_eq!(again.output, r.output, "not a fixed point:\n{}", r.output);
    r
}

fn said(r: &Run, id: &str) -> (String, String) {
    let s = r.steps.iter().find(|s| s.id == id).unwrap();
    match &s.status {
        Status::Applied { message, .. } => ("applied".into(), message.to_string()),
        Status::Refused(m) => ("refused".into(), m.to_string()),
        Status::Skipped(m) => ("skipped".into(), m.to_string()),
        Status::NotApplicable(m) => ("n/a".into(), m.to_string()),
    }
}

const UV_PYPROJECT: &str = "[project]\nname = \"api\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n\n[dependency-groups]\ndev = [\"pytest>=8\"]\n";
const UV_LOCK: &str = "version = 1\n[[package]]\nname = \"fastapi\"\nversion = \"0.115.6\"\nsource = { registry = \"https://pypi.org/simple\" }\nsdist = { url = \"u\" }\nwheels = [{ url = \"w\" }]\n";

fn uv_app(base: &str) -> String {
    format!(
        "FROM {base}\nWORKDIR /app\nCOPY . .\nRUN pip install uv\nRUN uv sync\nCMD [\"uv\", \"run\", \"uvicorn\", \"main:app\", \"--port\", \"8000\"]\n"
    )
}

/// Every python:* stand-in here holds CPython 3.11, so a venv copied to
/// another minor cannot fail end to end: this is where that mistake is caught.
#[test]
fn distroless_only_for_the_minor_it_ships() {
    let dir = context(&[("pyproject.toml", UV_PYPROJECT), ("uv.lock", UV_LOCK)]);
    for (base, why) in [
        (
            "python:3.12",
            "the builder has Python 3.12, and gcr.io/distroless/python3-debian12 has Python 3.11",
        ),
        ("python:3.13-slim-bookworm", "has Python 3.11"),
        ("python:3.10.14-bookworm", "the builder has Python 3.10"),
        ("python:3", "python:3-slim names no minor version"),
        ("python:latest", "names no minor version"),
        (
            "python:3.11-alpine",
            "the builder is alpine (musl): the packages it installed would not load on distroless (glibc)",
        ),
    ] {
        let r = run(&uv_app(base), 4, Some(dir.path()));
        let (what, msg) = said(&r, "python-distroless");
        assert_eq!(what, "refused", "{base}: {msg}\n{}", r.output);
        assert!(msg.contains(why), "{base}: {msg}");
        assert!(!r.output.contains("distroless"), "{}", r.output);
    }
    // The minor it ships: the venv's interpreter is pointed at distroless' Python.
    let r = run(&uv_app("python:3.11"), 4, Some(dir.path()));
    assert_eq!(said(&r, "python-distroless").0, "applied", "{}", r.output);
    for want in [
        "RUN uv sync --no-dev\nRUN ln -sf /usr/bin/python3.11 /app/.venv/bin/python && sed -i \"s#^home = .*#home = /usr/bin#\" /app/.venv/pyvenv.cfg\n",
        "FROM gcr.io/distroless/python3-debian12:nonroot\n",
        "ENV PATH=\"/app/.venv/bin:$PATH\"\n",
        "COPY --chown=nonroot:nonroot --from=builder /app /app\n",
        "ENTRYPOINT []\nCMD [\"uvicorn\", \"main:app\", \"--port\", \"8000\"]\n",
    ] {
        assert!(r.output.contains(want), "{want}\n---\n{}", r.output);
    }
}

#[test]
fn distroless_refuses_what_it_cannot_run() {
    let reqs = context(&[("requirements.txt", "flask==3.1.0\n")]);
    let base = "FROM python:3.11-slim-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n";
    for (tail, why) in [
        (
            "EXPOSE 80\nCMD [\"python\", \"app.py\"]\n",
            "EXPOSEs port 80",
        ),
        ("CMD python app.py\n", "is in shell form"),
        ("CMD [\"./start.sh\"]\n", "needs a shell"),
        (
            "HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\nCMD [\"python\", \"app.py\"]\n",
            "HEALTHCHECK",
        ),
    ] {
        let r = run(&format!("{base}{tail}"), 4, Some(reqs.path()));
        let (what, msg) = said(&r, "python-distroless");
        assert_eq!(what, "refused", "{tail}: {msg}\n{}", r.output);
        assert!(msg.contains(why), "{msg}");
    }
    // A user the builder made, which distroless lacks.
    let r = run(
        &format!("{base}RUN useradd app\nUSER app\nCMD [\"python\", \"app.py\"]\n"),
        4,
        Some(reqs.path()),
    );
    assert!(
        said(&r, "python-distroless").1.contains("USER app"),
        "{:?}",
        said(&r, "python-distroless")
    );
    // A run-time library: the runtime stays slim with libpq5.
    let pg = context(&[("requirements.txt", "psycopg2==2.9.10\n")]);
    let r = run(
        "FROM python:3.11-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        4,
        Some(pg.path()),
    );
    let (what, msg) = said(&r, "python-distroless");
    assert_eq!(what, "refused");
    assert!(msg.contains("psycopg2 needs libpq5 at run time"), "{msg}");
    assert!(
        r.output
            .contains("apt-get install -y --no-install-recommends libpq5")
    );
    // C code compiled on trixie (python:3.11 today) would not load on Debian 12.
    let uwsgi = context(&[("requirements.txt", "uwsgi==2.0.28\n")]);
    let app = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"uwsgi\", \"--http\", \":8000\"]\n";
    let (what, msg) = said(&run(app, 4, Some(uwsgi.path())), "python-distroless");
    assert_eq!(what, "refused");
    assert!(
        msg.contains("the builder is Debian trixie and compiles uwsgi there"),
        "{msg}"
    );
    let r = run(
        &app.replace("python:3.11", "python:3.11-bookworm"),
        4,
        Some(uwsgi.path()),
    );
    assert_eq!(said(&r, "python-distroless").0, "applied", "{}", r.output);
    // --user installs: scripts run /usr/local/bin/python.
    let r = run(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --user -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        4,
        Some(reqs.path()),
    );
    assert!(said(&r, "python-distroless").1.contains("--user"));
    // No requirements read: a library distroless lacks cannot be ruled out.
    let (what, msg) = said(
        &run(&format!("{base}CMD [\"python\", \"app.py\"]\n"), 4, None),
        "python-distroless",
    );
    assert_eq!(what, "refused");
    assert!(
        msg.contains("no requirements or lock file was read"),
        "{msg}"
    );
}

#[test]
fn slim_is_refused_for_what_only_the_full_image_has() {
    let df = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let pg = context(&[
        ("requirements.txt", "-r requirements/base.txt\n"),
        ("requirements/base.txt", "Psycopg2>=2.9\n"),
    ]);
    let (what, msg) = said(&run(df, 1, Some(pg.path())), "python-slim-base");
    assert_eq!(what, "refused");
    assert!(
        msg.contains("psycopg2 (in requirements.txt, requirements/base.txt) has no wheel for Linux, so pip builds it from source, which needs gcc and libpq-dev; python:3.11-slim does not have them"),
        "{msg}"
    );
    // Installing them is what makes slim fine.
    let with = df.replace(
        "RUN pip",
        "RUN apt-get update && apt-get install -y build-essential libpq-dev\nRUN pip",
    );
    assert_eq!(
        said(&run(&with, 1, Some(pg.path())), "python-slim-base").0,
        "applied"
    );
    // A lock file that lists no wheel for a package.
    let lock = context(&[
        ("pyproject.toml", UV_PYPROJECT),
        (
            "uv.lock",
            "version = 1\n[[package]]\nname = \"ciso8601\"\nsource = { registry = \"r\" }\nsdist = { url = \"u\" }\n",
        ),
    ]);
    let (what, msg) = said(
        &run(&uv_app("python:3.11"), 1, Some(lock.path())),
        "python-slim-base",
    );
    assert_eq!(what, "refused");
    assert!(msg.contains("ciso8601 (in uv.lock) has no wheel in uv.lock, so it is built from source, which needs gcc"), "{msg}");
    // git, and commands slim lacks.
    let git = context(&[(
        "requirements.txt",
        "lib @ git+https://example.com/lib.git@v1\n",
    )]);
    assert!(
        said(&run(df, 1, Some(git.path())), "python-slim-base")
            .1
            .contains("from git")
    );
    let ok = context(&[("requirements.txt", "flask==3.1.0\n")]);
    let curl = df.replace("CMD", "HEALTHCHECK CMD curl -f http://localhost/\nCMD");
    let (what, msg) = said(&run(&curl, 1, Some(ok.path())), "python-slim-base");
    assert_eq!(what, "refused");
    assert!(msg.contains("runs `curl`"), "{msg}");
    // Without a context it applies and says what it could not check.
    let r = run(df, 1, None);
    assert_eq!(said(&r, "python-slim-base").0, "applied");
    assert!(notes(&r, "python-slim-base").contains("no build context was read"));
    // A requirements file that pins nothing: its dependencies were not checked.
    let loose = context(&[("requirements.txt", "flask\ngunicorn\n")]);
    let r = run(df, 1, Some(loose.path()));
    assert!(
        notes(&r, "python-slim-base").contains("requirements.txt does not pin every package"),
        "{}",
        notes(&r, "python-slim-base")
    );
}

#[test]
fn the_split_puts_packages_in_a_venv_the_runtime_gets() {
    let ok = context(&[("requirements.txt", "flask==3.1.0\n")]);
    // python -m pip runs the image's interpreter (the venv has no pip).
    let r = run(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN python3 -m pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        2,
        Some(ok.path()),
    );
    assert!(
        r.output.contains("RUN python -m venv --without-pip /opt/venv\nENV PATH=\"/opt/venv/bin:$PATH\" PIP_PYTHON=/opt/venv/bin/python\nRUN /usr/local/bin/python3 -m pip install -r requirements.txt\n"),
        "{}",
        r.output
    );
    // A venv the file makes is used as it is.
    let r = run(
        "FROM python:3.11-slim\nRUN python -m venv /venv\nENV PATH=/venv/bin:$PATH\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n",
        2,
        Some(ok.path()),
    );
    assert!(
        r.output
            .contains("COPY --from=builder /venv /venv\nCOPY --from=builder /app /app\n"),
        "{}",
        r.output
    );
    assert!(!r.output.contains("/opt/venv"), "{}", r.output);
    // uv's environment where UV_PROJECT_ENVIRONMENT puts it; `uv run` goes.
    let uv = context(&[("pyproject.toml", UV_PYPROJECT), ("uv.lock", UV_LOCK)]);
    let r = run(
        &uv_app("python:3.11-slim").replace(
            "RUN uv sync",
            "ENV UV_PROJECT_ENVIRONMENT=/opt/env\nRUN uv sync",
        ),
        2,
        Some(uv.path()),
    );
    for want in [
        "COPY --from=builder /opt/env /opt/env\nENV PATH=\"/opt/env/bin:$PATH\"\n",
        "CMD [\"uvicorn\", \"main:app\", \"--port\", \"8000\"]\n",
    ] {
        assert!(r.output.contains(want), "{want}\n---\n{}", r.output);
    }
    assert!(
        !r.output
            .contains("UV_PROJECT_ENVIRONMENT=/opt/env\nWORKDIR"),
        "{}",
        r.output
    );
    // Libraries: a -dev package's, a wheel that loads one.
    let psy = context(&[("requirements.txt", "psycopg[pool]==3.2.3\n")]);
    let r = run(
        "FROM python:3.11\nRUN apt-get update && apt-get install -y --no-install-recommends libxml2-dev gcc\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        2,
        Some(psy.path()),
    );
    assert!(
        r.output.contains("RUN apt-get update && apt-get install -y --no-install-recommends libxml2 libpq5 && rm -rf /var/lib/apt/lists/*\n"),
        "{}",
        r.output
    );
    // flask run is a development server: said, kept.
    let r = run(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n",
        2,
        Some(ok.path()),
    );
    assert!(
        notes(&r, "python-multi-stage")
            .contains("`flask run` starts Flask's development server; dfslim keeps it")
    );
    assert!(
        r.output
            .ends_with("CMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n")
    );
}

#[test]
fn the_split_refuses_what_the_runtime_would_lack() {
    let ok = context(&[
        ("requirements.txt", "flask==3.1.0\n"),
        (".python-version", "3.12\n"),
    ]);
    let head = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n";
    let tail = "CMD [\"python\", \"app.py\"]\n";
    for (body, why) in [
        (
            "RUN pip install --prefix=/install -r requirements.txt\n",
            "installs with --prefix /install",
        ),
        (
            "RUN pip install uv && uv pip install --system -r requirements.txt\n",
            "uv pip install` --system",
        ),
        (
            "RUN python -m venv /venv\nRUN pip install -r requirements.txt\n",
            "makes a venv at /venv, but the install on line 5 does not use it",
        ),
        (
            "RUN pip install -r requirements.txt && pip install uv\n",
            "pip-installs uv in or after the RUN",
        ),
        (
            "RUN apt-get update && apt-get install -y libfoo-dev\nRUN pip install -r requirements.txt\n",
            "installs libfoo-dev, whose run-time library dfslim does not know",
        ),
        (
            "RUN pip install -r requirements.txt\nRUN curl -o /usr/local/bin/tool https://example.com/tool\n",
            "runs `curl`",
        ),
        (
            "RUN pip install -r requirements.txt\nRUN mkdir -p /data\n",
            "runs `mkdir ... /data`",
        ),
        (
            "RUN pip install -r requirements.txt && pip install --user gunicorn\n",
            "packages go to two places",
        ),
        (
            "RUN pip install uv && uv sync\n",
            ".python-version asks for Python 3.12, and the image has 3.11",
        ),
    ] {
        let r = run(&format!("{head}{body}{tail}"), 2, Some(ok.path()));
        let (what, msg) = said(&r, "python-multi-stage");
        assert_eq!(what, "refused", "{body}: {msg}\n{}", r.output);
        assert!(msg.contains(why), "{body}: {msg}");
    }
    for (df, why) in [
        (
            "FROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            "no directory of its own",
        ),
        (
            "FROM python:3.6\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            "cannot install into a venv from outside",
        ),
        (
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3-pip\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python3\", \"app.py\"]\n",
            "does not come from the python image",
        ),
        (
            "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install uv && uv sync\nCMD [\"uv\", \"run\", \"--with\", \"rich\", \"app.py\"]\n",
            "uv run --with",
        ),
        (
            "FROM python:3.11-alpine\nRUN apk add --no-cache postgresql-dev gcc musl-dev\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            "postgresql-dev, whose run-time library dfslim does not know",
        ),
    ] {
        let r = run(df, 2, None);
        let (what, msg) = said(&r, "python-multi-stage");
        assert_eq!(what, "refused", "{df}: {msg}\n{}", r.output);
        assert!(msg.contains(why), "{df}: {msg}");
    }
}

#[test]
fn dev_dependencies_and_caches_leave_the_image() {
    let uv = context(&[("pyproject.toml", UV_PYPROJECT), ("uv.lock", UV_LOCK)]);
    let r = run(&uv_app("python:3.11"), 3, Some(uv.path()));
    assert!(r.output.contains("RUN uv sync --no-dev\n"), "{}", r.output);
    // Something after the install needs them.
    let tested = uv_app("python:3.11").replace("RUN uv sync\n", "RUN uv sync\nRUN uv run pytest\n");
    let (what, msg) = said(&run(&tested, 3, Some(uv.path())), "python-prod-deps");
    assert_eq!(what, "refused");
    assert!(
        msg.contains("runs pytest, a dev dependency, after the install"),
        "{msg}"
    );
    // No pyproject read: unknown.
    let (what, msg) = said(&run(&uv_app("python:3.11"), 3, None), "python-prod-deps");
    assert_eq!(what, "refused");
    assert!(msg.contains("no pyproject.toml was read"), "{msg}");
    // poetry before 1.2 has no --only.
    let poetry = context(&[(
        "pyproject.toml",
        "[tool.poetry]\nname = \"a\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\n[tool.poetry.dev-dependencies]\npytest = \"*\"\n",
    )]);
    let df = "FROM python:3.11\nRUN pip install poetry==1.1.15\nWORKDIR /app\nCOPY . .\nRUN poetry install\nCMD [\"poetry\", \"run\", \"python\", \"app.py\"]\n";
    let r = run(df, 3, Some(poetry.path()));
    assert!(
        r.output.contains("RUN poetry install --no-dev\n"),
        "{}",
        r.output
    );
    assert!(
        r.output
            .contains("ENV VIRTUAL_ENV=/opt/venv PATH=\"/opt/venv/bin:$PATH\"\n"),
        "{}",
        r.output
    );
    assert!(
        r.output.ends_with("CMD [\"python\", \"app.py\"]\n"),
        "{}",
        r.output
    );
    // Installer caches have one owner, the hygiene step pip-no-cache (level
    // 1, any image): python-prod-deps never writes a cache flag, so none is
    // ever doubled, whatever the file already does.
    let one = "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt && pip install --no-cache-dir gunicorn\nCMD [\"gunicorn\", \"app:app\"]\n";
    for level in [1, 3, 5] {
        let r = run(one, level, None);
        assert!(
            r.output.contains("RUN pip install --no-cache-dir -r requirements.txt && pip install --no-cache-dir gunicorn\n"),
            "{}",
            r.output
        );
        assert_eq!(said(&r, "pip-no-cache").0, "applied");
        if level >= 3 {
            let (what, msg) = said(&r, "python-prod-deps");
            assert_eq!(what, "n/a", "{msg}");
            assert!(msg.contains("installer caches are pip-no-cache's"), "{msg}");
        }
    }
    for (df, why) in [
        (
            "FROM python:3.11-slim\nENV PIP_NO_CACHE_DIR=1\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            "PIP_NO_CACHE_DIR is set",
        ),
        (
            "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt && rm -rf /root/.cache\nCMD [\"python\", \"app.py\"]\n",
            "already removes pip's cache",
        ),
        (
            "FROM python:3.11-slim\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
            "cache mount",
        ),
    ] {
        let r = run(df, 3, None);
        let (what, msg) = said(&r, "pip-no-cache");
        assert_eq!(what, "n/a", "{df}: {msg}");
        assert!(msg.contains(why), "{msg}");
        assert_eq!(said(&r, "python-prod-deps").0, "n/a");
        assert!(!r.output.contains("--no-cache-dir"), "{}", r.output);
    }
    // uv: python-prod-deps takes the dev group out, pip-no-cache the cache;
    // each flag once, at every level, also on dfslim's own output.
    let both = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install uv\nRUN uv sync --frozen\nRUN pip install --no-cache-dir gunicorn\nCMD [\"uv\", \"run\", \"uvicorn\", \"main:app\"]\n";
    for level in 1..=5 {
        let r = run(both, level, Some(uv.path()));
        for l in r.output.lines().filter(|l| l.starts_with("RUN ")) {
            for flag in ["--no-cache-dir", "--no-cache ", "--no-dev"] {
                assert!(l.matches(flag).count() <= 1, "level {level}: {l}");
            }
        }
        let sync = r.output.lines().find(|l| l.contains("uv sync")).unwrap();
        if level == 1 || level == 2 {
            assert!(sync.contains("--no-cache"), "level {level}: {}", r.output);
        }
    }
    // After the split the caches stay in the builder, which does not ship:
    // neither step writes a flag there.
    let ok = context(&[("requirements.txt", "flask==3.1.0\n")]);
    let r = run(
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        3,
        Some(ok.path()),
    );
    assert_eq!(said(&r, "python-prod-deps").0, "n/a");
    let (what, msg) = said(&r, "pip-no-cache");
    assert_eq!(what, "n/a");
    assert!(msg.contains("does not ship"), "{msg}");
    assert!(!r.output.contains("--no-cache-dir"));
}

/// A Python service of awesome-compose as `dfslim fix` sees it: compose
/// builds `target: builder`, a product of its own.
fn compose_project(name: &str) -> Option<(String, String, String)> {
    let dir = common::repo()
        .join("../shared/realworld/awesome-compose")
        .join(name);
    if !dir.is_dir() {
        common::skip_without_data("awesome-compose", "../shared/realworld is not here");
        return None;
    }
    let cwd = std::env::current_dir().unwrap();
    let found = walk::discover(std::slice::from_ref(&dir), &walk::Filter::default());
    let (builds, _) = compose::map_all(&found.composes, &cwd);
    let plan = Plan {
        compose: builds,
        cwd,
        ..Plan::default()
    };
    let file = found
        .files
        .iter()
        .flatten()
        .next()
        .expect("a Dockerfile")
        .clone();
    let job = plan.job(&file);
    assert!(
        job.targets.built.iter().any(|t| t.stage == "builder"),
        "{name}: compose's target was not read: {:?}",
        job.targets
    );
    let ctx = job.context.as_deref().map(BuildContext::load);
    let report = job.run(Mode::DryRun, ctx.as_ref(), &dfslim::digest::None);
    let FileOutcome::Done(r) = report.outcome else {
        panic!("{name}: {:?}", report.outcome)
    };
    let steps = r
        .steps
        .iter()
        .filter(|s| s.id.starts_with("python-"))
        .map(|s| format!("{}: {:?}", s.id, s.status))
        .collect::<Vec<_>>()
        .join("\n");
    Some((r.original, r.output, steps))
}

fn stage_text(text: &str, name: &str) -> String {
    let doc = Document::parse(text).unwrap();
    let st = doc
        .stages()
        .iter()
        .find(|s| s.name_lower().as_deref() == Some(name))
        .expect("the stage");
    let start = doc.line_start(doc.instructions()[st.from].start_line);
    let end = doc.line_end(doc.instructions()[st.end - 1].end_line);
    doc.text()[start..end].to_string()
}

/// issue 19: compose builds `target: builder` (the developer's image, with
/// `flask run` or the app's own server); it stays byte for byte.
#[test]
fn awesome_compose_python_builders_stay_as_they_are() {
    for name in [
        "flask",
        "fastapi",
        "django",
        "flask-redis",
        "nginx-flask-mongo",
        "nginx-flask-mysql",
    ] {
        let Some((input, output, steps)) = compose_project(name) else {
            return;
        };
        assert_eq!(
            stage_text(&input, "builder"),
            stage_text(&output, "builder"),
            "{name}: the targeted stage changed\n{steps}"
        );
        assert_eq!(input, output, "{name}\n{steps}");
        assert!(
            steps.contains("built by compose service") || steps.contains("development stage"),
            "{name}: the steps do not say why\n{steps}"
        );
    }
}

/// `python -m venv $VIRTUAL_ENV` with `ENV VIRTUAL_ENV=...` above is that
/// path (awesome-compose's nginx-wsgi-flask writes it so).
#[test]
fn a_venv_named_by_a_variable_is_its_value() {
    let ok = context(&[("requirements.txt", "flask==3.1.0\n")]);
    let df = "FROM python:3.11\nWORKDIR /home/app\nCOPY . .\nENV VIRTUAL_ENV=/home/app/venv\nRUN python -m venv $VIRTUAL_ENV\nENV PATH=\"$VIRTUAL_ENV/bin:$PATH\"\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let r = run(df, 2, Some(ok.path()));
    let (what, msg) = said(&r, "python-multi-stage");
    assert_eq!(what, "applied", "{msg}\n{}", r.output);
    assert!(msg.contains("the venv /home/app/venv"), "{msg}");
}
