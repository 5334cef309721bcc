//! What the build context says about a Go program: go.mod (module path,
//! requirements), go.sum, and the Go sources (imports, `import "C"`, files
//! opened at run time, time-zone use). Read only, and bounded: huge trees
//! are sampled, not crawled.

use crate::catalog;
use regex::Regex;
use std::path::Path;
use std::sync::OnceLock;

/// At most this many Go files are read, and none larger than this.
const MAX_GO_FILES: usize = 5_000;
const MAX_FILE_BYTES: u64 = 1 << 20;

/// A place in a source file, for messages: `cmd/api/main.go:12`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What one Go file tells.
#[derive(Clone, Debug, Default)]
pub struct GoFile {
    /// Relative to the context, with `/`.
    pub path: String,
    pub package: String,
    pub imports: Vec<String>,
    /// `import "C"`.
    pub cgo: Option<usize>,
    /// `import _ "time/tzdata"`: the zone database is in the binary.
    pub embeds_tzdata: bool,
    /// `time.LoadLocation(...)` and the like.
    pub loads_zones: Vec<usize>,
    /// Literal paths read at run time: (line, call, path).
    pub reads: Vec<(usize, String, String)>,
    /// Reads whose path is computed: (line, call).
    pub dynamic_reads: Vec<(usize, String)>,
    /// `//go:embed` patterns.
    pub embeds: Vec<String>,
    /// Literal paths written at run time: (line, call, path).
    pub writes: Vec<(usize, String, String)>,
    /// Writes whose path is computed: (line, call).
    pub dynamic_writes: Vec<(usize, String)>,
    /// Literal TCP ports listened on (`ListenAndServe(":8080"`): (line, port).
    pub listens: Vec<(usize, u16)>,
    /// A command-line argument that makes the program check its own
    /// health (`os.Args[1] == "healthcheck"`, `flag.Bool("health", ...)`):
    /// (line, the argument as it is passed).
    pub health: Option<(usize, String)>,
}

/// The Go part of a build context.
#[derive(Clone, Debug, Default)]
pub struct GoContext {
    /// The module path in go.mod at the context root.
    pub module: Option<String>,
    /// Every module go.mod requires and go.sum lists.
    pub requires: Vec<String>,
    pub sums: Vec<String>,
    pub go_files: Vec<GoFile>,
    /// The Go files were too many to read them all.
    pub truncated: bool,
    /// Evidence that the program may use cgo, each naming its file or module.
    pub cgo: Vec<String>,
}

impl GoContext {
    /// Reads the Go facts of the context directory `dir`.
    pub fn load(dir: &Path) -> GoContext {
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        let gomod = read("go.mod");
        let module = gomod.as_deref().and_then(module_path);
        let requires = gomod.as_deref().map(requires).unwrap_or_default();
        let sums: Vec<String> = read("go.sum")
            .map(|s| {
                let mut v: Vec<String> = s
                    .lines()
                    .filter_map(|l| l.split_whitespace().next().map(str::to_string))
                    .collect();
                v.dedup();
                v
            })
            .unwrap_or_default();
        let (go_files, truncated) = go_files(dir);
        let mut ctx = GoContext {
            module,
            requires,
            sums,
            go_files,
            truncated,
            cgo: Vec::new(),
        };
        ctx.cgo = ctx.cgo_evidence(None);
        ctx
    }

    /// True when the context holds a Go module or Go sources at all.
    pub fn has_go(&self) -> bool {
        self.module.is_some() || !self.go_files.is_empty()
    }

    /// The Go files of the packages in `dirs` (relative, `""` for the root)
    /// and of the module's packages they import, transitively; all files
    /// when `dirs` is `None`.
    pub fn program_files(&self, dirs: Option<&[String]>) -> Vec<&GoFile> {
        let Some(start) = dirs else {
            return self
                .go_files
                .iter()
                .filter(|f| {
                    f.package == "main" || !self.go_files.iter().any(|g| g.package == "main")
                })
                .chain(self.go_files.iter().filter(|f| f.package != "main"))
                .collect();
        };
        let dir_of = |p: &str| {
            p.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        };
        let mut todo: Vec<String> = start.to_vec();
        let mut seen: Vec<String> = Vec::new();
        while let Some(d) = todo.pop() {
            if seen.contains(&d) {
                continue;
            }
            seen.push(d.clone());
            for f in self.go_files.iter().filter(|f| dir_of(&f.path) == d) {
                for imp in &f.imports {
                    if let Some(m) = &self.module
                        && let Some(rest) = imp.strip_prefix(m.as_str())
                    {
                        todo.push(rest.trim_start_matches('/').to_string());
                    }
                }
            }
        }
        self.go_files
            .iter()
            .filter(|f| seen.contains(&dir_of(&f.path)))
            .collect()
    }

