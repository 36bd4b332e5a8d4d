"""A minimal RFC 6455 WebSocket client (handshake, masked text frames out,
text/ping/close frames in), and WsDap: DAP with one message per text frame,
as `wasmscope dap --ws-port` speaks it."""
import base64
import hashlib
import json
import os
import select
import socket
import struct
import time

from dap_wire import Dap

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Handshake:
    def __init__(self, status, headers, sock, rest):
        self.status, self.headers, self.sock, self.rest = status, headers, sock, rest


def handshake(port, headers=(), timeout=5):
    """Sends an upgrade request with extra header lines; returns the HTTP
    status (None if the server closed or said nothing within timeout)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = ["GET / HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *headers]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], deadline - time.monotonic())
        if not ready:
            break
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            break
        data += chunk
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return Handshake(None, {}, sock, b"")
    status_line, *header_lines = head.decode(errors="replace").split("\r\n")
    parts = status_line.split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    got = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    if status == 101:
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if got.get("sec-websocket-accept") != want:
            raise ValueError("101 with a wrong Sec-WebSocket-Accept")
    sock.settimeout(None)
    return Handshake(status, got, sock, rest)


class WsConn:
    def __init__(self, sock, rest=b""):
        self.sock, self.buf, self.closed = sock, rest, False

    def send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self.send_frame(0x1, text.encode())

    def close(self):
        try:
            self.send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()

    def _parse(self):
        """One complete frame from the buffer: (fin, opcode, payload) or None."""
        b = self.buf
        if len(b) < 2:
            return None
        n, i = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, i = struct.unpack(">H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, i = struct.unpack(">Q", b[2:10])[0], 10
        if b[1] & 0x80:   # servers must not mask; unmask anyway
            mask, i = b[i:i + 4], i + 4
        else:
            mask = None
        if len(b) < i + n:
            return None
        payload = b[i:i + n]
        if mask:
            payload = bytes(c ^ mask[j % 4] for j, c in enumerate(payload))
        self.buf = b[i + n:]
        return bool(b[0] & 0x80), b[0] & 0x0F, payload

    def messages(self, timeout):
        """Complete text/binary messages received within timeout ([] if
        none), None once the server closed."""
        out, pending = [], getattr(self, "_pending", b"")
        deadline = time.monotonic() + timeout
        while True:
            frame = self._parse()
            while frame:
                fin, opcode, payload = frame
                if opcode == 0x9:
                    self.send_frame(0xA, payload)
                elif opcode == 0x8:
                    self.closed = True
                elif opcode in (0x0, 0x1, 0x2):
                    pending += payload
                    if fin:
                        out.append(pending)
                        pending = b""
                frame = self._parse()
            self._pending = pending
            if out or self.closed:
                return out if out else None
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                return out
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, OSError):
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buf += chunk


class WsDap(Dap):
    def __init__(self, conn):
        super().__init__()
        self.conn = conn

    def _send(self, data):
        raise TypeError("WebSocket DAP sends whole messages only")

    def _send_message(self, msg):
        self.conn.send_text(json.dumps(msg))

    def _bodies(self, timeout):
        return self.conn.messages(timeout)
