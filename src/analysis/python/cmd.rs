//! The Python commands inside RUN, CMD and ENTRYPOINT: package installs
//! (`pip install -r requirements.txt`, `python -m pip install .`,
//! `uv sync`, `poetry install`, `pipenv install --system`), virtual
//! environments (`python -m venv /opt/venv`), and what a command starts
//! (`python app.py`, `gunicorn app:app`, `uv run uvicorn main:app`).

use crate::analysis::commands::{Arg, CommandLine};

/// An installer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Pip,
    Uv,
    Poetry,
    Pipenv,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Pip => "pip",
            Tool::Uv => "uv",
            Tool::Poetry => "poetry",
            Tool::Pipenv => "pipenv",
        }
    }
}

/// What an install installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// The app's dependencies: requirement files, the project (`.`, a lock).
    Project,
    /// Packages named on the line that are the app's (`pip install gunicorn`).
    Packages,
    /// Only installers and build tools (`pip install --upgrade pip`, `pip install uv`).
    Tools,
}

/// Whether an install takes dev dependencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dev {
    /// The tool's default includes them (`uv sync`, `poetry install`) or a flag asks (`pipenv install --dev`).
    Included,
    /// Left out (`uv sync --no-dev`, `poetry install --only main`, `pipenv install`).
    Excluded,
    /// The install has no notion of them (pip).
    None,
}

/// A package install of one command line.
#[derive(Clone, Debug)]
pub struct Install {
    pub ins: usize,
    pub tool: Tool,
    /// The command's words (the program first), located.
    pub words: Vec<Arg>,
    /// Index in `words` of the verb (`install`, `sync`).
    pub verb: usize,
    /// `python -m pip ...`: words[0] is the interpreter.
    pub module_form: bool,
    /// `uv pip install`, `uv pip sync`: uv's pip interface.
    pub uv_pip: bool,
    pub what: What,
    /// `pip install --user`.
    pub user: bool,
    /// `--target`, `--prefix`, `--root` (pip), `--target`/`--prefix` (uv pip): where.
    pub elsewhere: Option<(String, String)>,
    /// `uv pip install --system`, `pipenv install --system`.
    pub system: bool,
    /// Requirement files (`-r`), as written, and constraint files (`-c`).
    pub requirements: Vec<String>,
    /// Packages named on the line (PEP 503 names), tools included.
    pub packages: Vec<String>,
    /// The project itself is installed (`.`, `-e .`, a local path).
    pub project: bool,
    /// `--no-binary` values (`:all:` or names).
    pub no_binary: Vec<String>,
    /// A package comes from git (`git+https://...`).
    pub git: bool,
    /// The cache is off for this command (a flag, or `PIP_NO_CACHE_DIR`/`UV_NO_CACHE` on the line).
    pub no_cache: bool,
    pub dev: Dev,
    /// `uv sync --project x`, `poetry -C x`, `pipenv` in another directory: the project is elsewhere.
    pub project_dir: Option<String>,
    /// `uv sync` without `--frozen`/`--locked`: uv may lock again.
    pub relocks: bool,
}

impl Install {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.words
            .iter()
            .any(|w| w.value == flag || w.value.starts_with(&format!("{flag}=")))
    }

    /// The word after which a flag goes (the verb).
    pub fn verb_word(&self) -> &Arg {
        &self.words[self.verb]
    }
}

/// A virtual environment made in a RUN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Venv {
    pub ins: usize,
    /// Its path as written (relative paths are relative to the workdir).
    pub path: String,
    /// `--without-pip` (or uv venv, which seeds nothing).
    pub without_pip: bool,
    pub system_site: bool,
}

/// What a command line of a RUN is, for Python.
#[derive(Clone, Debug)]
pub enum Step {
    Install(Box<Install>),
    Venv(Venv),
    /// `pip wheel`, `pip download`: wheels built or fetched for later.
    Wheels,
    /// `poetry config virtualenvs.create false` and the like.
    PoetryNoVenv,
    /// `poetry export ...`: a requirements file written for pip.
    Export,
    /// `uv run X`, `poetry run X`, `pipenv run X`, `python ...`: something runs.
    Runs,
    Other,
}

