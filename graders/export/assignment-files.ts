// An assignment's data for a kit or a bundle: manifest, course files, fixtures and lock — all cases, or public ones only.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument, isMap, isNode, isSeq, visit, type YAMLMap } from 'yaml';
import type { Assignment } from '../manifest/load-manifest.js';
import { parseManifest } from '../manifest/load-manifest.js';
import type { CaseT, QuestionT } from '../manifest/schema.js';
import type { FixtureLock } from '../fixtures/lock.js';
import { caseFixturePath, fixturesDir, generatedFixturePath, lockPath } from '../fixtures/paths.js';
import { DlgradeError } from '../errors.js';
import { addTree, type Bundle } from './bundle.js';

export interface AssignmentFilesOptions {
  /** public: the student kit (no hidden case, no solution); all: the Gradescope bundle. */
  cases: 'public' | 'all';
  /** Ship the starter code and the handout (the student kit does). */
  studentMaterial: boolean;
}

export interface AssignmentFilesReport {
  /** sha256 of every data file shipped, by bundle path. */
  files: Record<string, string>;
  /** Cases shipped and cases left out, as question/case ids. */
  shipped: string[];
  left: string[];
  /** Questions left out of a public kit because all their cases are hidden. */
  droppedQuestions: string[];
}

/** Adds assignments/<id>/… and fixtures/<id>/… under `prefix`, keeping the repository's layout so the lock's paths hold. */
export async function addAssignment(bundle: Bundle, assignment: Assignment, options: AssignmentFilesOptions, prefix = ''): Promise<AssignmentFilesReport> {
  const { manifest } = assignment;
  const id = manifest.id;
  const assignmentDir = join(prefix, `assignments/${id}`);
  const fixturesRoot = join(prefix, `fixtures/${id}`);
  const report: AssignmentFilesReport = { files: {}, shipped: [], left: [], droppedQuestions: [] };
  const lock = JSON.parse(await readFile(lockPath(assignment), 'utf8').catch((cause) => {
    throw new DlgradeError('FIXTURE_MISSING', `no fixtures for ${id}: run "dlgrade fixtures ${id}" before exporting`, { file: lockPath(assignment), cause });
  })) as FixtureLock;
  const shippedLock: FixtureLock = { ...lock, files: {} };

  const add = async (bundlePath: string, source: string) => {
    const bytes = await readFile(source);
    bundle.set(bundlePath, { source });
    report.files[bundlePath] = sha256(bytes);
    return sha256(bytes);
  };
  // A file of the fixtures lock: shipped, and listed in the shipped lock under its path from the fixtures folder.
  const addLocked = async (source: string, bundlePath: string) => {
    const hash = await add(bundlePath, source);
    const lockKey = path.posix.relative(fixturesRoot, bundlePath);
    const original = lock.files[path.relative(fixturesDir(assignment), source)];
    if (original !== hash) {
      throw new DlgradeError('FIXTURE_MISMATCH', `${path.relative(fixturesDir(assignment), source)} does not match fixtures.lock.json; regenerate with "dlgrade fixtures ${id}" before exporting`, { file: source });
    }
    shippedLock.files[lockKey] = hash;
  };

  const wanted = (c: CaseT) => options.cases === 'all' || c.visibility === 'public';
  // A course file read by a hidden case holds that case's expected outputs: a public kit cannot ship it.
  const hiddenSources = new Set(manifest.questions.flatMap((q) => q.cases.filter((c) => !wanted(c) && c.source).map((c) => path.resolve(assignment.dir, c.source!.file))));
  for (const question of manifest.questions) {
    for (const c of question.cases) {
      if (!wanted(c)) {
        report.left.push(`${question.id}/${c.id}`);
        continue;
      }
      report.shipped.push(`${question.id}/${c.id}`);
      if (c.source) {
        const rel = insideAssignment(assignment, question, c);
        if (hiddenSources.has(path.resolve(assignment.dir, c.source.file))) {
          throw new DlgradeError('MANIFEST_INVALID', `${question.id}/${c.id}: ${c.source.file} is also read by a hidden case, so a student kit cannot ship it; give the hidden cases their own file`, {
            file: assignment.manifestPath,
          });
        }
        if (!bundle.has(`${assignmentDir}/${rel}`)) await addLocked(caseFixturePath(assignment, question.id, c), `${assignmentDir}/${rel}`);
        if (question.mistakes?.length) await addLocked(generatedFixturePath(assignment, question.id, c), `${fixturesRoot}/${c.visibility}/${question.id}/${c.id}.npz`);
      } else {
        await addLocked(generatedFixturePath(assignment, question.id, c), `${fixturesRoot}/${c.visibility}/${question.id}/${c.id}.npz`);
      }
    }
    if (!question.cases.some(wanted)) report.droppedQuestions.push(question.id);
  }

  // The model's class file: the runner builds the model from it, in a kit and a bundle alike.
  if (manifest.model) await add(`${assignmentDir}/${manifest.model.file}`, path.resolve(assignment.dir, manifest.model.file));

  const manifestText = await readFile(assignment.manifestPath, 'utf8');
  const shippedManifest = options.cases === 'all' ? manifestText : publicManifest(manifestText, assignment.manifestPath);
  bundle.set(`${assignmentDir}/manifest.yaml`, { content: shippedManifest });
  report.files[`${assignmentDir}/manifest.yaml`] = sha256(Buffer.from(shippedManifest));
  // The shipped lock lists exactly the shipped files, by their paths in the bundle's layout.
  const lockText = JSON.stringify(shippedLock, null, 2) + '\n';
  bundle.set(`${fixturesRoot}/fixtures.lock.json`, { content: lockText });
  report.files[`${fixturesRoot}/fixtures.lock.json`] = sha256(Buffer.from(lockText));

  if (options.studentMaterial) {
    if (manifest.starter) {
      const starter = path.resolve(assignment.dir, manifest.starter);
      if ((await stat(starter).catch(() => undefined))?.isDirectory()) {
        const before = new Set(bundle.keys());
        await addTree(bundle, starter, `${assignmentDir}/${manifest.starter}`);
        for (const key of bundle.keys()) if (!before.has(key)) report.files[key] = sha256(await readFile(bundle.get(key)!.source!));
      }
    }
    if (manifest.handout && existsSync(path.resolve(assignment.dir, manifest.handout))) {
      await add(`${assignmentDir}/${manifest.handout}`, path.resolve(assignment.dir, manifest.handout));
    }
  }
  return report;
}

