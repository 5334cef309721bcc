//! The Java commands inside RUN, CMD and ENTRYPOINT: builds (`mvn package`,
//! `./gradlew bootJar`), the JDK's own tools (`javac`, `jlink`...), and
//! what a command starts (`java [options] -jar app.jar [args]`,
//! `mvn spring-boot:run`, `gradle bootRun`).

use crate::analysis::commands::CommandLine;

/// A build tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Maven,
    Gradle,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Maven => "mvn",
            Tool::Gradle => "gradle",
        }
    }
}

/// A Maven or Gradle run in a RUN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    pub ins: usize,
    pub tool: Tool,
    /// The command as written (`mvn`, `./mvnw`, `gradle`, `./gradlew`).
    pub program: String,
    /// Goals (Maven) or tasks (Gradle), in order.
    pub goals: Vec<String>,
    /// The build leaves the packaged artifact (a jar or war) behind.
    pub packages: bool,
    /// The project directory given with `-f`/`--file` (Maven) or
    /// `-p`/`--project-dir` (Gradle), relative to the working directory.
    pub project_dir: Option<String>,
    /// An earlier command of the same RUN changes directory (`cd x &&`):
    /// where the build runs is not the WORKDIR.
    pub after_cd: bool,
    /// Options that change what is built: `-pl`, `-P`, `-D...` (Maven), `-x`, `-P` (Gradle).
    pub options: Vec<String>,
}

/// Maven goals and phases after which `target/` holds the packaged artifact.
const MAVEN_PACKAGING: &[&str] = &[
    "package",
    "install",
    "verify",
    "deploy",
    "spring-boot:repackage",
    "assembly:single",
    "shade:shade",
];

/// Gradle tasks that leave a jar or war in `build/libs`.
const GRADLE_PACKAGING: &[&str] = &[
    "build",
    "assemble",
    "jar",
    "bootJar",
    "bootWar",
    "war",
    "shadowJar",
];

/// Maven options whose value is the next word.
const MAVEN_VALUED: &[&str] = &[
    "-f",
    "--file",
    "-pl",
    "--projects",
    "-P",
    "--activate-profiles",
    "-s",
    "--settings",
    "-gs",
    "--global-settings",
    "-t",
    "--toolchains",
    "-rf",
    "--resume-from",
    "-T",
    "--threads",
    "-l",
    "--log-file",
    "-D",
    "--define",
    "-b",
    "--builder",
    "-gt",
    "--global-toolchains",
];

/// Gradle options whose value is the next word.
const GRADLE_VALUED: &[&str] = &[
    "-x",
    "--exclude-task",
    "-p",
    "--project-dir",
    "-b",
    "--build-file",
    "-c",
    "--settings-file",
    "-g",
    "--gradle-user-home",
    "-P",
    "--project-prop",
    "-D",
    "--system-prop",
    "-I",
    "--init-script",
    "--console",
    "--warning-mode",
    "--max-workers",
];

/// The JDK's development tools: a JRE does not have them.
pub const JDK_TOOLS: &[&str] = &[
    "javac",
    "jar",
    "jlink",
    "jdeps",
    "jshell",
    "jpackage",
    "javadoc",
    "javap",
    "jarsigner",
    "jcmd",
    "jstack",
    "jmap",
    "jps",
    "jstat",
    "jinfo",
    "jdb",
    "jhsdb",
    "jconsole",
    "jmod",
    "jdeprscan",
    "jimage",
    "serialver",
    "native-image",
];

/// What a command line of a RUN is, for Java.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Build(Build),
    /// A JDK tool (javac, jar, jlink...).
    Tool(String),
    /// `java ...` in a RUN.
    Java,
    Other,
}

/// The build tool a program name runs.
pub fn tool(program: &str) -> Option<Tool> {
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "mvn" | "mvnw" | "mvnd" | "mvnDebug" => Some(Tool::Maven),
        "gradle" | "gradlew" => Some(Tool::Gradle),
        _ => None,
    }
}