/// True for `pip`, `pip3`, `pip3.11`.
pub fn is_pip(name: &str) -> bool {
    name.strip_prefix("pip")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// True for `python`, `python3`, `python3.11`.
pub fn is_python(name: &str) -> bool {
    name.strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// A PEP 503 normalized project name.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// What a requirement specifier names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// A project name (normalized), with whether it is pinned (`==`).
    Name(String, bool),
    /// A local path (`.`, `./lib`, `/src/pkg`).
    Path,
    /// A VCS URL (`git+https://...`), with the name from `#egg=` when given.
    Git(Option<String>),
    /// Any other URL (a wheel or an archive).
    Url,
}

/// Reads a requirement specifier: `gunicorn==21.2`, `uvicorn[standard]>=0.30`,
/// `git+https://...#egg=lib`, `./pkg`.
pub fn spec(s: &str) -> Spec {
    let s = s.trim();
    if s.starts_with("git+")
        || s.starts_with("hg+")
        || s.starts_with("svn+")
        || s.starts_with("bzr+")
    {
        let egg = s
            .split("#egg=")
            .nth(1)
            .map(|e| normalize(e.split(['&', '[']).next().unwrap_or(e)));
        return Spec::Git(egg);
    }
    if let Some((name, url)) = s.split_once(" @ ").or_else(|| s.split_once('@'))
        && url.trim().contains("://")
    {
        let name = normalize(name.trim().split('[').next().unwrap_or(name));
        return if url.trim().starts_with("git+") {
            Spec::Git(Some(name))
        } else {
            Spec::Url
        };
    }
    if s.contains("://") {
        return Spec::Url;
    }
    if s == "." || s.starts_with("./") || s.starts_with('/') || s.starts_with("../") || s == ".." {
        return Spec::Path;
    }
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let name = &s[..end];
    if name.is_empty() || name.ends_with(".whl") || name.ends_with(".tar.gz") {
        return Spec::Path;
    }
    let rest = s[end..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r
            .split_once(']')
            .map_or("", |(_, after)| after)
            .trim_start(),
        None => rest,
    };
    Spec::Name(
        normalize(name),
        rest.starts_with("==") || rest.starts_with("==="),
    )
}

/// pip options that take a value (the next word when not written `--x=v`).
const PIP_VALUE: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--no-binary",
    "--only-binary",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--log",
    "--cache-dir",
    "--trusted-host",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--global-option",
    "--config-settings",
    "-C",
    "--install-option",
    "--python",
    "--report",
    "--root-user-action",
    "--keyring-provider",
    "--use-feature",
    "--use-deprecated",
    "--build-option",
    "--group",
    "-p",
    "--extra",
    "--index",
    "--default-index",
    "--index-strategy",
    "--link-mode",
    "--resolution",
    "--exclude-newer",
    "--reinstall-package",
    "--no-build-package",
    "--no-binary-package",
    "--refresh-package",
    "--upgrade-package",
    "-P",
    "--config-file",
    "--directory",
    "--project",
    "--with",
    "--only-group",
    "--no-group",
    "--package",
    "--only",
    "--without",
    "--with-group",
    "-E",
    "--extras",
    "--env",
    "--script",
    "--color",
    "--python-platform",
    "--torch-backend",
];

/// Tools that install the app rather than being part of it.
fn is_tool(name: &str) -> bool {
    crate::catalog::tables()
        .python
        .tools
        .iter()
        .any(|t| t == name)
}

/// The index of the first word from `from` that is not an option (skipping
/// option values).
fn first_word(words: &[Arg], from: usize) -> Option<usize> {
    let mut i = from;
    while i < words.len() {
        let w = words[i].value.as_str();
        if w.starts_with('-') {
            if PIP_VALUE.contains(&w) {
                i += 1;
            }
            i += 1;
            continue;
        }
        return Some(i);
    }
    None
}

