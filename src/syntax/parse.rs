//! The parser: physical lines to instructions, following BuildKit's rules.
//!
//! The loop mirrors BuildKit's `parser.Parse`: directives at the top, a
//! comment or blank line is skipped, an instruction runs on while its lines
//! end with the escape character (skipping comment and blank lines inside),
//! then its heredoc bodies follow, each up to its terminator line.

use super::heredoc;
use super::instruction::*;
use super::json::{self, JsonError};
use super::words::{self, RawWord};
use super::{Comment, Directive, Logical, ParseError, Span};

/// What the parser found, before the Document indexes it.
pub(crate) struct Parsed {
    pub escape: char,
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    pub comments: Vec<Comment>,
}

/// A physical line: where it starts and where its text ends (before any
/// trailing `\r`/`\n`).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    text_end: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 32 + 1);
    let mut start = 0;
    while start < b.len() {
        let end = memchr_nl(&b[start..]).map_or(b.len(), |i| start + i + 1);
        let mut text_end = end;
        while text_end > start && matches!(b[text_end - 1], b'\n' | b'\r') {
            text_end -= 1;
        }
        out.push(Line { start, text_end });
        start = end;
    }
    out
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Go's `bytes.TrimLeftFunc(s, unicode.IsSpace)`, as an offset.
fn leading_space(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// Directive parsing state: BuildKit reads `# name=value` lines until the
/// first line that is not one.
struct Directives {
    done: bool,
    escape: char,
    found: Vec<Directive>,
}

impl Directives {
    /// Looks at `line` (left-trimmed, starting at `at`); errors carry a column-less message.
    fn look(&mut self, line: &str, at: usize, line_no: usize) -> Result<(), ParseError> {
        if self.done {
            return Ok(());
        }
        let Some(d) = directive(line) else {
            self.done = true;
            return Ok(());
        };
        let name = d.0.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(());
        }
        if self.found.iter().any(|f| f.name == name) {
            return Err(ParseError::new(
                line_no,
                1,
                format!("only one {name} parser directive can be used"),
            ));
        }
        let value = d.1.to_string();
        if name == "escape" {
            self.escape = match value.as_str() {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(ParseError::new(
                        line_no,
                        1,
                        format!("invalid escape token '{value}' does not match ` or \\"),
                    ));
                }
            };
        }
        self.found.push(Directive {
            name,
            value,
            span: Span::new(at, at + line.len()),
            line: line_no,
        });
        Ok(())
    }
}

/// `#\s*name\s*=\s*value\s*` where `\s` is Go's RE2 class `[\t\n\f\r ]`.
fn directive(line: &str) -> Option<(&str, &str)> {
    let is_s = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let rest = line.strip_prefix('#')?.trim_start_matches(is_s);
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let (name, after) = rest.split_at(name_len);
    let value = after
        .trim_start_matches(is_s)
        .strip_prefix('=')?
        .trim_start_matches(is_s)
        .trim_end_matches(is_s);
    if value.is_empty() {
        return None;
    }
    Some((name, value))
}

/// If `line` ends with the escape character (blanks after it allowed) that
/// is not itself escaped, the text before it.
fn strip_continuation(line: &str, escape: char) -> Option<&str> {
    let t = line.trim_end_matches([' ', '\t']);
    let before = t.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before)
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

pub(crate) fn parse(text: &str) -> Result<Parsed, ParseError> {
    let lines = lines(text);
    let mut dirs = Directives {
        done: false,
        escape: '\\',
        found: Vec::new(),
    };
    let read = read(text, &lines, 0, &mut dirs)?;
    if read.instructions.is_empty() {
        return Err(ParseError::new(
            lines.len().max(1),
            1,
            "file with no instructions".to_string(),
        ));
    }
    Ok(Parsed {
        escape: dirs.escape,
        directives: dirs.found,
        instructions: read.instructions,
        comments: read.comments,
    })
}