    /// Why the program may need cgo: `import "C"` in its files, or a module
    /// known to need it.
    pub fn cgo_evidence(&self, dirs: Option<&[String]>) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.program_files(dirs) {
            if let Some(line) = f.cgo {
                out.push(format!("{}:{line} imports \"C\"", f.path));
            }
        }
        let modules = &catalog::tables().cgo.modules;
        for m in modules {
            if self.requires.contains(m) {
                out.push(format!("go.mod requires {m}, which needs cgo"));
            } else if self.sums.contains(m) {
                out.push(format!("go.sum lists {m}, which needs cgo"));
            }
        }
        out
    }
}

/// The `module` line of a go.mod.
pub fn module_path(gomod: &str) -> Option<String> {
    gomod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        let m = rest.trim().trim_matches('"');
        (!m.is_empty() && rest.starts_with([' ', '\t', '"'])).then(|| m.to_string())
    })
}

/// Module paths in go.mod's `require` lines and blocks.
fn requires(gomod: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for l in gomod.lines() {
        let t = l.split("//").next().unwrap_or("").trim();
        if in_block {
            if t == ")" {
                in_block = false;
            } else if let Some(m) = t.split_whitespace().next() {
                out.push(m.to_string());
            }
        } else if let Some(rest) = t.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
            } else if let Some(m) = rest.split_whitespace().next() {
                out.push(m.to_string());
            }
        }
    }
    out
}