/// Reads one command line of RUN instruction `ins`.
pub fn step(ins: usize, line: &CommandLine) -> Step {
    let words = &line.args;
    let name = line.name.as_str();
    let assigned = |k: &str| line.assignments.iter().any(|(n, _, _)| n == k);
    if is_python(name) {
        let Some(m) = words.iter().position(|a| a.value == "-m") else {
            return Step::Runs;
        };
        match words.get(m + 1).map(|a| a.value.as_str()) {
            Some("pip") => {
                return pip(ins, words, m + 2, true, false, assigned("PIP_NO_CACHE_DIR"));
            }
            Some("venv") | Some("virtualenv") => return venv(ins, words, m + 2, false),
            _ => return Step::Runs,
        }
    }
    if is_pip(name) {
        return pip(ins, words, 1, false, false, assigned("PIP_NO_CACHE_DIR"));
    }
    if name == "virtualenv" {
        return venv(ins, words, 1, false);
    }
    match name {
        "uv" => {
            let Some(v) = first_word(words, 1) else {
                return Step::Other;
            };
            match words[v].value.as_str() {
                "pip" => {
                    let Some(sub) = first_word(words, v + 1) else {
                        return Step::Other;
                    };
                    match words[sub].value.as_str() {
                        "install" | "sync" => {
                            let mut s =
                                pip(ins, words, sub + 1, false, true, assigned("UV_NO_CACHE"));
                            if let Step::Install(i) = &mut s {
                                i.tool = Tool::Uv;
                                i.uv_pip = true;
                                i.verb = sub;
                                if words[sub].value == "sync" {
                                    i.what = What::Project;
                                }
                            }
                            s
                        }
                        _ => Step::Other,
                    }
                }
                "sync" | "add" => {
                    let has = |f: &str| {
                        words
                            .iter()
                            .any(|a| a.value == f || a.value.starts_with(&format!("{f}=")))
                    };
                    let project_dir = words.iter().enumerate().find_map(|(k, a)| {
                        for f in ["--project", "--directory"] {
                            if a.value == f {
                                return words.get(k + 1).map(|x| x.value.clone());
                            }
                            if let Some(v) = a.value.strip_prefix(&format!("{f}=")) {
                                return Some(v.to_string());
                            }
                        }
                        None
                    });
                    let sync = words[v].value == "sync";
                    let mut packages = Vec::new();
                    if !sync {
                        let mut k = v + 1;
                        while let Some(p) = first_word(words, k) {
                            if let Spec::Name(n, _) = spec(&words[p].value) {
                                packages.push(n);
                            }
                            k = p + 1;
                        }
                    }
                    Step::Install(Box::new(Install {
                        ins,
                        tool: Tool::Uv,
                        words: words.clone(),
                        verb: v,
                        module_form: false,
                        uv_pip: false,
                        what: if sync { What::Project } else { What::Packages },
                        user: false,
                        elsewhere: None,
                        system: false,
                        requirements: Vec::new(),
                        packages,
                        project: true,
                        no_binary: Vec::new(),
                        git: false,
                        no_cache: has("--no-cache") || has("-n") || assigned("UV_NO_CACHE"),
                        dev: if has("--no-dev") || has("--only-group") || has("--no-default-groups")
                        {
                            Dev::Excluded
                        } else if sync {
                            Dev::Included
                        } else {
                            Dev::None
                        },
                        project_dir,
                        relocks: sync && !has("--frozen") && !has("--locked"),
                    }))
                }
                "venv" => {
                    let path = first_word(words, v + 1)
                        .map_or(".venv".to_string(), |p| words[p].value.clone());
                    Step::Venv(Venv {
                        ins,
                        path,
                        without_pip: !words.iter().any(|a| a.value == "--seed"),
                        system_site: words.iter().any(|a| a.value == "--system-site-packages"),
                    })
                }
                "run" => Step::Runs,
                _ => Step::Other,
            }
        }
        "poetry" => {
            let Some(v) = first_word(words, 1) else {
                return Step::Other;
            };
            let has = |f: &str| {
                words
                    .iter()
                    .any(|a| a.value == f || a.value.starts_with(&format!("{f}=")))
            };
            let value_of = |f: &str| {
                words.iter().enumerate().find_map(|(k, a)| {
                    if a.value == f {
                        return words.get(k + 1).map(|x| x.value.clone());
                    }
                    a.value.strip_prefix(&format!("{f}=")).map(str::to_string)
                })
            };
            match words[v].value.as_str() {
                "install" | "sync" => {
                    let only_main = value_of("--only").is_some_and(|o| o == "main")
                        || value_of("--without").is_some_and(|o| o.split(',').any(|g| g == "dev"))
                        || has("--no-dev");
                    Step::Install(Box::new(Install {
                        ins,
                        tool: Tool::Poetry,
                        words: words.clone(),
                        verb: v,
                        module_form: false,
                        uv_pip: false,
                        what: What::Project,
                        user: false,
                        elsewhere: None,
                        system: false,
                        requirements: Vec::new(),
                        packages: Vec::new(),
                        project: !has("--no-root"),
                        no_binary: Vec::new(),
                        git: false,
                        no_cache: has("--no-cache"),
                        dev: if only_main {
                            Dev::Excluded
                        } else {
                            Dev::Included
                        },
                        project_dir: value_of("-C").or_else(|| value_of("--directory")),
                        relocks: false,
                    }))
                }
                "config" => {
                    let rest: Vec<&str> = words[v + 1..].iter().map(|a| a.value.as_str()).collect();
                    if rest
                        .windows(2)
                        .any(|w| w == ["virtualenvs.create", "false"])
                    {
                        Step::PoetryNoVenv
                    } else {
                        Step::Other
                    }
                }
                "export" => Step::Export,
                "run" => Step::Runs,
                _ => Step::Other,
            }
        }
        "pipenv" => {
            let Some(v) = first_word(words, 1) else {
                return Step::Other;
            };
            let has = |f: &str| words.iter().any(|a| a.value == f);
            match words[v].value.as_str() {
                "install" | "sync" => {
                    let mut packages = Vec::new();
                    let mut k = v + 1;
                    while let Some(p) = first_word(words, k) {
                        if let Spec::Name(n, _) = spec(&words[p].value) {
                            packages.push(n);
                        }
                        k = p + 1;
                    }
                    let what = if packages.is_empty() {
                        What::Project
                    } else {
                        What::Packages
                    };
                    Step::Install(Box::new(Install {
                        ins,
                        tool: Tool::Pipenv,
                        words: words.clone(),
                        verb: v,
                        module_form: false,
                        uv_pip: false,
                        what,
                        user: false,
                        elsewhere: None,
                        system: has("--system"),
                        requirements: Vec::new(),
                        packages,
                        project: true,
                        no_binary: Vec::new(),
                        git: false,
                        no_cache: false,
                        dev: if has("--dev") || has("-d") {
                            Dev::Included
                        } else {
                            Dev::Excluded
                        },
                        project_dir: None,
                        relocks: !has("--deploy")
                            && words[v].value == "install"
                            && !has("--ignore-pipfile"),
                    }))
                }
                "run" => Step::Runs,
                _ => Step::Other,
            }
        }
        _ => Step::Other,
    }
}