/// The instructions and comments of `text[from..to]`, which starts a line
/// (line `first_line`, 0-based) and an instruction, read as [`parse`] reads
/// them there: with the escape character and directives found above it
/// (`directives`; `directives_done` once a line that is none was met).
/// `None` when the piece does not read the same on its own: an error, an
/// instruction or heredoc still open at its end, a new directive.
pub(crate) fn parse_piece(
    text: &str,
    from: usize,
    to: usize,
    first_line: usize,
    escape: char,
    directives: &[Directive],
    directives_done: bool,
) -> Option<(Vec<Instruction>, Vec<Comment>)> {
    let mut lines = lines(&text[from..to]);
    for l in &mut lines {
        l.start += from;
        l.text_end += from;
    }
    let mut dirs = Directives {
        done: directives_done,
        escape,
        found: directives.to_vec(),
    };
    let read = read(text, &lines, first_line, &mut dirs).ok()?;
    let same = dirs.escape == escape && dirs.found.len() == directives.len();
    (same && !read.open && (dirs.done || read.instructions.is_empty()))
        .then_some((read.instructions, read.comments))
}

/// What [`read`] found in its lines.
struct Read {
    instructions: Vec<Instruction>,
    comments: Vec<Comment>,
    /// The last instruction was still continued when the lines ran out.
    open: bool,
}

/// Reads `lines` (of `text`, the first being line `first_line`, 0-based).
fn read(
    text: &str,
    lines: &[Line],
    first_line: usize,
    dirs: &mut Directives,
) -> Result<Read, ParseError> {
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut instructions = Vec::new();
    let mut comments = Vec::new();
    let mut open = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let line_start = if line.start == 0 {
            body_start.min(line.text_end)
        } else {
            line.start
        };
        let raw = &text[line_start..line.text_end];
        let lead = leading_space(raw);
        let first = &raw[lead..];
        let first_at = line_start + lead;
        dirs.look(first, first_at, first_line + i + 1)?;
        i += 1;
        if first.starts_with('#') {
            comments.push(Comment {
                span: Span::new(first_at, line.text_end),
                line: first_line + i,
            });
            continue;
        }
        let start_line = first_line + i;
        let escape = dirs.escape;
        let mut logical = Logical::default();
        let mut last_text_end = line.text_end;
        let mut continued = match strip_continuation(first, escape) {
            Some(before) => {
                logical.push(first_at, before);
                true
            }
            None => {
                if first.is_empty() {
                    continue; // a blank line
                }
                logical.push(first_at, first);
                false
            }
        };
        while continued && i < lines.len() {
            let l = lines[i];
            let raw = &text[l.start..l.text_end];
            dirs.look(raw, l.start, first_line + i + 1)?;
            i += 1;
            if is_comment(raw) {
                let lead = leading_space(raw);
                comments.push(Comment {
                    span: Span::new(l.start + lead, l.text_end),
                    line: first_line + i,
                });
                continue;
            }
            if raw.trim_start().is_empty() {
                continue; // an empty continuation line: BuildKit skips it
            }
            last_text_end = l.text_end;
            match strip_continuation(raw, escape) {
                Some(before) => logical.push(l.start, before),
                None => {
                    logical.push(l.start, raw);
                    continued = false;
                }
            }
        }
        open = continued;
        let mut ins = read_instruction(&logical, 0, escape, start_line)?;
        ins.start_line = start_line;
        ins.end_line = first_line + i;
        // Heredocs: RUN, COPY, ADD in shell form (and inside ONBUILD).
        let target = match &ins.args {
            Args::OnBuild(inner) => inner.as_ref(),
            _ => &ins,
        };
        if target.keyword.takes_heredocs() && !target.is_json() {
            for m in heredoc::markers(logical.text()) {
                let body_start = lines.get(i).map_or(text.len(), |l| l.start);
                let mut found = None;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let cand = &text[l.start..l.text_end];
                    let cand = if m.chomp {
                        cand.trim_start_matches('\t')
                    } else {
                        cand
                    };
                    if cand == m.name {
                        found = Some(l);
                        break;
                    }
                }
                let Some(term) = found else {
                    return Err(ParseError::new(
                        start_line,
                        1,
                        format!(
                            "unterminated heredoc: no line \"{}\" ends the body opened on this line",
                            m.name
                        ),
                    ));
                };
                last_text_end = term.text_end;
                ins.heredocs.push(Heredoc {
                    name: m.name,
                    marker: logical.span(m.start, m.end),
                    body: Span::new(body_start, term.start),
                    terminator: Span::new(term.start, term.text_end),
                    chomp: m.chomp,
                    expand: m.expand,
                    fd: m.fd,
                });
            }
            ins.end_line = first_line + i;
        }
        ins.span = Span::new(ins.keyword_span.start, last_text_end);
        // ONBUILD's inner instruction (and, BuildKit's parser allows it,
        // an ONBUILD inside that) shares the lines, heredocs and logical
        // line, through which its spans (FROM image parts, `${VAR}`s) map.
        let (start_line, end_line, heredocs) = (ins.start_line, ins.end_line, &ins.heredocs);
        let mut args = &mut ins.args;
        while let Args::OnBuild(inner) = args {
            inner.start_line = start_line;
            inner.end_line = end_line;
            inner.span.end = last_text_end;
            inner.heredocs = heredocs.clone();
            inner.logical = logical.clone();
            args = &mut inner.args;
        }
        ins.logical = logical;
        instructions.push(ins);
    }
    Ok(Read {
        instructions,
        comments,
        open,
    })
}

