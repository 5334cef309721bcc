//! Build-time variables (ARG, ENV, what the base image sets) and the
//! Dockerfile's own word expansion, so `/$GOPATH/src/app` becomes
//! `/go/src/app` and `golang:${GO_VERSION}` can be read.

/// A variable's value: known, or declared with a value only the build knows
/// (an ARG without default, a platform ARG, a `--build-arg`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Known(String),
    Unknown,
}

/// Variables in scope at some point of a stage, later ones shadowing earlier.
///
/// Analysis keeps one for every instruction of every stage, and most
/// instructions set nothing: the variables are shared until one is set
/// (copy on write), so keeping them costs a reference count, not a copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    vars: std::sync::Arc<Vec<(String, Value)>>,
}

impl Env {
    pub fn set(&mut self, name: &str, value: Value) {
        if self.get(name) == Some(&value) {
            return;
        }
        let vars = std::sync::Arc::make_mut(&mut self.vars);
        if let Some(v) = vars.iter_mut().find(|(n, _)| n == name) {
            v.1 = value;
        } else {
            vars.push((name.to_string(), value));
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The known value of `name`, if any.
    pub fn known(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Value::Known(s) => Some(s),
            Value::Unknown => None,
        }
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Expands a Dockerfile word: quotes removed, escapes applied, `$VAR`,
    /// `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}` replaced.
    /// `None` when any part depends on a value only the build knows.
    pub fn expand(&self, word: &str, escape: char) -> Option<String> {
        if !word.contains(['$', '\'', '"', escape]) {
            return Some(word.to_string());
        }
        let mut out = String::new();
        let chars: Vec<char> = word.chars().collect();
        let mut i = 0;
        let mut quote: Option<char> = None;
        while i < chars.len() {
            let c = chars[i];
            match (c, quote) {
                ('\'', None) => quote = Some('\''),
                ('\'', Some('\'')) => quote = None,
                (_, Some('\'')) => out.push(c),
                ('"', None) => quote = Some('"'),
                ('"', Some('"')) => quote = None,
                (e, _) if e == escape => {
                    i += 1;
                    if let Some(&n) = chars.get(i) {
                        out.push(n);
                    }
                }
                ('$', _) => {
                    let (text, used) = self.dollar(&chars[i..], escape)?;
                    out.push_str(&text);
                    i += used;
                    continue;
                }
                _ => out.push(c),
            }
            i += 1;
        }
        Some(out)
    }

    /// Like [`expand`](Self::expand) for text the shell will read at run
    /// time: a variable this Env does not know may be set by the script or
    /// the base image, so it makes the result unknown instead of empty.
    pub fn expand_strict(&self, word: &str, escape: char) -> Option<String> {
        let refs = crate::syntax::var_refs(word, escape);
        if refs
            .iter()
            .any(|r| !self.is_set(&r.name) && r.default_value().is_none())
        {
            return None;
        }
        self.expand(word, escape)
    }

    /// Reads a `$...` at the start of `s`: its expansion and length.
    fn dollar(&self, s: &[char], escape: char) -> Option<(String, usize)> {
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if s.get(1) == Some(&'{') {
            let mut depth = 0;
            let close = s.iter().position(|&c| {
                if c == '{' {
                    depth += 1;
                } else if c == '}' {
                    depth -= 1;
                    return depth == 0;
                }
                false
            })?;
            let body: String = s[2..close].iter().collect();
            let n = body.chars().take_while(|&c| is_name(c)).count();
            let (name, modifier) = body.split_at(n);
            let value = self.get(name);
            let text = match modifier {
                "" => self.lookup(name)?,
                m if m.starts_with(":-") || m.starts_with('-') => {
                    let alt = m.trim_start_matches(':')[1..].to_string();
                    match value {
                        Some(Value::Known(v)) if !(v.is_empty() && m.starts_with(':')) => v.clone(),
                        Some(Value::Unknown) => return None,
                        _ => self.expand(&alt, escape)?,
                    }
                }
                m if m.starts_with(":+") || m.starts_with('+') => {
                    let alt = m.trim_start_matches(':')[1..].to_string();
                    match value {
                        Some(Value::Known(v)) if !(v.is_empty() && m.starts_with(':')) => {
                            self.expand(&alt, escape)?
                        }
                        Some(Value::Unknown) => return None,
                        _ => String::new(),
                    }
                }
                _ => return None,
            };
            return Some((text, close + 1));
        }
        let n = s[1..].iter().take_while(|&&c| is_name(c)).count();
        if n == 0 {
            return Some(("$".to_string(), 1));
        }
        let name: String = s[1..1 + n].iter().collect();
        Some((self.lookup(&name)?, 1 + n))
    }

    /// An unset variable expands to nothing; one set to an unknown value cannot be expanded.
    fn lookup(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(Value::Known(v)) => Some(v.clone()),
            Some(Value::Unknown) => None,
            None => Some(String::new()),
        }
    }
}

/// Joins `path` onto `dir` as WORKDIR and relative paths do, normalised
/// (`//`, `.`, `..` and trailing slashes resolved).
pub fn join_path(dir: &str, path: &str) -> String {
    // One allocation: analysis joins a path for every COPY and WORKDIR of
    // every version of every file.
    let mut out = String::with_capacity(dir.len() + path.len() + 2);
    let from = if path.starts_with('/') { "" } else { dir };
    for part in from.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => out.truncate(out.rfind('/').unwrap_or(0)),
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        let mut e = Env::default();
        e.set("GOPATH", Value::Known("/go".into()));
        e.set("EMPTY", Value::Known(String::new()));
        e.set("TARGETARCH", Value::Unknown);
        e
    }

    #[test]
    fn expands_words() {
        let e = env();
        assert_eq!(
            e.expand("/$GOPATH/src/Fouda/", '\\').unwrap(),
            "//go/src/Fouda/"
        );
        assert_eq!(e.expand("${GOPATH}/bin", '\\').unwrap(), "/go/bin");
        assert_eq!(
            e.expand("${NOPE:-1.21}-alpine", '\\').unwrap(),
            "1.21-alpine"
        );
        assert_eq!(e.expand("${EMPTY:-x}${EMPTY-y}", '\\').unwrap(), "x");
        assert_eq!(e.expand("${GOPATH:+set}", '\\').unwrap(), "set");
        assert_eq!(e.expand(r#""a b"'$X'\$Y"#, '\\').unwrap(), "a b$X$Y");
        assert_eq!(e.expand("$TARGETARCH", '\\'), None);
        assert_eq!(e.expand("$UNSET/x", '\\').unwrap(), "/x");
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join_path("/", "//go/src/Fouda/"), "/go/src/Fouda");
        assert_eq!(join_path("/app", "bin/../out"), "/app/out");
        assert_eq!(join_path("/app", "."), "/app");
        assert_eq!(join_path("/", ""), "/");
    }
}
