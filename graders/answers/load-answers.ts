// Loads answers.yaml / answers.json and validates it question by question: a bad section costs that question only.
import { open, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { closestName, formatSegments, issueMessage, mapAjvErrors } from '../util/schema-issues.js';
import { DlgradeError, describeValue } from '../errors.js';
import type { AnswersKey } from '../answer-key/answers-key.js';
import { MAX_YAML_BYTES, firstDuplicateKey } from '../util/yaml-limits.js';

/** One problem found in an answers file, located by its path inside the file and, when known, its line. */
export interface AnswerIssue {
  /** Where the problem is, e.g. `backprop.gradients.w3` or `conv_as_matrix.A[1][3]`. */
  path: string;
  /** 1-based line in the file, when it can be found. */
  line?: number;
  /** What was expected and what was found, e.g. `expected a number, got "abc" (string)`. */
  message: string;
}

/** The state of one question's section after validation (`value` has the type of the question's section schema). */
export type SectionState<Value = any> =
  | { state: 'answered'; value: Value }
  | { state: 'missing' }
  | { state: 'invalid'; issues: AnswerIssue[] };

/** An answers file, parsed and validated per question. */
export interface LoadedAnswers {
  /** The file as named in messages (relative when it can be). */
  file: string;
  /** `student_id` from the file, if it has one (the grader may prefer the roster's id). */
  studentId?: string;
  /** One state per question of the key. */
  sections: Record<string, SectionState>;
  /** Problems that cost nothing: unknown keys inside a section (ignored) and unrecognised sections (kept for staff). */
  warnings: AnswerIssue[];
  /** Top-level sections the assignment does not know, in file order: kept, so staff can read and grade them. */
  unrecognised: UnrecognisedSection[];
}

/** A top-level section of an answers file that is neither a question of the key nor a manual question's section. */
export interface UnrecognisedSection {
  name: string;
  line?: number;
  /** The known section it is probably a typo of. */
  guess?: string;
}

/** At most this many unrecognised sections become questions for staff; the rest are only named in a warning. */
export const MAX_UNRECOGNISED_SECTIONS = 20;
/** Longest section name kept as a question id (a longer one is named in a warning only). */
export const MAX_SECTION_NAME = 64;

/** File names an answers submission may use, in order of preference. */
export const ANSWERS_FILE_NAMES = ['answers.yaml', 'answers.yml', 'answers.json'] as const;

/** Formats an issue as `answers.yaml:12: backprop.gradients.w3: expected a number, got "abc" (string)`. */
export function formatIssue(file: string, issue: AnswerIssue): string {
  const where = issue.line !== undefined ? `${file}:${issue.line}` : file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** What loading needs of a key: its questions' section schemas. */
export type AnswersFormat = Pick<AnswersKey, 'questions'>;

/** What loading needs of the manifest besides the key. */
export interface AnswersLoadOptions {
  /** Sections the manifest's own manual questions read (a review, a theory answer): known, not validated. */
  manualSections?: readonly string[];
}

// verbose: errors carry their parentSchema, whose description says what a list or mapping should hold.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
// A second compilation that drops unknown keys, for sections whose only problem is an unknown key.
const stripper = new Ajv({ allowUnionTypes: true, strict: true, removeAdditional: 'all' });

interface Compiled {
  ids: string[];
  validators: Record<string, ValidateFunction>;
  strippers: Record<string, ValidateFunction>;
}
const compiledFormats = new WeakMap<object, Compiled>();

/** The validators of a key's sections, compiled once per key. */
function compiled(format: AnswersFormat): Compiled {
  let c = compiledFormats.get(format.questions);
  if (!c) {
    const ids = Object.keys(format.questions);
    c = {
      ids,
      validators: Object.fromEntries(ids.map((id) => [id, ajv.compile(format.questions[id].schema)])),
      strippers: Object.fromEntries(ids.map((id) => [id, stripper.compile(format.questions[id].schema)])),
    };
    compiledFormats.set(format.questions, c);
  }
  return c;
}

/**
 * Finds and loads the answers file of a submission folder (or reads the file when given one).
 * Throws DlgradeError('ANSWERS_INVALID') when there is no answers file or it cannot be read as a whole;
 * the caller turns that into "invalid" for every question.
 */
export async function loadAnswers(format: AnswersFormat, submission: string, displayRoot = process.cwd(), options: AnswersLoadOptions = {}): Promise<LoadedAnswers> {
  const info = await stat(submission).catch(() => null);
  let file = submission;
  if (info?.isDirectory()) {
    const found: string[] = [];
    for (const name of ANSWERS_FILE_NAMES) {
      if (await stat(path.join(submission, name)).catch(() => null)) found.push(name);
    }
    if (found.length === 0) {
      throw new DlgradeError('ANSWERS_INVALID', `no answers file: expected one of ${ANSWERS_FILE_NAMES.join(', ')}`, {
        file: display(submission, displayRoot),
      });
    }
    file = path.join(submission, found[0]);
    const loaded = parseAnswers(format, await readText(file, displayRoot), display(file, displayRoot), options);
    if (found.length > 1) {
      loaded.warnings.unshift({ path: '', message: `also found ${found.slice(1).join(', ')}; only ${found[0]} was graded` });
    }
    return loaded;
  }
  return parseAnswers(format, await readText(file, displayRoot), display(file, displayRoot), options);
}

/**
 * Reads a student's answers file: a regular file, not a symlink (which could point at a file of the host's and
 * have its lines quoted back in the report), and no larger than MAX_YAML_BYTES.
 */
async function readText(file: string, displayRoot: string): Promise<string> {
  const shown = display(file, displayRoot);
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symbolic link; expected a plain file' : 'cannot be read';
    throw new DlgradeError('ANSWERS_INVALID', `the answers file ${why}`, { file: shown, cause });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new DlgradeError('ANSWERS_INVALID', 'the answers file is not a plain file', { file: shown });
    if (info.size > MAX_YAML_BYTES) {
      throw new DlgradeError('ANSWERS_INVALID', `the answers file is ${(info.size / 1024 / 1024).toFixed(1)} MiB; it may be at most ${MAX_YAML_BYTES / 1024 / 1024} MiB`, { file: shown });
    }
    return await handle.readFile('utf8');
  } catch (cause) {
    if (cause instanceof DlgradeError) throw cause;
    throw new DlgradeError('ANSWERS_INVALID', 'cannot read the answers file', { file: shown, cause });
  } finally {
    await handle.close();
  }
}

function display(file: string, root: string): string {
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Parses answers text (JSON when `file` ends in .json, YAML otherwise) and validates each question's section on its own.
 * Throws DlgradeError('ANSWERS_INVALID') only for problems of the whole file: not text, not YAML/JSON (the line is
 * named), or not a mapping.
 */
export function parseAnswers(format: AnswersFormat, text: string, file: string, options: AnswersLoadOptions = {}): LoadedAnswers {
  const { ids, validators, strippers } = compiled(format);
  if (text.includes('\u0000')) {
    throw new DlgradeError('ANSWERS_INVALID', 'is not a text file: expected YAML or JSON answers', { file });
  }
  if (text.length > MAX_YAML_BYTES) {
    throw new DlgradeError('ANSWERS_INVALID', `is ${(text.length / 1024 / 1024).toFixed(1)} MiB; an answers file may be at most ${MAX_YAML_BYTES / 1024 / 1024} MiB`, { file });
  }
  const lines = new LineCounter();
  // Duplicate keys are found by firstDuplicateKey: the parser's own check is quadratic in the number of keys.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  let data: unknown;
  if (file.endsWith('.json')) {
    try {
      data = JSON.parse(text);
    } catch (cause) {
      const offset = jsonErrorOffset(text);
      const where = offset !== undefined ? ` at line ${lines.linePos(offset).line}, column ${lines.linePos(offset).col}` : '';
      // V8 quotes the text after a comma ("Unexpected token '}', "{…" is not valid JSON"); the place is named instead.
      const reason = (cause as Error).message.replace(/, (\.\.\.)?".*$/s, '').replace(/( in JSON)? at position \d+$/, '');
      throw new DlgradeError('ANSWERS_INVALID', `not valid JSON${where}: ${reason}`, { file, cause });
    }
  } else {
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const pos = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
      throw new DlgradeError('ANSWERS_INVALID', `not valid YAML at line ${pos.line}, column ${pos.col}: ${first.message.split('\n')[0]}`, { file });
    }
    const duplicate = firstDuplicateKey(doc);
    if (duplicate) {
      const pos = lines.linePos(duplicate.offset);
      throw new DlgradeError('ANSWERS_INVALID', `not valid YAML at line ${pos.line}, column ${pos.col}: Map keys must be unique ("${duplicate.key}" appears twice)`, { file });
    }
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      throw new DlgradeError('ANSWERS_INVALID', `cannot be read as YAML: ${(cause as Error).message}`, { file, cause });
    }
  }
  if (data === null || data === undefined) {
    throw new DlgradeError('ANSWERS_INVALID', `is empty: expected a mapping with one section per question (${ids.join(', ')})`, { file });
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new DlgradeError('ANSWERS_INVALID', `expected a mapping with one section per question at the top level, got ${describeValue(data)}`, { file });
  }

  const top = data as Record<string, unknown>;
  const lineOf = (segments: (string | number)[]): number | undefined => nodeLine(doc, lines, segments);
  const warnings: AnswerIssue[] = [];
  const sectionNames = [...ids, ...(options.manualSections ?? []).filter((name) => !ids.includes(name))];
  const unrecognised = findUnrecognised(Object.keys(top), sectionNames, lineOf, warnings);

  let studentId: string | undefined;
  const rawId = top.student_id;
  if (typeof rawId === 'string' && rawId.trim() !== '') studentId = rawId.trim();
  else if (typeof rawId === 'number' && Number.isInteger(rawId)) {
    // YAML reads 0123 as the number 123: keep the digits as written.
    const source = (doc.get('student_id', true) as { source?: unknown } | undefined)?.source;
    studentId = typeof source === 'string' && /^\d+$/.test(source) ? source : String(rawId);
  }
  else if (rawId !== undefined && rawId !== null && rawId !== '') {
    warnings.push({ path: 'student_id', line: lineOf(['student_id']), message: `expected text, got ${describeValue(rawId)}; ignored` });
  }

  const sections: Record<string, SectionState> = {};
  for (const id of ids) {
    sections[id] = validateSection(id, validators[id], strippers[id], top[id], lineOf, warnings);
  }
  return { file, studentId, sections, warnings, unrecognised };
}

/**
 * The top-level keys that name no section. Each is kept for staff (up to MAX_UNRECOGNISED_SECTIONS, names up to
 * MAX_SECTION_NAME characters) with a warning that says so and, for a likely typo, which section was meant.
 */
function findUnrecognised(
  keys: readonly string[],
  sectionNames: readonly string[],
  lineOf: (segments: (string | number)[]) => number | undefined,
  warnings: AnswerIssue[],
): UnrecognisedSection[] {
  const known = new Set<string>([...sectionNames, 'student_id']);
  const kept: UnrecognisedSection[] = [];
  for (const name of keys) {
    if (known.has(name)) continue;
    const guess = closestName(name, sectionNames);
    const line = lineOf([name]);
    const meant = guess ? ` (did you mean ${guess}?)` : '';
    const keep = kept.length < MAX_UNRECOGNISED_SECTIONS && name.trim() !== '' && name.length <= MAX_SECTION_NAME;
    if (keep) kept.push({ name, ...(line !== undefined ? { line } : {}), ...(guess ? { guess } : {}) });
    const fate = keep
      ? 'not a section of this assignment, so it is not graded automatically: it is kept and staff will read it'
      : `not a section of this assignment, and ignored (${name.length > MAX_SECTION_NAME ? `a name longer than ${MAX_SECTION_NAME} characters` : name.trim() === '' ? 'an empty name' : `more than ${MAX_UNRECOGNISED_SECTIONS} unrecognised sections`})`;
    warnings.push({ path: name.length > MAX_SECTION_NAME ? `${name.slice(0, MAX_SECTION_NAME)}…` : name, ...(line !== undefined ? { line } : {}), message: `${fate}${meant}; sections: ${sectionNames.join(', ')}` });
  }
  return kept;
}

function validateSection(
  id: string,
  validate: ValidateFunction,
  strip: ValidateFunction,
  value: unknown,
  lineOf: (segments: (string | number)[]) => number | undefined,
  warnings: AnswerIssue[],
): SectionState {
  if (value === undefined || value === null) return { state: 'missing' };
  if (validate(value)) return { state: 'answered', value };
  const issues: AnswerIssue[] = [];
  for (const issue of mapAjvErrors(validate.errors ?? [], value)) {
    const unknownKey = issue.kind === 'unknown-key';
    const at = formatSegments(unknownKey ? [...issue.segments, issue.key] : issue.segments, id);
    // An unknown key is ignored: it costs nothing, so it is a warning rather than a reason to drop the section.
    (unknownKey ? warnings : issues).push({ path: at, line: lineOf([id, ...issue.segments, ...(unknownKey ? [issue.key] : [])]), message: issueMessage(issue, at, 'answer') });
  }
  if (issues.length === 0) {
    const copy = structuredClone(value);
    strip(copy);
    return { state: 'answered', value: copy };
  }
  return { state: 'invalid', issues };
}

/**
 * Where JSON.parse first fails, for messages that do not say: the shortest prefix that fails for a reason other
 * than ending early. Failing that way is monotone in the prefix length, so a binary search finds it.
 */
function jsonErrorOffset(text: string): number | undefined {
  const failsInside = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      if (/end of JSON input/.test(message)) return false;
      const position = /at position (\d+)/.exec(message);
      return !(position && Number(position[1]) >= n);
    }
  };
  // Failing only for ending early: the file stops before the JSON value is complete.
  if (!failsInside(text.length)) return text.length;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

/** The 1-based line of the node at a path in the YAML document (also used for JSON, which is YAML). */
function nodeLine(doc: Document, lines: LineCounter, segments: (string | number)[]): number | undefined {
  for (let n = segments.length; n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    // A key whose value is null or missing: look for the key itself in the parent map.
    const parent = doc.getIn(segments.slice(0, n - 1), true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
    const pair = parent?.items?.find((item) => item.key && item.key.value === segments[n - 1]);
    if (pair?.key?.range) return lines.linePos(pair.key.range[0]).line;
  }
  return undefined;
}
