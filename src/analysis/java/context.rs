//! What the build context says about a Java app: its Maven or Gradle
//! projects (pom.xml, build.gradle[.kts], settings.gradle[.kts]) with the
//! artifact each builds and the libraries it depends on, what the sources
//! load by name (which jdeps cannot see), and the files Spring Boot reads
//! from the working directory. Read only, bounded (a few build files,
//! sources sampled).

use super::xml::{self, Element};
use crate::catalog;
use regex::Regex;
use std::path::Path;
use std::sync::OnceLock;

/// How a project is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildFile {
    Maven,
    Gradle,
}

/// The maven-shade-plugin's output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shade {
    /// `<finalName>` of the plugin's configuration.
    pub final_name: Option<String>,
    /// `<shadedArtifactAttached>`: the shaded jar gets a classifier and the
    /// plain jar stays.
    pub attached: bool,
    pub classifier: Option<String>,
}

/// The maven-assembly-plugin's output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assembly {
    pub final_name: Option<String>,
    /// `<appendAssemblyId>` (default true): `-<descriptorRef>` in the name.
    pub append_id: bool,
    pub descriptor: Option<String>,
    /// Bound to a phase (an execution), so `mvn package` makes it too.
    pub bound: bool,
}

/// One Maven or Gradle project of the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Its directory, relative to the context (`""` for the root).
    pub dir: String,
    pub build: BuildFile,
    /// Maven's artifactId; Gradle's project name.
    pub name: Option<String>,
    pub version: Option<String>,
    /// jar, war, pom...
    pub packaging: String,
    /// Maven's `<build><finalName>`, resolved.
    pub final_name: Option<String>,
    /// Uses Spring Boot (its parent POM, a dependency or the plugin).
    pub spring_boot: bool,
    /// The Spring Boot plugin repackages the jar in `package` (an
    /// executable jar with its libraries in BOOT-INF/lib).
    pub boot_repackage: bool,
    /// `<classifier>` of the repackaged jar (the plain jar keeps the name).
    pub boot_classifier: Option<String>,
    pub shade: Option<Shade>,
    pub assembly: Option<Assembly>,
    /// maven-jar-plugin's `<addClasspath>`: the manifest lists the
    /// libraries next to the jar (prefix, often `lib/`).
    pub manifest_classpath: Option<String>,
    /// Libraries the app needs at run time (not test or provided scope).
    pub dependencies: Vec<String>,
    /// Gradle: `archiveFileName` of bootJar, and of jar.
    pub boot_archive: Option<String>,
    pub jar_archive: Option<String>,
    /// Gradle: the shadow plugin (shadowJar).
    pub shadow: bool,
    /// Sub-projects (Maven modules, Gradle includes), relative to the context.
    pub modules: Vec<String>,
}

/// The Java part of a build context.
#[derive(Clone, Debug, Default)]
pub struct JavaContext {
    /// Projects, the root's first (when there is one).
    pub projects: Vec<Project>,
    /// Source files that load classes or services by name: (file, what).
    pub reflection: Vec<(String, String)>,
    /// Modules the sources use in a way jdeps does not see: (module, file).
    pub modules: Vec<(String, String)>,
    /// A source in another JVM language (Kotlin, Scala, Groovy).
    pub other_language: Option<String>,
    /// Sources were looked at.
    pub sources_scanned: bool,
    /// Files and directories at the top of the context that Spring Boot
    /// reads from the working directory (application.properties, config/).
    pub run_files: Vec<String>,
}

/// At most this many source files are read.
const MAX_SOURCES: usize = 3_000;

impl JavaContext {
    pub fn load(dir: &Path) -> JavaContext {
        let mut ctx = JavaContext::default();
        let mut todo = vec![String::new()];
        while let Some(rel) = todo.pop() {
            if ctx.projects.len() >= 64 || ctx.projects.iter().any(|p| p.dir == rel) {
                continue;
            }
            let Some(p) = Project::load(dir, &rel) else {
                continue;
            };
            todo.extend(p.modules.iter().rev().cloned());
            ctx.projects.push(p);
        }
        for name in &catalog::tables().java.run_files {
            if dir.join(name).exists() {
                ctx.run_files.push(name.clone());
            }
        }
        sources(dir, &mut ctx);
        ctx
    }

