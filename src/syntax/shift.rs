//! Moving parsed parts along the text: after an edit, the instructions
//! behind it are the same parts, `bytes` further and `lines` lower (see
//! [`Document::edited`](super::Document::edited)).

use super::instruction::*;
use super::{Comment, Logical, Span};

/// Where an edit moved everything after it.
#[derive(Clone, Copy)]
pub(crate) struct Shift {
    pub bytes: isize,
    pub lines: isize,
}

impl Shift {
    fn at(self, offset: usize) -> usize {
        offset.wrapping_add_signed(self.bytes)
    }

    fn line(self, line: usize) -> usize {
        line.wrapping_add_signed(self.lines)
    }

    fn span(self, s: &mut Span) {
        s.start = self.at(s.start);
        s.end = self.at(s.end);
    }

    fn word(self, w: &mut Word) {
        self.span(&mut w.span);
    }

    fn strings(self, list: &mut [JsonString]) {
        for s in list {
            self.span(&mut s.span);
        }
    }

    fn command(self, c: &mut Command) {
        match c {
            Command::Exec(list) => self.strings(list),
            Command::Shell(w) => self.word(w),
        }
    }

    pub fn comment(self, c: &mut Comment) {
        self.span(&mut c.span);
        c.line = self.line(c.line);
    }

    pub fn instruction(self, ins: &mut Instruction) {
        self.span(&mut ins.keyword_span);
        self.span(&mut ins.span);
        self.span(&mut ins.args_span);
        ins.start_line = self.line(ins.start_line);
        ins.end_line = self.line(ins.end_line);
        for f in &mut ins.flags {
            self.span(&mut f.span);
        }
        for h in &mut ins.heredocs {
            self.span(&mut h.marker);
            self.span(&mut h.body);
            self.span(&mut h.terminator);
        }
        self.logical(&mut ins.logical);
        match &mut ins.args {
            Args::Empty | Args::Unknown(None) => {}
            Args::Command(c) => self.command(c),
            Args::List(list) => self.strings(list),
            Args::Words(words) => words.iter_mut().for_each(|w| self.word(w)),
            Args::Pairs(pairs) => {
                for p in pairs {
                    self.word(&mut p.key);
                    self.word(&mut p.value);
                }
            }
            Args::Args(decls) => {
                for d in decls {
                    self.word(&mut d.word);
                    self.word(&mut d.name);
                    if let Some(w) = &mut d.default {
                        self.word(w);
                    }
                }
            }
            Args::Text(w) | Args::Unknown(Some(w)) => self.word(w),
            Args::Healthcheck { kind, cmd } => {
                self.word(kind);
                if let Some(c) = cmd {
                    self.command(c);
                }
            }
            Args::OnBuild(inner) => self.instruction(inner),
        }
    }

    fn logical(self, l: &mut Logical) {
        l.shift_sources(self.bytes);
    }
}