/// `pip install ...` from word `from` on (after `pip`, or `python -m pip`).
fn pip(
    ins: usize,
    words: &[Arg],
    from: usize,
    module_form: bool,
    uv: bool,
    env_no_cache: bool,
) -> Step {
    // uv's verb is the word before `from`; pip's the first word after its
    // general options (`pip --no-cache-dir install`).
    let v = if uv {
        from - 1
    } else {
        match first_word(words, from) {
            Some(v) => v,
            None => return Step::Other,
        }
    };
    let verb = words[v].value.as_str();
    match verb {
        "install" | "sync" if uv => {}
        "install" => {}
        "wheel" | "download" => return Step::Wheels,
        _ => return Step::Other,
    }
    let start = v + 1;
    let mut i = Install {
        ins,
        tool: Tool::Pip,
        words: words.to_vec(),
        verb: v,
        module_form,
        uv_pip: false,
        what: What::Tools,
        user: false,
        elsewhere: None,
        system: false,
        requirements: Vec::new(),
        packages: Vec::new(),
        project: false,
        no_binary: Vec::new(),
        git: false,
        no_cache: env_no_cache,
        dev: Dev::None,
        project_dir: None,
        relocks: false,
    };
    let mut app = false;
    let mut k = from;
    while k < words.len() {
        if k == v {
            k += 1;
            continue;
        }
        let w = words[k].value.as_str();
        let (opt, inline) = match w.split_once('=') {
            Some((o, val)) if o.starts_with("--") => (o, Some(val.to_string())),
            _ => (w, None),
        };
        // `-rrequirements.txt`
        let (opt, inline) = match (opt, &inline) {
            (o, None)
                if o.len() > 2
                    && (o.starts_with("-r") || o.starts_with("-c") || o.starts_with("-e"))
                    && !o.starts_with("--") =>
            {
                (&o[..2], Some(o[2..].to_string()))
            }
            _ => (opt, inline),
        };
        if opt.starts_with('-') {
            let takes = PIP_VALUE.contains(&opt);
            let value = match (&inline, takes) {
                (Some(v), _) => Some(v.clone()),
                (None, true) => {
                    k += 1;
                    words.get(k).map(|a| a.value.clone())
                }
                (None, false) => None,
            };
            match opt {
                "-r" | "--requirement" | "-c" | "--constraint" if k >= start => {
                    if let Some(v) = value {
                        if matches!(opt, "-r" | "--requirement") {
                            app = true;
                        }
                        i.requirements.push(v);
                    }
                }
                "-e" | "--editable" => {
                    if let Some(v) = value {
                        app = true;
                        match spec(&v) {
                            Spec::Path => i.project = true,
                            Spec::Git(n) => {
                                i.git = true;
                                i.packages.extend(n);
                            }
                            Spec::Name(n, _) => i.packages.push(n),
                            Spec::Url => {}
                        }
                    }
                }
                "-t" | "--target" | "--prefix" | "--root" => {
                    if let Some(v) = value {
                        i.elsewhere = Some((opt.to_string(), v));
                    }
                }
                "--no-binary" => {
                    i.no_binary
                        .extend(value.unwrap_or_default().split(',').map(|s| {
                            if s.starts_with(':') {
                                s.to_string()
                            } else {
                                normalize(s)
                            }
                        }))
                }
                "--user" => i.user = true,
                "--system" => i.system = true,
                "--no-cache-dir" | "--no-cache" | "-n" => i.no_cache = true,
                _ => {}
            }
            k += 1;
            continue;
        }
        if k >= start {
            match spec(w) {
                Spec::Name(n, _) => {
                    if !is_tool(&n) {
                        app = true;
                    }
                    i.packages.push(n);
                }
                Spec::Path => {
                    app = true;
                    i.project = true;
                }
                Spec::Git(n) => {
                    app = true;
                    i.git = true;
                    i.packages.extend(n);
                }
                Spec::Url => app = true,
            }
        }
        k += 1;
    }
    if app {
        i.what = if i.project || !i.requirements.is_empty() {
            What::Project
        } else {
            What::Packages
        };
    }
    Step::Install(Box::new(i))
}

