"""Group h: the profiler's hostile options: sampling rates it cannot serve,
durations that are not numbers of seconds, an unwritable output, a guest
that never returns from fd_read, and a recursion `wasmtime run` runs."""
import os
import subprocess
from functools import partial

import procs
from common import Fail, expect_no_crash, expect_one_line_error, short

RATE_PROGRAM = "hotspots-O2"   # a CPU-bound run of a fraction of a second
_baseline = {}


def baseline(tmp):
    """Wall time of a profile at the default rate (≤ 1.5% overhead, the
    nearest thing to a plain run the binary offers): best of two."""
    if "secs" not in _baseline:
        times = []
        for _ in range(2):
            res = procs.run(["profile", "-o", os.path.join(tmp, "base.svg"), procs.guest(RATE_PROGRAM)], 120)
            expect_no_crash(res)
            if res.rc != 0:
                raise Fail(f"baseline profile failed: exit {res.rc} {short(res.err)}")
            times.append(res.secs)
        _baseline["secs"] = min(times)
    return _baseline["secs"]


def rate(tmp, hz, factor):
    """Refused at once with one error line, or done within `factor` times the
    plain run (10x asked of 100 kHz; issue item 6 asks 2x at the highest
    accepted rate, 10 kHz today)."""
    base = baseline(tmp)
    limit = factor * base
    res = procs.run(["profile", "--rate", str(hz), "-o", os.path.join(tmp, f"rate{hz}.svg"),
                     procs.guest(RATE_PROGRAM)], limit)
    if res.timed_out:
        raise Fail(f"not done after {res.secs:.1f}s = {factor}x the {base:.2f}s plain run (killed)")
    expect_no_crash(res)
    if res.rc == 0:
        return f"ran in {res.secs:.2f}s = {res.secs / base:.1f}x the plain run"
    if res.secs > 2:
        raise Fail(f"refused only after {res.secs:.1f}s")
    return expect_one_line_error(res)


def duration(tmp, value):
    res = procs.run(["profile", f"--duration={value}", "-o", os.path.join(tmp, "dur.svg"), procs.guest("c-O0")], 20)
    return expect_one_line_error(res)


def unwritable_output():
    """Checked before the run: a flooding guest never ends by itself."""
    path = "/nonexistent-dir/x.svg"
    res = procs.run(["profile", "-o", path, procs.guest("hostile-flood-O0")], 2, stdout=subprocess.DEVNULL)
    if res.timed_out:
        raise Fail("still running after 2s: the output path is not checked before the run")
    return expect_one_line_error(res, mentions="/nonexistent-dir")


def duration_stops_blocked_read(tmp):
    """`--duration 1` stops a guest waiting in fd_read on a stdin that never
    ends (a pipe we keep open), promptly, and writes a complete profile that
    says it stopped early. The time of the read still in progress is not in
    it: host time is charged when a call returns (README, Profiling), and
    this one never does."""
    out = os.path.join(tmp, "blocked.svg")
    r, w = os.pipe()
    try:
        res = procs.run(["profile", "--duration", "1", "-o", out, procs.guest("io-O0"), "--", "cat"], 10, stdin=r)
    finally:
        os.close(r)
        os.close(w)
    expect_no_crash(res)
    if res.secs < 0.9:   # else the guest never blocked and this proves nothing
        raise Fail(f"ended after {res.secs:.2f}s, before the duration: stdin not the guest's?")
    svg = open(out, errors="replace").read() if os.path.isfile(out) else ""
    if not svg.rstrip().endswith("</svg>"):
        raise Fail(f"no complete SVG written (exit {res.rc} after {res.secs:.1f}s) {short(res.err)}")
    if res.secs > 3.0:
        raise Fail(f"stopped only after {res.secs:.1f}s")
    err = res.err.decode(errors="replace")
    if res.rc != 0 or "stopped early" not in err:
        raise Fail(f"exit {res.rc}, not reported as stopped early: {short(res.err, 90)}")
    return f"exit {res.rc} after {res.secs:.1f}s"


def deep_recursion(tmp):
    """What runs under `wasmtime run` runs under the profiler (issue 11 item 3)."""
    res = procs.run(["profile", "-o", os.path.join(tmp, "deep.svg"), procs.guest("hostile-deep-O0"), "--", "10000"], 60)
    expect_no_crash(res)
    if res.rc != 0 or b"deep 10000 = 50005000" not in res.out:
        raise Fail(f"exit {res.rc}, stdout {short(res.out, 60)}, stderr {short(res.err, 80)}")
    return f"done in {res.secs:.1f}s"


def checks(ctx):
    for hz, factor in ((100000, 10), (50000, 10), (10000, 2)):
        yield f"h-profile-rate-{hz}-within-{factor}x", partial(rate, ctx.tmp, hz, factor)
    for value in ("NaN", "inf", "-1", "1e300"):
        yield f"h-profile-duration-{value}", partial(duration, ctx.tmp, value)
    yield "h-profile-unwritable-output", unwritable_output
    yield "h-profile-duration-stops-blocked-read", partial(duration_stops_blocked_read, ctx.tmp)
    yield "h-profile-deep-10000", partial(deep_recursion, ctx.tmp)
