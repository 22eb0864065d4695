// Loads and validates assignments/<id>/manifest.yaml; every problem is reported with the file and the path inside it.
import { readFile, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';
import { formatSegments, issueMessage, mapAjvErrors } from '../util/schema-issues.js';
import { DlgradeError } from '../errors.js';
import { Manifest, type ManifestT, type QuestionT } from './schema.js';
import { MAX_YAML_BYTES, firstDuplicateKey } from '../util/yaml-limits.js';

/** A validated manifest with the paths derived from where it lives. */
export interface Assignment {
  manifest: ManifestT;
  /** Folder holding manifest.yaml. */
  dir: string;
  manifestPath: string;
  /** sha256 of the manifest file, recorded in results. */
  manifestSha256: string;
  /** The text of the manifest's model file (`model.file`), which the runner builds the model from. */
  modelSource?: string;
}

// Worked out once: paths of fixtures and templates are asked for per case.
let root: string | undefined;

/** The project root: graders/manifest/ is two levels below it (also from dist/). */
export function projectRoot(): string {
  if (root === undefined) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const up = path.resolve(here, '..', '..');
    root = path.basename(up) === 'dist' ? path.dirname(up) : up;
  }
  return root;
}

/** Where assignments live: DLGRADE_ASSIGNMENTS, or the project's assignments/ folder. */
export function assignmentsRoot(): string {
  return process.env.DLGRADE_ASSIGNMENTS ?? path.join(projectRoot(), 'assignments');
}

// Compiled when any command starts, so kept cheap: the schema is dlgrade's own (schema.ts), checked against JSON
// Schema's meta-schema by a test rather than on every run, and the validator runs once per manifest, so Ajv's code
// optimisation passes (about half the compile time) are not worth their cost.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: false, code: { optimize: false } });
const validateManifest = ajv.compile<ManifestT>(Manifest);

/** Lists the assignment ids found under the assignments folder. */
export async function listAssignments(root = assignmentsRoot()): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const ids: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && (await stat(path.join(root, entry.name, 'manifest.yaml')).catch(() => null))) ids.push(entry.name);
  }
  return ids.sort();
}

/** Loads an assignment by id (a folder under the assignments root) or by a path to a manifest or its folder. */
export async function loadAssignment(idOrPath: string, root = assignmentsRoot()): Promise<Assignment> {
  const looksLikePath = idOrPath.includes('/') || idOrPath.endsWith('.yaml');
  let manifestPath = looksLikePath ? path.resolve(idOrPath) : path.join(root, idOrPath, 'manifest.yaml');
  if (looksLikePath && !manifestPath.endsWith('.yaml')) manifestPath = path.join(manifestPath, 'manifest.yaml');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    if (!looksLikePath) {
      const known = await listAssignments(root);
      throw new DlgradeError('ASSIGNMENT_NOT_FOUND', `no assignment "${idOrPath}" (known: ${known.join(', ') || 'none'})`, { cause });
    }
    throw new DlgradeError('MANIFEST_NOT_FOUND', 'cannot read the manifest', { file: manifestPath, cause });
  }
  const manifest = parseManifest(text, displayPath(manifestPath));
  let modelSource: string | undefined;
  if (manifest.model) {
    const file = path.resolve(path.dirname(manifestPath), manifest.model.file);
    modelSource = await readFile(file, 'utf8').catch((cause) => {
      throw new DlgradeError('MANIFEST_INVALID', `model.file: cannot read ${displayPath(file)}`, { file: displayPath(manifestPath), cause });
    });
  }
  return {
    manifest,
    dir: path.dirname(manifestPath),
    manifestPath,
    manifestSha256: createHash('sha256').update(text).digest('hex'),
    ...(modelSource !== undefined ? { modelSource } : {}),
  };
}

/** Parses and validates manifest text; `file` is used in messages. Exported for tests and fuzzing. */
export function parseManifest(text: string, file: string): ManifestT {
  if (text.length > MAX_YAML_BYTES) {
    throw new DlgradeError('MANIFEST_INVALID', `is ${(text.length / 1024 / 1024).toFixed(1)} MiB; a manifest may be at most ${MAX_YAML_BYTES / 1024 / 1024} MiB`, { file });
  }
  // Duplicate keys are found by firstDuplicateKey: the parser's own check is quadratic in the number of keys.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    throw new DlgradeError('MANIFEST_INVALID', `not valid YAML${where}: ${first.message.split('\n')[0]}`, { file });
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const pos = lines.linePos(duplicate.offset);
    throw new DlgradeError('MANIFEST_INVALID', `not valid YAML at line ${pos.line}, column ${pos.col}: Map keys must be unique ("${duplicate.key}" appears twice)`, { file });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    // An alias bomb ("billion laughs") or a merge loop.
    throw new DlgradeError('MANIFEST_INVALID', `cannot be read as YAML: ${(cause as Error).message}`, { file, cause });
  }
  if (!validateManifest(data)) {
    const messages = summarizeAjvErrors(validateManifest.errors ?? [], data);
    throw new DlgradeError('MANIFEST_INVALID', messages.join('; '), { file });
  }
  checkConsistency(data, file);
  return data;
}

/** Turns Ajv errors into "questions[3].rtol must be …, got -1 (number)", keeping the first few. */
export function summarizeAjvErrors(errors: ErrorObject[], data: unknown): string[] {
  return mapAjvErrors(errors, data)
    .slice(0, 5)
    .map((issue) => issueMessage(issue, formatSegments(issue.segments) || '(top level)', 'rule'));
}