/// Reads one instruction from `logical`, starting at logical offset `from`
/// (0, or after ONBUILD). Lines and heredocs are filled in by the caller.
fn read_instruction(
    logical: &Logical,
    from: usize,
    escape: char,
    line_no: usize,
) -> Result<Instruction, ParseError> {
    let text = logical.text();
    let end = text.trim_end().len().max(from);
    let line = &text[from..end];
    let kw_len = line.bytes().position(words::is_blank).unwrap_or(line.len());
    let keyword_text = &line[..kw_len];
    let keyword = Keyword::parse(keyword_text);
    let mut rest_at = from + kw_len;
    while rest_at < end && words::is_blank(text.as_bytes()[rest_at]) {
        rest_at += 1;
    }
    let (flags, args_start) = if rest_at < end {
        let f = words::extract_flags(&text[rest_at..end]);
        let flags = f
            .flags
            .into_iter()
            .map(|w| Flag {
                span: logical.span(rest_at + w.start, rest_at + w.end),
                text: w.text,
            })
            .collect();
        (flags, rest_at + f.rest)
    } else {
        (Vec::new(), end)
    };
    // Go's strings.TrimSpace on what follows the flags.
    let args_start = args_start + leading_space(&text[args_start..end]);
    let args_text = &text[args_start..end];
    let args_span = logical.span(args_start, end);
    let word = |w: RawWord| Word {
        span: logical.span(args_start + w.start, args_start + w.end),
        text: w.text,
        lstart: args_start + w.start,
    };
    let whole = || Word {
        span: args_span,
        text: args_text.to_string(),
        lstart: args_start,
    };
    let err = |msg: String| ParseError::new(line_no, 1, msg);
    let json_list = |at: usize, t: &str| -> Result<Option<Vec<JsonString>>, ParseError> {
        if !t.starts_with('[') {
            return Ok(None);
        }
        match json::parse_string_array(t) {
            Ok(items) => Ok(Some(
                items
                    .into_iter()
                    .map(|it| JsonString {
                        span: logical.span(at + it.range.start, at + it.range.end),
                        value: it.value,
                    })
                    .collect(),
            )),
            Err(JsonError::NotJson) => Ok(None),
            Err(JsonError::NotStringArray) => Err(err(
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            )),
        }
    };
    let command = |at: usize, t: &str| -> Result<Command, ParseError> {
        Ok(match json_list(at, t)? {
            Some(items) => Command::Exec(items),
            None => Command::Shell(Word {
                span: logical.span(at, at + t.len()),
                text: t.to_string(),
                lstart: at,
            }),
        })
    };
    use Keyword as K;
    let args = if args_text.is_empty() && !matches!(keyword, K::Unknown) {
        Args::Empty
    } else {
        match keyword {
            K::Run | K::Cmd | K::Entrypoint | K::Shell => {
                Args::Command(command(args_start, args_text)?)
            }
            K::Copy | K::Add | K::Volume => match json_list(args_start, args_text)? {
                Some(items) => Args::List(items),
                None => Args::Words(
                    words::split_blanks(args_text)
                        .into_iter()
                        .map(word)
                        .collect(),
                ),
            },
            K::From | K::Expose => Args::Words(
                words::split_blanks(args_text)
                    .into_iter()
                    .map(word)
                    .collect(),
            ),
            K::Env | K::Label => Args::Pairs(pairs(args_text, escape, keyword, &word, &err)?),
            K::Arg => Args::Args(
                words::parse_words(args_text, escape)
                    .into_iter()
                    .map(|w| {
                        let eq = w.text.find('=');
                        let name = RawWord {
                            start: w.start,
                            end: w.start + eq.unwrap_or(w.text.len()),
                            text: w.text[..eq.unwrap_or(w.text.len())].to_string(),
                        };
                        let default = eq.map(|e| RawWord {
                            start: w.start + e + 1,
                            end: w.end.max(w.start + e + 1),
                            text: w.text[e + 1..].to_string(),
                        });
                        ArgDecl {
                            word: word(w),
                            name: word(name),
                            default: default.map(word),
                        }
                    })
                    .collect(),
            ),
            K::Maintainer | K::User | K::Workdir | K::StopSignal => Args::Text(whole()),
            K::Healthcheck => {
                let sep = args_text
                    .bytes()
                    .position(words::is_space_byte)
                    .unwrap_or(args_text.len());
                let kind = word(RawWord {
                    start: 0,
                    end: sep,
                    text: args_text[..sep].to_string(),
                });
                let cmd_at = sep + leading_space(&args_text[sep..]);
                let cmd_text = &args_text[cmd_at..];
                let cmd = if cmd_text.is_empty() {
                    None
                } else {
                    Some(command(args_start + cmd_at, cmd_text)?)
                };
                Args::Healthcheck { kind, cmd }
            }
            K::OnBuild => Args::OnBuild(Box::new(read_instruction(
                logical, args_start, escape, line_no,
            )?)),
            K::Unknown => Args::Unknown((!args_text.is_empty()).then(whole)),
        }
    };
    Ok(Instruction {
        keyword,
        keyword_span: logical.span(from, from + kw_len),
        span: logical.span(from, end),
        start_line: line_no,
        end_line: line_no,
        flags,
        args_span,
        args,
        heredocs: Vec::new(),
        logical: Logical::default(),
    })
}

