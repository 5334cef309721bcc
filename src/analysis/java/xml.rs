//! Just enough XML for a pom.xml: elements, their text, nested elements.
//! Attributes are skipped, namespace prefixes dropped, comments,
//! processing instructions and a DOCTYPE ignored, CDATA and the five
//! predefined entities read. Anything it cannot read is `None`: the caller
//! then says it could not tell.

/// An element: its local name, its text (all text directly inside it,
/// trimmed) and its child elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the element at `path` (`build/finalName`).
    pub fn get(&self, path: &str) -> Option<&str> {
        let mut at = self;
        for part in path.split('/') {
            at = at.child(part)?;
        }
        Some(at.text.as_str())
    }

    /// Every element below this one (depth first), this one excluded.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut todo: Vec<&Element> = self.children.iter().rev().collect();
        while let Some(e) = todo.pop() {
            out.push(e);
            todo.extend(e.children.iter().rev());
        }
        out
    }
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Option<Element> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    while i < b.len() {
        if b[i] != b'<' {
            let end = text[i..].find('<').map_or(b.len(), |p| i + p);
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&unescape(&text[i..end]));
            }
            i = end;
            continue;
        }
        let rest = &text[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->")? + 3;
        } else if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>")?;
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&rest[9..end]);
            }
            i += end + 3;
        } else if rest.starts_with("<?") {
            i += rest.find("?>")? + 2;
        } else if rest.starts_with("<!") {
            i += rest.find('>')? + 1;
        } else if rest.starts_with("</") {
            let end = rest.find('>')?;
            let name = local(rest[2..end].trim());
            let mut done = stack.pop()?;
            if done.name != name {
                return None;
            }
            done.text = done.text.trim().to_string();
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => root = Some(done),
            }
            i += end + 1;
        } else {
            // A start tag: its end is the first `>` outside quotes.
            let mut j = 1;
            let mut quote = None;
            while j < rest.len() {
                let c = rest.as_bytes()[j];
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if c == b'"' || c == b'\'' => quote = Some(c),
                    None if c == b'>' => break,
                    None => {}
                }
                j += 1;
            }
            if j >= rest.len() {
                return None;
            }
            let inner = &rest[1..j];
            let self_closing = inner.ends_with('/');
            let name_end = inner
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(inner.len());
            let el = Element {
                name: local(&inner[..name_end]).to_string(),
                ..Element::default()
            };
            if el.name.is_empty() {
                return None;
            }
            if self_closing {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            } else {
                stack.push(el);
            }
            i += j + 1;
        }
        if root.is_some() && stack.is_empty() {
            break;
        }
    }
    root
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_pom() {
        let e = parse(
            r#"<?xml version="1.0"?>
<!-- a comment with <tags> -->
<project xmlns="http://maven.apache.org/POM/4.0.0" a='x>y'>
  <artifactId>app</artifactId>
  <build><finalName><![CDATA[my-app]]></finalName><plugins/></build>
  <name>A &amp; B</name>
</project>"#,
        )
        .unwrap();
        assert_eq!(e.name, "project");
        assert_eq!(e.get("artifactId"), Some("app"));
        assert_eq!(e.get("build/finalName"), Some("my-app"));
        assert_eq!(e.get("name"), Some("A & B"));
        assert!(e.child("build").unwrap().child("plugins").is_some());
        assert_eq!(parse("<a><b></a>"), None);
    }
}