    /// The project in `rel` (relative to the context).
    pub fn project(&self, rel: &str) -> Option<&Project> {
        let rel = rel.trim_matches('/');
        let rel = if rel == "." { "" } else { rel };
        self.projects.iter().find(|p| p.dir == rel)
    }
}

impl Project {
    fn load(root: &Path, rel: &str) -> Option<Project> {
        let dir = root.join(rel);
        if let Ok(text) = std::fs::read_to_string(dir.join("pom.xml")) {
            return maven(rel, &text);
        }
        let read = |n: &str| std::fs::read_to_string(dir.join(n)).ok();
        let build = read("build.gradle").or_else(|| read("build.gradle.kts"));
        let settings = read("settings.gradle").or_else(|| read("settings.gradle.kts"));
        if build.is_none() && settings.is_none() {
            return None;
        }
        Some(gradle(
            rel,
            &build.unwrap_or_default(),
            settings.as_deref(),
            &dir,
        ))
    }

    /// The packaged artifact a build with these goals (or tasks) leaves,
    /// relative to the project directory: `target/app-1.0.jar`,
    /// `build/libs/app.jar`. Why not, when it cannot be told.
    pub fn artifact(&self, goals: &[String]) -> Result<String, String> {
        match self.build {
            BuildFile::Maven => self.maven_artifact(goals),
            BuildFile::Gradle => self.gradle_artifact(goals),
        }
    }

    fn maven_artifact(&self, goals: &[String]) -> Result<String, String> {
        let base = match (&self.final_name, &self.name, &self.version) {
            (Some(f), _, _) => f.clone(),
            (None, Some(a), Some(v)) => format!("{a}-{v}"),
            _ => {
                return Err(format!(
                    "pom.xml in {} gives no artifactId and version dfslim can read (a property it cannot resolve?)",
                    self.shown_dir()
                ));
            }
        };
        let ext = match self.packaging.as_str() {
            "jar" | "war" => self.packaging.clone(),
            other => {
                return Err(format!(
                    "pom.xml in {} packages `{other}`, not a jar or war",
                    self.shown_dir()
                ));
            }
        };
        if let Some(a) = &self.assembly
            && (a.bound || goals.iter().any(|g| g == "assembly:single"))
        {
            let name = a.final_name.clone().unwrap_or(base);
            return Ok(match (&a.descriptor, a.append_id) {
                (Some(d), true) => format!("target/{name}-{d}.jar"),
                (None, true) => {
                    return Err("the assembly's descriptor is not a descriptorRef dfslim knows; the jar's name is unknown".into());
                }
                (_, false) => format!("target/{name}.jar"),
            });
        }
        if let Some(s) = &self.shade {
            let name = s.final_name.clone().unwrap_or(base.clone());
            return Ok(if s.attached && s.final_name.is_none() {
                format!(
                    "target/{base}-{}.jar",
                    s.classifier.as_deref().unwrap_or("shaded")
                )
            } else {
                format!("target/{name}.jar")
            });
        }
        if self.boot_repackage
            && let Some(c) = &self.boot_classifier
        {
            return Ok(format!("target/{base}-{c}.{ext}"));
        }
        Ok(format!("target/{base}.{ext}"))
    }

    fn gradle_artifact(&self, tasks: &[String]) -> Result<String, String> {
        let shadow = self.shadow && tasks.iter().any(|t| t.ends_with("shadowJar"));
        let boot = self.spring_boot && !shadow;
        let fixed = if boot {
            &self.boot_archive
        } else {
            &self.jar_archive
        };
        if let Some(f) = fixed {
            return Ok(format!("build/libs/{f}"));
        }
        let name = self.name.clone().ok_or_else(|| {
            format!(
                "the Gradle project in {} has no name dfslim can read (rootProject.name)",
                self.shown_dir()
            )
        })?;
        let version = self
            .version
            .as_deref()
            .filter(|v| *v != "unspecified")
            .map_or(String::new(), |v| format!("-{v}"));
        let classifier = if shadow { "-all" } else { "" };
        Ok(format!("build/libs/{name}{version}{classifier}.jar"))
    }

