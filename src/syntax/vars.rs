//! `$VAR` and `${VAR...}` references, so later code can resolve ARG and ENV values.

/// A variable reference inside a word; offsets are into that word's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    pub start: usize,
    pub end: usize,
    pub name: String,
    /// What follows the name inside braces: `:-default`, `:+x`, `#pat`...; empty when none.
    pub modifier: String,
    pub braced: bool,
}

impl VarRef {
    /// The default of `${NAME:-default}` or `${NAME-default}`.
    pub fn default_value(&self) -> Option<&str> {
        self.modifier
            .strip_prefix(":-")
            .or_else(|| self.modifier.strip_prefix('-'))
    }
}

/// Every variable reference in `text`. The escape character hides a `$`;
/// single quotes hide everything, as in BuildKit's word expansion.
pub fn var_refs(text: &str, escape: char) -> Vec<VarRef> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut in_single = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_single {
            in_single = c != b'\'';
            i += 1;
            continue;
        }
        if c == b'\'' {
            in_single = true;
        } else if escape.is_ascii() && c == escape as u8 {
            i += 2;
            continue;
        } else if let Some(r) = (c == b'$').then(|| var_at(text, i)).flatten() {
            i = r.end;
            out.push(r);
            continue;
        }
        i += 1;
    }
    out
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn name_len(b: &[u8]) -> usize {
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

fn var_at(text: &str, at: usize) -> Option<VarRef> {
    let b = text.as_bytes();
    match *b.get(at + 1)? {
        b'{' => {
            let n0 = at + 2;
            let n = name_len(&b[n0..]);
            if n == 0 || !is_name_start(b[n0]) {
                return None;
            }
            let mut depth = 1;
            let mut j = n0 + n;
            while j < b.len() {
                match b[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(VarRef {
                                start: at,
                                end: j + 1,
                                name: text[n0..n0 + n].to_string(),
                                modifier: text[n0 + n..j].to_string(),
                                braced: true,
                            });
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        c if is_name_start(c) => {
            let n = name_len(&b[at + 1..]);
            Some(VarRef {
                start: at,
                end: at + 1 + n,
                name: text[at + 1..at + 1 + n].to_string(),
                modifier: String::new(),
                braced: false,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references() {
        let r = var_refs("golang:${GO_VERSION:-1.21}-$VARIANT", '\\');
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].name.as_str(), r[0].default_value()),
            ("GO_VERSION", Some("1.21"))
        );
        assert_eq!((r[0].start, r[0].end), (7, 26));
        assert_eq!((r[1].name.as_str(), r[1].braced), ("VARIANT", false));
        assert!(var_refs(r"\$HOME '$X' $1 ${}", '\\').is_empty());
        assert_eq!(var_refs("`$HOME", '`').len(), 0);
    }
}