/// `python -m venv [flags] DIR` / `virtualenv DIR`.
fn venv(ins: usize, words: &[Arg], from: usize, _uv: bool) -> Step {
    let Some(p) = first_word(words, from) else {
        return Step::Other;
    };
    let has = |f: &str| words.iter().any(|a| a.value == f);
    Step::Venv(Venv {
        ins,
        path: words[p].value.clone(),
        without_pip: has("--without-pip") || has("--no-pip"),
        system_site: has("--system-site-packages"),
    })
}

/// What a CMD/ENTRYPOINT argv starts, read the Python way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Starts {
    /// `python [flags] file|-m module|-c code [args]`.
    Python,
    /// A runner that needs its tool at run time: `uv run X...`,
    /// `poetry run X...`, `pipenv run X...`; `argv` is what it runs.
    Runner {
        tool: Tool,
        argv: Vec<String>,
    },
    /// A console script of an installed package: gunicorn, uvicorn, celery...
    Script(String),
    Other,
}

/// Console scripts that say "this is a Python app" when an image runs them.
pub const SERVERS: &[&str] = &[
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "daphne",
    "celery",
    "flask",
    "streamlit",
    "waitress-serve",
    "fastapi",
    "django-admin",
    "uwsgi",
    "gradio",
    "jupyter",
    "dagster",
    "airflow",
    "chainlit",
];

