//! Compiles the catalog and the tables (`transforms/**/*.toml`, the data
//! people edit) into JSON in `OUT_DIR`, which the binary embeds: a TOML
//! parse of the 100 KB took about a tenth of a whole corpus run, JSON a
//! fraction of that. A file that is not valid TOML fails the build, naming it.

use std::path::Path;
use std::{env, fs};

/// The tables, read as one document in this order (`catalog::tables`).
const TABLES: &[&str] = &[
    "images",
    "cgo",
    "tools",
    "targets",
    "node",
    "runtime-runs",
    "hygiene",
    "rust",
    "python",
    "cgo-runtime",
    "java",
];

fn to_json(text: &str, name: &str) -> String {
    let value: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::to_string(&value).expect("TOML values are JSON values")
}

fn main() {
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    println!("cargo:rerun-if-changed=transforms");
    for f in fs::read_dir("transforms/tables").expect("transforms/tables/") {
        let f = f.expect("transforms/tables/").path();
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        assert!(
            f.extension().is_none_or(|e| e != "toml") || TABLES.contains(&stem),
            "{}: add it to TABLES in build.rs",
            f.display()
        );
    }
    let mut tables = String::new();
    for name in TABLES {
        let path = format!("transforms/tables/{name}.toml");
        println!("cargo:rerun-if-changed={path}");
        tables.push_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")));
        tables.push('\n');
    }
    fs::write(
        out.join("tables.json"),
        to_json(&tables, "transforms/tables"),
    )
    .expect("write");
    for eco in fs::read_dir("transforms").expect("transforms/") {
        let eco = eco.expect("transforms/").path();
        if !eco.is_dir() || eco.ends_with("tables") {
            continue;
        }
        let dir = out.join(&eco);
        fs::create_dir_all(&dir).expect("OUT_DIR");
        for f in fs::read_dir(&eco).expect("transforms/<ecosystem>/") {
            let f = f.expect("transforms/<ecosystem>/").path();
            if f.extension().is_some_and(|e| e == "toml") {
                println!("cargo:rerun-if-changed={}", f.display());
                let text = fs::read_to_string(&f).expect("read");
                let json = to_json(&text, &f.display().to_string());
                fs::write(
                    dir.join(f.file_stem().unwrap()).with_extension("json"),
                    json,
                )
                .expect("write");
            }
        }
    }
}
