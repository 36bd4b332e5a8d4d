"""What the checks share: the failure type, the one-line-error rule, the
control-byte rule, and DAP sessions (stdio server, launch, stop at main)."""
import contextlib

import procs
from dap_wire import StreamDap, describe, ok

# What `wasmscope` prints today for an error (main.rs: `wasmscope: error: {err:#}`,
# e.g. on a missing file); every refusal must have this form, on one line.
ERROR_PREFIX = "wasmscope: error:"
RSS_LIMIT_MB = 500
SOURCE_MAP = {"/wasmscope": str(procs.ROOT)}   # build.sh remaps the checkout to /wasmscope
MAIN_C = str(procs.ROOT / "tests" / "guests" / "c" / "main.c")


class Fail(Exception):
    pass


def short(text, n=110):
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    text = text.strip()
    return repr(text[:n]) if len(text) <= n else repr(text[:n]) + "…"


def control_chars(data):
    """Raw control characters in output (C0 but tab/newline, DEL, C1)."""
    text = data.decode(errors="replace") if isinstance(data, bytes) else data
    return sorted({c for c in text if (ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F})


def expect_no_crash(res, limit_mb=RSS_LIMIT_MB):
    if res.over_memory:
        raise Fail(f"RSS over {limit_mb} MB after {res.secs:.1f}s (killed)")
    if res.timed_out:
        raise Fail(f"still running after {res.secs:.0f}s (killed); stderr {short(res.err)}")
    if res.rc < 0:
        raise Fail(f"killed by signal {-res.rc}; stderr {short(res.err)}")
    if res.rc == 101:
        raise Fail(f"exit 101 (Rust panic): {short(res.err)}")
    if res.peak_mb > limit_mb:
        raise Fail(f"RSS peaked at {res.peak_mb:.0f} MB")


def stderr_lines(res):
    return [line for line in res.err.decode(errors="replace").splitlines() if line.strip()]


def expect_one_line_error(res, mentions=None):
    """Refused: non-zero exit, stderr exactly one `wasmscope: error:` line
    without control characters (naming `mentions` if given)."""
    expect_no_crash(res)
    if res.rc == 0:
        raise Fail(f"exit 0 (accepted); stderr {short(res.err)}")
    lines = stderr_lines(res)
    if len(lines) != 1:
        raise Fail(f"exit {res.rc}, stderr has {len(lines)} lines: {short(res.err)}")
    if not lines[0].startswith(ERROR_PREFIX):
        raise Fail(f"exit {res.rc}, stderr not `{ERROR_PREFIX}`: {short(lines[0])}")
    bad = control_chars(res.err)
    if bad:
        raise Fail(f"control characters {bad!r} in stderr")
    if mentions and mentions not in lines[0]:
        raise Fail(f"error does not name {mentions}: {short(lines[0])}")
    return f"exit {res.rc} in {res.secs:.1f}s: {short(lines[0], 70)}"


def need(msg, what, srv=None):
    """msg, or Fail saying nothing came (and why, if the server died)."""
    if msg is None:
        death = srv.death() if srv is not None else ""
        raise Fail(f"no {what}" + (f"; {death}" if death else ""))
    return msg


def need_ok(msg, what, srv=None):
    need(msg, f"{what} response", srv)
    if not ok(msg):
        raise Fail(f"{what}: {describe(msg)}")
    return msg


INITIALIZE = {"clientID": "reliability", "adapterID": "wasmscope", "pathFormat": "path",
              "linesStartAt1": True, "columnsStartAt1": True}


def initialize(dap, srv=None, timeout=5):
    return need_ok(dap.call("initialize", INITIALIZE, timeout), "initialize", srv)


def launch(dap, program, args=(), srv=None, function_breakpoints=(), extra=None):
    """initialize, launch, function breakpoints, configurationDone."""
    initialize(dap, srv)
    arguments = {"program": program, "args": list(args), "sourceMap": SOURCE_MAP, **(extra or {})}
    need_ok(dap.call("launch", arguments, 30), "launch", srv)
    need(dap.event("initialized", 10), "initialized event", srv)
    if function_breakpoints:
        bps = [{"name": n} for n in function_breakpoints]
        need_ok(dap.call("setFunctionBreakpoints", {"breakpoints": bps}), "setFunctionBreakpoints", srv)
    need_ok(dap.call("configurationDone", {}, 10), "configurationDone", srv)


def stopped_at_main(dap, srv, program=None):
    """Launches the C guest (or `program`) and waits for its stop at main;
    returns the thread id."""
    mark = len(dap.messages)
    launch(dap, program or procs.guest("c-O0"), srv=srv, function_breakpoints=["main"])
    stop = need(dap.event("stopped", 20, since=mark), "stopped event at main", srv)
    return stop.get("body", {}).get("threadId", 1)


@contextlib.contextmanager
def stdio_session():
    """`wasmscope dap` on stdio; at the end: disconnect, EOF, and it must exit."""
    srv = procs.Server(["dap"])
    dap = StreamDap(read_fd=srv.proc.stdout.fileno(), write_fd=srv.proc.stdin.fileno())
    try:
        yield srv, dap
    except OSError as e:   # broken pipe, or the server stopped reading
        raise Fail(f"{type(e).__name__}: {e}; {srv.death() or 'server alive'}") from e
    finally:
        if srv.alive():
            try:
                dap.call("disconnect", {"terminateDebuggee": True}, 5)
            except OSError:
                pass
        srv.stop(close_stdin=True)


def start_listening(args, listening):
    """`wasmscope dap ARGS` and the port its `listening` line names (None if
    it never says)."""
    srv = procs.Server(["dap", *args])
    m = srv.read_line(listening, 10)
    return srv, (int(m.group(1)) if m else None)


def need_port(srv, port):
    if port is None:
        raise Fail(f"server did not start: {srv.death() or 'no listening line in 10s'}")
    return port