/** "/questions/3/rtol" → "questions[3].rtol". */
export function formatPath(instancePath: string): string {
  return formatSegments(instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~'))));
}

/** Rules a schema cannot say: unique ids, outputs and steps that go together, known input names. */
function checkConsistency(manifest: ManifestT, file: string): void {
  const fail = (where: string, message: string): never => {
    throw new DlgradeError('MANIFEST_INVALID', `${where} ${message}`, { file });
  };
  const questionIds = new Set<string>();
  manifest.questions.forEach((q: QuestionT, qi) => {
    const where = `questions[${qi}] (${q.id})`;
    if (questionIds.has(q.id)) fail(where, `repeats the question id "${q.id}"`);
    questionIds.add(q.id);
    checkManualQuestion(q, manifest.runner, where, fail);
    if (q.kind !== 'manual' && !q.cases) fail(where, 'is missing the required field "cases"');
    q.cases ??= [];
    if (manifest.runner === 'python' && q.kind !== 'manual' && (!q.steps || !q.outputs)) fail(where, 'needs "steps" and "outputs" for a python assignment');
    const outputSpecs = Object.values(q.outputs ?? {});
    if (outputSpecs.length > 0 && outputSpecs.every((o) => typeof o === 'object' && o.graded === false)) {
      fail(`${where}.outputs`, 'has no graded output: a question whose outputs are all "graded: false" would always pass');
    }
    if (q.parts) checkParts(q, `${where}.parts`, fail);
    if (Object.values(q.inputs ?? {}).includes('model') && !manifest.model) fail(`${where}.inputs`, 'has an input of kind "model", but the manifest has no "model" section');
    const caseIds = new Set<string>();
    q.cases.forEach((c, ci) => {
      if (caseIds.has(c.id)) fail(`${where}.cases[${ci}]`, `repeats the case id "${c.id}"`);
      caseIds.add(c.id);
      if (c.source && q.inputs) {
        for (const name of Object.keys(q.inputs)) {
          if (!(name in c.source.inputs)) fail(`${where}.cases[${ci}].source.inputs`, `has no key for the input "${name}"`);
        }
      }
      if (c.source && q.outputs) {
        for (const name of Object.keys(q.outputs)) {
          if (!(name in c.source.expected)) fail(`${where}.cases[${ci}].source.expected`, `has no key for the output "${name}"`);
        }
      }
    });
  });
}

/** A question in parts: unique part ids, and every graded output in exactly one part. */
function checkParts(q: QuestionT, where: string, fail: (where: string, message: string) => never): void {
  const graded = Object.entries(q.outputs ?? {}).filter(([, spec]) => typeof spec === 'string' || spec.graded !== false).map(([name]) => name);
  const owner = new Map<string, string>();
  const ids = new Set<string>();
  for (const [i, part] of (q.parts ?? []).entries()) {
    if (ids.has(part.id)) fail(`${where}[${i}]`, `repeats the part id "${part.id}"`);
    ids.add(part.id);
    for (const name of part.outputs) {
      if (!graded.includes(name)) fail(`${where}[${i}].outputs`, `names "${name}", which is not a graded output of the question (graded: ${graded.join(', ')})`);
      if (owner.has(name)) fail(`${where}[${i}].outputs`, `names "${name}", which is already in part "${owner.get(name)}"`);
      owner.set(name, part.id);
    }
  }
  const orphans = graded.filter((name) => !owner.has(name));
  if (orphans.length) fail(where, `leaves the graded output(s) ${orphans.join(', ')} in no part`);
}

/** Manual questions: a rubric with unique ids that can reach the points, one thing handed in, no code to run. */
function checkManualQuestion(q: QuestionT, runner: ManifestT['runner'], where: string, fail: (where: string, message: string) => never): void {
  if (q.kind !== 'manual') {
    if (q.rubric) fail(`${where}.rubric`, 'is for manual questions (kind: manual)');
    if (q.submit) fail(`${where}.submit`, 'is for manual questions (kind: manual)');
    return;
  }
  if (runner === 'python' && (q.steps || q.outputs || q.inputs)) fail(where, 'is graded by staff (kind: manual), so it has no "inputs", "steps" or "outputs"');
  const given = Object.keys(q.submit ?? {});
  if (q.submit && given.length !== 1) fail(`${where}.submit`, `must name exactly one of file, answer, cell; got ${given.join(', ') || 'none'}`);
  if (runner === 'python' && q.submit?.answer !== undefined) fail(`${where}.submit.answer`, 'is for answers assignments (runner: answers); use file or cell');
  if (q.submit?.file !== undefined && (q.submit.file === '' || path.isAbsolute(q.submit.file) || q.submit.file.split(/[\\/]/).includes('..'))) {
    fail(`${where}.submit.file`, `must be a path inside the submission, got ${JSON.stringify(q.submit.file)}`);
  }
  const ids = new Set<string>();
  for (const [i, item] of (q.rubric ?? []).entries()) {
    if (ids.has(item.id)) fail(`${where}.rubric[${i}]`, `repeats the item id "${item.id}"`);
    ids.add(item.id);
  }
  const credit = (q.rubric ?? []).filter((item) => item.points > 0).reduce((s, item) => s + item.points, 0);
  if (q.rubric && credit < q.points - 1e-9) fail(`${where}.rubric`, `gives at most ${credit} point(s) but the question is worth ${q.points}`);
}

/** A path relative to the working directory when that is shorter, for messages. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && rel.length < p.length ? rel : p;
}
