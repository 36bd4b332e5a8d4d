"""A DAP client small enough to trust: Content-Length framing over a pipe or
a socket (or whole messages over WebSocket, wsclient.WsDap), requests,
and waiting for responses and events with deadlines.

Every message received is kept in `messages`, except output events past
the first 5000 (a flooding guest sends millions): those are only counted."""
import json
import os
import select
import socket
import time

KEEP_OUTPUT = 5000
SEND_TIMEOUT = 20


def frame(body):
    """A Content-Length frame around a dict (as JSON) or raw bytes."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Dap:
    """The protocol side; subclasses supply _send(bytes) and _bodies(timeout)
    (message bodies received within timeout, [] on timeout, None at EOF)."""

    def __init__(self):
        self.seq = 100
        self.messages = []
        self.outputs_kept = 0
        self.outputs_dropped = 0
        self.output_bytes = 0
        self.eof = False

    # -- sending --
    def send_raw(self, data):
        self._send(data)

    def request(self, command, arguments=None):
        self.seq += 1
        msg = {"seq": self.seq, "type": "request", "command": command}
        if arguments is not None:
            msg["arguments"] = arguments
        self._send_message(msg)
        return self.seq

    def _send_message(self, msg):
        self._send(frame(msg))

    # -- receiving --
    def _take(self, body):
        if self.outputs_kept >= KEEP_OUTPUT and b'"event":"output"' in body[:80]:
            self.outputs_dropped += 1
            self.output_bytes += len(body)
            return
        try:
            msg = json.loads(body)
        except ValueError:
            msg = {"type": "unparseable", "raw": body[:200]}
        if msg.get("event") == "output":
            self.outputs_kept += 1
            self.output_bytes += len(body)
        self.messages.append(msg)

    def pump(self, timeout):
        """Reads what arrives within timeout; False at EOF."""
        if self.eof:
            return False
        bodies = self._bodies(timeout)
        if bodies is None:
            self.eof = True
            return False
        for b in bodies:
            self._take(b)
        return True

    def wait(self, pred, timeout, since=0):
        """First message from index `since` matching pred, within timeout;
        None on timeout or EOF."""
        deadline = time.monotonic() + timeout
        i = since
        while True:
            while i < len(self.messages):
                if pred(self.messages[i]):
                    return self.messages[i]
                i += 1
            left = deadline - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.2)):
                return None

    def response(self, seq, timeout):
        return self.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == seq, timeout)

    def call(self, command, arguments=None, timeout=10):
        """Sends a request; its response or None (timeout/EOF)."""
        return self.response(self.request(command, arguments), timeout)

    def event(self, name, timeout, since=0):
        return self.wait(lambda m: m.get("type") == "event" and m.get("event") == name, timeout, since)

    def output_text(self):
        return "".join(m.get("body", {}).get("output", "") for m in self.messages if m.get("event") == "output")

    def wait_eof(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self.pump(min(0.2, deadline - time.monotonic()))
        return self.eof


class StreamDap(Dap):
    """Content-Length frames over a byte stream: a socket, or a pair of pipe fds."""

    def __init__(self, sock=None, read_fd=None, write_fd=None):
        super().__init__()
        self.sock, self.read_fd, self.write_fd = sock, read_fd, write_fd
        self.buf = b""
        self.raw_received = 0

    def _send(self, data):
        """Writes all of data, or TimeoutError if the server stops reading
        (a blocking write would hang the suite)."""
        if self.sock is not None:
            self.sock.settimeout(SEND_TIMEOUT)
            try:
                self.sock.sendall(data)
            except socket.timeout:
                raise TimeoutError(f"server read none of our input for {SEND_TIMEOUT}s")
            finally:
                self.sock.settimeout(None)
            return
        os.set_blocking(self.write_fd, False)
        deadline = time.monotonic() + SEND_TIMEOUT
        view = memoryview(data)
        while view:
            if not select.select([], [self.write_fd], [], max(0, deadline - time.monotonic()))[1]:
                raise TimeoutError(f"server read none of our input for {SEND_TIMEOUT}s")
            try:
                view = view[os.write(self.write_fd, view):]
            except BlockingIOError:
                pass

    def recv_raw(self, n, timeout):
        """Up to n bytes within timeout (b'' on timeout), None at EOF."""
        fd = self.sock if self.sock is not None else self.read_fd
        ready, _, _ = select.select([fd], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            chunk = self.sock.recv(n) if self.sock is not None else os.read(self.read_fd, n)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            return None
        self.raw_received += len(chunk)
        return chunk

    def feed(self, chunk):
        """Adds received bytes and parses every complete frame."""
        buf = self.buf + chunk
        pos = 0   # parse in place: slicing per message would be quadratic
        while True:
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                break
            length = None
            for line in buf[pos:end].split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length is None:   # a server must never send this
                raw = json.dumps(buf[pos:end][:100].decode(errors="replace"))
                self._take(b'{"type":"bad-header","raw":' + raw.encode() + b"}")
                pos = end + 4
                continue
            if len(buf) < end + 4 + length:
                break
            self._take(buf[end + 4:end + 4 + length])
            pos = end + 4 + length
        self.buf = buf[pos:]

    def _bodies(self, timeout):
        chunk = self.recv_raw(1 << 20, timeout)
        if chunk is None:
            return None
        self.feed(chunk)
        return []


def tcp_connect(port, rcvbuf=None, timeout=5):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(None)
    return sock


def ok(msg):
    return msg is not None and msg.get("success") is True


def describe(msg):
    """A response in a few words, for failure reasons."""
    if msg is None:
        return "no response"
    if msg.get("success"):
        return "success"
    return f"error {msg.get('message', '')!r}"[:140]
