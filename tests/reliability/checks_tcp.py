"""Groups c and f over `wasmscope dap --port 0`: a browser's cross-protocol
POST, an idle connection and a second client (c); a client that reads 1
byte/s while the guest floods its output (f)."""
import re
import time
from functools import partial

import procs
from common import INITIALIZE, Fail, initialize, launch, need, need_ok, need_port, start_listening
from dap_wire import StreamDap, describe, frame, ok, tcp_connect

LISTENING = r"DAP server listening at: 127\.0\.0\.1:(\d+)"
BUSY = re.compile(r"busy|another (client|session)|already (in use|connected|serving)", re.I)


def start():
    return start_listening(["--port", "0"], LISTENING)


def http_post(srv, port):
    """A web page's fetch() to the port: the DAP frame in its body must not
    be executed; the server closes the connection."""
    sock = tcp_connect(need_port(srv, port))
    body = frame({"seq": 1, "type": "request", "command": "initialize", "arguments": INITIALIZE})
    sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: text/plain\r\n\r\n" % port + body)
    dap = StreamDap(sock)
    closed = dap.wait_eof(10)
    sock.close()
    answered = [m for m in dap.messages if m.get("type") == "response"]
    if answered:
        raise Fail(f"executed: {answered[0].get('command')} answered ({describe(answered[0])})")
    if not closed:
        raise Fail("connection still open after 10s")
    return "closed without a response"


def idle_and_second(srv, port, state):
    """A connects and says nothing; 0.5 s later B connects and sends
    initialize. A must be closed within 10 s; B must within 10 s be served,
    or told the server is busy (output event) and closed."""
    a = StreamDap(tcp_connect(need_port(srv, port)))
    t0 = time.monotonic()
    time.sleep(0.5)
    b = StreamDap(tcp_connect(port))
    seq = b.request("initialize", INITIALIZE)
    tb = time.monotonic()
    a_closed, b_outcome, resp = None, None, None
    while time.monotonic() < max(t0, tb) + 10 and (a_closed is None or b_outcome is None):
        if a_closed is None:
            if not a.pump(0.05):
                a_closed = time.monotonic() - t0
        if b_outcome is None:
            b.pump(0.05)
            resp = next((m for m in b.messages if m.get("request_seq") == seq), None)
            busy = [m for m in b.messages if m.get("event") == "output" and BUSY.search(m["body"].get("output", ""))]
            if ok(resp):
                b_outcome = "served"
            elif busy and b.eof:   # an error response besides is fine
                b_outcome = f"told busy and closed after {time.monotonic() - tb:.1f}s"
            elif b.eof:
                b_outcome = f"closed without a busy output event (initialize: {describe(resp)})"
    if b_outcome == "served":
        b.call("disconnect", {}, 5)
    if b_outcome is None and resp is not None:
        b_outcome = f"initialize {describe(resp)}, then not closed within 10s"
    state["a"] = f"closed after {a_closed:.1f}s" if a_closed is not None and a_closed <= 10 else None
    state["b"] = b_outcome
    a.sock.close()
    b.sock.close()
    if state["a"] is None:
        raise Fail("idle connection still open after 10s")
    return state["a"]


def during_session(srv, port):
    """While a session is active, a second client is served or told the
    server is busy (output event) and closed within 10 s; the first
    session goes on."""
    a = StreamDap(tcp_connect(need_port(srv, port)))
    b = None
    try:
        initialize(a, srv)
        b = StreamDap(tcp_connect(port))
        seq = b.request("initialize", INITIALIZE)
        closed = b.wait_eof(10)
        resp = next((m for m in b.messages if m.get("request_seq") == seq), None)
        busy = [m for m in b.messages if m.get("event") == "output" and BUSY.search(m["body"].get("output", ""))]
        if ok(resp):
            outcome = "served alongside"
        elif not closed:
            raise Fail(f"initialize {describe(resp)}; not closed within 10s")
        elif not busy:
            raise Fail(f"closed without a busy output event (initialize: {describe(resp)})")
        else:
            outcome = "told busy and closed"
        need_ok(a.call("threads", timeout=5), "threads on the first session", srv)
        a.call("disconnect", {}, 5)
        return outcome
    finally:
        a.sock.close()
        if b:
            b.sock.close()


def second_client(state):
    outcome = state.get("b")
    if outcome is None:
        raise Fail("second client got nothing within 10s (silence)")
    if outcome != "served" and not outcome.startswith("told busy"):
        raise Fail(outcome)
    return outcome


def fresh_client(srv, port):
    sock = tcp_connect(need_port(srv, port))
    try:
        dap = StreamDap(sock)
        initialize(dap, srv)
        dap.call("disconnect", {}, 5)
    finally:
        sock.close()
    return "initialize answered"


