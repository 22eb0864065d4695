// Fuzz: whatever a student puts in answers.yaml or answers.json, parseAnswers returns the sections it could read
// or throws ANSWERS_INVALID naming the file — never another exception, a hang, or a huge allocation.
import { readFileSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DlgradeError } from '../../graders/errors.js';
import { loadAnswers, parseAnswers, type LoadedAnswers } from '../../graders/answers/load-answers.js';
import { WRITTEN_QUESTION_IDS } from './schema.js';
import { writtenKey } from './index.js';
import { applyTextMutation, hostileDocuments, oddValue, pathsOf, structuralEdit, survives, textMutation } from '../../test/fuzz/text-mutations.js';

const root = path.resolve(import.meta.dirname, '../..');
const base = readFileSync(path.join(root, 'examples', 'written', 'correct', 'answers.yaml'), 'utf8');
const parsed = parse(base) as unknown;
const paths = pathsOf(parsed, 5);
// The key's section validators compile on first use: once here, outside the timed loads.
parseAnswers(writtenKey, base, 'answers.yaml');

/** What a loaded file must look like: one state per question, issues and warnings that say something. */
function wellFormed(a: LoadedAnswers): void {
  expect(Object.keys(a.sections).sort()).toEqual([...WRITTEN_QUESTION_IDS].sort());
  for (const s of Object.values(a.sections)) {
    expect(['answered', 'missing', 'invalid']).toContain(s.state);
    if (s.state === 'invalid') for (const i of s.issues) expect(i.message.length).toBeGreaterThan(0);
  }
  for (const w of a.warnings) expect(w.message.length).toBeGreaterThan(0);
}

const load = (text: string, file: string) => () => wellFormed(parseAnswers(writtenKey, text, file));

describe('fuzz: parseAnswers', () => {
  it('the unmutated answers load', () => {
    expect(survives('ANSWERS_INVALID', 'answers.yaml', load(base, 'answers.yaml'))).toBe('ok');
  });

  it('text edits of answers.yaml', () => {
    fc.assert(
      fc.property(textMutation(base.length), (m) => {
        survives('ANSWERS_INVALID', 'answers.yaml', load(applyTextMutation(base, m), 'answers.yaml'));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('text edits of the same answers as answers.json', () => {
    const json = JSON.stringify(parsed, null, 2);
    fc.assert(
      fc.property(textMutation(json.length), (m) => {
        survives('ANSWERS_INVALID', 'answers.json', load(applyTextMutation(json, m), 'answers.json'));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('structural edits: any answer replaced, deleted or added by an odd value', () => {
    const states = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.constantFrom('replace' as const, 'delete' as const, 'add' as const), oddValue, fc.string({ maxLength: 12 }), (p, how, value, key) => {
        const text = structuralEdit(parsed, p, how, value, key);
        if (survives('ANSWERS_INVALID', 'answers.yaml', load(text, 'answers.yaml')) === 'ok') {
          for (const s of Object.values(parseAnswers(writtenKey, text, 'answers.yaml').sections)) states.add(s.state);
        }
      }),
      { seed: 7, numRuns: 400 },
    );
    // The edits reached the per-section validation, not only the parser.
    expect(states.has('invalid')).toBe(true);
    expect(states.has('answered')).toBe(true);
  });

  it.each(hostileDocuments())('%s', (_name, text) => {
    const heapBefore = process.memoryUsage().heapUsed;
    for (const file of ['answers.yaml', 'answers.json']) survives('ANSWERS_INVALID', file, load(text, file), 3000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(512 * 1024 * 1024);
    expect(existsSync('/tmp/dlgrade-fuzz-sentinel')).toBe(false);
  });
});

describe('answers files that are not plain files', () => {
  async function submissionWith(make: (file: string) => Promise<void>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-answers-fuzz-'));
    await make(path.join(dir, 'answers.yaml'));
    return dir;
  }
  async function rejection(dir: string): Promise<string> {
    try {
      await loadAnswers(writtenKey, dir);
    } catch (error) {
      expect(error).toBeInstanceOf(DlgradeError);
      expect((error as DlgradeError).code).toBe('ANSWERS_INVALID');
      return (error as DlgradeError).message;
    }
    throw new Error('expected the answers file to be refused');
  }

  it('a symlink to a file of the host is refused, not read (its lines would be quoted back)', async () => {
    const dir = await submissionWith((f) => symlink('/etc/passwd', f));
    const message = await rejection(dir);
    expect(message).toMatch(/symbolic link/);
    expect(message).not.toMatch(/root:/);
  });

  // An open that blocked on the FIFO would never return: the short limit turns that hang into a failure.
  it('a FIFO is refused without blocking', { timeout: 30_000 }, async () => {
    const dir = await submissionWith(async (f) => {
      execFileSync('mkfifo', [f]);
    });
    expect(await rejection(dir)).toMatch(/not a plain file/);
  });

  it('a folder named answers.yaml is refused', async () => {
    const dir = await submissionWith((f) => mkdir(f));
    expect(await rejection(dir)).toMatch(/answers/);
  });

  it('a file over the size limit is refused before it is parsed', async () => {
    const dir = await submissionWith((f) => writeFile(f, `relu_net:\n${'  # padding\n'.repeat(200_000)}`));
    expect(await rejection(dir)).toMatch(/at most 1 MiB/);
  });
});
