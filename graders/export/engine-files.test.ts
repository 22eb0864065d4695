import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledFrom } from './engine-files.js';

describe('compiledFrom', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dlgrade-engine-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'graders', 'answers'), { recursive: true });
  writeFileSync(path.join(root, 'graders', 'answers', 'cells.ts'), '');

  it('in a checkout, ships only the builds of sources that still exist, and no tests or maps', () => {
    writeFileSync(path.join(root, 'tsconfig.json'), '{}');
    const keep = compiledFrom(root, 'graders');
    expect(keep('answers/cells.js')).toBe(true);
    expect(keep('answers/grade-questions.js')).toBe(false); // moved away: its old build stays in dist/
    expect(keep('answers/cells.js.map')).toBe(false);
    expect(keep('answers/cells.test.js')).toBe(false);
  });

  it('in a copy without sources (a kit), ships every compiled file', () => {
    rmSync(path.join(root, 'tsconfig.json'));
    expect(compiledFrom(root, 'graders')('answers/grade-questions.js')).toBe(true);
  });
});