def slow_client(secs, state):
    """Memory stays under 200 MB while the flood guest writes to a client
    that reads 1 byte/s; pause and disconnect work after; memory after the
    client left is under 200 MB; the next client is served."""
    srv, port = start()
    state["srv"], state["port"] = srv, port
    sock = tcp_connect(need_port(srv, port), rcvbuf=4096)
    dap = StreamDap(sock)
    state["dap"] = dap
    launch(dap, procs.guest("hostile-flood-O0"), srv=srv)
    peak, t0 = srv.rss_mb(), time.monotonic()
    samples = state["samples"] = []
    while time.monotonic() - t0 < secs:
        tick = time.monotonic()
        chunk = dap.recv_raw(1, 1.0)
        if chunk:
            dap.feed(chunk)
        samples.append((time.monotonic() - t0, srv.rss_mb()))
        peak = max(peak, samples[-1][1])
        if peak > 400 or not srv.alive():   # already failed: spare the machine
            break
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    slow = time.monotonic() - t0
    if not srv.alive():
        raise Fail(srv.death())
    if peak >= 200:
        raise Fail(f"RSS {peak:.0f} MB after {slow:.0f}s of a 1 byte/s reader")
    return f"peak RSS {peak:.0f} MB over {slow:.0f}s"


def slow_memory_bounded(state):
    """Bounded, not merely slow to grow: over the second half of the slow
    phase (queues long full) RSS grows by less than 1 MB/s."""
    samples = state.get("samples") or []
    half = [(t, rss) for t, rss in samples if t >= samples[-1][0] / 2] if samples else []
    if len(half) < 3:
        raise Fail("too few RSS samples (slow phase cut short)")
    (t1, r1), (t2, r2) = half[0], half[-1]
    slope = (r2 - r1) / (t2 - t1)
    if slope >= 1:
        raise Fail(f"RSS grew {r2 - r1:.0f} MB in {t2 - t1:.0f}s ({slope:.1f} MB/s) to {r2:.0f} MB: unbounded")
    return f"{r1:.0f} → {r2:.0f} MB over the last {t2 - t1:.0f}s"


def slow_then_pause(state):
    dap, srv = state.get("dap"), state.get("srv")
    if dap is None:
        raise Fail("no session (slow-client setup failed)")
    thread = next((m["body"].get("threadId", 1) for m in dap.messages if m.get("event") == "thread"), 1)
    t0 = time.monotonic()
    resp = need(dap.call("pause", {"threadId": thread}, 10), "pause response within 10s of reading fast", srv)
    return f"pause {describe(resp)} after {time.monotonic() - t0:.1f}s"


def slow_then_disconnect(state):
    """disconnect is answered within 10 s; once the client left, the
    server's RSS is under 200 MB within 10 s."""
    dap, srv = state.get("dap"), state.get("srv")
    if dap is None:
        raise Fail("no session (slow-client setup failed)")
    resp = dap.call("disconnect", {"terminateDebuggee": True}, 10)
    dap.sock.close()
    t0 = time.monotonic()
    while True:
        rss = srv.rss_mb()
        if rss < 200 or time.monotonic() - t0 > 10:
            break
        time.sleep(0.5)
    problems = ([] if resp else ["no disconnect response in 10s"]) + ([f"RSS {rss:.0f} MB 10s after the client left"] if rss >= 200 else [])
    if problems:
        raise Fail("; ".join(problems) + (f"; {srv.death()}" if srv.death() else ""))
    return f"RSS {rss:.0f} MB {time.monotonic() - t0:.1f}s after the client left"


def slow_then_next(state):
    """The next client is served within 10 s (a busy answer meanwhile is retried)."""
    srv, port = state.get("srv"), state.get("port")
    if srv is None:
        raise Fail("no server")
    t0 = time.monotonic()
    while True:
        try:
            return fresh_client(srv, port) + f" after {time.monotonic() - t0:.1f}s"
        except Fail as e:
            if time.monotonic() - t0 > 10:
                raise Fail(f"not served within 10s: {e}")
            time.sleep(1)


def checks(ctx):
    srv, port = start()
    try:
        yield "c-tcp-http-post-closed", partial(http_post, srv, port)
        state = {}
        yield "c-tcp-idle-connection-closed", partial(idle_and_second, srv, port, state)
        yield "c-tcp-second-client-answered", partial(second_client, state)
        yield "c-tcp-client-during-session-told-busy", partial(during_session, srv, port)
        yield "c-tcp-fresh-client-served", partial(fresh_client, srv, port)
    finally:
        srv.stop()
    slow = {}
    try:
        yield f"f-slow-client-memory-{ctx.slow_secs}s", partial(slow_client, ctx.slow_secs, slow)
        yield "f-slow-client-memory-bounded", partial(slow_memory_bounded, slow)
        yield "f-slow-client-pause", partial(slow_then_pause, slow)
        yield "f-slow-client-disconnect-frees-memory", partial(slow_then_disconnect, slow)
        yield "f-slow-client-next-client-served", partial(slow_then_next, slow)
    finally:
        if "srv" in slow:
            slow["srv"].stop()