fn go_files(dir: &Path) -> (Vec<GoFile>, bool) {
    let (paths, truncated) = crate::analysis::context::files_below(
        dir,
        &[
            "vendor",
            "testdata",
            "node_modules",
            "_output",
            "third_party",
        ],
        MAX_GO_FILES,
        &|name| name.ends_with(".go") && !name.ends_with("_test.go"),
    );
    let mut out = Vec::new();
    for p in paths {
        if p.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let rel = p
            .strip_prefix(dir)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        out.push(scan_go(&rel, &text));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    (out, truncated)
}

struct Patterns {
    read: Regex,
    dynamic: Regex,
    zones: Regex,
    write: Regex,
    open_write: Regex,
    dynamic_write: Regex,
    listen: Regex,
    health_arg: Regex,
    health_case: Regex,
    health_flag: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        // Calls whose first string argument is a path read at run time
        // (for Static, the second: `r.Static("/static", "./static")`).
        read: Regex::new(
            r#"\b((?:os\.(?:Open|ReadFile|OpenFile|ReadDir|Stat)|ioutil\.(?:ReadFile|ReadDir)|template\.(?:ParseGlob|ParseFiles)|\.ParseGlob|\.ParseFiles|\.LoadHTMLGlob|\.LoadHTMLFiles|http\.Dir|\.StaticFile)\(\s*"([^"]+)"|\.Static(?:FS)?\(\s*"[^"]*"\s*,\s*"([^"]+)")"#,
        )
        .expect("valid regex"),
        dynamic: Regex::new(
            r#"\b(os\.(?:Open|ReadFile)|ioutil\.ReadFile|template\.(?:ParseGlob|ParseFiles)|http\.Dir)\(\s*[^"\s)]"#,
        )
        .expect("valid regex"),
        zones: Regex::new(r#"\btime\.(?:LoadLocation|LoadLocationFromTZData)\("#).expect("valid regex"),
        // Calls that create, change or remove what their first argument names.
        write: Regex::new(
            r#"\b((?:os\.(?:Create|WriteFile|Mkdir|MkdirAll|Remove|RemoveAll|Rename|Symlink|Link|Chmod|Chown|Truncate)|ioutil\.WriteFile))\(\s*"([^"]+)""#,
        )
        .expect("valid regex"),
        open_write: Regex::new(r#"\bos\.OpenFile\(\s*("([^"]+)"|[^,]+),[^)]*\bos\.O_(?:WRONLY|RDWR|CREATE|APPEND|TRUNC)\b"#)
            .expect("valid regex"),
        dynamic_write: Regex::new(
            r#"\b((?:os\.(?:Create|WriteFile|Mkdir|MkdirAll)|ioutil\.WriteFile))\(\s*[^"\s)]"#,
        )
        .expect("valid regex"),
        // An address literal handed to a listener: `":8080"`, `"0.0.0.0:80"`.
        listen: Regex::new(
            r#"\b(?:ListenAndServe(?:TLS)?|Listen(?:TCP|Packet)?|Serve|Run|Start|RunTLS|StartTLS)\(\s*(?:"(?:tcp|udp)[46]?"\s*,\s*)?"[^":]*:(\d{1,5})"|\bAddr\s*:\s*"[^":]*:(\d{1,5})""#,
        )
        .expect("valid regex"),
        health_arg: Regex::new(
            r#"\b(?:os\.Args\[1\]|flag\.Arg\(0\)|args\[0\])\s*==\s*"(-{0,2}[\w-]*health[\w-]*)""#,
        )
        .expect("valid regex"),
        health_case: Regex::new(r#"^\s*case\s+"([\w-]*health[\w-]*)"\s*[:,]|\bUse:\s*"([\w-]*health[\w-]*)""#)
            .expect("valid regex"),
        health_flag: Regex::new(
            r#"\bflag\.(?:Bool\(\s*"([\w-]*health[\w-]*)"|BoolVar\(\s*&?[\w.]+\s*,\s*"([\w-]*health[\w-]*)")"#,
        )
        .expect("valid regex"),
    })
}

/// Reads what matters from one Go file, comments skipped line by line.
pub fn scan_go(path: &str, text: &str) -> GoFile {
    let p = patterns();
    let mut f = GoFile {
        path: path.to_string(),
        ..GoFile::default()
    };
    let mut in_import_block = false;
    let mut in_block_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let mut line = raw.trim();
        if in_block_comment {
            match line.find("*/") {
                Some(e) => {
                    line = line[e + 2..].trim();
                    in_block_comment = false;
                }
                None => continue,
            }
        }
        if let Some(pat) = line.strip_prefix("//go:embed") {
            f.embeds.extend(
                pat.split_whitespace()
                    .map(|s| s.trim_matches('"').to_string()),
            );
            continue;
        }
        if line.starts_with("//") {
            continue;
        }
        if line.starts_with("/*") && !line.contains("*/") {
            in_block_comment = true;
            continue;
        }
        if let Some(pkg) = line.strip_prefix("package ") {
            f.package = pkg.split_whitespace().next().unwrap_or("").to_string();
            continue;
        }
        let import_spec = if in_import_block {
            if line.starts_with(')') {
                in_import_block = false;
                None
            } else {
                Some(line)
            }
        } else if let Some(rest) = line.strip_prefix("import") {
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('(') {
                in_import_block = true;
                let inner = inner.trim();
                (!inner.is_empty()).then_some(inner)
            } else {
                Some(rest)
            }
        } else {
            None
        };
        if let Some(spec) = import_spec {
            if let Some(q) = spec.split('"').nth(1) {
                if q == "C" {
                    f.cgo = Some(n);
                }
                if q == "time/tzdata" {
                    f.embeds_tzdata = true;
                }
                f.imports.push(q.to_string());
            }
            continue;
        }
        let code = line.split(" //").next().unwrap_or(line);
        for c in p.read.captures_iter(code) {
            let call = c
                .get(1)
                .map_or(".Static", |m| m.as_str().split('(').next().unwrap_or(""));
            if let Some(path) = c.get(2).or_else(|| c.get(3)) {
                f.reads.push((
                    n,
                    call.trim_end_matches('(').to_string(),
                    path.as_str().to_string(),
                ));
            }
        }
        for c in p.dynamic.captures_iter(code) {
            f.dynamic_reads.push((n, c[1].to_string()));
        }
        if p.zones.is_match(code) {
            f.loads_zones.push(n);
        }
        for c in p.write.captures_iter(code) {
            f.writes.push((n, c[1].to_string(), c[2].to_string()));
        }
        if let Some(c) = p.open_write.captures(code) {
            match c.get(2) {
                Some(path) => {
                    f.writes
                        .push((n, "os.OpenFile".to_string(), path.as_str().to_string()))
                }
                None => f.dynamic_writes.push((n, "os.OpenFile".to_string())),
            }
        }
        for c in p.dynamic_write.captures_iter(code) {
            f.dynamic_writes.push((n, c[1].to_string()));
        }
        for c in p.listen.captures_iter(code) {
            if let Some(port) = c
                .get(1)
                .or_else(|| c.get(2))
                .and_then(|m| m.as_str().parse().ok())
            {
                f.listens.push((n, port));
            }
        }
        if f.health.is_none() {
            // A `case "healthcheck":` counts only in a file that reads its arguments.
            let reads_args = text.contains("os.Args") || text.contains("flag.Arg");
            let arg = p
                .health_arg
                .captures(code)
                .map(|c| c[1].to_string())
                .or_else(|| {
                    p.health_case
                        .captures(code)
                        .and_then(|c| match (c.get(1), c.get(2)) {
                            (Some(m), _) if reads_args => Some(m.as_str().to_string()),
                            (_, Some(m)) => Some(m.as_str().to_string()),
                            _ => None,
                        })
                })
                .or_else(|| {
                    p.health_flag
                        .captures(code)
                        .and_then(|c| c.get(1).or_else(|| c.get(2)))
                        .map(|m| format!("-{}", m.as_str()))
                });
            f.health = arg.map(|a| (n, a));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_go_sources() {
        let src = r#"package main

/*
#include <stdio.h>
*/
import "C"

import (
	"html/template"
	_ "time/tzdata"
	"example.com/app/internal/web"
)

//go:embed assets/*
var assets embed.FS

func main() {
	t := template.Must(template.ParseGlob("templates/*.html")) // pages
	http.Handle("/s/", http.FileServer(http.Dir("./static")))
	r.Static("/public", "./public")
	loc, _ := time.LoadLocation("Europe/Berlin")
	b, _ := os.ReadFile(path)
	// os.Open("commented/out")
}
"#;
        let f = scan_go("cmd/app/main.go", src);
        assert_eq!(f.package, "main");
        assert_eq!(f.cgo, Some(6));
        assert!(f.embeds_tzdata);
        assert_eq!(
            f.imports,
            [
                "C",
                "html/template",
                "time/tzdata",
                "example.com/app/internal/web"
            ]
        );
        assert_eq!(f.embeds, ["assets/*"]);
        let reads: Vec<&str> = f.reads.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(reads, ["templates/*.html", "./static", "./public"]);
        assert_eq!(f.loads_zones, [21]);
        assert_eq!(f.dynamic_reads.len(), 1);
    }

    #[test]
    fn scans_writes_listeners_and_health_commands() {
        let src = r#"package main

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(check())
	}
	_ = os.WriteFile("state.json", b, 0o644)
	f, _ := os.OpenFile("/var/log/app.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	g, _ := os.OpenFile("/etc/app.conf", os.O_RDONLY, 0)
	_ = os.MkdirAll(dir, 0o755)
	log.Fatal(http.ListenAndServe(":8080", nil))
	srv := &http.Server{Addr: "0.0.0.0:443"}
	ln, _ := net.Listen("tcp", "127.0.0.1:9090")
}
"#;
        let f = scan_go("main.go", src);
        let writes: Vec<(&str, &str)> = f
            .writes
            .iter()
            .map(|w| (w.1.as_str(), w.2.as_str()))
            .collect();
        assert_eq!(
            writes,
            [
                ("os.WriteFile", "state.json"),
                ("os.OpenFile", "/var/log/app.log")
            ]
        );
        assert_eq!(f.dynamic_writes, [(10, "os.MkdirAll".to_string())]);
        assert_eq!(f.listens, [(11, 8080), (12, 443), (13, 9090)]);
        assert_eq!(f.health, Some((4, "healthcheck".to_string())));
        let flag = scan_go(
            "main.go",
            "package main\nvar check = flag.Bool(\"health\", false, \"probe\")\n",
        );
        assert_eq!(flag.health, Some((2, "-health".to_string())));
        // A route is not a command.
        let route = scan_go(
            "main.go",
            "package main\nfunc h(p string) {\n\tswitch p {\n\tcase \"health\":\n\t}\n}\n",
        );
        assert_eq!(route.health, None);
    }

    #[test]
    fn reads_go_mod() {
        let m = "module example.com/x\n\ngo 1.21\n\nrequire github.com/a/b v1.0.0\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.0 // indirect\n)\n";
        assert_eq!(module_path(m).as_deref(), Some("example.com/x"));
        assert_eq!(
            requires(m),
            ["github.com/a/b", "github.com/mattn/go-sqlite3"]
        );
    }
}
