//! Instructions and their parts, with the byte span of every part.

use super::{ImageRef, Logical, Span};

/// The instruction keyword, matched case-insensitively as BuildKit does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    From,
    Run,
    Cmd,
    Entrypoint,
    Shell,
    Env,
    Label,
    Arg,
    Copy,
    Add,
    Workdir,
    User,
    Expose,
    Volume,
    StopSignal,
    Healthcheck,
    OnBuild,
    Maintainer,
    /// Kept as written: BuildKit's parser accepts it, its build rejects it.
    Unknown,
}

impl Keyword {
    pub fn parse(word: &str) -> Keyword {
        use Keyword::*;
        // Unicode lower-casing, as Go's strings.ToLower (the Kelvin sign is a `k`).
        let lower = if word.is_ascii() {
            word.to_ascii_lowercase()
        } else {
            word.to_lowercase()
        };
        match lower.as_str() {
            "from" => From,
            "run" => Run,
            "cmd" => Cmd,
            "entrypoint" => Entrypoint,
            "shell" => Shell,
            "env" => Env,
            "label" => Label,
            "arg" => Arg,
            "copy" => Copy,
            "add" => Add,
            "workdir" => Workdir,
            "user" => User,
            "expose" => Expose,
            "volume" => Volume,
            "stopsignal" => StopSignal,
            "healthcheck" => Healthcheck,
            "onbuild" => OnBuild,
            "maintainer" => Maintainer,
            _ => Unknown,
        }
    }

    /// The keyword in upper case (`None` for an unknown one).
    pub fn as_str(self) -> Option<&'static str> {
        use Keyword::*;
        Some(match self {
            From => "FROM",
            Run => "RUN",
            Cmd => "CMD",
            Entrypoint => "ENTRYPOINT",
            Shell => "SHELL",
            Env => "ENV",
            Label => "LABEL",
            Arg => "ARG",
            Copy => "COPY",
            Add => "ADD",
            Workdir => "WORKDIR",
            User => "USER",
            Expose => "EXPOSE",
            Volume => "VOLUME",
            StopSignal => "STOPSIGNAL",
            Healthcheck => "HEALTHCHECK",
            OnBuild => "ONBUILD",
            Maintainer => "MAINTAINER",
            Unknown => return None,
        })
    }

    /// RUN, COPY and ADD may carry heredocs.
    pub fn takes_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

/// A piece of an instruction as written, with its BuildKit reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Where it is in the source.
    pub span: Span,
    /// Its text with continuations removed (quotes kept unless said otherwise).
    pub text: String,
    /// Where it starts in the instruction's logical text.
    pub lstart: usize,
}

/// A `--name[=value]` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub span: Span,
    /// The flag as BuildKit reads it: quotes removed, e.g. `--chown=a b`.
    pub text: String,
}

impl Flag {
    /// The name without dashes: `from` for `--from=builder`.
    pub fn name(&self) -> &str {
        let body = self.text.trim_start_matches('-');
        body.split_once('=').map_or(body, |(n, _)| n)
    }

    /// The value after `=`, if any.
    pub fn value(&self) -> Option<&str> {
        self.text.split_once('=').map(|(_, v)| v)
    }
}

/// One element of a JSON (exec) form array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonString {
    /// The literal, quotes included.
    pub span: Span,
    /// The decoded string.
    pub value: String,
}

/// A command in exec or shell form (RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Exec(Vec<JsonString>),
    Shell(Word),
}

/// `KEY=value` or the old `KEY value` in ENV and LABEL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub key: Word,
    /// The value as written (quotes and escapes kept); may be empty.
    pub value: Word,
    /// False for the old `KEY value` form.
    pub equals: bool,
}

/// `NAME` or `NAME=default` in ARG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgDecl {
    /// The whole word.
    pub word: Word,
    pub name: Word,
    pub default: Option<Word>,
}

