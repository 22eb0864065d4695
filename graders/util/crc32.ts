// CRC-32 (the zip and PNG polynomial) for checking what is read. @node-rs/crc32 (optional, prebuilt per platform)
// uses the CPU's carry-less multiply and runs 2–3× faster than node:zlib's, which matters when the check is a
// third of the cost of reading an uncompressed .npz (npm run bench). Without it, node:zlib's; before Node 20.15,
// a table.
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, previous?: number) => number;

function loadFast(): Crc32 | undefined {
  try {
    const { crc32 } = createRequire(import.meta.url)('@node-rs/crc32') as { crc32: (data: Uint8Array, initial?: number) => number };
    // Checked once on a known value, so a broken build falls back rather than fails every archive.
    if (crc32(Buffer.from('123456789')) >>> 0 !== 0xcbf43926) return undefined;
    return crc32;
  } catch {
    return undefined;
  }
}

let table: Uint32Array | undefined;
function tableCrc32(data: Uint8Array, previous = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const zlibCrc32 = (zlib as { crc32?: Crc32 }).crc32;
const fast = loadFast();
const chosen: Crc32 = fast ?? zlibCrc32 ?? tableCrc32;

/** Which implementation is in use, for the bench. */
export const crc32Implementation: 'node-rs' | 'zlib' | 'table' = fast ? 'node-rs' : zlibCrc32 ? 'zlib' : 'table';

/** The CRC-32 of `data`, continuing from `previous` (the CRC of what came before it), as an unsigned number. */
export function crc32(data: Uint8Array, previous = 0): number {
  return chosen(data, previous) >>> 0;
}

export { tableCrc32 as crc32ByTable, zlibCrc32 };