pub fn starts(argv: &[String]) -> Starts {
    let Some(first) = argv.first() else {
        return Starts::Other;
    };
    let prog = first.rsplit('/').next().unwrap_or(first);
    if is_python(prog) {
        return Starts::Python;
    }
    let tool = match prog {
        "uv" => Some(Tool::Uv),
        "poetry" => Some(Tool::Poetry),
        "pipenv" => Some(Tool::Pipenv),
        _ => None,
    };
    if let Some(tool) = tool {
        if argv.get(1).map(String::as_str) != Some("run") {
            return Starts::Other;
        }
        // Options of the runner come before the program.
        let mut k = 2;
        while k < argv.len() {
            let a = argv[k].as_str();
            if a == "--" {
                k += 1;
                break;
            }
            if !a.starts_with('-') {
                break;
            }
            if PIP_VALUE.contains(&a) {
                k += 1;
            }
            k += 1;
        }
        let rest = argv.get(k..).unwrap_or_default().to_vec();
        if rest.is_empty() {
            return Starts::Other;
        }
        return Starts::Runner { tool, argv: rest };
    }
    if SERVERS.contains(&prog) {
        return Starts::Script(prog.to_string());
    }
    Starts::Other
}

/// The runner options a `uv run`/`poetry run` command uses, which change
/// what runs (`--with pkg` adds packages at run time): dfslim cannot drop those.
pub fn runner_changes_env(argv: &[String]) -> Option<String> {
    argv.iter()
        .skip(2)
        .take_while(|a| a.starts_with('-') && *a != "--")
        .find(|a| {
            [
                "--with",
                "--with-requirements",
                "--with-editable",
                "--python",
                "-p",
                "--isolated",
                "--script",
                "--env-file",
            ]
            .iter()
            .any(|f| *a == f || a.starts_with(&format!("{f}=")))
        })
        .cloned()
}

