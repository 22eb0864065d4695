// Shared arbitraries for fuzzing the text loaders (manifests, answers files): byte edits, structural edits of the
// parsed document, and hand-made hostile documents (alias bombs, deep nesting, huge numbers).
import fc from 'fast-check';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { DlgradeError, type ErrorCode } from '../../graders/errors.js';

/** A loader call that may only succeed or fail with `code`, naming `file`, within `ms`. */
export function survives(code: ErrorCode, file: string, load: () => unknown, ms = 1000): 'ok' | 'rejected' {
  const t0 = performance.now();
  try {
    load();
    return 'ok';
  } catch (error) {
    if (!(error instanceof DlgradeError)) throw error;
    expect(error.code).toBe(code);
    expect(error.message).toContain(file);
    expect(error.message.length).toBeLessThan(20_000);
    return 'rejected';
  } finally {
    expect(performance.now() - t0).toBeLessThan(ms);
  }
}

/** Cuts, overwritten characters and inserted YAML punctuation in a text. */
export function textMutation(length: number) {
  const punctuation = fc.constantFrom(':', '-', ' ', '\n', '\t', '[', ']', '{', '}', '&a', '*a', '!!binary', '"', "'", '#', '|', '>', '\u0000', '\uFEFF', '1e999', '-0', 'null', '~');
  return fc.record({
    cut: fc.option(fc.nat({ max: length }), { nil: undefined }),
    edits: fc.array(fc.record({ at: fc.noBias(fc.nat({ max: Math.max(0, length - 1) })), text: punctuation, replace: fc.boolean() }), { maxLength: 6 }),
  });
}

export function applyTextMutation(base: string, m: { cut?: number; edits: { at: number; text: string; replace: boolean }[] }): string {
  let s = base;
  for (const e of m.edits) {
    const at = Math.min(e.at, s.length);
    s = s.slice(0, at) + e.text + s.slice(at + (e.replace ? e.text.length : 0));
  }
  return m.cut === undefined ? s : s.slice(0, m.cut);
}

/** Values a hostile or careless author might put anywhere. */
export const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e-320, '', ' ', '../../etc/passwd', '$__proto__', '__proto__', 'constructor', 'NaN'),
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), { maxLength: 10 }),
  fc.string({ maxLength: 60 }),
);

/** Paths into a parsed document: every key and index, to at most `depth` levels. */
export function pathsOf(value: unknown, depth = 6, prefix: (string | number)[] = []): (string | number)[][] {
  if (depth === 0 || value === null || typeof value !== 'object') return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, depth - 1, [...prefix, k]))];
}

/** A copy of `doc` with the value at `path` replaced (or deleted, or a key added beside it), as YAML text. */
export function structuralEdit(doc: unknown, path: (string | number)[], how: 'replace' | 'delete' | 'add', value: unknown, key: string): string {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return stringify(how === 'replace' ? value : copy);
  let parent: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (how === 'replace') parent[last] = value;
  else if (how === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (!Array.isArray(parent)) parent[key] = value;
  else parent.push(value);
  return stringify(copy);
}

/** Documents built to exhaust a parser: alias bombs, deep nesting, long scalars, many keys. */
export function hostileDocuments(): [string, string][] {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  return [
    ['a billion-laughs alias bomb', laughs.join('\n') + '\n'],
    ['20 000 nested flow sequences', '['.repeat(20_000) + ']'.repeat(20_000) + '\n'],
    ['20 000 nested block mappings', Array.from({ length: 20_000 }, (_, i) => `${' '.repeat(i % 200)}k${i}:`).join('\n') + '\n'],
    ['a 5 MB scalar', `x: "${'y'.repeat(5_000_000)}"\n`],
    ['100 000 keys', Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n'],
    ['a number with 100 000 digits', `schema: ${'9'.repeat(100_000)}\n`],
    ['binary garbage', String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['an empty file', ''],
    ['only a BOM', '\uFEFF'],
    ['a merge key loop', 'a: &a\n  <<: *a\n'],
    ['a tag that would construct objects', 'x: !!js/function "function(){ return 1 }"\ny: !!python/object/apply:os.system ["touch /tmp/dlgrade-fuzz-sentinel"]\n'],
  ];
}
