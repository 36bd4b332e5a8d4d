"""Starting wasmscope processes with time and memory limits, reading their
memory (VmRSS of the whole process tree), and finding what was left behind.

Every process is started in a session of its own (start_new_session), so its
process group is ours to kill and /proc's session id finds its descendants."""
import os
import re
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUESTS = Path(os.environ.get("WASMSCOPE_GUESTS", ROOT / "target" / "guests"))

STARTED = []      # pids (= session ids) of everything the suite started
LEFTOVERS = []    # processes that did not end on their own when they should have


def binary():
    path = Path(os.environ.get("WASMSCOPE") or ROOT / "target" / "debug" / "wasmscope")
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise SystemExit(f"reliability: no wasmscope binary at {path} (set $WASMSCOPE or build it)")
    return str(path)


def guest(name):
    path = GUESTS / f"{name}.wasm"
    if not path.is_file():
        raise SystemExit(f"reliability: missing guest {path} (run tests/guests/build.sh)")
    return str(path)


def _stat(pid):
    """(state, ppid, session) of pid, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[3])


def _all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def tree(pid):
    """pid and its descendants (by parent links)."""
    children = {}
    for p in _all_pids():
        st = _stat(p)
        if st:
            children.setdefault(st[1], []).append(p)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid):
    """VmRSS of pid and all its descendants, in MiB (0 once gone)."""
    total_kb = 0
    for p in tree(pid):
        try:
            m = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text(), re.M)
        except OSError:
            continue
        if m:
            total_kb += int(m.group(1))
    return total_kb / 1024


def session_members(sessions):
    """Live (non-zombie) pids whose session id is in `sessions`."""
    out = []
    for p in _all_pids():
        st = _stat(p)
        if st and st[2] in sessions and st[0] != "Z":
            out.append(p)
    return out


def survivors():
    """Live processes in any session the suite started, described."""
    out = []
    for p in session_members(set(STARTED)):
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmd = "?"
        out.append(f"{p} {cmd.strip()[:80]}")
    return out


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Result:
    def __init__(self, args, rc, out, err, secs, peak_mb, timed_out, over_memory):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.secs, self.peak_mb, self.timed_out, self.over_memory = secs, peak_mb, timed_out, over_memory


def run(args, timeout, rss_cap_mb=500, stdin=subprocess.DEVNULL, stdout=None, cwd=None):
    """Runs BINARY ARGS; kills it (and records why) past `timeout` seconds or
    past `rss_cap_mb` of RSS. stdout/stderr go to files so a flood cannot
    block it nor fill our memory; at most 1 MiB of each is read back."""
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        start = time.monotonic()
        proc = subprocess.Popen([binary(), *args], stdin=stdin, stdout=stdout or out_f, stderr=err_f,
                                cwd=cwd, start_new_session=True)
        STARTED.append(proc.pid)
        peak, timed_out, over = 0.0, False, False
        while proc.poll() is None:
            peak = max(peak, rss_mb(proc.pid))
            elapsed = time.monotonic() - start
            if elapsed > timeout or peak > rss_cap_mb:
                timed_out, over = elapsed > timeout, peak > rss_cap_mb
                _kill_group(proc.pid)
                proc.wait()
                break
            time.sleep(0.03)
        secs = time.monotonic() - start
        left = session_members({proc.pid})
        if left:   # descendants of an exited process: a leak
            LEFTOVERS.append(f"{args[0]}: {len(left)} child process(es) after exit")
            _kill_group(proc.pid)
        out_f.seek(0)
        err_f.seek(0)
        return Result(args, proc.returncode, out_f.read(1 << 20), err_f.read(1 << 20), secs, peak, timed_out, over)


class Server:
    """A long-running wasmscope (dap on stdio, TCP or WebSocket). stdout is a
    pipe we read; stderr goes to a file, shown when the process dies."""

    def __init__(self, args):
        self.args = args
        self.err_f = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary(), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err_f, start_new_session=True, bufsize=0)
        STARTED.append(self.proc.pid)
        self.pid = self.proc.pid
        self._line_buf = b""

    def alive(self):
        return self.proc.poll() is None

    def rss_mb(self):
        return rss_mb(self.pid)

    def stderr_tail(self, n=300):
        self.err_f.seek(0)
        text = self.err_f.read().decode(errors="replace").strip()
        return text[-n:]

    def death(self):
        """'' if alive, else how it ended (status and stderr tail)."""
        if self.alive():
            return ""
        rc = self.proc.returncode
        how = f"signal {-rc}" if rc < 0 else f"exit {rc}"
        return f"server died ({how}): {self.stderr_tail(200)!r}"

    def read_line(self, pattern, timeout):
        """First stdout line matching `pattern` (a regex) within timeout, or None."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self._line_buf:
                line, self._line_buf = self._line_buf.split(b"\n", 1)
                m = re.search(pattern, line.decode(errors="replace"))
                if m:
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._line_buf += chunk

    def stop(self, graceful_secs=5.0, close_stdin=False):
        """Ends the server: EOF on stdin (stdio sessions end on their own)
        or SIGTERM; a server still alive after that is a leftover."""
        if self.alive():
            try:
                if close_stdin:
                    self.proc.stdin.close()
                else:
                    self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(graceful_secs)
            except subprocess.TimeoutExpired:
                how = "stdin closed" if close_stdin else "SIGTERM"
                LEFTOVERS.append(f"{' '.join(self.args[:3])}: alive {graceful_secs:.0f}s after {how}")
        _kill_group(self.pid)
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.err_f.close()
