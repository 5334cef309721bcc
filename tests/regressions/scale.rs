//! Large inputs for the scale checks (shared by `benches/pipeline.rs` and
//! `tests/regressions.rs`): nothing in dfslim may be quadratic.
#![allow(dead_code)]

/// A Go build whose `RUN apk add` goes on over `lines` continuation lines
/// of about 52 bytes: 100,000 lines make 5 MB.
pub fn continuation_lines(lines: usize) -> String {
    let mut s = String::with_capacity(lines * 54 + 200);
    s.push_str("FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN apk add --no-cache \\\n");
    for i in 0..lines {
        s.push_str(&format!(
            "    package-number-{i:06}-with-a-long-name-to-pad \\\n"
        ));
    }
    s.push_str("    done\nRUN go build -o /app .\nCMD [\"/app\"]\n");
    s
}

/// `stages` Go build stages, each copying the previous one's binary.
pub fn stages(stages: usize) -> String {
    let mut s = String::with_capacity(stages * 100);
    for i in 0..stages {
        s.push_str(&format!("FROM golang:1.21 AS s{i}\nWORKDIR /src\n"));
        if i == 0 {
            s.push_str("COPY . .\n");
        } else {
            s.push_str(&format!(
                "COPY --from=s{} /app{} /app{}\n",
                i - 1,
                i - 1,
                i - 1
            ));
        }
        s.push_str(&format!("RUN go build -o /app{i} ./cmd/{i}\n"));
    }
    s.push_str(&format!("CMD [\"/app{}\"]\n", stages.saturating_sub(1)));
    s
}
