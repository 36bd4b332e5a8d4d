//! Live profiles of `wasmscope serve` through its agent, under load from wrk
//! (scripts/install-toolchains.sh installs it): samples shared between
//! routes as their work is, inlined frames placed in the source, host time
//! shown; `go tool pprof` (Debian's golang) reads the pprof endpoint with the
//! token; and what a client is told when the agent is not one, the token is
//! wrong, a profile is already running or the server goes away.

#![allow(clippy::unwrap_used)]

mod agent_server;

use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use agent_server::{Server, TOKEN, serve_with_agent, serve_with_agent_on};
use serde_json::Value;
use wasmscope_test_support::{guest, http, repo_root};

/// Held by each test that loads a server: the machine has few cores, and
/// two loaded servers at once would measure the scheduler, not the profile
/// (see README, "Profiling a running server": oversubscribed cores skew the
/// shares a few points).
static ONE_LOAD_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_load_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_LOAD_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// wrk, closed-loop on two connections, cycling through `paths` (so each
/// is asked equally often) for `seconds`.
fn load(server: &Server, paths: &[&str], seconds: u32) -> Child {
    load_on(server, paths, seconds, 2)
}

fn load_on(server: &Server, paths: &[&str], seconds: u32, connections: u32) -> Child {
    let script = server.dir.0.join("paths.lua");
    let list: Vec<String> = paths.iter().map(|p| format!("\"{p}\"")).collect();
    std::fs::write(
        &script,
        format!(
            "local paths = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", \
             paths[(i % #paths) + 1])\nend\n",
            list.join(", ")
        ),
    )
    .unwrap();
    Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "-s"])
        .arg(&script)
        .arg(format!("http://{}", server.http))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("wrk (scripts/install-toolchains.sh installs it)")
}

