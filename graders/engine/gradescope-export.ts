// Gradescope's "Export Submissions" folder: submission_metadata.yml names the students of each submission_<id>/ folder.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { DlgradeError, describeValue } from '../errors.js';
import type { FoundSubmission } from './submissions.js';

export const GRADESCOPE_METADATA = 'submission_metadata.yml';

/** A submitter as the export names them (keys are Ruby symbols: ":name", ":sid", ":email"). */
export interface GradescopeSubmitter {
  name?: string;
  sid?: string;
  email?: string;
}

/** True when the folder is a Gradescope export. */
export async function isGradescopeExport(root: string): Promise<boolean> {
  return (await stat(path.join(root, GRADESCOPE_METADATA)).catch(() => undefined))?.isFile() ?? false;
}

/**
 * One submission per student: a group submission is listed once for each of its students, so every student gets
 * a result and a gradebook row. A student is named by their student id (sid), else their e-mail, else the folder.
 */
export async function findGradescopeSubmissions(root: string): Promise<FoundSubmission[]> {
  const file = path.join(root, GRADESCOPE_METADATA);
  let metadata: unknown;
  try {
    metadata = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 });
  } catch (cause) {
    throw new DlgradeError('SUBMISSION_INVALID', `not valid YAML: ${(cause as Error).message.split('\n')[0]}`, { file, cause });
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new DlgradeError('SUBMISSION_INVALID', `expected a mapping of submission folders to their submitters, got ${describeValue(metadata)}`, { file });
  }
  const found: FoundSubmission[] = [];
  const seen = new Map<string, string>();
  for (const [folder, entry] of Object.entries(metadata as Record<string, unknown>)) {
    if (folder.includes('/') || folder.includes('\\') || folder.startsWith('.')) {
      throw new DlgradeError('SUBMISSION_INVALID', `"${folder}" is not a submission folder name`, { file });
    }
    const dir = path.join(root, folder);
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
      throw new DlgradeError('SUBMISSION_INVALID', `${folder}: the metadata names it but there is no such folder in the export`, { file });
    }
    const submitters = readSubmitters(entry, folder, file);
    const created = entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[':created_at'] : undefined;
    const createdAt = created instanceof Date ? created.toISOString() : typeof created === 'string' && !Number.isNaN(Date.parse(created)) ? new Date(created).toISOString() : undefined;
    for (const submitter of submitters.length ? submitters : [{}]) {
      const student = studentId(submitter, folder);
      if (seen.has(student)) {
        throw new DlgradeError('SUBMISSION_INVALID', `the student "${student}" appears in two submissions: ${seen.get(student)} and ${folder}`, { file });
      }
      seen.set(student, folder);
      found.push({ student, path: dir, kind: 'dir', idFromLms: student !== folder, original: submitter.name ?? folder, ...(createdAt ? { createdAt } : {}) });
    }
  }
  return found.sort((a, b) => (a.student < b.student ? -1 : 1));
}

function readSubmitters(entry: unknown, folder: string, file: string): GradescopeSubmitter[] {
  const list = entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[':submitters'] : undefined;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new DlgradeError('SUBMISSION_INVALID', `${folder}.:submitters must be a list, got ${describeValue(list)}`, { file });
  return list.map((s: unknown) => {
    const r = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
    const text = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
    return { name: text(r[':name']), sid: text(r[':sid']), email: text(r[':email']) };
  });
}

/** The id a result and a gradebook row use: sid, e-mail or the folder, reduced to the characters a file name allows. */
export function studentId(submitter: GradescopeSubmitter, folder: string): string {
  const raw = submitter.sid ?? submitter.email ?? folder;
  const clean = raw.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return clean.slice(0, 128) || folder;
}