/// ENV and LABEL pairs, old `K V` and new `K=V ...` forms (BuildKit's parseNameVal).
fn pairs(
    text: &str,
    escape: char,
    keyword: Keyword,
    word: &dyn Fn(RawWord) -> Word,
    err: &dyn Fn(String) -> ParseError,
) -> Result<Vec<Pair>, ParseError> {
    let kw = keyword.as_str().unwrap_or("ENV");
    let ws = words::parse_words(text, escape);
    let Some(first) = ws.first() else {
        return Ok(Vec::new());
    };
    if !first.text.contains('=') {
        // Old form: the key, then everything after the first blank run.
        let parts = words::split_blanks(text);
        let Some(key) = parts.first() else {
            return Ok(Vec::new());
        };
        if parts.len() < 2 {
            return Err(err(format!("{kw} must have two arguments")));
        }
        let vstart = parts[1].start;
        return Ok(vec![Pair {
            key: word(key.clone()),
            value: word(RawWord {
                start: vstart,
                end: text.len(),
                text: text[vstart..].to_string(),
            }),
            equals: false,
        }]);
    }
    ws.into_iter()
        .map(|w| {
            let Some(eq) = w.text.find('=') else {
                return Err(err(format!(
                    "Syntax error - can't find = in {:?}. Must be of the form: name=value",
                    w.text
                )));
            };
            Ok(Pair {
                key: word(RawWord {
                    start: w.start,
                    end: w.start + eq,
                    text: w.text[..eq].to_string(),
                }),
                value: word(RawWord {
                    start: w.start + eq + 1,
                    end: w.end.max(w.start + eq + 1),
                    text: w.text[eq + 1..].to_string(),
                }),
                equals: true,
            })
        })
        .collect()
}
