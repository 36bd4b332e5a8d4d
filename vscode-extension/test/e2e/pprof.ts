// Reads a gzipped pprof profile (profile.proto, as `wasmscope profile` keeps
// it in `.wasmscope/`) with a minimal protobuf decoder of its own, so that
// the test's expectations come from the file itself, not from wasmscope's
// reading of it.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface PprofFrame {
  name: string;
  file: string;
  line: number;
}

export interface PprofStack {
  /** Root first, inlined frames after the frame they are inlined into. */
  frames: PprofFrame[];
  count: number;
}

interface Field {
  number: number;
  /** Varints and fixed-size numbers. */
  int?: bigint;
  /** Length-delimited: a message, a string or packed numbers. */
  bytes?: Buffer;
}

function varint(buf: Buffer, at: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at.pos >= buf.length) {
      throw new Error('pprof: truncated varint');
    }
    const byte = buf[at.pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      return result;
    }
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const key = Number(varint(buf, at));
    const number = key >>> 3;
    switch (key & 7) {
      case 0:
        out.push({ number, int: varint(buf, at) });
        break;
      case 1:
        out.push({ number, int: buf.readBigUInt64LE(at.pos) });
        at.pos += 8;
        break;
      case 2: {
        const length = Number(varint(buf, at));
        out.push({ number, bytes: buf.subarray(at.pos, at.pos + length) });
        at.pos += length;
        break;
      }
      case 5:
        out.push({ number, int: BigInt(buf.readUInt32LE(at.pos)) });
        at.pos += 4;
        break;
      default:
        throw new Error(`pprof: wire type ${key & 7} of field ${number}`);
    }
  }
  return out;
}

/** A repeated integer field: packed (one length-delimited run) or not. */
function ints(list: Field[], number: number): bigint[] {
  const out: bigint[] = [];
  for (const f of list.filter((f) => f.number === number)) {
    if (f.bytes) {
      const at = { pos: 0 };
      while (at.pos < f.bytes.length) {
        out.push(varint(f.bytes, at));
      }
    } else if (f.int !== undefined) {
      out.push(f.int);
    }
  }
  return out;
}

const int = (list: Field[], number: number): number => Number(ints(list, number).pop() ?? 0n);
const messages = (list: Field[], number: number): Field[][] => list.filter((f) => f.number === number && f.bytes).map((f) => fields(f.bytes!));

export function readPprof(file: string): PprofStack[] {
  const profile = fields(zlib.gunzipSync(fs.readFileSync(file)));
  const strings = profile.filter((f) => f.number === 6).map((f) => (f.bytes ?? Buffer.alloc(0)).toString('utf8'));
  const functions = new Map<number, { name: string; file: string }>();
  for (const fn of messages(profile, 5)) {
    functions.set(int(fn, 1), { name: strings[int(fn, 2)] ?? '', file: strings[int(fn, 4)] ?? '' });
  }
  // A location is one physical frame: its lines are innermost (most inlined) first.
  const locations = new Map<number, PprofFrame[]>();
  for (const location of messages(profile, 4)) {
    const lines = messages(location, 4).map((line) => {
      const fn = functions.get(int(line, 1));
      if (!fn) {
        throw new Error(`pprof: no function ${int(line, 1)}`);
      }
      return { name: fn.name, file: fn.file, line: int(line, 2) };
    });
    locations.set(int(location, 1), lines.reverse());
  }
  // A sample's locations are leaf first; its first value is the count of samples.
  return messages(profile, 2).map((sample) => {
    const ids = ints(sample, 1).map(Number).reverse();
    const frames = ids.flatMap((id) => {
      const frames = locations.get(id);
      if (!frames) {
        throw new Error(`pprof: no location ${id}`);
      }
      return frames;
    });
    return { frames, count: Number(ints(sample, 2)[0] ?? 0n) };
  });
}
