// The one Ajv error mapper: Ajv's ErrorObjects become located, structured issues (data first), and one message
// builder words them, for manifests ("must be …", the author's rules) and answers files ("expected …", the student's).
import type { ErrorObject } from 'ajv';
import { describeValue, mustBeOneOf } from '../errors.js';

/** A path inside the validated value: keys, and array indices as numbers. */
export type Segments = (string | number)[];

/** One problem Ajv found, located and described without words yet. */
export type SchemaIssue = { segments: Segments; value: unknown } & (
  | { kind: 'missing'; field: string }
  | { kind: 'unknown-key'; key: string; allowed: string[]; guess?: string }
  | { kind: 'one-of'; allowed: unknown[] }
  | { kind: 'expected'; expected: string; hint?: string }
);

/** Who reads the message: the author of a manifest (rules) or a student with an answers file (what was expected). */
export type Voice = 'rule' | 'answer';

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  string: 'text',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

/**
 * Maps Ajv errors (from a validator compiled with `verbose: true`, so each carries its parentSchema) into issues.
 * A union of constants (TypeBox's Type.Union of literals) or an `enum` gives one "one of" issue; any other failed
 * union keeps its branches' errors, which say more than the umbrella. Duplicates are dropped.
 */
export function mapAjvErrors(errors: readonly ErrorObject[], data: unknown): SchemaIssue[] {
  const umbrellas = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const branchOf = (e: ErrorObject) => umbrellas.find((u) => e !== u && e.instancePath === u.instancePath && e.schemaPath.startsWith(`${u.schemaPath}/`));
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  const push = (issue: SchemaIssue) => {
    const key = JSON.stringify([issue.segments, issue.kind, 'key' in issue ? issue.key : '', 'field' in issue ? issue.field : '', 'expected' in issue ? issue.expected : '']);
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  };
  for (const error of errors) {
    const segments = pathSegments(data, error.instancePath);
    const value = valueAt(data, segments);
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      const branches = errors.filter((e) => branchOf(e) === error);
      if (branches.length > 0 && branches.every((b) => b.keyword === 'const')) {
        push({ kind: 'one-of', segments, value, allowed: branches.map((b) => (b.params as { allowedValue: unknown }).allowedValue) });
      } else if (branches.length === 0) {
        push({ kind: 'expected', segments, value, expected: 'one of the forms the schema allows' });
      }
      continue;
    }
    // A constant inside a union of constants is said by its union, once.
    const umbrella = branchOf(error);
    if (umbrella && error.keyword === 'const' && errors.filter((e) => branchOf(e) === umbrella).every((b) => b.keyword === 'const')) continue;
    push(issueOf(error, segments, value));
  }
  return issues;
}

