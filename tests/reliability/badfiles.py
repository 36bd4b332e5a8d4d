"""Bad input files made from a real guest: truncations, DWARF sections
overwritten with random bytes (the module stays valid Wasm), empty, text and
random files, and files that are not regular (devices, a FIFO, a directory).

`make(tmp, guest, quick)` returns [(name, path, kind)], kind one of
  broken     : not a valid module (or not a file): must be refused;
  .debug_*   : valid Wasm, that DWARF section corrupt: see suite.py for what is accepted."""
import os
import random

DWARF_SECTIONS = (".debug_info", ".debug_line", ".debug_str", ".debug_abbrev")


def _leb(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def sections(data):
    """[(id, custom name or None, start of section, start of payload, end)]."""
    if data[:4] != b"\0asm":
        raise ValueError("not a wasm module")
    out, i = [], 8
    while i < len(data):
        start = i
        sid = data[i]
        size, i = _leb(data, i + 1)
        end = i + size
        name, payload = None, i
        if sid == 0:
            n, j = _leb(data, i)
            name, payload = data[j:j + n].decode(), j + n
        out.append((sid, name, start, payload, end))
        i = end
    if i != len(data):
        raise ValueError("sections overrun the file")
    return out


def truncations(data, quick):
    """Cut points strictly inside a section (a cut at a boundary would leave
    a valid, shorter module)."""
    bounds = {s[2] for s in sections(data)} | {len(data)}
    fractions = (0.5,) if quick else (0.1, 0.5, 0.9)
    cuts = [4, 9] + [int(len(data) * f) for f in fractions] + [len(data) - 1]
    out = []
    for cut in cuts:
        while cut in bounds or cut == 8:
            cut += 1
        out.append(cut)
    return sorted(set(out))


def corrupt(data, section, rng):
    """data with the payload of custom section `section` replaced by random bytes."""
    found = [s for s in sections(data) if s[1] == section]
    if not found:
        raise ValueError(f"the guest has no {section} section")
    _, _, _, payload, end = found[0]
    return data[:payload] + bytes(rng.getrandbits(8) for _ in range(end - payload)) + data[end:]


def make(tmp, guest, quick):
    data = open(guest, "rb").read()
    rng = random.Random(11)   # deterministic: a failure can be replayed
    out = []

    def write(name, content, kind):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(content)
        out.append((name, path, kind))

    for cut in truncations(data, quick):
        write(f"trunc-{cut}.wasm", data[:cut], "broken")
    for section in DWARF_SECTIONS:
        write(f"corrupt{section.replace('.', '-')}.wasm", corrupt(data, section, rng), section)
    write("empty.wasm", b"", "broken")
    write("text.wasm", b"this is not a WebAssembly module, just text\n" * 20, "broken")
    write("random.wasm", b"\x01" + bytes(rng.getrandbits(8) for _ in range(65535)), "broken")
    fifo = os.path.join(tmp, "fifo.wasm")
    os.mkfifo(fifo)
    os.mkdir(os.path.join(tmp, "dir.wasm"))
    out += [("dev-zero", "/dev/zero", "broken"), ("dev-urandom", "/dev/urandom", "broken"),
            ("fifo", fifo, "broken"), ("directory", os.path.join(tmp, "dir.wasm"), "broken")]
    return out
