//! Splitting argument text into words, the several ways BuildKit does it.
//!
//! BuildKit has no single tokenizer: FROM and EXPOSE split on ASCII blanks,
//! ENV, LABEL and ARG keep quotes and escapes inside words, flags are read
//! byte by byte with their quotes removed. Each function here mirrors one of
//! those readers and reports where each word is (offsets into its input).

/// A word: its byte range in the input and its text as BuildKit reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawWord {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The blanks of BuildKit's `[\t\v\f\r ]+` splitter.
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Go's `unicode.IsSpace` applied to a single byte. Go also counts the
/// bytes 0x85 and 0xA0 there; those are UTF-8 continuation bytes, and
/// splitting inside a character would make no sense to anyone, so they are
/// not spaces here.
pub(crate) fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Splits on runs of ASCII blanks (FROM, EXPOSE, shell-form COPY/ADD/VOLUME).
pub(crate) fn split_blanks(s: &str) -> Vec<RawWord> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && is_blank(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !is_blank(b[i]) {
            i += 1;
        }
        if i > start {
            out.push(RawWord {
                start,
                end: i,
                text: s[start..i].to_string(),
            });
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote,
}

/// BuildKit's `parseWords` (ENV, LABEL, ARG): words split on unquoted
/// whitespace, with quotes and escapes kept in the text.
pub(crate) fn parse_words(s: &str, escape: char) -> Vec<RawWord> {
    let mut out = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word = String::new();
    let mut start = 0;
    let mut pos = 0;
    loop {
        let cur = s[pos..].chars().next();
        if phase == Phase::Spaces {
            match cur {
                None => break,
                Some(c) if c.is_whitespace() => {
                    pos += c.len_utf8();
                    continue;
                }
                Some(_) => {
                    phase = Phase::Word;
                    start = pos;
                }
            }
        }
        let Some(mut c) = cur else {
            if blank_ok || !word.is_empty() {
                out.push(RawWord {
                    start,
                    end: pos,
                    text: std::mem::take(&mut word),
                });
            }
            break;
        };
        if phase == Phase::Word {
            if c.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    out.push(RawWord {
                        start,
                        end: pos,
                        text: std::mem::take(&mut word),
                    });
                }
                word.clear();
                blank_ok = false;
                pos += c.len_utf8();
                continue;
            }
            if c == '\'' || c == '"' {
                quote = c;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if c == escape {
                if pos + c.len_utf8() == s.len() {
                    pos += c.len_utf8();
                    continue; // an escape at the very end is dropped
                }
                // An escaped character, even a quote, is taken as it is.
                word.push(c);
                pos += c.len_utf8();
                c = s[pos..].chars().next().unwrap_or(c);
            }
            word.push(c);
            pos += c.len_utf8();
            continue;
        }
        // Inside quotes.
        if c == quote {
            phase = Phase::Word;
        }
        if c == escape && quote != '\'' {
            if pos + c.len_utf8() == s.len() {
                phase = Phase::Word;
                pos += c.len_utf8();
                continue;
            }
            pos += c.len_utf8();
            word.push(c);
            c = s[pos..].chars().next().unwrap_or(c);
        }
        word.push(c);
        pos += c.len_utf8();
    }
    out
}

/// The result of reading the flags at the start of an instruction's arguments.
pub(crate) struct Flags {
    pub flags: Vec<RawWord>,
    /// Where the arguments after the flags begin.
    pub rest: usize,
}

/// BuildKit's `extractBuilderFlags`: leading `--name[=value]` words, read
/// byte by byte, quotes removed, `\` escaping the next byte; a bare `--`
/// ends them. Flags always use `\`, whatever the escape directive says.
pub(crate) fn extract_flags(s: &str) -> Flags {
    let b = s.as_bytes();
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word: Vec<u8> = Vec::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut start = 0;
    let mut pos = 0;
    let push = |flags: &mut Vec<RawWord>, start, end, word: &mut Vec<u8>| {
        let text = String::from_utf8_lossy(word).into_owned();
        word.clear();
        flags.push(RawWord { start, end, text });
    };
    while pos <= b.len() {
        let at_end = pos == b.len();
        let mut ch = if at_end { 0 } else { b[pos] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space_byte(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == b.len() || b[pos + 1] != b'-' {
                return Flags { flags, rest: pos };
            }
            phase = Phase::Word;
            start = pos;
        }
        if at_end {
            if word != b"--" && (blank_ok || !word.is_empty()) {
                push(&mut flags, start, pos, &mut word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space_byte(ch) {
                phase = Phase::Spaces;
                if word == b"--" {
                    return Flags { flags, rest: pos };
                }
                if blank_ok || !word.is_empty() {
                    push(&mut flags, start, pos, &mut word);
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if ch == b'\\' {
                if pos + 1 == b.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = b[pos];
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        // Inside quotes.
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        if ch == b'\\' {
            if pos + 1 == b.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            ch = b[pos];
        }
        word.push(ch);
        pos += 1;
    }
    Flags {
        flags,
        rest: b.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(w: &[RawWord]) -> Vec<&str> {
        w.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn blanks() {
        let w = split_blanks("golang:1.16 \t AS  build");
        assert_eq!(texts(&w), ["golang:1.16", "AS", "build"]);
        assert_eq!((w[2].start, w[2].end), (18, 23));
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        let w = parse_words(r#"A="a b" C=d\ e  'x y'"#, '\\');
        assert_eq!(texts(&w), [r#"A="a b""#, r"C=d\ e", "'x y'"]);
        assert_eq!((w[1].start, w[1].end), (8, 14));
        // A trailing escape is dropped from the text, not from the range.
        let w = parse_words(r"A=b\", '\\');
        assert_eq!(texts(&w), ["A=b"]);
        assert_eq!(w[0].end, 4);
        assert_eq!(texts(&parse_words(r#"a="" b"#, '\\')), [r#"a="""#, "b"]);
        assert_eq!(texts(&parse_words("K=v\u{a0}w", '\\')), ["K=v", "w"]);
    }

    #[test]
    fn flags_are_unquoted() {
        let f = extract_flags(r#"--from=a --chown="x y" a b"#);
        assert_eq!(texts(&f.flags), ["--from=a", "--chown=x y"]);
        assert_eq!((f.flags[1].start, f.flags[1].end), (9, 22));
        assert_eq!(f.rest, 23);
        let f = extract_flags("-- --a b");
        assert!(f.flags.is_empty());
        assert_eq!(&"-- --a b"[f.rest..], " --a b");
        let f = extract_flags("--link");
        assert_eq!(texts(&f.flags), ["--link"]);
        assert_eq!(f.rest, 6);
        let f = extract_flags("-x --y");
        assert!(f.flags.is_empty());
        assert_eq!(f.rest, 0);
    }
}
