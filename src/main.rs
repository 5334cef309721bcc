mod cli;

/// Many small allocations per file on every thread: mimalloc's thread-local
/// heaps beat glibc's malloc here (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
