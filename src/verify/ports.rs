//! The TCP ports a Dockerfile's image EXPOSEs, read with dfslim's own
//! parser and analysis: the EXPOSE instructions of the last stage and of
//! the stages it starts `FROM`, with variables expanded as the build would.
//! The smoke test also adds the ports the built image's config lists (a
//! base image's EXPOSE, a variable only the build knew), see
//! [`super::smoke`].

use crate::analysis::stages::Base;
use crate::syntax::{Document, Keyword};

/// At most this many ports of one image are probed (an EXPOSE range can
/// name thousands).
pub const MAX_PORTS: usize = 16;

/// The exposed TCP ports of the image `doc` builds, in file order.
pub fn exposed_tcp(doc: &Document) -> Vec<u16> {
    let facts = crate::analysis::Facts::of(doc, None).stages;
    // The last stage and the stages it starts from, root first.
    let mut chain = Vec::new();
    let mut next = facts.len().checked_sub(1);
    while let Some(s) = next {
        if chain.contains(&s) {
            break;
        }
        chain.push(s);
        next = match facts[s].base {
            Base::Stage(p) => Some(p),
            _ => None,
        };
    }
    chain.reverse();
    let mut ports = Vec::new();
    for s in chain {
        for i in doc.stages()[s].range() {
            let ins = &doc.instructions()[i];
            if ins.keyword != Keyword::Expose {
                continue;
            }
            let env = &facts[s].at(doc, i).env;
            for w in ins.words() {
                let Some(spec) = env.expand(&w.text, doc.escape()) else {
                    continue;
                };
                for p in tcp_ports(&spec) {
                    if !ports.contains(&p) && ports.len() < MAX_PORTS {
                        ports.push(p);
                    }
                }
            }
        }
    }
    ports
}

/// The TCP container ports of one EXPOSE word as Docker reads it:
/// `8080`, `8080/tcp`, `8000-8002`, `[ip:]hostport:8080` (the last part is
/// the container's); `/udp` and `/sctp` are not TCP.
pub fn tcp_ports(spec: &str) -> Vec<u16> {
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    if !proto.eq_ignore_ascii_case("tcp") {
        return Vec::new();
    }
    let container = ports.rsplit(':').next().unwrap_or(ports);
    let (lo, hi) = container.split_once('-').unwrap_or((container, container));
    match (lo.parse::<u16>(), hi.parse::<u16>()) {
        (Ok(lo), Ok(hi)) if lo > 0 && lo <= hi => (lo..=hi).take(MAX_PORTS).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_specs() {
        assert_eq!(tcp_ports("8080"), [8080]);
        assert_eq!(tcp_ports("8080/TCP"), [8080]);
        assert_eq!(tcp_ports("53/udp"), Vec::<u16>::new());
        assert_eq!(tcp_ports("8089:8089"), [8089]);
        assert_eq!(tcp_ports("127.0.0.1:80:8080/tcp"), [8080]);
        assert_eq!(tcp_ports("8000-8002"), [8000, 8001, 8002]);
        assert_eq!(tcp_ports("$PORT"), Vec::<u16>::new());
        assert_eq!(tcp_ports("0"), Vec::<u16>::new());
    }

    #[test]
    fn last_stage_and_its_parents_with_variables() {
        let doc = Document::parse(
            "FROM golang:1.16 AS build\nEXPOSE 9999\n\
             FROM alpine AS base\nARG P=8080\nEXPOSE $P 53/udp\n\
             FROM base\nENV Q=9090\nEXPOSE ${Q}/tcp 8080\n",
        )
        .unwrap();
        assert_eq!(exposed_tcp(&doc), [8080, 9090]);
    }

    #[test]
    fn unknown_variables_are_left_out() {
        let doc = Document::parse("FROM alpine\nARG P\nEXPOSE $P 8089:8089\n").unwrap();
        assert_eq!(exposed_tcp(&doc), [8089]);
    }
}
