//! A small shell-word lexer with spans, for the commands inside RUN, CMD and
//! ENTRYPOINT text.
//!
//! It is not a shell: it splits text into simple commands (at `&&`, `||`,
//! `;`, `|`, `&`, parentheses and reserved words), each a list of words with
//! their byte ranges and unquoted values, leading `NAME=value` assignments
//! apart and redirections dropped. That is enough to find `go build` in
//! `cd cmd && CGO_ENABLED=0 go build -ldflags "-X a=$V" -o /app .`, see
//! through `sh -c '...'`, and know where to insert or merge a flag.

/// A word: its range in the text, its value with quotes and escapes removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellWord {
    pub start: usize,
    pub end: usize,
    pub value: String,
    /// It expands something at run time (`$X`, `$(..)`, backquotes): `value`
    /// then holds the raw text of those parts.
    pub dynamic: bool,
    /// Unquoted `*`, `?` or `[`: a glob.
    pub glob: bool,
    /// Any part of it was quoted.
    pub quoted: bool,
}

/// A simple command: `NAME=v ... word word ...`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    pub assignments: Vec<ShellWord>,
    pub words: Vec<ShellWord>,
    /// True when the text had redirections, pipes, subshells or other shell
    /// features around this command.
    pub complex: bool,
}

impl SimpleCommand {
    /// The command name (`go`, `/usr/local/go/bin/go` -> `go`).
    pub fn name(&self) -> Option<&str> {
        self.words
            .first()
            .map(|w| w.value.rsplit('/').next().unwrap_or(&w.value))
    }

    /// The value an assignment prefix gives `name`.
    pub fn assignment(&self, name: &str) -> Option<&str> {
        self.assignments.iter().rev().find_map(|w| {
            let (n, v) = w.value.split_once('=')?;
            (n == name).then_some(v)
        })
    }
}

/// The result of lexing: commands in order, and whether the text used shell
/// features beyond simple commands joined by `&&`/`;`.
#[derive(Clone, Debug, Default)]
pub struct Script {
    pub commands: Vec<SimpleCommand>,
    /// Pipes, `||`, redirections, subshells, control flow, background jobs, comments.
    pub uses_shell_features: bool,
    /// Where a comment starts (`# ...` to the end of the text): text added
    /// after it would be commented out.
    pub comment: Option<usize>,
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case",
    "esac", "{", "}", "!", "time",
];

/// Splits `text` into simple commands. `sh -c 'script'` is looked into, with
/// the inner commands' ranges still pointing into `text`.
pub fn parse(text: &str) -> Script {
    let mut lx = Lexer {
        s: text,
        b: text.as_bytes(),
        pos: 0,
        script: Script::default(),
        cur: SimpleCommand::default(),
        redirect_next: false,
    };
    lx.run();
    let mut script = lx.script;
    // Look inside `sh -c '...'`, `env A=b cmd`, `exec cmd`...
    let mut out = Vec::new();
    for c in script.commands.drain(..) {
        expand_wrappers(text, c, &mut out, &mut script.uses_shell_features);
    }
    script.commands = out;
    script
}

fn expand_wrappers(
    text: &str,
    mut c: SimpleCommand,
    out: &mut Vec<SimpleCommand>,
    features: &mut bool,
) {
    loop {
        match c.name() {
            Some("env") => {
                c.words.remove(0);
                while c.words.first().is_some_and(|w| w.value.starts_with('-')) {
                    c.words.remove(0);
                }
                while c.words.first().is_some_and(|w| is_assignment(&w.value)) {
                    let w = c.words.remove(0);
                    c.assignments.push(w);
                }
            }
            Some("exec" | "nohup" | "sudo" | "command") => {
                c.words.remove(0);
            }
            Some("sh" | "bash" | "ash" | "dash" | "zsh") => {
                // sh -c 'script' [name args...]; flags like -e, -x, -ec before it.
                let Some(ci) = c.words.iter().position(|w| {
                    w.value.starts_with('-') && w.value.len() > 1 && w.value[1..].contains('c')
                }) else {
                    break;
                };
                let Some(sw) = c.words.get(ci + 1) else { break };
                // Ranges map through only when the script is one quoted
                // string with nothing escaped in it.
                let raw = &text[sw.start..sw.end];
                let inner = raw.len() >= 2
                    && ((raw.starts_with('\'')
                        && raw.ends_with('\'')
                        && !raw[1..raw.len() - 1].contains('\''))
                        || (raw.starts_with('"')
                            && raw.ends_with('"')
                            && !raw[1..raw.len() - 1].contains(['"', '\\'])));
                if !inner {
                    *features = true;
                    break;
                }
                let base = sw.start + 1;
                let sub = parse(&text[base..sw.end - 1]);
                *features |= sub.uses_shell_features;
                for mut s in sub.commands {
                    for w in s.assignments.iter_mut().chain(s.words.iter_mut()) {
                        w.start += base;
                        w.end += base;
                    }
                    out.push(s);
                }
                return;
            }
            _ => break,
        }
    }
    if !c.words.is_empty() || !c.assignments.is_empty() {
        out.push(c);
    }
}

