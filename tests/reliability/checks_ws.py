"""Group d over `wasmscope dap --ws-port 0`: the handshake is refused for a
foreign Origin (403) and a missing or wrong token (401), accepted with the
token (and an allowed Origin); an idle connection is closed; a deep
expression does not take the server down; a generated token is printed."""
import os
import re
import secrets
import socket
import time
from functools import partial

import procs
from common import INITIALIZE, SOURCE_MAP, Fail, need, need_ok, need_port, short, start_listening
from dap_wire import describe
from wsclient import WsConn, WsDap, handshake

LISTENING = r"DAP WebSocket server listening at: ws://127\.0\.0\.1:(\d+)"
GOOD_ORIGIN = "http://good.example"


def start(args):
    return start_listening(["--ws-port", "0", *args], LISTENING)


def refused(srv, port, headers, want):
    hs = handshake(need_port(srv, port), headers)
    hs.sock.close()
    if hs.status != want:
        raise Fail(f"HTTP {hs.status} (want {want})" + ("; upgraded" if hs.status == 101 else ""))
    return f"HTTP {hs.status}"


def session(port, headers):
    """An upgraded connection with initialize answered: (WsDap, note)."""
    hs = handshake(port, headers)
    if hs.status != 101:
        hs.sock.close()
        raise Fail(f"HTTP {hs.status} (want 101)")
    return WsDap(WsConn(hs.sock, hs.rest))


def accepted(srv, port, headers):
    dap = session(need_port(srv, port), headers)
    try:
        need_ok(dap.call("initialize", INITIALIZE, 5), "initialize", srv)
        dap.call("disconnect", {}, 5)
    finally:
        dap.conn.close()
    return "101, initialize answered"


def idle_closed(srv, port):
    sock = socket.create_connection(("127.0.0.1", need_port(srv, port)))
    sock.settimeout(10)
    t0 = time.monotonic()
    try:
        while sock.recv(4096):
            pass
        return f"closed after {time.monotonic() - t0:.1f}s"
    except socket.timeout:
        raise Fail("idle connection (no handshake) still open after 10s")
    except ConnectionResetError:
        return f"reset after {time.monotonic() - t0:.1f}s"
    finally:
        sock.close()


def deep_expression(srv, port, auth):
    """5,000 parentheses are enough over WebSocket (smaller thread stack)."""
    dap = session(need_port(srv, port), [auth])
    try:
        need_ok(dap.call("initialize", INITIALIZE, 5), "initialize", srv)
        need_ok(dap.call("launch", {"program": procs.guest("c-O0"), "sourceMap": SOURCE_MAP}, 30), "launch", srv)
        need_ok(dap.call("setFunctionBreakpoints", {"breakpoints": [{"name": "main"}]}), "setFunctionBreakpoints", srv)
        need_ok(dap.call("configurationDone", {}, 10), "configurationDone", srv)
        need(dap.event("stopped", 20), "stopped event at main", srv)
        expression = "(" * 5000 + "1" + ")" * 5000
        resp = need(dap.call("evaluate", {"expression": expression, "context": "repl"}, 20), "evaluate response", srv)
        need_ok(dap.call("threads", timeout=5), "threads after the evaluate", srv)
        dap.call("disconnect", {"terminateDebuggee": True}, 5)
        return f"evaluate: {describe(resp)}"
    finally:
        dap.conn.close()


def generated_token():
    """Without --token-file a token is generated, printed, and required."""
    srv = procs.Server(["dap", "--ws-port", "0"])
    try:
        port = token = None
        deadline = time.monotonic() + 10
        while (port is None or token is None) and time.monotonic() < deadline:
            m = srv.read_line(r"^(?:token: (\S+)|.*ws://127\.0\.0\.1:(\d+))", deadline - time.monotonic())
            if m is None:
                break
            token = m.group(1) or token
            port = int(m.group(2)) if m.group(2) else port
        if port is None or token is None:
            raise Fail(f"missing {'token: line' if token is None else 'listening line'}; {srv.death() or 'alive'}")
        if not re.fullmatch(r"[0-9A-Za-z+/=_-]{32,}", token):
            raise Fail(f"weak or odd token {short(token, 40)}")
        status = handshake(port, []).status
        if status != 401:
            raise Fail(f"without the token: HTTP {status} (want 401)")
        return f"token of {len(token)} chars; " + accepted(srv, port, [f"Authorization: Bearer {token}"])
    finally:
        srv.stop()


def checks(ctx):
    token = secrets.token_hex(24)
    token_file = os.path.join(ctx.tmp, "ws-token")
    with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(token + "\n")
    auth = f"Authorization: Bearer {token}"
    srv, port = start(["--token-file", token_file, "--allow-origin", GOOD_ORIGIN])
    try:
        yield "d-ws-foreign-origin-403", partial(refused, srv, port, ["Origin: http://evil.example", auth], 403)
        yield "d-ws-no-token-401", partial(refused, srv, port, [], 401)
        yield "d-ws-wrong-token-401", partial(refused, srv, port, ["Authorization: Bearer x"], 401)
        wrong = token[:-1] + ("0" if token[-1] != "0" else "1")   # differs in the last character only
        yield "d-ws-near-miss-token-401", partial(refused, srv, port, [f"Authorization: Bearer {wrong}"], 401)
        yield "d-ws-token-accepted", partial(accepted, srv, port, [auth])
        yield "d-ws-allowed-origin-accepted", partial(accepted, srv, port, [f"Origin: {GOOD_ORIGIN}", auth])
        yield "d-ws-idle-connection-closed", partial(idle_closed, srv, port)
        yield "d-ws-evaluate-parens-5000", partial(deep_expression, srv, port, auth)
    finally:
        srv.stop()
    yield "d-ws-generated-token", generated_token
