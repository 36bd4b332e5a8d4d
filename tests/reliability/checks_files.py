"""Group a: bad files given to info, symbolize, profile and debug. Every run
must end within 20 s, stay under 500 MB, and refuse with one error line."""
import os
import re
from functools import partial

import badfiles
import procs
from common import Fail, control_chars, expect_no_crash, expect_one_line_error, short, stderr_lines

PARALLEL = True   # independent short runs: four at a time
TIMEOUT = 20
SUMMARY = re.compile(r"^wasmscope: \d+ samples")   # profile's normal last line
DEBUG_ON = {"trunc-9.wasm", "empty.wasm", "random.wasm", "corrupt-debug_info.wasm", "dev-zero", "fifo", "directory"}


def command(cmd, path, out):
    return {
        "info": ["info", path],
        "symbolize": ["symbolize", path, "0x10"],
        "profile": ["profile", "-o", out, path],
        "debug": ["debug", path, "-x", "run"],
    }[cmd]


def broken(cmd, path, out):
    return expect_one_line_error(procs.run(command(cmd, path, out), TIMEOUT))


def corrupt_dwarf(cmd, path, out, section):
    """Valid Wasm, corrupt DWARF. The program itself is intact, so profile
    must succeed (issue 11 item 9: fall back to the name section); info,
    symbolize and debug may succeed with at most one warning line, or refuse
    with one error line; printed names must not carry raw control bytes."""
    res = procs.run(command(cmd, path, out), TIMEOUT)
    expect_no_crash(res)
    if res.rc != 0 and cmd != "profile":
        note = expect_one_line_error(res)
        if section == ".debug_line" and ".debug_info" in res.err.decode() and ".debug_line" not in res.err.decode():
            raise Fail(f"a corrupt .debug_line blamed on .debug_info: {short(res.err, 80)}")
        return note
    if res.rc != 0:
        raise Fail(f"exit {res.rc}: {short(res.err)}")
    bad = control_chars(res.out + res.err)
    if bad:
        raise Fail(f"{len(bad)} distinct raw control characters printed, e.g. {bad[:4]!r}")
    extra = [line for line in stderr_lines(res) if not SUMMARY.match(line)]
    if len(extra) > 1:
        raise Fail(f"{len(extra)} lines on stderr: {short(res.err)}")
    if cmd == "profile" and not (os.path.isfile(out) and os.path.getsize(out) > 0):
        raise Fail("exit 0 but no profile written")
    return f"exit 0 in {res.secs:.1f}s" + (f", warning {short(extra[0], 60)}" if extra else "")


def missing_file(tmp):
    """The form every error follows; a cause is said once."""
    res = procs.run(["info", os.path.join(tmp, "no-such-file.wasm")], TIMEOUT)
    note = expect_one_line_error(res, mentions="no-such-file.wasm")
    line = stderr_lines(res)[0]
    if line.count("(os error 2)") > 1:
        raise Fail(f"cause repeated: {short(line)}")
    return note


def names_without_debug_info(tmp):
    """Corrupt .debug_info, intact name section: profile names functions."""
    import random
    data = open(procs.guest("hotspots-O0"), "rb").read()
    path = os.path.join(tmp, "hotspots-corrupt-debug_info.wasm")
    with open(path, "wb") as f:
        f.write(badfiles.corrupt(data, ".debug_info", random.Random(11)))
    out = os.path.join(tmp, "hotspots.folded")
    res = procs.run(["profile", "--format", "folded", "-o", out, path], 60)
    expect_no_crash(res)
    if res.rc != 0:
        raise Fail(f"exit {res.rc}: {short(res.err)}")
    stacks = open(out, errors="replace").read().splitlines() if os.path.exists(out) else []
    if not stacks:
        raise Fail("no stacks in the folded profile")
    unnamed = [s for s in stacks if "wasm-function[" in s]
    if unnamed:
        raise Fail(f"{len(unnamed)}/{len(stacks)} stacks with wasm-function[N]: {short(unnamed[0], 80)}")
    return f"{len(stacks)} stacks, all named"


def checks(ctx):
    yield "a-info-missing-file", partial(missing_file, ctx.tmp)
    for name, path, kind in badfiles.make(ctx.tmp, procs.guest("c-O0"), ctx.quick):
        cmds = ["info", "symbolize", "profile"] + (["debug"] if name in DEBUG_ON else [])
        for cmd in cmds:
            out = os.path.join(ctx.tmp, f"out-{cmd}-{name}.svg")
            if kind == "broken":
                yield f"a-{cmd}-{name}", partial(broken, cmd, path, out)
            else:
                yield f"a-{cmd}-{name}", partial(corrupt_dwarf, cmd, path, out, kind)
    yield "a-profile-names-without-debug_info", partial(names_without_debug_info, ctx.tmp)
