//! The JSON (exec) form: `["go", "run", "."]`.
//!
//! BuildKit decodes the arguments with Go's `json.Unmarshal`: the whole text
//! must be one valid JSON value. A valid array of strings is the exec form; a
//! valid array holding anything else is an error; text that is not valid JSON
//! at all falls back to the shell form. This module gives the same three
//! answers, with the byte range of every string element.

use std::ops::Range;

/// One string element: its range in the input (quotes included) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonItem {
    pub range: Range<usize>,
    pub value: String,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON: the instruction is read in shell form.
    NotJson,
    /// JSON, but an element is not a string: BuildKit rejects the file.
    NotStringArray,
}

/// Parses `text`, which starts with `[`, as an array of strings.
pub(crate) fn parse_string_array(text: &str) -> Result<Vec<JsonItem>, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        src: text,
        pos: 0,
    };
    p.ws();
    if p.peek() != Some(b'[') {
        return Err(JsonError::NotJson);
    }
    p.pos += 1;
    let mut items = Vec::new();
    let mut all_strings = true;
    p.ws();
    if p.peek() == Some(b']') {
        p.pos += 1;
    } else {
        loop {
            p.ws();
            if p.peek() == Some(b'"') {
                let start = p.pos;
                let value = p.string().ok_or(JsonError::NotJson)?;
                items.push(JsonItem {
                    range: start..p.pos,
                    value,
                });
            } else {
                all_strings = false;
                p.value().ok_or(JsonError::NotJson)?;
            }
            p.ws();
            match p.bump() {
                Some(b',') => continue,
                Some(b']') => break,
                _ => return Err(JsonError::NotJson),
            }
        }
    }
    p.ws();
    if p.pos != p.s.len() {
        return Err(JsonError::NotJson);
    }
    if !all_strings {
        return Err(JsonError::NotStringArray);
    }
    Ok(items)
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    // JSON whitespace is exactly these four bytes.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'[' => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    self.value()?;
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    if self.bump()? != b':' {
                        return None;
                    }
                    self.value()?;
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.src.get(self.pos..self.pos + 4)?;
        let v = u32::from_str_radix(h, 16).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(v)
    }

    /// A string literal, decoded as Go does (lone surrogates become U+FFFD).
    fn string(&mut self) -> Option<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.src[start..self.pos]);
            match self.bump()? {
                b'"' => return Some(out),
                b'\\' => {
                    let c = match self.bump()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    out.push(c);
                }
                _ => return None, // a raw control character
            }
        }
    }

    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            if let Some(lo) = self.hex4().filter(|lo| (0xDC00..0xE000).contains(lo)) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Some(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        Some(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &str) -> Result<Vec<String>, JsonError> {
        parse_string_array(s).map(|v| v.into_iter().map(|i| i.value).collect())
    }

    #[test]
    fn string_arrays() {
        assert_eq!(values(r#"["a","b"]"#).unwrap(), ["a", "b"]);
        assert_eq!(values(r#"[ "a" , "b" ]"#).unwrap(), ["a", "b"]);
        assert_eq!(values("[]").unwrap(), Vec::<String>::new());
        assert_eq!(values(r#"["a\u0041\"\\\/\n"]"#).unwrap(), ["aA\"\\/\n"]);
        assert_eq!(
            values(r#"["\ud83d\ude00", "\ud800"]"#).unwrap(),
            ["😀", "\u{FFFD}"]
        );
        let items = parse_string_array(r#"[ "go",  "run"]"#).unwrap();
        assert_eq!(items[0].range, 2..6);
        assert_eq!(items[1].range, 9..14);
    }

    #[test]
    fn shell_fallbacks_and_errors() {
        assert_eq!(values("['a']"), Err(JsonError::NotJson));
        assert_eq!(values(r#"["a""#), Err(JsonError::NotJson));
        assert_eq!(values(r#"["a"] trailing"#), Err(JsonError::NotJson));
        assert_eq!(values("[\"a\tb\"]"), Err(JsonError::NotJson));
        assert_eq!(values(r#"["a", 01]"#), Err(JsonError::NotJson));
        assert_eq!(values(r#"["a", 1]"#), Err(JsonError::NotStringArray));
        assert_eq!(
            values(r#"["a", null, {"k": [true, -1.5e3]}]"#),
            Err(JsonError::NotStringArray)
        );
    }
}
