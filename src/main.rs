// The site build allocates many small strings on both cores; mimalloc's
// thread-local heaps make that markedly cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    folio::cli::main()
}
