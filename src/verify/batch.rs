//! Verifying many Dockerfiles at once, over one or more engines.
//!
//! dfslim schedules nothing beyond handing each file to an engine that
//! exists: `--jobs N` workers take the files in path order; each file goes
//! to the **least busy** engine, the one with the smallest share of its
//! slots in use (running jobs / slots; ties to the one that has finished
//! fewer files, then to the one named first), so an idle engine is always
//! used before a busy one gets a second job. An engine's slots are its CPU
//! count as `docker info` gives it.
//!
//! An engine that stops answering (a build or a run fails and the engine
//! no longer answers `docker version`) is reported and given nothing more;
//! the file it had is retried once on another engine. A file that fails on
//! its own (a build that fails, a smoke test) is never retried: the next
//! engine would say the same.

use super::docker::Docker;
use super::{Error, Options, Prepared, Report};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Instant;

/// An engine to verify on.
#[derive(Clone, Debug)]
pub struct Engine {
    pub docker: Docker,
    /// How many jobs it takes at once when `--jobs` is not given.
    pub slots: usize,
}

impl Engine {
    /// Slots from the engine's CPU count (at least one).
    pub fn new(docker: Docker) -> Engine {
        let slots = docker.ncpu().unwrap_or(1).max(1);
        Engine { docker, slots }
    }
}

/// What one engine did.
#[derive(Clone, Debug, Serialize)]
pub struct EngineReport {
    /// As `--engine` named it (`default`).
    pub name: String,
    /// `client X, engine Y, context Z`.
    pub engine: String,
    pub slots: usize,
    /// Files finished there.
    pub jobs: usize,
    /// Why it was dropped: it stopped answering.
    pub failed: Option<String>,
    /// Tags and container names a job was making there when it stopped
    /// answering: they may still be on it.
    pub may_remain: Vec<String>,
}

/// Sums over every file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub files: usize,
    /// Files dfslim changes.
    pub changed: usize,
    /// Files whose original and rewrite both built.
    pub built: usize,
    pub smoke_failed: usize,
    pub errors: usize,
    /// Sizes of the files where both built.
    pub original_bytes: u64,
    pub rewritten_bytes: u64,
    pub saving_bytes: i64,
    /// How many workers ran side by side.
    pub jobs: usize,
    pub engines_used: usize,
    pub seconds: f64,
}

/// Everything a batch found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// One per file, in the order given.
    pub reports: Vec<Report>,
    pub engines: Vec<EngineReport>,
    pub totals: Totals,
}

impl Outcome {
    /// 0 all fine, 1 a smoke test failed, 2 an error.
    pub fn severity(&self) -> u8 {
        self.reports.iter().map(Report::severity).max().unwrap_or(0)
    }
}

/// A file to verify, or the report of one that could not even be prepared.
#[derive(Clone, Debug)]
pub enum Work {
    Ready(Prepared),
    Failed(Box<Report>),
}

/// What is going on, for a progress display.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A file went to an engine.
    Started { file: &'a str, engine: &'a str },
    /// A file is done (`done` of `total`).
    Finished {
        report: &'a Report,
        done: usize,
        total: usize,
    },
    /// An engine stopped answering and gets nothing more.
    EngineFailed { engine: &'a str, why: &'a str },
}

/// A file waiting for an engine.
struct Pending {
    index: usize,
    /// Engines it failed on because they stopped answering.
    tried: Vec<usize>,
    retried_after: Option<String>,
}

struct State {
    queue: VecDeque<Pending>,
    running: Vec<usize>,
    done_on: Vec<usize>,
    down: Vec<Option<String>>,
    may_remain: Vec<Vec<String>>,
    in_flight: usize,
    results: Vec<Option<Report>>,
    finished: usize,
}

impl State {
    /// The least busy engine that answers and has not failed this file.
    fn pick(&self, engines: &[Engine], tried: &[usize]) -> Option<usize> {
        (0..engines.len())
            .filter(|e| self.down[*e].is_none() && !tried.contains(e))
            .min_by(|&a, &b| {
                let load = |e: usize| self.running[e] as f64 / engines[e].slots as f64;
                load(a)
                    .total_cmp(&load(b))
                    .then(self.running[a].cmp(&self.running[b]))
                    .then(self.done_on[a].cmp(&self.done_on[b]))
                    .then(a.cmp(&b))
            })
    }
}