/// A development server the command starts: `flask run`, Django's
/// `manage.py runserver`, `uvicorn --reload`.
pub fn dev_server(argv: &[String]) -> Option<&'static str> {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    let prog = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
    let module = words.windows(2).find(|w| w[0] == "-m").map(|w| w[1]);
    let flask = prog == Some("flask") || module == Some("flask");
    if flask && words.contains(&"run") {
        return Some("`flask run` starts Flask's development server");
    }
    if words.iter().any(|w| w.ends_with("manage.py")) && words.contains(&"runserver") {
        return Some("`manage.py runserver` starts Django's development server");
    }
    if matches!(prog, Some("uvicorn") | Some("gunicorn") | Some("hypercorn"))
        && words.contains(&"--reload")
    {
        return Some("`--reload` watches the sources, a development setting");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Document;

    fn steps(run: &str) -> Vec<Step> {
        let doc = Document::parse(format!("FROM python:3.12\nRUN {run}\n")).unwrap();
        let (lines, _) = crate::analysis::commands::command_lines(&doc, &doc.instructions()[1]);
        lines.iter().map(|l| step(1, l)).collect()
    }

    fn install(run: &str) -> Install {
        match steps(run).into_iter().next() {
            Some(Step::Install(i)) => *i,
            other => panic!("{run}: {other:?}"),
        }
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn reads_installs() {
        let i = install("pip install --no-cache-dir -r requirements.txt gunicorn==21.2");
        assert_eq!(i.what, What::Project);
        assert_eq!(i.requirements, ["requirements.txt"]);
        assert_eq!(i.packages, ["gunicorn"]);
        assert!(i.no_cache);
        let i = install("python3 -m pip install --user -rreq/base.txt");
        assert!(i.module_form && i.user);
        assert_eq!(i.requirements, ["req/base.txt"]);
        assert_eq!(
            install("pip install --upgrade pip setuptools").what,
            What::Tools
        );
        assert_eq!(install("pip3 install uv").what, What::Tools);
        assert_eq!(
            install("pip install gunicorn psycopg2").what,
            What::Packages
        );
        let i = install("pip install -e .");
        assert!(i.project && i.what == What::Project);
        let i = install("pip install --prefix=/install -r requirements.txt");
        assert_eq!(i.elsewhere, Some(("--prefix".into(), "/install".into())));
        let i = install("pip install --no-binary lxml git+https://github.com/a/b.git#egg=b_c");
        assert!(i.git);
        assert_eq!(i.packages, ["b-c"]);
        assert_eq!(i.no_binary, ["lxml"]);
        let i = install("uv sync --frozen --no-dev");
        assert_eq!((i.tool, i.dev, i.relocks), (Tool::Uv, Dev::Excluded, false));
        let i = install("uv pip install --system -r requirements.txt");
        assert!(i.uv_pip && i.system && i.what == What::Project);
        let i = install("poetry install --no-root --only main");
        assert_eq!(
            (i.tool, i.dev, i.project),
            (Tool::Poetry, Dev::Excluded, false)
        );
        assert_eq!(install("poetry install").dev, Dev::Included);
        let i = install("pipenv install --system --deploy");
        assert_eq!(
            (i.tool, i.dev, i.system),
            (Tool::Pipenv, Dev::Excluded, true)
        );
        assert!(matches!(
            steps("python -m venv --without-pip /opt/venv")[0],
            Step::Venv(Venv {
                without_pip: true,
                ..
            })
        ));
        assert!(matches!(steps("pip wheel -r r.txt -w /w")[0], Step::Wheels));
        assert!(matches!(
            steps("poetry config virtualenvs.create false")[0],
            Step::PoetryNoVenv
        ));
        assert!(install("PIP_NO_CACHE_DIR=1 pip install flask").no_cache);
    }

    #[test]
    fn reads_specs() {
        assert_eq!(spec("Flask==3.0"), Spec::Name("flask".into(), true));
        assert_eq!(
            spec("uvicorn[standard]>=0.30"),
            Spec::Name("uvicorn".into(), false)
        );
        assert_eq!(
            spec("zope.interface"),
            Spec::Name("zope-interface".into(), false)
        );
        assert_eq!(spec("."), Spec::Path);
        assert_eq!(spec("pkg @ git+https://x/y"), Spec::Git(Some("pkg".into())));
        assert_eq!(normalize("Foo__Bar.baz"), "foo-bar-baz");
    }

    #[test]
    fn reads_what_commands_start() {
        assert_eq!(starts(&v(&["python", "app.py"])), Starts::Python);
        assert_eq!(
            starts(&v(&["uv", "run", "--no-dev", "uvicorn", "main:app"])),
            Starts::Runner {
                tool: Tool::Uv,
                argv: v(&["uvicorn", "main:app"])
            }
        );
        assert_eq!(
            starts(&v(&["poetry", "run", "python", "-m", "app"])),
            Starts::Runner {
                tool: Tool::Poetry,
                argv: v(&["python", "-m", "app"])
            }
        );
        assert_eq!(
            starts(&v(&["gunicorn", "app:app"])),
            Starts::Script("gunicorn".into())
        );
        assert_eq!(starts(&v(&["./start.sh"])), Starts::Other);
        assert!(dev_server(&v(&["flask", "run", "--host=0.0.0.0"])).is_some());
        assert!(dev_server(&v(&["python", "manage.py", "runserver"])).is_some());
        assert!(dev_server(&v(&["gunicorn", "app:app"])).is_none());
        assert_eq!(
            runner_changes_env(&v(&["uv", "run", "--with", "rich", "x"])).as_deref(),
            Some("--with")
        );
    }
}
