// Just enough of the wasm binary format to read the DWARF sections' strings,
// from which the debug configuration guesses a sourceMap.

export interface CustomSection {
  name: string;
  data: Uint8Array;
}

function readLeb(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) {
      throw new Error('truncated LEB128');
    }
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) {
      return [result, pos];
    }
  }
}

/** The custom sections of a wasm module; [] when it is not one. */
export function customSections(bytes: Uint8Array): CustomSection[] {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    return [];
  }
  const out: CustomSection[] = [];
  const decoder = new TextDecoder();
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const [size, start] = readLeb(bytes, pos);
    const end = start + size;
    if (end > bytes.length) {
      break;
    }
    if (id === 0) {
      const [nameLen, nameStart] = readLeb(bytes, start);
      const name = decoder.decode(bytes.subarray(nameStart, nameStart + nameLen));
      out.push({ name, data: bytes.subarray(nameStart + nameLen, end) });
    }
    pos = end;
  }
  return out;
}

/** NUL-terminated strings in the DWARF sections that look like absolute paths. */
export function debugPaths(bytes: Uint8Array): string[] {
  const found = new Set<string>();
  const decoder = new TextDecoder();
  for (const section of customSections(bytes)) {
    if (!section.name.startsWith('.debug_')) {
      continue;
    }
    const data = section.data;
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0) {
        continue;
      }
      if (i - start >= 2) {
        // rustc names compile units `main.rs/@/crate.cgu.0`; the file is the part before `/@/`.
        const text = decoder.decode(data.subarray(start, i)).split('/@/')[0];
        if (/^(\/|[A-Za-z]:[\\/])[^\u0000-\u001f]*$/.test(text)) {
          found.add(text);
        }
      }
      start = i + 1;
    }
  }
  return [...found];
}