/// The default `--jobs`: every engine's slots.
pub fn default_jobs(engines: &[Engine]) -> usize {
    engines.iter().map(|e| e.slots).sum::<usize>().max(1)
}

/// Verifies every file of `work` on `engines` with `jobs` workers.
pub fn run_all(
    work: Vec<Work>,
    engines: &[Engine],
    jobs: usize,
    options: &Options,
    events: &(dyn Fn(Event) + Sync),
) -> Outcome {
    let start = Instant::now();
    let total = work.len();
    let mut results = vec![None; total];
    let mut ready: Vec<Option<Prepared>> = vec![None; total];
    let mut queue = VecDeque::new();
    for (index, w) in work.into_iter().enumerate() {
        match w {
            Work::Ready(p) => {
                ready[index] = Some(p);
                queue.push_back(Pending {
                    index,
                    tried: Vec::new(),
                    retried_after: None,
                });
            }
            Work::Failed(r) => results[index] = Some(*r),
        }
    }
    let n = engines.len();
    let already = total - queue.len();
    let state = Mutex::new(State {
        queue,
        running: vec![0; n],
        done_on: vec![0; n],
        down: vec![None; n],
        may_remain: vec![Vec::new(); n],
        in_flight: 0,
        results,
        finished: already,
    });
    let wake = Condvar::new();
    let workers = jobs.max(1).min(total.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| worker(&state, &wake, &ready, engines, options, events, total));
        }
    });
    let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
    let reports: Vec<Report> = st
        .results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                let p = ready[i].as_ref().expect("a file with no report was ready");
                Report::failed(p, "not verified (a worker stopped)".to_string())
            })
        })
        .collect();
    let engines: Vec<EngineReport> = engines
        .iter()
        .enumerate()
        .map(|(i, e)| EngineReport {
            name: e.docker.endpoint.name().to_string(),
            engine: e.docker.describe(),
            slots: e.slots,
            jobs: st.done_on[i],
            failed: st.down[i].clone(),
            may_remain: st.may_remain[i].clone(),
        })
        .collect();
    let totals = totals(&reports, &engines, workers, start.elapsed().as_secs_f64());
    Outcome {
        reports,
        engines,
        totals,
    }
}

fn totals(reports: &[Report], engines: &[EngineReport], jobs: usize, seconds: f64) -> Totals {
    let mut t = Totals {
        files: reports.len(),
        jobs,
        engines_used: engines.iter().filter(|e| e.jobs > 0).count(),
        seconds: (seconds * 100.0).round() / 100.0,
        ..Totals::default()
    };
    for r in reports {
        t.changed += usize::from(r.changed);
        t.smoke_failed += usize::from(r.smoke_failed());
        t.errors += usize::from(r.error.is_some());
        if let (Some(a), Some(b)) = (r.original.size_bytes, r.rewritten.size_bytes) {
            t.built += 1;
            t.original_bytes += a;
            t.rewritten_bytes += b;
        }
    }
    t.saving_bytes = t.original_bytes as i64 - t.rewritten_bytes as i64;
    t
}

