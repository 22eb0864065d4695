import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureCache } from './fixture-cache.js';
import type { Assignment } from '../manifest/load-manifest.js';

const saved = process.env.DLGRADE_FIXTURES;
afterEach(() => {
  if (saved === undefined) delete process.env.DLGRADE_FIXTURES;
  else process.env.DLGRADE_FIXTURES = saved;
});

async function assignmentIn(root: string): Promise<Assignment> {
  process.env.DLGRADE_FIXTURES = path.join(root, 'fixtures');
  await mkdir(path.join(root, 'fixtures', 'lab'), { recursive: true });
  await mkdir(path.join(root, 'assignments', 'lab'), { recursive: true });
  await writeFile(path.join(root, 'fixtures', 'lab', 'q.public.npz'), 'one');
  return { dir: path.join(root, 'assignments', 'lab'), manifest: { id: 'lab' } } as unknown as Assignment;
}

describe('FixtureCache', () => {
  it('keeps the parsed files while the fixtures stay the same, and starts afresh once one changes', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-fixture-cache-'));
    const assignment = await assignmentIn(root);
    const cache = new FixtureCache();
    const first = await cache.filesFor(assignment);
    expect(await cache.filesFor(assignment)).toBe(first);
    await writeFile(path.join(root, 'fixtures', 'lab', 'q.public.npz'), 'changed');
    expect(await cache.filesFor(assignment)).not.toBe(first);
  });
});