/// The arguments of an instruction, read the way BuildKit reads that keyword.
#[derive(Clone, Debug)]
pub enum Args {
    /// Nothing after the keyword (and flags).
    Empty,
    /// RUN, CMD, ENTRYPOINT, SHELL.
    Command(Command),
    /// COPY, ADD, VOLUME in JSON form.
    List(Vec<JsonString>),
    /// FROM, EXPOSE; COPY, ADD, VOLUME in shell form: blank-separated words.
    Words(Vec<Word>),
    /// ENV, LABEL.
    Pairs(Vec<Pair>),
    /// ARG.
    Args(Vec<ArgDecl>),
    /// MAINTAINER, USER, WORKDIR, STOPSIGNAL: the rest of the line as one string.
    Text(Word),
    /// HEALTHCHECK: `NONE`, or `CMD` and its command.
    Healthcheck { kind: Word, cmd: Option<Command> },
    /// ONBUILD and the instruction it holds.
    OnBuild(Box<Instruction>),
    /// An unknown instruction's text after its keyword.
    Unknown(Option<Word>),
}

/// A heredoc body attached to RUN, COPY or ADD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word, unquoted.
    pub name: String,
    /// The `<<EOF` marker on the instruction line.
    pub marker: Span,
    /// The body: from the line after the instruction (or the previous
    /// terminator) to the start of the terminator line.
    pub body: Span,
    /// The terminator line's text (without its newline).
    pub terminator: Span,
    pub chomp: bool,
    pub expand: bool,
    pub fd: Option<u32>,
}

/// One instruction, with the span of the whole and of every part.
#[derive(Clone, Debug)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written (its case is the file's convention).
    pub keyword_span: Span,
    /// From the keyword to the end of the last line that carries text (the
    /// last heredoc terminator included), without the final newline.
    pub span: Span,
    /// First and last line, 1-based and inclusive, counted as BuildKit counts
    /// them: comment and blank lines swallowed by a continuation belong here.
    pub start_line: usize,
    pub end_line: usize,
    pub flags: Vec<Flag>,
    /// The arguments after the flags (heredoc bodies excluded).
    pub args_span: Span,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// The joined text of the instruction's lines, as BuildKit reads it.
    pub logical: Logical,
}

impl Instruction {
    /// The first flag named `name` (`from` for `--from=...`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// True for the JSON (exec) form.
    pub fn is_json(&self) -> bool {
        match &self.args {
            Args::Command(Command::Exec(_)) | Args::List(_) => true,
            Args::Healthcheck { cmd, .. } => matches!(cmd, Some(Command::Exec(_))),
            _ => false,
        }
    }

    /// The command of RUN, CMD, ENTRYPOINT and SHELL.
    pub fn command(&self) -> Option<&Command> {
        match &self.args {
            Args::Command(c) => Some(c),
            _ => None,
        }
    }

    /// The instruction inside ONBUILD.
    pub fn onbuild_inner(&self) -> Option<&Instruction> {
        match &self.args {
            Args::OnBuild(i) => Some(i),
            _ => None,
        }
    }

    /// The words of FROM, EXPOSE and shell-form COPY/ADD/VOLUME.
    pub fn words(&self) -> &[Word] {
        match &self.args {
            Args::Words(w) => w,
            _ => &[],
        }
    }

    pub fn pairs(&self) -> &[Pair] {
        match &self.args {
            Args::Pairs(p) => p,
            _ => &[],
        }
    }

    pub fn arg_decls(&self) -> &[ArgDecl] {
        match &self.args {
            Args::Args(a) => a,
            _ => &[],
        }
    }

    /// The string argument of MAINTAINER, USER, WORKDIR, STOPSIGNAL.
    pub fn text_arg(&self) -> Option<&Word> {
        match &self.args {
            Args::Text(w) => Some(w),
            _ => None,
        }
    }

    /// FROM read as `image [AS name]`; `None` for other keywords or shapes
    /// BuildKit would reject (it wants one or three words).
    pub fn from(&self) -> Option<From> {
        if self.keyword != Keyword::From {
            return None;
        }
        let w = self.words();
        let alias = match w.len() {
            1 => None,
            3 if w[1].text.eq_ignore_ascii_case("as") => Some(w[2].clone()),
            _ => return None,
        };
        let image = ImageRef::parse(&w[0], &self.logical);
        Some(From {
            image,
            as_keyword: alias.as_ref().map(|_| w[1].clone()),
            alias,
            platform: self.flag("platform").cloned(),
        })
    }
}

/// The typed view of `FROM [--platform=P] image [AS name]`.
#[derive(Clone, Debug)]
pub struct From {
    pub image: ImageRef,
    pub as_keyword: Option<Word>,
    pub alias: Option<Word>,
    pub platform: Option<Flag>,
}
