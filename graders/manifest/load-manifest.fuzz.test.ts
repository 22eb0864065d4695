// Fuzz: whatever text manifest.yaml holds, parseManifest returns a valid manifest or throws MANIFEST_INVALID
// naming the file — never another exception, a hang, or a huge allocation.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseManifest, projectRoot } from './load-manifest.js';
import { applyTextMutation, hostileDocuments, oddValue, pathsOf, structuralEdit, survives, textMutation } from '../../test/fuzz/text-mutations.js';

const FILE = 'assignments/fuzz/manifest.yaml';
const base = readFileSync(path.join(projectRoot(), 'assignments', 'style-transfer', 'manifest.yaml'), 'utf8');
const parsed = parse(base) as unknown;
const paths = pathsOf(parsed);

describe('fuzz: parseManifest', () => {
  it('the unmutated manifest loads (the fuzzing starts from a valid document)', () => {
    expect(survives('MANIFEST_INVALID', FILE, () => parseManifest(base, FILE))).toBe('ok');
  });

  it('text edits: cuts, stray punctuation, NUL bytes, anchors and tags', () => {
    fc.assert(
      fc.property(textMutation(base.length), (m) => {
        survives('MANIFEST_INVALID', FILE, () => parseManifest(applyTextMutation(base, m), FILE));
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('structural edits: any value replaced, deleted or added by an odd one', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.constantFrom('replace' as const, 'delete' as const, 'add' as const), oddValue, fc.string({ maxLength: 12 }), (p, how, value, key) => {
        outcomes.add(survives('MANIFEST_INVALID', FILE, () => parseManifest(structuralEdit(parsed, p, how, value, key), FILE)));
      }),
      { seed: 5, numRuns: 400 },
    );
    // Both kinds of outcome occur, so the property exercised the validator and not only the YAML parser.
    expect([...outcomes].sort()).toEqual(['ok', 'rejected']);
  });

  it.each(hostileDocuments())('%s', (_name, text) => {
    const heapBefore = process.memoryUsage().heapUsed;
    expect(survives('MANIFEST_INVALID', FILE, () => parseManifest(text, FILE), 3000)).toBe('rejected');
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(512 * 1024 * 1024);
    expect(existsSync('/tmp/dlgrade-fuzz-sentinel')).toBe(false);
  });
});
