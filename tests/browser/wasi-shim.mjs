// A WASI preview1 shim for the browser, enough for the test guests: their
// arguments, stdout and stderr (to the console), clocks, random bytes and
// exit. Anything else answers ENOSYS. Usage:
//   const { imports, start } = wasiShim(['app.wasm', '80']);
//   const { instance } = await WebAssembly.instantiate(bytes, imports);
//   const status = start(instance);
const ENOSYS = 52;

class Exit extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

export function wasiShim(args, log = (text) => console.log(text)) {
  let memory;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const encoded = args.map((a) => new TextEncoder().encode(`${a}\0`));
  const pending = { 1: '', 2: '' };
  const impl = {
    args_sizes_get(count, size) {
      view().setUint32(count, encoded.length, true);
      view().setUint32(size, encoded.reduce((n, a) => n + a.length, 0), true);
      return 0;
    },
    args_get(argv, buffer) {
      for (const arg of encoded) {
        view().setUint32(argv, buffer, true);
        bytes().set(arg, buffer);
        argv += 4;
        buffer += arg.length;
      }
      return 0;
    },
    environ_sizes_get(count, size) {
      view().setUint32(count, 0, true);
      view().setUint32(size, 0, true);
      return 0;
    },
    environ_get() {
      return 0;
    },
    fd_write(fd, iovs, count, written) {
      let total = 0;
      for (let i = 0; i < count; i++) {
        const at = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        pending[fd] = (pending[fd] ?? '') + new TextDecoder().decode(bytes().subarray(at, at + len));
        total += len;
      }
      const lines = pending[fd].split('\n');
      pending[fd] = lines.pop();
      lines.forEach((line) => log(line));
      view().setUint32(written, total, true);
      return 0;
    },
    fd_fdstat_get(fd, stat) {
      bytes().fill(0, stat, stat + 24);
      view().setUint8(stat, fd <= 2 ? 2 : 0);
      return fd <= 2 ? 0 : 8;
    },
    clock_time_get(id, precision, out) {
      view().setBigUint64(out, BigInt(Math.round(performance.now() * 1e6)), true);
      return 0;
    },
    random_get(at, len) {
      crypto.getRandomValues(bytes().subarray(at, at + len));
      return 0;
    },
    proc_exit(code) {
      throw new Exit(code);
    },
  };
  const preview1 = new Proxy(impl, { get: (target, name) => target[name] ?? (() => ENOSYS) });
  return {
    imports: { wasi_snapshot_preview1: preview1 },
    start(instance) {
      memory = instance.exports.memory;
      try {
        instance.exports._start();
        return 0;
      } catch (error) {
        if (error instanceof Exit) return error.code;
        throw error;
      }
    },
  };
}
