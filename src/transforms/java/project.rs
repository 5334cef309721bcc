//! Which project of the build context a stage builds, and where: the
//! directory a Maven or Gradle run works in, and the context directory the
//! stage copied there (`COPY . .`, `COPY pom.xml /workdir/server/pom.xml`,
//! `COPY backend/ /app`).

use crate::analysis::env::join_path;
use crate::analysis::java::cmd::Build;
use crate::analysis::java::context::Project;
use crate::analysis::stages::Source;
use crate::transforms::Cx;

/// Build files that name the project directory they are copied into.
const BUILD_FILES: &[&str] = &[
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
];

/// The directory in the image where `build` (a RUN of stage `s`) runs; `None`
/// when a `cd` or an unknown WORKDIR hides it.
pub fn build_dir(cx: &Cx, s: usize, b: &Build) -> Option<String> {
    if b.after_cd {
        return None;
    }
    let wd = cx.facts.stages[s].at(cx.doc, b.ins).workdir.clone()?;
    Some(match &b.project_dir {
        Some(p) => join_path(&wd, p),
        None => wd,
    })
}

/// True when a COPY source names a directory (as far as the text and the
/// context's listing tell).
fn is_dir(cx: &Cx, src: &str) -> bool {
    let s = src.trim_start_matches("./");
    if s.is_empty() || s == "." || src.ends_with('/') {
        return true;
    }
    if cx
        .facts
        .context
        .is_some_and(|c| c.top_dirs.iter().any(|d| d == s))
    {
        return true;
    }
    let name = s.rsplit('/').next().unwrap_or(s);
    !name.contains('.') && !BUILD_FILES.contains(&name) && !name.contains('*')
}

fn normalize(rel: &str) -> String {
    let r = rel.trim_start_matches("./").trim_end_matches('/');
    if r == "." {
        String::new()
    } else {
        r.to_string()
    }
}

/// The directory of the build context that stage `s` (or a stage it is
/// built FROM) copied to `dir` in the image, relative to the context.
pub fn context_dir(cx: &Cx, s: usize, dir: &str) -> Option<String> {
    let mut chain = vec![s];
    let mut at = s;
    while let crate::analysis::stages::Base::Stage(b) = cx.facts.stages[at].base {
        chain.push(b);
        at = b;
    }
    for st in chain {
        for c in cx.facts.stages[st].copies.iter().rev() {
            if c.source != Source::Context {
                continue;
            }
            let Some(dest) = &c.dest else { continue };
            for src in &c.sources {
                if src.contains(['*', '?', '[', '$']) {
                    continue;
                }
                if is_dir(cx, src) {
                    let src = normalize(src);
                    if dest == dir {
                        return Some(src);
                    }
                    if let Some(rest) =
                        dir.strip_prefix(&format!("{}/", dest.trim_end_matches('/')))
                    {
                        return Some(if src.is_empty() {
                            rest.to_string()
                        } else {
                            format!("{src}/{rest}")
                        });
                    }
                } else {
                    let name = src.rsplit('/').next().unwrap_or(src);
                    if !BUILD_FILES.contains(&name) {
                        continue;
                    }
                    // `COPY pom.xml .` and `COPY pom.xml /app/` land in the
                    // directory; `COPY pom.xml /app/pom.xml` names the file.
                    let last = dest.rsplit('/').next().unwrap_or(dest);
                    let landed_dir = if c.dest_is_dir || last != name {
                        dest.as_str()
                    } else {
                        dest.rsplit_once('/')
                            .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d })
                    };
                    if landed_dir == dir.trim_end_matches('/') {
                        return Some(normalize(src.rsplit_once('/').map_or("", |(d, _)| d)));
                    }
                }
            }
        }
    }
    None
}

/// The project of the build context at `dir` in stage `s`, when the
/// context was read and holds one there.
pub fn project<'a>(cx: &Cx<'a>, s: usize, dir: &str) -> Option<&'a Project> {
    let ctx = cx.facts.context?;
    let rel = context_dir(cx, s, dir)?;
    ctx.java().project(&rel)
}

/// True when the build context was read (a directory that exists).
pub fn context_read(cx: &Cx) -> bool {
    cx.facts.context.is_some_and(|c| c.readable)
}