function issueOf(error: ErrorObject, segments: Segments, value: unknown): SchemaIssue {
  const p = error.params as Record<string, unknown>;
  const parent = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    case 'required':
      return { kind: 'missing', segments, value, field: String(p.missingProperty) };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const guess = closestName(key, allowed);
      return { kind: 'unknown-key', segments, value, key, allowed, ...(guess ? { guess } : {}) };
    }
    case 'enum':
      return { kind: 'one-of', segments, value, allowed: p.allowedValues as unknown[] };
    case 'const':
      return { kind: 'expected', segments, value, expected: JSON.stringify(p.allowedValue) };
    case 'type': {
      const types = (Array.isArray(p.type) ? p.type : String(p.type).split(',')).map(String).filter((t) => t !== 'null');
      const nonFinite = typeof value === 'number' && !Number.isFinite(value);
      const words = types.map((t) => (nonFinite && t === 'number' ? 'a finite number' : TYPE_WORDS[t] ?? t)).join(' or ');
      // What a list or a mapping should hold is in the schema's description.
      const description = types.some((t) => t === 'array' || t === 'object') ? parent?.description : undefined;
      const hint = numberHint(types, value) || textHint(types, value);
      return { kind: 'expected', segments, value, expected: `${words}${description ? ` (${description})` : ''}`, ...(hint ? { hint } : {}) };
    }
    case 'pattern':
      return { kind: 'expected', segments, value, expected: `text matching ${String(p.pattern)}${parent?.description ? ` (${parent.description})` : ''}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const op = { minimum: '>=', exclusiveMinimum: '>', maximum: '<=', exclusiveMaximum: '<' }[error.keyword];
      return { kind: 'expected', segments, value, expected: `a number ${op} ${String(p.limit)}` };
    }
    case 'minItems':
      return { kind: 'expected', segments, value, expected: `a list of at least ${String(p.limit)} item(s)` };
    case 'maxItems':
      return { kind: 'expected', segments, value, expected: `a list of at most ${String(p.limit)} item(s)` };
    default:
      return { kind: 'expected', segments, value, expected: `a value that ${error.message ?? 'the schema accepts'}` };
  }
}

/**
 * Words an issue. `where` names the place (`questions[3].rtol`, `backprop.gradients.w3`); the rule voice writes
 * `<where> must be …`, the answer voice `expected …` (the caller puts the place in front).
 */
export function issueMessage(issue: SchemaIssue, where: string, voice: Voice): string {
  const got = describeValue(issue.value);
  switch (issue.kind) {
    case 'missing':
      return voice === 'rule' ? `${where} is missing the required field "${issue.field}"` : `is missing the key "${issue.field}"`;
    case 'unknown-key': {
      const meant = issue.guess ? ` (did you mean ${issue.guess}?)` : '';
      return voice === 'rule' ? `${where} has an unknown field "${issue.key}"${meant}` : `unknown key, ignored${meant}; expected one of ${issue.allowed.join(', ')}`;
    }
    case 'one-of':
      return voice === 'rule' ? mustBeOneOf(where, issue.allowed, issue.value) : mustBeOneOf('', issue.allowed, issue.value).trimStart();
    case 'expected':
      return `${voice === 'rule' ? `${where} must be` : 'expected'} ${issue.expected}, got ${got}${issue.hint ?? ''}`;
  }
}

/** Splits an Ajv instancePath, turning segments that index an array into numbers. */
export function pathSegments(root: unknown, instancePath: string): Segments {
  if (!instancePath) return [];
  const segments: Segments = [];
  let node: unknown = root;
  for (const raw of instancePath.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    segments.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return segments;
}

/** The value at a path, or undefined. */
export function valueAt(root: unknown, segments: Segments): unknown {
  let node = root;
  for (const s of segments) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[s] : undefined;
  return node;
}

/** ['questions', 3, 'rtol'] → `questions[3].rtol`; with a prefix, `backprop` + ['gradients', 'w3'] → `backprop.gradients.w3`. */
export function formatSegments(segments: readonly (string | number)[], prefix = ''): string {
  return segments.reduce<string>((p, s) => (typeof s === 'number' ? `${p}[${s}]` : p ? `${p}.${s}` : s), prefix);
}

/** A hint for numbers written as text: thousands separators, fractions, percentages. */
function numberHint(types: string[], value: unknown): string {
  if (!types.includes('number') || typeof value !== 'string') return '';
  const s = value.trim();
  if (/^-?\d{1,3}([,_ ]\d{3})+(\.\d+)?$/.test(s)) return ` — write numbers without separators, e.g. ${s.replace(/[,_ ]/g, '')}`;
  if (/^-?\d+(\.\d+)?\s*\/\s*\d+(\.\d+)?$/.test(s)) return ' — write a fraction as a decimal number';
  if (/^-?\d+(\.\d+)?\s*%$/.test(s)) return ' — write a fraction as a decimal number, e.g. 0.93 rather than 93%';
  if (s !== '' && Number.isFinite(Number(s))) return ' — remove the quotes so it reads as a number';
  return '';
}

/** A hint for text written as YAML structure: a bulleted or "key: value" proof becomes a list or a mapping. */
function textHint(types: string[], value: unknown): string {
  if (!types.includes('string') || value === null || typeof value !== 'object') return '';
  return ' — write the text as a block: the key, then "|", then the lines indented below it';
}

/** The candidate within edit distance 2 of `word` (case ignored), if any: for "did you mean …". */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
