//! `wasmscope serve`: runs a wasi:http/proxy component as an HTTP server,
//! as `wasmtime serve` does; with no program, the bundled example
//! (examples/http-routes).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use wasmscope_runtime::{ServeOptions, serve_http};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The wasi:http/proxy component (default: the bundled example, with a
    /// fast route /hello/NAME, a slow one /work/N and /crash, which traps).
    pub program: Option<PathBuf>,
    /// Where to listen (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// An environment variable every request sees (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let program = match &args.program {
        Some(program) => program.clone(),
        None => super::bundled::server_example()?.program,
    };
    let mut env = Vec::new();
    for pair in &args.env {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("`--env {pair}`: write NAME=VALUE");
        };
        env.push((name.to_owned(), value.to_owned()));
    }
    let options = ServeOptions { program, addr: args.addr, env };
    serve_http(&options, |addr| {
        // `wasmtime serve`'s words, on standard error, so scripts and
        // tests can wait for them.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("Serving HTTP on http://{addr}/");
        }
    })
}