/// Reads one command line of RUN instruction `ins`; `after_cd` when an
/// earlier command of the RUN changed directory.
pub fn step(ins: usize, line: &CommandLine, after_cd: bool) -> Step {
    let name = line.name.as_str();
    if JDK_TOOLS.contains(&name) {
        return Step::Tool(name.to_string());
    }
    if name == "java" {
        return Step::Java;
    }
    // `sh ./mvnw package`, `bash gradlew build`.
    let (program, words) = match (name, line.args.get(1)) {
        ("sh" | "bash", Some(w)) if tool(&w.value).is_some() => (w.value.clone(), &line.args[2..]),
        _ if tool(name).is_some() => (
            line.args.first().map_or(String::new(), |a| a.value.clone()),
            &line.args[1.min(line.args.len())..],
        ),
        _ => return Step::Other,
    };
    let Some(t) = tool(&program) else {
        return Step::Other;
    };
    let valued = match t {
        Tool::Maven => MAVEN_VALUED,
        Tool::Gradle => GRADLE_VALUED,
    };
    let mut goals = Vec::new();
    let mut options = Vec::new();
    let mut project_dir = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].value.as_str();
        if w.starts_with('-') {
            let value = if valued.contains(&w) {
                i += 1;
                words.get(i).map(|a| a.value.clone())
            } else {
                w.split_once('=').map(|(_, v)| v.to_string())
            };
            let key = w.split_once('=').map_or(w, |(k, _)| k);
            match (t, key) {
                (Tool::Maven, "-f" | "--file") | (Tool::Gradle, "-p" | "--project-dir") => {
                    project_dir = value.clone().map(|v| {
                        // `-f sub/pom.xml` names the POM; its directory is the project.
                        if t == Tool::Maven && v.ends_with(".xml") {
                            v.rsplit_once('/')
                                .map_or(".".into(), |(d, _)| d.to_string())
                        } else {
                            v
                        }
                    })
                }
                _ => {}
            }
            options.push(match value {
                Some(v) if valued.contains(&w) => format!("{w} {v}"),
                _ => w.to_string(),
            });
        } else {
            goals.push(w.to_string());
        }
        i += 1;
    }
    let packages = goals.iter().any(|g| match t {
        Tool::Maven => MAVEN_PACKAGING.contains(&g.as_str()),
        Tool::Gradle => {
            let task = g.rsplit(':').next().unwrap_or(g);
            GRADLE_PACKAGING.contains(&task)
        }
    });
    Step::Build(Build {
        ins,
        tool: t,
        program,
        goals,
        packages,
        project_dir,
        after_cd,
        options,
    })
}

/// Launcher options whose value is the next word.
const JAVA_VALUED: &[&str] = &[
    "-cp",
    "-classpath",
    "--class-path",
    "-p",
    "--module-path",
    "--upgrade-module-path",
    "--add-modules",
    "--limit-modules",
    "--add-reads",
    "--add-exports",
    "--add-opens",
    "--patch-module",
    "--enable-native-access",
    "--source",
];

/// `java [options] (-jar JAR | MAIN | -m MODULE) [args]`, by positions in its argv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaCommand {
    /// Indices of the launcher's options (values included).
    pub options: Vec<usize>,
    pub target: Target,
    /// Index of the first argument of the application.
    pub args_from: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `-jar <index of the jar>`.
    Jar(usize),
    /// A main class (its index), with the class path option's value, if any.
    Class(usize, Option<String>),
    /// `-m module[/class]`.
    Module(usize),
    /// Only options (`java -version`).
    None,
}

impl JavaCommand {
    /// The jar `-jar` names.
    pub fn jar<'a>(&self, argv: &'a [String]) -> Option<&'a str> {
        match self.target {
            Target::Jar(i) => argv.get(i).map(String::as_str),
            _ => None,
        }
    }

    /// The options, as written.
    pub fn option_words<'a>(&self, argv: &'a [String]) -> Vec<&'a str> {
        self.options.iter().map(|&i| argv[i].as_str()).collect()
    }
}

