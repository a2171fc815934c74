// The site build allocates many small strings on both cores; mimalloc's
// thread-local heaps make that markedly cheaper than glibc's malloc. Built
// with `no_thp` (Cargo.toml): with transparent huge pages, each fresh 2 MiB
// page is zeroed in the kernel at first touch, which on a 60,000-invoice
// repository cost a build seconds of system time and 5% of its peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    folio::cli::main()
}