/** The manifest without hidden cases, questions that have no public case, the solution path, or comments. */
export function publicManifest(text: string, file: string): string {
  const doc = parseDocument(text);
  doc.delete('solution');
  const questions = doc.get('questions');
  if (isSeq(questions)) {
    questions.items = questions.items.filter((q) => {
      if (!isMap(q)) return true;
      const cases = (q as YAMLMap).get('cases');
      if (!isSeq(cases)) return true;
      cases.items = cases.items.filter((c) => !isMap(c) || (c as YAMLMap).get('visibility') !== 'hidden');
      return cases.items.length > 0;
    });
  }
  // Comments go too: one written beside a public case may talk about the hidden ones.
  doc.commentBefore = null;
  doc.comment = null;
  visit(doc, (_key, node) => {
    if (isNode(node)) {
      node.commentBefore = null;
      node.comment = null;
    }
  });
  const out = doc.toString({ lineWidth: 0 });
  // Whatever the rewrite produced must still be a valid manifest.
  parseManifest(out, `${file} (public copy)`);
  return out;
}

/** A course file's path inside the assignment folder; files elsewhere cannot be shipped with the same manifest. */
function insideAssignment(assignment: Assignment, question: QuestionT, c: CaseT): string {
  const rel = path.relative(assignment.dir, path.resolve(assignment.dir, c.source!.file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new DlgradeError('MANIFEST_INVALID', `${question.id}/${c.id}: source.file ${c.source!.file} lies outside the assignment folder, so it cannot be exported; move it inside`, {
      file: assignment.manifestPath,
    });
  }
  return rel.split(path.sep).join('/');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const join = (prefix: string, rel: string) => (prefix ? `${prefix}/${rel}` : rel);