/// What a CMD/ENTRYPOINT argv starts, read the Java way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Launch {
    Java(JavaCommand),
    /// `mvn spring-boot:run`, `./gradlew bootRun`: the build tool compiles
    /// and starts the app; the words after the goal are in `extra`.
    Run {
        tool: Tool,
        goal: String,
        /// Options other than the goal (`-Dspring-boot.run.profiles=dev`).
        extra: Vec<String>,
    },
    Other,
}

/// True when `program` is the java launcher (by name: `java`, `/usr/bin/java`).
pub fn is_java(program: &str) -> bool {
    program.rsplit('/').next() == Some("java")
}

pub fn launch(argv: &[String]) -> Launch {
    let Some(first) = argv.first() else {
        return Launch::Other;
    };
    if is_java(first) {
        return Launch::Java(java_command(argv));
    }
    if let Some(t) = tool(first) {
        let goals: Vec<&String> = argv[1..].iter().filter(|w| !w.starts_with('-')).collect();
        let run_goal = match t {
            Tool::Maven => "spring-boot:run",
            Tool::Gradle => "bootRun",
        };
        if goals.len() == 1 && goals[0].rsplit(':').next() == run_goal.rsplit(':').next() {
            return Launch::Run {
                tool: t,
                goal: goals[0].clone(),
                extra: argv[1..]
                    .iter()
                    .filter(|w| w.starts_with('-'))
                    .cloned()
                    .collect(),
            };
        }
    }
    Launch::Other
}

fn java_command(argv: &[String]) -> JavaCommand {
    let mut options = Vec::new();
    let mut classpath = None;
    let mut i = 1;
    while i < argv.len() {
        let w = argv[i].as_str();
        if w == "-jar" {
            return JavaCommand {
                options,
                target: if i + 1 < argv.len() {
                    Target::Jar(i + 1)
                } else {
                    Target::None
                },
                args_from: (i + 2).min(argv.len()),
            };
        }
        if w == "-m" || w == "--module" {
            return JavaCommand {
                options,
                target: if i + 1 < argv.len() {
                    Target::Module(i + 1)
                } else {
                    Target::None
                },
                args_from: (i + 2).min(argv.len()),
            };
        }
        if !w.starts_with('-') {
            return JavaCommand {
                options,
                target: Target::Class(i, classpath),
                args_from: i + 1,
            };
        }
        options.push(i);
        if JAVA_VALUED.contains(&w) {
            if matches!(w, "-cp" | "-classpath" | "--class-path") {
                classpath = argv.get(i + 1).cloned();
            }
            if i + 1 < argv.len() {
                options.push(i + 1);
            }
            i += 1;
        } else if let Some(v) = w.strip_prefix("--class-path=") {
            classpath = Some(v.to_string());
        }
        i += 1;
    }
    JavaCommand {
        options,
        target: Target::None,
        args_from: argv.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn reads_what_commands_start() {
        let argv = v(&[
            "java", "-Xmx256m", "-cp", "x", "-jar", "app.jar", "--port", "80",
        ]);
        let Launch::Java(j) = launch(&argv) else {
            panic!()
        };
        assert_eq!(j.jar(&argv), Some("app.jar"));
        assert_eq!(j.option_words(&argv), ["-Xmx256m", "-cp", "x"]);
        assert_eq!(j.args_from, 6);
        let argv = v(&["java", "-cp", "app:app/lib/*", "com.x.App"]);
        let Launch::Java(j) = launch(&argv) else {
            panic!()
        };
        assert_eq!(j.target, Target::Class(3, Some("app:app/lib/*".into())));
        assert_eq!(
            launch(&v(&["mvn", "spring-boot:run"])),
            Launch::Run {
                tool: Tool::Maven,
                goal: "spring-boot:run".into(),
                extra: vec![]
            }
        );
        assert!(matches!(
            launch(&v(&["./gradlew", "bootRun", "--no-daemon"])),
            Launch::Run {
                tool: Tool::Gradle,
                ..
            }
        ));
        assert_eq!(launch(&v(&["./start.sh"])), Launch::Other);
        assert_eq!(launch(&v(&["mvn", "exec:java"])), Launch::Other);
    }
}