/// `wasmscope profile --connect` the server's agent, with `args`.
fn profile_command(agent: SocketAddr, token: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
    command.args(["profile", "--connect", &format!("ws://{agent}")]).args(args).env("WASMSCOPE_TOKEN", token);
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Samples per root frame (the route) of a speedscope profile, and its frames.
fn route_samples(profile: &Value) -> (Vec<(String, f64)>, Vec<Value>) {
    let frames = profile["shared"]["frames"].as_array().unwrap().clone();
    let sampled = &profile["profiles"][0];
    let mut per_route: Vec<(String, f64)> = Vec::new();
    for (stack, weight) in sampled["samples"].as_array().unwrap().iter().zip(sampled["weights"].as_array().unwrap()) {
        let root = frames[stack[0].as_u64().unwrap() as usize]["name"].as_str().unwrap().to_owned();
        let weight = weight.as_f64().unwrap();
        match per_route.iter_mut().find(|(name, _)| *name == root) {
            Some((_, total)) => *total += weight,
            None => per_route.push((root, weight)),
        }
    }
    (per_route, frames)
}

/// The lines of function `name`'s body in routes.c (its signature line to
/// the closing brace).
fn body_lines(name: &str) -> std::ops::RangeInclusive<u64> {
    let source = std::fs::read_to_string(repo_root().join("examples/http-routes/routes.c")).unwrap();
    let lines: Vec<&str> = source.lines().collect();
    let start =
        lines.iter().position(|l| l.starts_with("static uint32_t ") && l.contains(&format!(" {name}("))).unwrap();
    let end = start + lines[start..].iter().position(|l| *l == "}").unwrap();
    (start as u64 + 1)..=(end as u64 + 1)
}

#[test]
fn under_load_each_route_gets_the_share_of_samples_its_work_has() {
    let _alone = one_load_at_a_time();
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    // /work/N runs N rounds of the same loop: the second costs 3x the first
    // per request, and wrk asks for each as often; /hello is nearly free.
    let wrk = load(&server, &["/work/1000000", "/work/3000000", "/hello/bob"], 12);
    std::thread::sleep(Duration::from_secs(1));
    let out = server.dir.0.join("live.json");
    let output = profile_command(server.agent, TOKEN, &["--duration", "5", "--format", "speedscope", "-o"])
        .arg(&out)
        .args(["--route", "/work/1000000", "--route", "/work/3000000"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stderr(&output);
    let profile: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let (routes, frames) = route_samples(&profile);
    let share = |route: &str| routes.iter().find(|(name, _)| name == route).map_or(0.0, |(_, n)| *n);
    let (light, heavy, hello) = (share("GET /work/1000000"), share("GET /work/3000000"), share("GET /hello/bob"));
    let total: f64 = routes.iter().map(|(_, n)| n).sum();
    assert!(total >= 500.0, "too few samples to judge: {routes:?}\n{summary}");
    let heavy_share = heavy / (light + heavy);
    assert!(
        (heavy_share - 0.75).abs() <= 0.05,
        "the 3x route has {heavy_share:.3} of the work's samples: {routes:?}\n{summary}"
    );
    assert!(hello / total < 0.10, "the nearly free route has {:.3} of the samples: {routes:?}", hello / total);
    // wrk asked for both equally often: the server counted them so.
    let requests = |route: &str| -> f64 {
        let after = summary.split(&format!("{route} ")).nth(1).unwrap_or_else(|| panic!("{route} in {summary}"));
        after.split(" requests").next().unwrap().rsplit(", ").next().unwrap().parse().unwrap()
    };
    let (n_light, n_heavy) = (requests("GET /work/1000000"), requests("GET /work/3000000"));
    assert!((n_light - n_heavy).abs() <= 0.05 * n_light.max(n_heavy) + 2.0, "{n_light} vs {n_heavy}: {summary}");

    // The inlined helpers, placed in routes.c at lines of their bodies.
    for (name, function) in [("mix_[i]", "mix"), ("checksum_[i]", "checksum")] {
        let frame =
            frames.iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("no {name} frame in {frames:?}"));
        assert!(frame["file"].as_str().unwrap().ends_with("routes.c"), "{frame}");
        assert!(body_lines(function).contains(&frame["line"].as_u64().unwrap()), "{frame}");
    }
    // Time in host calls, as leaves named after the import.
    assert!(frames.iter().any(|f| f["name"].as_str().unwrap().starts_with("wasi:http/types@")), "{frames:?}");
    assert!(summary.contains("routes: GET /work/3000000"), "{summary}");
    let _ = wait_for(wrk);
}

#[test]
fn a_server_profiled_under_load_of_its_cheapest_route_serves_on() {
    let _alone = one_load_at_a_time();
    // Samples then often land in trampolines entered from host code, whose
    // frame pointer is the host's (any value): the walk must not fault on
    // it. Without the checked reads a round crashed the server about one
    // time in three.
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    let wrk = load_on(&server, &["/hello/bob", "/hello/alice?x=1"], 12, 4);
    for (round, rate) in ["1000", "10000", "1000"].into_iter().enumerate() {
        let out = server.dir.0.join(format!("hello-{round}.folded"));
        let output = profile_command(server.agent, TOKEN, &["--duration", "3", "--rate", rate, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "round {round}: {}", stderr(&output));
        let folded = std::fs::read_to_string(&out).unwrap();
        assert!(folded.lines().any(|l| l.starts_with("GET /hello/bob;")), "round {round}: {folded}");
    }
    let _ = wait_for(wrk);
    assert_eq!(http::get(server.http, "/hello/after").text(), "Hello, after!\n");
}

#[test]
fn over_tls_a_live_profile_is_taken_with_wss_and_the_servers_certificate() {
    let _alone = one_load_at_a_time();
    let server = serve_with_agent_on(&guest("http-routes-O2-component"), "127.0.0.1:0", true);
    let wrk = load(&server, &["/work/2000000"], 4);
    let (out, cert) = (server.dir.0.join("tls.folded"), server.dir.0.join("cert.pem"));
    let wss = |extra: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
        command.args(["profile", "--connect", &format!("wss://{}", server.agent), "--duration", "2", "-o"]);
        command.arg(&out).args(extra).env("WASMSCOPE_TOKEN", TOKEN).output().unwrap()
    };
    // The self-signed certificate is not among the web's roots.
    let untrusted = wss(&[]);
    assert!(!untrusted.status.success());
    assert!(stderr(&untrusted).contains("TLS"), "{}", stderr(&untrusted));
    // A missing certificate file, or one given for ws://, is said at once.
    let missing = wss(&["--ca-file", "/nonexistent/ca.pem"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("/nonexistent/ca.pem"), "{}", stderr(&missing));
    let plain = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["profile", "--connect", &format!("ws://{}", server.agent), "--duration", "1", "--ca-file"])
        .arg(&cert)
        .env("WASMSCOPE_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(!plain.status.success());
    assert!(stderr(&plain).contains("applies to wss://"), "{}", stderr(&plain));
    let trusted = wss(&["--ca-file", cert.to_str().unwrap()]);
    assert!(trusted.status.success(), "{}", stderr(&trusted));
    let folded = std::fs::read_to_string(&out).unwrap();
    assert!(folded.lines().any(|l| l.starts_with("GET /work/:id;") && l.contains("mix_[i]")), "{folded}");
    let _ = wait_for(wrk);
}

fn wait_for(mut child: Child) -> std::process::ExitStatus {
    child.wait().unwrap()
}

#[test]
fn go_tool_pprof_reads_the_pprof_endpoint_with_the_token_and_nothing_runs_without_it() {
    let _alone = one_load_at_a_time();
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    let wrk = load(&server, &["/work/2000000", "/hello/bob"], 8);
    let home = server.dir.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let url = format!("http://pprof:{TOKEN}@{}/debug/pprof/profile?seconds=3", server.agent);
    let go = |url: &str| {
        Command::new("go")
            .args(["tool", "pprof", "-top", url])
            .env("HOME", &home)
            .env("PPROF_TMPDIR", &home)
            .env("GOCACHE", home.join("cache"))
            .output()
            .expect("go (Debian's golang-go; scripts/install-toolchains.sh installs it)")
    };
    let output = go(&url);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(text.contains("mix"), "{text}");
    assert!(text.contains("GET /work/:id"), "{text}");

    let refused = go(&url.replace(TOKEN, "not-the-token-at-all-1234"));
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("401"), "{}", stderr(&refused));
    let plain = http::request(server.agent, "GET", "/debug/pprof/profile?seconds=1", &[]).unwrap();
    assert_eq!(plain.status, 401);
    let _ = wait_for(wrk);
}

#[test]
fn a_client_hears_what_is_wrong_and_a_profile_cut_short_is_still_written() {
    let _alone = one_load_at_a_time();
    let mut server = serve_with_agent(&guest("http-routes-O2-component"));
    let out = server.dir.0.join("cut.folded");
    let run = |agent: SocketAddr, token: &str| {
        profile_command(agent, token, &["--duration", "2", "-o"]).arg(&out).output().unwrap()
    };
    // Not an agent: the HTTP server itself.
    let not_agent = run(server.http, TOKEN);
    assert!(!not_agent.status.success());
    assert!(stderr(&not_agent).contains("agent"), "{}", stderr(&not_agent));
    let wrong = run(server.agent, "not-the-token-at-all-1234");
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).contains("401"), "{}", stderr(&wrong));

    // A second profile while one runs is refused with the reason.
    let mut first = profile_command(server.agent, TOKEN, &["--duration", "4", "-o"])
        .arg(server.dir.0.join("first.folded"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let second = run(server.agent, TOKEN);
    assert!(!second.status.success());
    assert!(stderr(&second).contains("already running"), "{}", stderr(&second));
    assert!(first.wait().unwrap().success());

    // The server goes away mid-profile: what came is written, and said.
    let wrk = load(&server, &["/work/2000000"], 6);
    let cut = profile_command(server.agent, TOKEN, &["--duration", "20", "-o"])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    server.child.kill().unwrap();
    let output = cut.wait_with_output().unwrap();
    let said = stderr(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("cut short"), "{said}");
    let folded = std::fs::read_to_string(&out).unwrap();
    assert!(folded.lines().any(|l| l.starts_with("GET /work/:id;") && l.contains("mix_[i]")), "{folded}");
    let _ = wait_for(wrk);
}
