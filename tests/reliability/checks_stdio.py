"""Groups b, e, g over `wasmscope dap` on stdio: malformed frames and
hostile expressions (b), the `source` request (e), deep, trapping and
out-of-memory guests (g). One server process per check, so a crash in one
does not fail the next."""
import os
import tempfile
from functools import partial

import procs
from common import (INITIALIZE, MAIN_C, Fail, expect_no_crash, launch, need, need_ok, short, stdio_session,
                    stopped_at_main)
from dap_wire import describe, frame, ok

THREADS = {"seq": 1, "type": "request", "command": "threads"}
PARENS = "(" * 20000 + "1" + ")" * 20000


def _sized(body, delta):
    raw = frame(body)
    head, _, data = raw.partition(b"\r\n\r\n")
    return b"Content-Length: %d\r\n\r\n" % (len(data) + delta) + data


GARBAGE = {
    "bad-json": frame(b"{not json}") + frame(b'{"seq":1,"type":"request","command":'),
    "missing-command": frame({"seq": 1, "type": "request", "arguments": {}}),
    "oversized-length": b"Content-Length: 1099511627776\r\n\r\n",
    "length-plus-one": _sized(THREADS, +1) + frame(THREADS) + frame(THREADS),
    "length-minus-one": _sized(THREADS, -1) + frame(THREADS) + frame(THREADS),
    "header-garbage": b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n\x00\xff\xfe\x1b[31m junk\r\n\r\nX-Nonsense: 1\r\n\r\n",
}


def resync(kind):
    """A valid request first (so the stream is DAP), then the garbage, then
    `initialize`: answered with success within 5 s. An oversized length must
    also be reported by an `output` event before that answer."""
    with stdio_session() as (srv, dap):
        need(dap.call("threads", timeout=5), "answer to a first valid request", srv)
        mark = len(dap.messages)
        dap.send_raw(GARBAGE[kind])
        seq = dap.request("initialize", INITIALIZE)
        resp = need_ok(dap.response(seq, 5), "initialize after the bad input", srv)
        before = dap.messages[mark:dap.messages.index(resp)]
        outputs = [m for m in before if m.get("event") == "output"]
        if kind == "oversized-length" and not outputs:
            raise Fail("initialize answered, but no output event about the oversized frame before it")
        said = short(outputs[0]["body"].get("output", ""), 60) if outputs else "no output event"
        return f"initialize answered; {said}"


def hostile_eval(expression):
    """Stopped at main (so the expression is really parsed): the hostile
    evaluate gets a response (success or error), then `threads` succeeds."""
    with stdio_session() as (srv, dap):
        thread = stopped_at_main(dap, srv)
        trace = need_ok(dap.call("stackTrace", {"threadId": thread, "levels": 1}), "stackTrace", srv)
        frame_id = trace["body"]["stackFrames"][0]["id"]
        sane = need_ok(dap.call("evaluate", {"expression": "1+2", "frameId": frame_id, "context": "repl"}), "evaluate 1+2", srv)
        if sane["body"].get("result") != "3":
            raise Fail(f"evaluate 1+2 gave {sane['body'].get('result')!r}")
        resp = need(dap.call("evaluate", {"expression": expression, "frameId": frame_id, "context": "repl"}, 20),
                    "evaluate response", srv)
        need_ok(dap.call("threads", timeout=5), "threads after the evaluate", srv)
        return f"evaluate: {describe(resp)}"


def hostile_condition():
    """The same nesting as a breakpoint condition, judged when main is hit."""
    with stdio_session() as (srv, dap):
        need_ok(dap.call("initialize", INITIALIZE), "initialize", srv)
        need_ok(dap.call("launch", {"program": procs.guest("c-O0")}, 30), "launch", srv)
        resp = need(dap.call("setFunctionBreakpoints", {"breakpoints": [{"name": "main", "condition": PARENS}]}, 20),
                    "setFunctionBreakpoints response", srv)
        need(dap.call("configurationDone", {}, 20), "configurationDone response", srv)
        dap.wait(lambda m: m.get("event") in ("stopped", "terminated"), 10)
        need_ok(dap.call("threads", timeout=5), "threads after the condition", srv)
        return f"setFunctionBreakpoints: {describe(resp)}"


def console_print():
    res = procs.run(["debug", procs.guest("c-O0"), "-b", "main", "-x", f"run; print {PARENS}; continue"], 30)
    expect_no_crash(res)
    return f"exit {res.rc}"


def source_requests():
    """`source` serves the files the program's DWARF names, nothing else."""
    with stdio_session() as (srv, dap):
        stopped_at_main(dap, srv)
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
            f.write("int not_a_source_of_the_program;\n")
            secret = f.name
        try:
            refused = []
            for path in ("/etc/hostname", secret, os.path.join(os.path.dirname(MAIN_C), "../../../../../etc/hostname")):
                resp = need(dap.call("source", {"source": {"path": path}, "sourceReference": 0}), f"source response for {path}", srv)
                if ok(resp):
                    refused.append(path)
            served = need(dap.call("source", {"source": {"path": MAIN_C}, "sourceReference": 0}), "source response for main.c", srv)
        finally:
            os.unlink(secret)
        if refused:
            raise Fail(f"served files the program does not name: {', '.join(refused)}")
        if not ok(served) or "wasmscope C test guest" not in served["body"].get("content", ""):
            raise Fail(f"main.c not served: {describe(served)}")
        return "3 foreign paths refused, main.c served"


def _end(dap, srv, since, timeout):
    return need(dap.wait(lambda m: m.get("event") in ("exited", "stopped", "terminated"), timeout, since),
                "exited/stopped event", srv)


def runs_to_end(program, args, expect_text, timeout):
    with stdio_session() as (srv, dap):
        mark = len(dap.messages)
        launch(dap, procs.guest(program), args, srv)
        end = _end(dap, srv, mark, timeout)
        body = end.get("body", {})
        if end["event"] == "stopped":
            raise Fail(f"stopped ({body.get('reason')}: {short(body.get('description') or body.get('text', ''), 80)})")
        if end["event"] != "exited" or body.get("exitCode") != 0:
            raise Fail(f"{end['event']} {body}")
        dap.event("terminated", 3, since=mark)
        if expect_text not in dap.output_text():
            raise Fail(f"output lacks {expect_text!r}: {short(dap.output_text(), 80)}")
        return "exit 0, output right"


def trap_then_inspect(program, args):
    """Stops on the trap (reason exception); stackTrace, scopes and variables
    of frames 0 and 1 are answered (success or error); threads succeeds."""
    with stdio_session() as (srv, dap):
        mark = len(dap.messages)
        launch(dap, procs.guest(program), args, srv)
        stop = _end(dap, srv, mark, 120)
        body = stop.get("body", {})
        if stop["event"] != "stopped" or body.get("reason") != "exception":
            raise Fail(f"expected a stop on the trap, got {stop['event']} {body}")
        thread = body.get("threadId", 1)
        missing, answers = [], []
        trace = dap.call("stackTrace", {"threadId": thread, "startFrame": 0, "levels": 20}, 20)
        if trace is None:
            missing.append("stackTrace")
        frames = trace["body"]["stackFrames"] if ok(trace) else []
        ids = [f["id"] for f in frames[:2]] or [1, 2]   # ask anyway: the server must not die on bad ids
        for n, frame_id in enumerate(ids):
            scopes = dap.call("scopes", {"frameId": frame_id}, 20)
            if scopes is None:
                missing.append(f"scopes of frame {n}")
                continue
            answers.append(ok(scopes))
            for scope in scopes.get("body", {}).get("scopes", []) if ok(scopes) else []:
                ref = scope.get("variablesReference", 0)
                if ref and dap.call("variables", {"variablesReference": ref}, 20) is None:
                    missing.append(f"variables of {scope.get('name')} in frame {n}")
        if missing:
            raise Fail(f"no response to {', '.join(missing)}; {srv.death() or 'server alive'}")
        need_ok(dap.call("threads", timeout=5), "threads after inspecting", srv)
        stack = f"{len(frames)} frames" if ok(trace) else f"stackTrace {describe(trace)}"
        return f"{short(body.get('description') or body.get('text', ''), 40)}; {stack}"


def console(args, commands, expect=None):
    res = procs.run(["debug", procs.guest("hostile-deep-O0"), "-x", commands, "--", *args], 90)
    expect_no_crash(res)
    if expect and (res.rc != 0 or expect.encode() not in res.out):
        raise Fail(f"exit {res.rc}, stdout {short(res.out[-200:], 80)}, stderr {short(res.err, 80)}")
    return f"exit {res.rc} in {res.secs:.1f}s"


def checks(ctx):
    for kind in GARBAGE:
        yield f"b-stdio-{kind}", partial(resync, kind)
    yield "b-evaluate-parens-20000", partial(hostile_eval, PARENS)
    yield "b-evaluate-unary-minus-100000", partial(hostile_eval, "- " * 100000 + "1")
    yield "b-evaluate-plus-1000000", partial(hostile_eval, "1+" * 1000000 + "1")
    # The same shapes under a 64 KiB length limit, so depth itself is tried.
    yield "b-evaluate-not-60000", partial(hostile_eval, "!" * 60000 + "1")
    yield "b-evaluate-plus-30000", partial(hostile_eval, "1+" * 30000 + "1")
    yield "b-evaluate-paren-minus-15000", partial(hostile_eval, "(-" * 15000 + "1" + ")" * 15000)
    yield "b-condition-parens-20000", hostile_condition
    yield "b-console-print-parens-20000", console_print
    yield "e-source-only-program-files", source_requests
    yield "g-deep-10000-runs", partial(runs_to_end, "hostile-deep-O0", ["10000"], "deep 10000 = 50005000", 60)
    yield "g-deep-trap-inspect", partial(trap_then_inspect, "hostile-deep-O0", ["10000000"])
    yield "g-oom-runs", partial(runs_to_end, "hostile-oom-O0", [], "blocks of 1 MiB", 120)
    yield "g-oom-trap-inspect", partial(trap_then_inspect, "hostile-oom-O0", ["trap"])
    yield "g-console-deep-10000", partial(console, ["10000"], "run", "deep 10000 = 50005000")
    yield "g-console-deep-trap-locals", partial(console, ["10000000"], "run; bt; locals")