    /// The directory, for messages.
    pub fn shown_dir(&self) -> String {
        if self.dir.is_empty() {
            "the context".into()
        } else {
            format!("{}/", self.dir)
        }
    }
}

fn maven(rel: &str, text: &str) -> Option<Project> {
    let pom = xml::parse(text)?;
    let props = properties(&pom);
    let resolve = |v: &str| resolve(v, &pom, &props);
    let name = pom.get("artifactId").and_then(&resolve);
    let version = pom
        .get("version")
        .or_else(|| pom.get("parent/version"))
        .and_then(&resolve);
    let packaging = pom
        .get("packaging")
        .and_then(&resolve)
        .unwrap_or_else(|| "jar".to_string());
    let final_name = pom.get("build/finalName").and_then(&resolve);
    let parent_boot = pom.get("parent/artifactId") == Some("spring-boot-starter-parent");
    let plugins: Vec<&Element> = pom
        .child("build")
        .and_then(|b| b.child("plugins"))
        .map(|p| p.children_named("plugin").collect())
        .unwrap_or_default();
    let plugin = |id: &str| {
        plugins
            .iter()
            .copied()
            .find(|p| p.get("artifactId") == Some(id))
    };
    let goals_of = |p: &Element| -> Vec<String> {
        p.child("executions")
            .map(|ex| {
                ex.descendants()
                    .into_iter()
                    .filter(|e| e.name == "goal")
                    .map(|e| e.text.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let boot_plugin = plugin("spring-boot-maven-plugin");
    let boot_repackage =
        boot_plugin.is_some_and(|p| parent_boot || goals_of(p).iter().any(|g| g == "repackage"));
    let boot_classifier = boot_plugin
        .and_then(|p| p.get("configuration/classifier"))
        .and_then(&resolve);
    let shade = plugin("maven-shade-plugin")
        .filter(|p| goals_of(p).iter().any(|g| g == "shade"))
        .map(|p| {
            let conf = |k: &str| {
                p.child("executions")
                    .and_then(|ex| {
                        ex.descendants()
                            .into_iter()
                            .find(|e| e.name == "configuration")
                            .and_then(|c| c.get(k))
                    })
                    .or_else(|| p.get(&format!("configuration/{k}")))
                    .and_then(&resolve)
            };
            Shade {
                final_name: conf("finalName"),
                attached: conf("shadedArtifactAttached").as_deref() == Some("true"),
                classifier: conf("shadedClassifierName"),
            }
        });
    let assembly = plugin("maven-assembly-plugin").map(|p| {
        let conf = |k: &str| {
            p.get(&format!("configuration/{k}")).or_else(|| {
                p.child("executions").and_then(|ex| {
                    ex.descendants()
                        .into_iter()
                        .find(|e| e.name == k)
                        .map(|e| e.text.as_str())
                })
            })
        };
        Assembly {
            final_name: conf("finalName").and_then(&resolve),
            append_id: conf("appendAssemblyId") != Some("false"),
            descriptor: p
                .descendants()
                .into_iter()
                .find(|e| e.name == "descriptorRef")
                .map(|e| e.text.clone()),
            bound: goals_of(p).iter().any(|g| g == "single"),
        }
    });
    let manifest_classpath = plugin("maven-jar-plugin").and_then(|p| {
        let m = p.descendants().into_iter().find(|e| e.name == "manifest")?;
        (m.get("addClasspath") == Some("true"))
            .then(|| m.get("classpathPrefix").unwrap_or("").to_string())
    });
    // The project's own dependencies and its profiles' (not managed
    // versions, not a plugin's dependencies).
    let mut dependencies = Vec::new();
    let mut spring_boot = parent_boot || boot_plugin.is_some();
    let lists = std::iter::once(&pom).chain(
        pom.child("profiles")
            .into_iter()
            .flat_map(|p| p.children_named("profile")),
    );
    for d in lists
        .filter_map(|e| e.child("dependencies"))
        .flat_map(|ds| ds.children_named("dependency"))
    {
        let g = d.get("groupId").unwrap_or("");
        let a = d.get("artifactId").unwrap_or("");
        let scope = d.get("scope").unwrap_or("compile");
        if g.starts_with("org.springframework.boot") {
            spring_boot = true;
        }
        if matches!(scope, "test" | "provided" | "import" | "system") {
            continue;
        }
        let id = format!("{g}:{a}");
        if !dependencies.contains(&id) {
            dependencies.push(id);
        }
    }
    let modules = pom
        .child("modules")
        .map(|m| {
            m.children_named("module")
                .map(|x| join(rel, x.text.trim_end_matches('/')))
                .collect()
        })
        .unwrap_or_default();
    Some(Project {
        dir: rel.to_string(),
        build: BuildFile::Maven,
        name,
        version,
        packaging,
        final_name,
        spring_boot,
        boot_repackage,
        boot_classifier,
        shade,
        assembly,
        manifest_classpath,
        dependencies,
        boot_archive: None,
        jar_archive: None,
        shadow: false,
        modules,
    })
}

fn properties(pom: &Element) -> Vec<(String, String)> {
    pom.child("properties")
        .map(|p| {
            p.children
                .iter()
                .map(|c| (c.name.clone(), c.text.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// `${project.artifactId}-${revision}` with what the POM says; `None` when
/// a property is not known.
fn resolve(v: &str, pom: &Element, props: &[(String, String)]) -> Option<String> {
    let mut out = v.to_string();
    for _ in 0..5 {
        let Some(start) = out.find("${") else {
            return (!out.is_empty()).then_some(out);
        };
        let end = start + out[start..].find('}')?;
        let key = &out[start + 2..end];
        let value = match key {
            "project.artifactId" | "artifactId" | "pom.artifactId" => {
                pom.get("artifactId")?.to_string()
            }
            "project.version" | "version" | "pom.version" => pom
                .get("version")
                .or_else(|| pom.get("parent/version"))?
                .to_string(),
            "project.groupId" | "groupId" => pom
                .get("groupId")
                .or_else(|| pom.get("parent/groupId"))?
                .to_string(),
            "project.parent.version" => pom.get("parent/version")?.to_string(),
            k => props.iter().find(|(n, _)| n == k)?.1.clone(),
        };
        out.replace_range(start..=end, &value);
    }
    None
}

fn join(rel: &str, sub: &str) -> String {
    let sub = sub.trim_start_matches("./");
    if rel.is_empty() {
        sub.to_string()
    } else {
        format!("{rel}/{sub}")
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid regex"))
}

fn gradle(rel: &str, build: &str, settings: Option<&str>, dir: &Path) -> Project {
    static NAME: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let build = strip_comments(build);
    let name = settings
        .and_then(|s| {
            re(&NAME, r#"rootProject\.name\s*=\s*['"]([^'"$]+)['"]"#)
                .captures(s)
                .map(|c| c[1].to_string())
        })
        .or_else(|| {
            // A project without settings is named after its directory.
            dir.canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        });
    let version = re(&VERSION, r#"(?m)^\s*version\s*(?:=\s*)?['"]([^'"$]+)['"]"#)
        .captures(&build)
        .map(|c| c[1].to_string());
    let plugin = |id: &str| {
        build.contains(&format!("'{id}'"))
            || build.contains(&format!("\"{id}\""))
            || (id == "org.springframework.boot" && build.contains("spring-boot-gradle-plugin"))
    };
    let spring_boot = plugin("org.springframework.boot");
    let shadow = ["com.github.johnrengelman.shadow", "com.gradleup.shadow"]
        .iter()
        .any(|id| plugin(id));
    let archive = |task: &str| {
        let body = task_block(&build, task)?;
        static FILE: OnceLock<Regex> = OnceLock::new();
        re(
            &FILE,
            r#"(?:archiveFileName|archiveName)\s*(?:=|\.set\(|\(|\s)\s*['"]([^'"$]+)['"]"#,
        )
        .captures(body)
        .map(|c| c[1].to_string())
    };
    let mut modules = Vec::new();
    if let Some(s) = settings {
        for line in s.lines().filter(|l| l.trim_start().starts_with("include")) {
            for c in re(&QUOTED, r#"['"]:?([^'"$]+)['"]"#).captures_iter(line) {
                modules.push(join(rel, &c[1].replace(':', "/")));
            }
        }
    }
    let mut dependencies = Vec::new();
    if let Some(body) = task_block(&build, "dependencies") {
        for line in body.lines() {
            let t = line.trim_start();
            let conf = t
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            if matches!(
                conf,
                "implementation" | "api" | "compile" | "runtimeOnly" | "runtime"
            ) {
                dependencies.push(t[conf.len()..].trim().to_string());
            }
        }
    }
    Project {
        dir: rel.to_string(),
        build: BuildFile::Gradle,
        name,
        version,
        packaging: if plugin("war") {
            "war".into()
        } else {
            "jar".into()
        },
        final_name: None,
        spring_boot: spring_boot || build.contains("org.springframework.boot:"),
        boot_repackage: spring_boot,
        boot_classifier: None,
        shade: None,
        assembly: None,
        manifest_classpath: None,
        dependencies,
        boot_archive: archive("bootJar"),
        jar_archive: archive("jar"),
        shadow,
        modules,
    }
}

/// `//` and `/* */` comments out (Groovy and Kotlin build scripts).
fn strip_comments(text: &str) -> String {
    static C: OnceLock<Regex> = OnceLock::new();
    re(&C, r"(?s:/\*.*?\*/)|(?m:^[ \t]*//[^\n]*)")
        .replace_all(text, "")
        .into_owned()
}

/// The body of the block configuring `task` (`bootJar {`, `tasks.bootJar {`,
/// `tasks.named('bootJar') {`, `tasks.named<BootJar>("bootJar") {`,
/// `tasks.getByName<Jar>("jar") {`): the text between its braces.
fn task_block<'a>(text: &'a str, task: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(p) = text[from..].find(task) {
        let at = from + p;
        from = at + task.len();
        let before = if at == 0 { b' ' } else { b[at - 1] };
        if before.is_ascii_alphanumeric() || before == b'_' {
            continue;
        }
        let mut j = at + task.len();
        if b.get(j)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            continue;
        }
        // `")`, `')` after a quoted name.
        while j < b.len() && matches!(b[j], b'"' | b'\'' | b')' | b' ' | b'\t' | b'\n' | b'\r') {
            j += 1;
        }
        if b.get(j) != Some(&b'{') {
            continue;
        }
        let mut depth = 0;
        for (k, &c) in b.iter().enumerate().skip(j) {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&text[j + 1..k]);
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    None
}

/// What the sources load by name, and the modules they use in ways jdeps
/// does not see (transforms/tables/java.toml `source_hints`).
fn sources(dir: &Path, ctx: &mut JavaContext) {
    let hints = &catalog::tables().java.source_hints;
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .filter_entry(|e| {
            let n = e.file_name().to_str().unwrap_or("");
            !(e.file_type().is_some_and(|t| t.is_dir())
                && matches!(n, "target" | "build" | "node_modules" | "test" | ".gradle"))
        })
        .build();
    let mut seen = 0;
    for e in walker.flatten() {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        let rel = || {
            p.strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        };
        match ext {
            "java" => {}
            "kt" | "scala" | "groovy" if ctx.other_language.is_none() => {
                ctx.other_language = Some(rel());
                continue;
            }
            _ => continue,
        }
        seen += 1;
        if seen > MAX_SOURCES {
            break;
        }
        if e.metadata().map_or(true, |m| m.len() > 1 << 20) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        for h in hints {
            if !text.contains(h.text.as_str()) {
                continue;
            }
            match (&h.module, &h.refuse) {
                (_, Some(what)) => {
                    if !ctx.reflection.iter().any(|(_, w)| w == what) {
                        ctx.reflection.push((rel(), what.clone()));
                    }
                }
                (Some(m), None) => {
                    if !ctx.modules.iter().any(|(x, _)| x == m) {
                        ctx.modules.push((m.clone(), rel()));
                    }
                }
                (None, None) => {}
            }
        }
    }
    ctx.sources_scanned = seen > 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (n, t) in files {
            let p = dir.join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, t).unwrap();
        }
    }

    #[test]
    fn reads_maven_projects() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[
                (
                    "pom.xml",
                    r#"<project><artifactId>svc</artifactId><version>${revision}</version>
                    <properties><revision>1.2</revision></properties>
                    <parent><artifactId>spring-boot-starter-parent</artifactId><version>3.2.0</version></parent>
                    <dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
                    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><scope>test</scope></dependency></dependencies>
                    <build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>"#,
                ),
                (
                    "src/main/java/A.java",
                    "class A { Object o = Class.forName(\"x\"); java.nio.charset.Charset c = java.nio.charset.Charset.forName(\"x\"); }",
                ),
                ("application.yml", ""),
            ],
        );
        let c = JavaContext::load(d.path());
        let p = c.project("").unwrap();
        assert_eq!(
            p.artifact(&["package".into()]).unwrap(),
            "target/svc-1.2.jar"
        );
        assert!(p.spring_boot && p.boot_repackage);
        assert_eq!(
            p.dependencies,
            ["org.springframework.boot:spring-boot-starter-web"]
        );
        assert_eq!(c.reflection.len(), 1, "{:?}", c.reflection);
        assert_eq!(c.modules[0].0, "jdk.charsets");
        assert_eq!(c.run_files, ["application.yml"]);
    }

    #[test]
    fn reads_assembly_shade_and_gradle() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            &[
                (
                    "a/pom.xml",
                    r#"<project><artifactId>project</artifactId><version>1.0-SNAPSHOT</version>
                    <build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId><configuration>
                    <descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs>
                    <finalName>app</finalName><appendAssemblyId>false</appendAssemblyId></configuration></plugin></plugins></build></project>"#,
                ),
                (
                    "pom.xml",
                    "<project><artifactId>root</artifactId><version>1</version><packaging>pom</packaging><modules><module>a</module><module>b</module></modules></project>",
                ),
                (
                    "b/pom.xml",
                    r#"<project><artifactId>b</artifactId><version>2</version><build><plugins><plugin><artifactId>maven-shade-plugin</artifactId>
                    <executions><execution><goals><goal>shade</goal></goals><configuration><shadedArtifactAttached>true</shadedArtifactAttached></configuration></execution></executions></plugin></plugins></build></project>"#,
                ),
            ],
        );
        let c = JavaContext::load(d.path());
        assert!(c.project("").unwrap().artifact(&[]).is_err());
        assert_eq!(
            c.project("a")
                .unwrap()
                .artifact(&["assembly:single".into()])
                .unwrap(),
            "target/app.jar"
        );
        assert_eq!(
            c.project("a")
                .unwrap()
                .artifact(&["package".into()])
                .unwrap(),
            "target/project-1.0-SNAPSHOT.jar"
        );
        assert_eq!(
            c.project("b")
                .unwrap()
                .artifact(&["package".into()])
                .unwrap(),
            "target/b-2-shaded.jar"
        );
        let g = tempfile::tempdir().unwrap();
        write(
            g.path(),
            &[
                ("settings.gradle", "rootProject.name = 'hello-service'\n"),
                (
                    "build.gradle",
                    "plugins {\n id 'java'\n id 'org.springframework.boot' version '3.2.0'\n}\nversion = '1.0.0'\n// jar { archiveFileName = 'no.jar' }\ndependencies {\n  implementation 'org.springframework.boot:spring-boot-starter-web'\n  testImplementation 'junit:junit:4.13.2'\n}\n",
                ),
            ],
        );
        let c = JavaContext::load(g.path());
        let p = c.project("").unwrap();
        assert_eq!(
            p.artifact(&["build".into()]).unwrap(),
            "build/libs/hello-service-1.0.0.jar"
        );
        assert_eq!(p.dependencies.len(), 1);
        assert!(p.spring_boot);
        std::fs::write(
            g.path().join("build.gradle"),
            "plugins { id 'java' }\njar {\n    archiveFileName = 'app.jar'\n}\n",
        )
        .unwrap();
        let c = JavaContext::load(g.path());
        assert_eq!(
            c.project("").unwrap().artifact(&["build".into()]).unwrap(),
            "build/libs/app.jar"
        );
    }
}