/// `NAME=...` with a valid shell name.
pub fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((n, _)) => {
            !n.is_empty()
                && n.bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
        None => false,
    }
}

struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    script: Script,
    cur: SimpleCommand,
    /// The next word is a redirection target, not an argument.
    redirect_next: bool,
}

impl Lexer<'_> {
    fn end_command(&mut self) {
        let c = std::mem::take(&mut self.cur);
        if !c.words.is_empty() || !c.assignments.is_empty() {
            self.script.commands.push(c);
        }
    }

    fn push_word(&mut self, w: ShellWord) {
        if std::mem::take(&mut self.redirect_next) {
            return;
        }
        if self.cur.words.is_empty() {
            if !w.quoted && is_assignment(&w.value) {
                self.cur.assignments.push(w);
                return;
            }
            if !w.quoted && self.cur.assignments.is_empty() && RESERVED.contains(&w.value.as_str())
            {
                if w.value != "!" && w.value != "time" {
                    self.script.uses_shell_features = true;
                }
                return;
            }
        }
        self.cur.words.push(w);
    }

    fn run(&mut self) {
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'#' => {
                    // A comment runs to the end of the (joined) line.
                    self.script.uses_shell_features = true;
                    self.script.comment.get_or_insert(self.pos);
                    self.pos = self.b.len();
                }
                b'&' | b'|' | b';' | b'(' | b')' => {
                    let two = self.b.get(self.pos + 1).copied();
                    let op_len = match (c, two) {
                        (b'&', Some(b'&')) | (b'|', Some(b'|')) | (b';', Some(b';')) => 2,
                        (b'&', Some(b'>')) => {
                            self.redirect();
                            continue;
                        }
                        _ => 1,
                    };
                    if !(c == b'&' && op_len == 2) && c != b';' {
                        self.script.uses_shell_features = true;
                    }
                    self.pos += op_len;
                    self.end_command();
                }
                b'<' | b'>' => self.redirect(),
                _ => self.word(),
            }
        }
        self.end_command();
    }

    fn redirect(&mut self) {
        self.script.uses_shell_features = true;
        self.pos += 1;
        while self.pos < self.b.len()
            && matches!(self.b[self.pos], b'<' | b'>' | b'&' | b'-' | b'|')
        {
            self.pos += 1;
        }
        // `2>&1`: the target is glued on.
        if self.pos < self.b.len()
            && self.b[self.pos].is_ascii_digit()
            && self.b[self.pos - 1] == b'&'
        {
            while self.pos < self.b.len() && self.b[self.pos].is_ascii_digit() {
                self.pos += 1;
            }
            return;
        }
        self.redirect_next = true;
    }

    /// Reads one word starting at `pos`.
    fn word(&mut self) {
        let start = self.pos;
        let mut w = ShellWord {
            start,
            end: start,
            value: String::new(),
            dynamic: false,
            glob: false,
            quoted: false,
        };
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b'&' | b'|' | b';' | b'(' | b')' => break,
                b'<' | b'>' => {
                    // `2>file`: a number glued to a redirection is its fd.
                    if w.value.bytes().all(|b| b.is_ascii_digit()) && !w.quoted {
                        w.value.clear();
                    }
                    break;
                }
                b'\'' => {
                    w.quoted = true;
                    let close = self.s[self.pos + 1..]
                        .find('\'')
                        .map_or(self.b.len(), |i| self.pos + 1 + i);
                    w.value.push_str(&self.s[self.pos + 1..close]);
                    self.pos = (close + 1).min(self.b.len());
                }
                b'"' => {
                    w.quoted = true;
                    self.pos += 1;
                    while self.pos < self.b.len() && self.b[self.pos] != b'"' {
                        match self.b[self.pos] {
                            b'\\'
                                if matches!(
                                    self.b.get(self.pos + 1),
                                    Some(b'$' | b'`' | b'"' | b'\\')
                                ) =>
                            {
                                w.value.push(self.b[self.pos + 1] as char);
                                self.pos += 2;
                            }
                            b'$' | b'`' => self.expansion(&mut w),
                            _ => self.push_run(&mut w, &QUOTED_STOP),
                        }
                    }
                    self.pos = (self.pos + 1).min(self.b.len());
                }
                b'\\' => {
                    self.pos += 1;
                    if self.pos < self.b.len() {
                        self.push_char(&mut w);
                    }
                }
                b'$' | b'`' => self.expansion(&mut w),
                b'*' | b'?' | b'[' => {
                    w.glob = true;
                    self.push_char(&mut w);
                }
                _ => self.push_run(&mut w, &WORD_STOP),
            }
        }
        w.end = self.pos;
        if w.end > w.start
            && !(w.value.is_empty()
                && !w.quoted
                && self.pos < self.b.len()
                && matches!(self.b[self.pos], b'<' | b'>'))
        {
            self.push_word(w);
        }
    }

    /// Takes the characters from `pos` up to the next of `special` (all
    /// ASCII, so a char boundary), at least one: a plain stretch of a
    /// word in one copy rather than a character at a time.
    fn push_run(&mut self, w: &mut ShellWord, stop: &[bool; 256]) {
        let n = self.b[self.pos..]
            .iter()
            .skip(1)
            .position(|&c| stop[usize::from(c)])
            .map_or(self.b.len() - self.pos, |n| n + 1);
        // Past the first byte, a stop is an ASCII byte or the end: a char
        // boundary even when the first character is multi-byte.
        let end = self.pos + n;
        w.value.push_str(&self.s[self.pos..end]);
        self.pos = end;
    }

    fn push_char(&mut self, w: &mut ShellWord) {
        let ch = self.s[self.pos..].chars().next().unwrap_or('\u{FFFD}');
        w.value.push(ch);
        self.pos += ch.len_utf8();
    }

    /// `$NAME`, `${...}`, `$(...)`, `` `...` ``: kept raw, marks the word dynamic.
    fn expansion(&mut self, w: &mut ShellWord) {
        let start = self.pos;
        let b = self.b;
        let end = if b[start] == b'`' {
            self.s[start + 1..]
                .find('`')
                .map_or(b.len(), |i| start + 2 + i)
        } else {
            match b.get(start + 1) {
                Some(b'{') => matching(b, start + 1, b'{', b'}'),
                Some(b'(') => matching(b, start + 1, b'(', b')'),
                Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => {
                    let n = b[start + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                    start + 1 + n
                }
                Some(b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => start + 2,
                _ => {
                    // A lone `$` is just a dollar sign.
                    w.value.push('$');
                    self.pos += 1;
                    return;
                }
            }
        };
        w.dynamic = true;
        w.value.push_str(&self.s[start..end]);
        self.pos = end;
    }
}

/// A byte table: true for each of `bytes`.
const fn stops(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// Where a plain stretch of an unquoted word ends.
static WORD_STOP: [bool; 256] = stops(b" \t\n\r&|;()<>'\"\\$`*?[");
/// Where a plain stretch inside double quotes ends.
static QUOTED_STOP: [bool; 256] = stops(b"\"\\$`");

/// The offset just past the bracket matching the one at `open_at`.
fn matching(b: &[u8], open_at: usize, open: u8, close: u8) -> usize {
    let mut depth = 0;
    let mut i = open_at;
    let mut quote = 0u8;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == quote {
                quote = 0;
            } else if c == b'\\' && quote == b'"' {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            quote = c;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(c: &SimpleCommand) -> Vec<&str> {
        c.words.iter().map(|w| w.value.as_str()).collect()
    }

    #[test]
    fn splits_commands_with_spans() {
        let t = r#"cd cmd && CGO_ENABLED=0 go build -ldflags "-X a=$V" -o /app . ; echo done"#;
        let s = parse(t);
        assert_eq!(s.commands.len(), 3);
        assert_eq!(values(&s.commands[0]), ["cd", "cmd"]);
        let go = &s.commands[1];
        assert_eq!(go.assignment("CGO_ENABLED"), Some("0"));
        assert_eq!(
            values(go),
            ["go", "build", "-ldflags", "-X a=$V", "-o", "/app", "."]
        );
        let ld = &go.words[3];
        assert_eq!(&t[ld.start..ld.end], "\"-X a=$V\"");
        assert!(ld.dynamic && ld.quoted);
        assert!(!s.uses_shell_features);
    }

    #[test]
    fn sees_into_sh_c_and_drops_redirections() {
        let t = "sh -c 'go build -o /x . 2>&1' > log.txt";
        let s = parse(t);
        assert_eq!(values(&s.commands[0]), ["go", "build", "-o", "/x", "."]);
        let w = &s.commands[0].words[3];
        assert_eq!(&t[w.start..w.end], "/x");
        assert!(s.uses_shell_features);
    }

    #[test]
    fn control_flow_and_comments() {
        let s = parse("if [ -f x ]; then go build .; fi # note && go vet");
        let names: Vec<_> = s.commands.iter().filter_map(|c| c.name()).collect();
        assert_eq!(names, ["[", "go"]);
        assert!(s.uses_shell_features);
        let s = parse("env -i GOOS=linux go build");
        assert_eq!(s.commands[0].assignment("GOOS"), Some("linux"));
        assert_eq!(values(&s.commands[0]), ["go", "build"]);
        let s = parse(r#"echo "a b" 'c d' e\ f $(date +%s) *.go"#);
        let w = &s.commands[0].words;
        assert_eq!(
            values(&s.commands[0]),
            ["echo", "a b", "c d", "e f", "$(date +%s)", "*.go"]
        );
        assert!(w[4].dynamic && w[5].glob);
    }
}
