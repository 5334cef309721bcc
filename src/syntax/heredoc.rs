//! Finding heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) on a
//! RUN, COPY or ADD line.
//!
//! BuildKit splits the logical line into shell words (quotes and escapes kept,
//! unset variables left as written), and every word of the shape
//! `[fd]<<[-][blanks]WORD` opens a heredoc whose terminator is WORD unquoted.
//! A quote left open anywhere on the line makes the lexer fail, and then the
//! line has no heredocs at all.

/// A heredoc marker found on a line; offsets are into the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    pub start: usize,
    pub end: usize,
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// False when the word was quoted: the body is taken literally.
    pub expand: bool,
    pub fd: Option<u32>,
}

/// Every heredoc marker on `line`, in order.
pub(crate) fn markers(line: &str) -> Vec<Marker> {
    if !line.contains("<<") {
        return Vec::new();
    }
    let Some(words) = shell_words(line) else {
        return Vec::new();
    };
    words
        .into_iter()
        .filter_map(|(start, end)| marker(&line[start..end]).map(|m| Marker { start, end, ..m }))
        .collect()
}

/// Splits `s` into words the way BuildKit's shell lexer does in raw mode.
/// Returns `None` where that lexer fails (an unterminated quote or `${`).
fn shell_words(s: &str) -> Option<Vec<(usize, usize)>> {
    let b = s.as_bytes();
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next()?;
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                words.push((st, i));
            }
            i += c.len_utf8();
            continue;
        }
        start.get_or_insert(i);
        match c {
            '\'' => i += 1 + s[i + 1..].find('\'')? + 1,
            '"' => {
                let mut j = i + 1;
                loop {
                    match b.get(j)? {
                        b'\\' => j += 1 + s[j + 1..].chars().next().map_or(0, char::len_utf8),
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                i = j + 1;
            }
            '$' if b.get(i + 1) == Some(&b'{') => {
                let mut depth = 0usize;
                let mut j = i + 1;
                loop {
                    match b.get(j)? {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                i = j + 1;
            }
            // `<<` swallows the blanks after it: `<< EOF` is one word.
            '<' if b.get(i + 1) == Some(&b'<') => {
                i += 2;
                while let Some(c) = s[i..].chars().next().filter(|c| c.is_whitespace()) {
                    i += c.len_utf8();
                }
            }
            '\\' => {
                i += 1;
                if let Some(n) = s[i..].chars().next() {
                    i += n.len_utf8();
                }
            }
            _ => i += c.len_utf8(),
        }
    }
    if let Some(st) = start {
        words.push((st, s.len()));
    }
    Some(words)
}

/// Reads one word as a heredoc marker, if it is one.
fn marker(word: &str) -> Option<Marker> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let after = word[digits..].strip_prefix("<<")?;
    let (chomp, after) = match after.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, after),
    };
    let rest = after.trim_start_matches([' ', '\t', '\n', '\x0c', '\r']);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let (name, quoted) = unquote_single_word(rest)?;
    Some(Marker {
        start: 0,
        end: 0,
        name,
        chomp,
        expand: !quoted,
        fd: if digits > 0 {
            word[..digits].parse().ok()
        } else {
            None
        },
    })
}

/// The text of `s` with shell quoting removed, when `s` is a single word.
/// The flag says whether any part of it was quoted.
fn unquote_single_word(s: &str) -> Option<(String, bool)> {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => return None,
            '\'' => {
                quoted = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => out.push(c),
                    }
                }
            }
            '"' => {
                quoted = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$') => out.push(c),
                            c => {
                                out.push('\\');
                                out.push(c);
                            }
                        },
                        c => out.push(c),
                    }
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            c => out.push(c),
        }
    }
    Some((out, quoted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, bool, bool)> {
        markers(line)
            .into_iter()
            .map(|m| (m.name, m.chomp, m.expand))
            .collect()
    }

    #[test]
    fn finds_markers() {
        assert_eq!(names("RUN <<EOF"), [("EOF".into(), false, true)]);
        assert_eq!(names("RUN <<-EOF"), [("EOF".into(), true, true)]);
        assert_eq!(
            names(r#"RUN <<"A" <<'B' x"#),
            [("A".into(), false, false), ("B".into(), false, false)]
        );
        assert_eq!(names("RUN << EOF"), [("EOF".into(), false, true)]);
        assert_eq!(names("RUN <<EOF_1 bash"), [("EOF_1".into(), false, true)]);
        let m = markers("RUN 3<<EOF cat");
        assert_eq!((m[0].start, m[0].end, m[0].fd), (4, 10, Some(3)));
    }

    #[test]
    fn not_markers() {
        assert!(names("RUN cat<<EOF").is_empty());
        assert!(names(r#"RUN echo "<<EOF""#).is_empty());
        assert!(names("RUN echo <<").is_empty());
        assert!(names("RUN echo it's <<EOF").is_empty());
        assert!(names("RUN a <<EOF<x").is_empty());
        assert!(names("RUN a <<- EOF").is_empty());
    }
}