fn worker(
    state: &Mutex<State>,
    wake: &Condvar,
    ready: &[Option<Prepared>],
    engines: &[Engine],
    options: &Options,
    events: &(dyn Fn(Event) + Sync),
    total: usize,
) {
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        // Take a file and an engine for it, or finish.
        let (pending, e) = {
            let mut st = lock();
            loop {
                if let Some(p) = st.queue.pop_front() {
                    if let Some(e) = st.pick(engines, &p.tried) {
                        st.running[e] += 1;
                        st.in_flight += 1;
                        break (p, e);
                    }
                    let prepared = ready[p.index].as_ref().expect("queued files are ready");
                    let why = match &p.retried_after {
                        Some(first) => format!("{first}; no other engine is left to retry on"),
                        None => "no engine answers any more".to_string(),
                    };
                    let report = Report::failed(prepared, why);
                    st.finished += 1;
                    let done = st.finished;
                    st.results[p.index] = Some(report.clone());
                    drop(st);
                    events(Event::Finished {
                        report: &report,
                        done,
                        total,
                    });
                    st = lock();
                } else if st.in_flight == 0 {
                    wake.notify_all();
                    return;
                } else {
                    st = wake.wait(st).unwrap_or_else(|e| e.into_inner());
                }
            }
        };
        let index = pending.index;
        let prepared = ready[index].as_ref().expect("queued files are ready");
        let engine = &engines[e];
        events(Event::Started {
            file: &prepared.shown,
            engine: engine.docker.endpoint.name(),
        });
        let result = super::run(prepared, &engine.docker, options, &mut |_| {});
        let mut st = lock();
        st.running[e] -= 1;
        st.in_flight -= 1;
        let mut failed_engine = None;
        let report = match result {
            Ok(mut r) => {
                r.retried_after = pending.retried_after.clone();
                st.done_on[e] += 1;
                Some(r)
            }
            Err(Error::EngineLost { why, left }) => {
                st.may_remain[e].extend(left);
                if st.down[e].is_none() {
                    st.down[e] = Some(why.clone());
                    failed_engine = Some(why.clone());
                }
                if pending.tried.is_empty() {
                    let mut again = pending;
                    again.tried.push(e);
                    again.retried_after = Some(why);
                    st.queue.push_front(again);
                    None
                } else {
                    let first = pending.retried_after.unwrap_or_default();
                    Some(Report::failed(
                        prepared,
                        format!("{first}; retried, and then {why}"),
                    ))
                }
            }
            Err(other) => {
                let mut r = Report::failed(prepared, other.to_string());
                r.retried_after = pending.retried_after.clone();
                Some(r)
            }
        };
        let done = report.as_ref().map(|r| {
            st.finished += 1;
            st.results[index] = Some(r.clone());
            st.finished
        });
        wake.notify_all();
        drop(st);
        if let Some(why) = &failed_engine {
            events(Event::EngineFailed {
                engine: engine.docker.endpoint.name(),
                why,
            });
        }
        if let (Some(report), Some(done)) = (&report, done) {
            events(Event::Finished {
                report,
                done,
                total,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::docker::{Builder, Endpoint};

    fn engine(name: &str, slots: usize) -> Engine {
        Engine {
            docker: Docker {
                program: "docker".into(),
                endpoint: Endpoint::parse(name),
                buildx_builder: None,
                client_version: "28".into(),
                server_version: "20".into(),
                context: "default".into(),
                builder: Builder::Legacy,
                notes: Vec::new(),
            },
            slots,
        }
    }

    fn state(n: usize) -> State {
        State {
            queue: VecDeque::new(),
            running: vec![0; n],
            done_on: vec![0; n],
            down: vec![None; n],
            may_remain: vec![Vec::new(); n],
            in_flight: 0,
            results: Vec::new(),
            finished: 0,
        }
    }

    #[test]
    fn least_busy_by_share_of_slots_then_order() {
        let engines = [engine("a", 2), engine("b", 4)];
        let mut st = state(2);
        assert_eq!(
            st.pick(&engines, &[]),
            Some(0),
            "ties go to the first named"
        );
        st.running[0] = 1;
        assert_eq!(st.pick(&engines, &[]), Some(1), "an idle engine first");
        st.running[1] = 1;
        // a: 1/2 busy, b: 1/4 busy.
        assert_eq!(st.pick(&engines, &[]), Some(1));
        st.running[1] = 2;
        // Both half busy: fewer running jobs wins.
        assert_eq!(st.pick(&engines, &[]), Some(0));
        // Both idle: the one that has done fewer files (so --jobs 1 still
        // spreads), then the first named.
        let engines = [engine("a", 2), engine("b", 2)];
        let mut st = state(2);
        st.done_on[0] = 1;
        assert_eq!(st.pick(&engines, &[]), Some(1));
        st.done_on[1] = 1;
        assert_eq!(st.pick(&engines, &[]), Some(0));
    }

    #[test]
    fn a_failed_or_tried_engine_gets_nothing() {
        let engines = [engine("a", 1), engine("b", 1)];
        let mut st = state(2);
        st.down[0] = Some("gone".into());
        assert_eq!(st.pick(&engines, &[]), Some(1));
        assert_eq!(st.pick(&engines, &[1]), None);
        st.down[0] = None;
        assert_eq!(st.pick(&engines, &[0]), Some(1));
    }
}
