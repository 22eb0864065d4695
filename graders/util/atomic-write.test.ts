import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicFrom } from './atomic-write.js';

describe('atomic writes that fail', () => {
  it('leave no temporary file beside the target when the rename is refused (the target is a folder)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-atomic-'));
    await mkdir(path.join(dir, 'report.html'));
    await expect(writeFileAtomic(path.join(dir, 'report.html'), 'x')).rejects.toThrow();
    await expect(writeFileAtomicFrom(path.join(dir, 'report.html'), ['x', 'y'])).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['report.html']);
  });
});
