import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildZip, type ZipEntrySpec } from './zip-builder.js';
import { SUBMISSION_ZIP_LIMITS, unpackZipTo } from './zip-reader.js';

async function unpack(entries: ZipEntrySpec[], limits = SUBMISSION_ZIP_LIMITS) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-ziptest-'));
  const zip = path.join(dir, 'hw.zip');
  await writeFile(zip, buildZip(entries));
  const out = path.join(dir, 'out');
  await (await import('node:fs/promises')).mkdir(out);
  const unpacked = await unpackZipTo(zip, out, limits, 'hw.zip');
  return { out, unpacked };
}

async function tree(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await tree(dir, child)));
    else out.push(child);
  }
  return out.sort();
}

describe('zips as students make them', () => {
  it('leaves out __MACOSX resource forks and reads Windows backslash names as folders', async () => {
    const { out, unpacked } = await unpack([
      { name: 'hw3\\style_modules.py', data: 'x = 1\n' },
      { name: '__MACOSX/hw3/._style_modules.py', data: 'fork' },
      { name: 'hw3/.DS_Store', data: 'junk' },
      { name: 'hw3/..notes.txt', data: 'an ordinary name' },
    ]);
    expect(await tree(out)).toEqual(['hw3/..notes.txt', 'hw3/style_modules.py']);
    expect(unpacked.members.map((m) => m.name)).toEqual(['hw3/style_modules.py', 'hw3/..notes.txt']);
  });

  it.each([
    ['a ".." segment', '../evil.py', /the member "\.\.\/evil\.py" has a "\.\." segment/],
    ['a Windows ".." segment', 'hw\\..\\..\\evil.py', /has a "\.\." segment/],
    ['an absolute path', '/etc/cron.d/x', /has an absolute path/],
    ['a drive path', 'C:\\Users\\x.py', /has an absolute path/],
    ['an over-long name', `${'n'.repeat(300)}.py`, /longer than 255 bytes/],
  ])('refuses %s, naming the member and the rule', async (_what, name, message) => {
    const error = await unpack([{ name, data: 'x' }]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^hw\.zip: /);
    expect((error as Error).message).not.toMatch(/dlgrade-|\/tmp\//);
  });

  it('names a member that appears twice, or as a file and a folder, without a host path (no raw EEXIST)', async () => {
    const twice = await unpack([{ name: 'data', data: 'a' }, { name: 'data', data: 'b' }]).catch((e: Error) => e);
    expect((twice as Error).message).toBe('hw.zip: the member "data" appears twice in the zip');
    const both = await unpack([{ name: 'data', data: 'a' }, { name: 'data/x.py', data: 'b' }]).catch((e: Error) => e);
    expect((both as Error).message).toBe('hw.zip: the member "data/x.py" is inside "data", which the zip also holds as a file');
  });

  it('does not follow or write a symbolic link member', async () => {
    const { out, unpacked } = await unpack([{ name: 'style_modules.py', data: 'x=1' }, { name: 'secret', data: '/etc/shadow', mode: 0o120777 }]);
    expect(await tree(out)).toEqual(['style_modules.py']);
    expect(unpacked.ignored).toEqual(['secret (a symbolic link)']);
  });
});

describe('zips whose headers lie', () => {
  const zeros = Buffer.alloc(5 * 1024 * 1024);

  it('refuses a member that inflates past the size its header declares', async () => {
    const error = await unpack([{ name: 'style_modules.py', data: zeros, deflate: true, size: 1024, crc: 0 }]).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^hw\.zip: the member "style_modules\.py" (is damaged: too many bytes|inflates)/);
  });

  it('refuses a member whose CRC does not match its data', async () => {
    const error = await unpack([{ name: 'style_modules.py', data: 'x = 1\n', crc: 0 }]).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/fails its CRC check \(the zip says 00000000/);
  });

  it('refuses a zip bomb by its compression ratio and a zip over the size limit', async () => {
    const bomb = await unpack([{ name: 'a.bin', data: zeros, deflate: true }]).catch((e: Error) => e);
    expect((bomb as Error).message).toMatch(/inflates more than 200 times its compressed size/);
    const big = await unpack([{ name: 'a.bin', data: zeros }], { ...SUBMISSION_ZIP_LIMITS, totalBytes: 1024 * 1024 }).catch((e: Error) => e);
    expect((big as Error).message).toMatch(/inflates to more than 1 MiB/);
  });

  it('refuses more entries than allowed, and a file that is not a zip', async () => {
    const many = await unpack(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })), { ...SUBMISSION_ZIP_LIMITS, entries: 3 }).catch((e: Error) => e);
    expect((many as Error).message).toMatch(/holds more than 3 entries/);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-ziptest-'));
    await writeFile(path.join(dir, 'x.zip'), 'not a zip at all');
    await expect(unpackZipTo(path.join(dir, 'x.zip'), dir, SUBMISSION_ZIP_LIMITS, 'x.zip')).rejects.toThrow(/^x\.zip: not a readable zip/);
  });

  it('unpacks an honest deflated member byte for byte', async () => {
    const text = 'import torch\n'.repeat(1000);
    const { out } = await unpack([{ name: 'style_modules.py', data: text, deflate: true }]);
    expect(await readFile(path.join(out, 'style_modules.py'), 'utf8')).toBe(text);
  });
});
