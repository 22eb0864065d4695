import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32, crc32ByTable, crc32Implementation, zlibCrc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the standard check value and agrees with the table and zlib, in one piece or continued', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    for (const size of [1, 15, 64, 1000, 65537]) {
      const data = randomBytes(size);
      const whole = crc32(data);
      expect(crc32ByTable(data)).toBe(whole);
      if (zlibCrc32) expect(zlibCrc32(data) >>> 0).toBe(whole);
      const cut = Math.floor(size / 3);
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(whole);
      expect(crc32ByTable(data.subarray(cut), crc32ByTable(data.subarray(0, cut)))).toBe(whole);
    }
  });

  it('uses the CPU-accelerated implementation where it is installed', () => {
    expect(['node-rs', 'zlib', 'table']).toContain(crc32Implementation);
    // package.json lists it; on this platform npm has a build for it.
    if (process.platform === 'linux' && process.arch === 'x64') expect(crc32Implementation).toBe('node-rs');
  });
});
