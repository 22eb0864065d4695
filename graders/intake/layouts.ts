// Recognises how a class's submissions arrived (Canvas, Moodle, GitHub Classroom, Gradescope, a folder or zip
// per student) from the files themselves, and lists each student's submission with what the LMS says about it.
import { lstat, mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import { findGradescopeSubmissions, isGradescopeExport } from '../engine/gradescope-export.js';
import { SAFE_ID, safeId } from './naming.js';
import { CLASS_ZIP_LIMITS, isPlatformClutter, unpackZipTo } from './zip-reader.js';
import { gitCommit } from './git-info.js';

/** How a submission reached dlgrade. */
export type SourceFormat = 'folder' | 'zip' | 'notebook' | 'file' | 'canvas' | 'moodle' | 'github-classroom' | 'gradescope';

/** Something to copy into the submission's grading folder. */
export interface SubmissionSource {
  path: string;
  kind: 'dir' | 'zip' | 'file';
  /** For a file: its name in the grading folder (a Canvas file's original name). */
  name?: string;
}

/** One student's submission as found, before anything is read from it. */
export interface IntakeSubmission {
  /** The file-safe id results and reports use. */
  student: string;
  /** The name as the LMS or person gave it (folder name, Canvas name slug, Moodle full name). */
  original: string;
  format: SourceFormat;
  /** Where it came from, as recorded in the result. */
  path: string;
  sources: SubmissionSource[];
  /** From the LMS or git; the files' times are used when nothing better exists. */
  submittedAt?: string;
  submittedAtSource?: string;
  /** The LMS marked it late (Canvas "LATE_"). */
  lmsLate?: boolean;
  git?: { commit: string; committedAt: string };
  notes: string[];
}

/** An entry of the submissions folder that is not graded, and why. */
export interface SkippedEntry {
  entry: string;
  reason: string;
}

export interface Discovery {
  /** The layout recognised, e.g. "canvas". */
  format: SourceFormat | 'mixed';
  submissions: IntakeSubmission[];
  skipped: SkippedEntry[];
  /** Removes what was unpacked to find the submissions (a class zip). */
  cleanup(): Promise<void>;
}

/** Canvas "Download Submissions": `slug_[LATE_]userid_attachmentid_original-name`. */
const CANVAS_FILE = /^([a-z0-9-]+)_(LATE_)?(\d+)_(\d+)_(.+)$/;
/** Moodle: `Full Name_participantid_assignsubmission_file_` folders (or that prefix on each file). */
const MOODLE_ENTRY = /^(.+)_(\d+)_assignsubmission_(file|onlinetext)_(.*)$/;

/** What `root` is, or a message naming it when it cannot be read; cheap, so a command can say so before starting Python. */
export async function statSubmissions(root: string): Promise<Stats> {
  return stat(root).catch((cause) => {
    throw new DlgradeError('USAGE', `cannot read the submissions folder ${root}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (cause as Error).message}`, { cause });
  });
}

export interface DiscoveryOptions {
  /** Helps strip a GitHub Classroom repository prefix. */
  assignmentId?: string;
  /** dlgrade's own folders (the output and cache folders), never a student's even when they lie among the submissions. */
  ownFolders?: string[];
}

/** Finds the submissions under `root` (a folder, or a zip of one such as Canvas's download). */
export async function discoverSubmissions(root: string, options: DiscoveryOptions = {}): Promise<Discovery> {
  const info = await statSubmissions(root);
  if (info.isFile() && root.toLowerCase().endsWith('.zip')) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-class-'));
    try {
      await unpackZipTo(root, dir, CLASS_ZIP_LIMITS, path.basename(root));
      // A zip of the class folder ("submissions/jane/…"): the folder inside is the class.
      const top = (await readdir(dir, { withFileTypes: true })).filter((e) => !isPlatformClutter([e.name]));
      const classDir = top.length === 1 && top[0].isDirectory() ? path.join(dir, top[0].name) : dir;
      const found = await discoverFolder(classDir, options);
      // Results name the zip, not the temporary folder it was unpacked to.
      for (const s of found.submissions) s.path = `${root}!/${path.relative(dir, s.path) || '.'}`;
      return { ...found, cleanup: () => rm(dir, { recursive: true, force: true }) };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
  if (!info.isDirectory()) {
    throw new DlgradeError('USAGE', `${root} is neither a folder nor a .zip: expected a folder of submissions (one sub-folder or .zip per student, or an LMS download)`);
  }
  return { ...(await discoverFolder(root, options)), cleanup: async () => {} };
}

async function discoverFolder(root: string, options: DiscoveryOptions): Promise<Omit<Discovery, 'cleanup'>> {
  if (await isGradescopeExport(root)) {
    const found = await findGradescopeSubmissions(root);
    return {
      format: 'gradescope',
      skipped: [],
      submissions: found.map((s) => ({
        student: s.student,
        original: s.original ?? s.student,
        format: 'gradescope',
        path: s.path,
        sources: [{ path: s.path, kind: 'dir' }],
        ...(s.createdAt ? { submittedAt: s.createdAt, submittedAtSource: 'Gradescope (:created_at)' } : {}),
        notes: [],
      })),
    };
  }
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  let listed = entries.filter((e) => !isPlatformClutter([e.name]));
  // `grade . --out dlgrade-out` run in the class folder: the second run must not grade the first one's output. Not
  // listed as skipped either: it is no entry of the class.
  const own = new Set(await Promise.all((options.ownFolders ?? []).map((dir) => realpath(dir).catch(() => path.resolve(dir)))));
  const realRoot = own.size ? await realpath(root) : root;
  const ownHere = listed.filter((e) => e.isDirectory() && own.has(path.join(realRoot, e.name)));
  listed = listed.filter((e) => !ownHere.includes(e));
  // A zip or folder holding one class folder (an LMS download unpacked with its folder): look inside it.
  if (listed.length === 1 && listed[0].isDirectory() && !CANVAS_FILE.test(listed[0].name) && !MOODLE_ENTRY.test(listed[0].name)) {
    const inner = path.join(root, listed[0].name);
    const innerEntries = await readdir(inner, { withFileTypes: true });
    if (innerEntries.some((e) => CANVAS_FILE.test(e.name) || MOODLE_ENTRY.test(e.name))) return discoverFolder(inner, options);
  }
  const skipped: SkippedEntry[] = [];
  const hidden = listed.filter((e) => e.name.startsWith('.'));
  for (const e of hidden) skipped.push({ entry: e.isDirectory() ? `${e.name}/` : e.name, reason: 'hidden (its name starts with a dot)' });
  listed = listed.filter((e) => !e.name.startsWith('.'));

  const files = listed.filter((e) => !e.isDirectory());
  const canvas = files.filter((e) => CANVAS_FILE.test(e.name));
  const moodle = listed.filter((e) => MOODLE_ENTRY.test(e.name));
  let submissions: IntakeSubmission[];
  let format: Discovery['format'];
  if (canvas.length > 0 && canvas.length >= files.length / 2) {
    format = 'canvas';
    submissions = canvasSubmissions(root, canvas.map((e) => e.name));
    for (const e of listed) if (!canvas.includes(e)) skipped.push({ entry: e.name, reason: 'not named as Canvas names submission files (slug_userid_fileid_name)' });
  } else if (moodle.length > 0 && moodle.length >= listed.length / 2) {
    format = 'moodle';
    submissions = moodleSubmissions(root, moodle);
    for (const e of listed) if (!moodle.includes(e)) skipped.push({ entry: e.name, reason: 'not named as Moodle names submissions (Full Name_id_assignsubmission_file_)' });
  } else {
    const found = await perStudentSubmissions(root, listed, skipped, options);
    format = found.format;
    submissions = found.submissions;
  }
  return { format, ...refuseAmbiguous(submissions, skipped) };
}

/** Two submissions for one id cannot both be graded, and choosing one would be a guess: both are skipped. */
function refuseAmbiguous(submissions: IntakeSubmission[], skipped: SkippedEntry[]): { submissions: IntakeSubmission[]; skipped: SkippedEntry[] } {
  const byId = new Map<string, IntakeSubmission[]>();
  for (const s of submissions) byId.set(s.student, [...(byId.get(s.student) ?? []), s]);
  const kept: IntakeSubmission[] = [];
  for (const [id, group] of byId) {
    if (group.length === 1) kept.push(group[0]);
    else for (const s of group) skipped.push({ entry: path.basename(s.path), reason: `the student id "${id}" has ${group.length} submissions (${group.map((g) => path.basename(g.path)).join(', ')}); keep one` });
  }
  return { submissions: kept.sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0)), skipped };
}

/** Canvas: every file of a user id is one submission; a name repeated under two attachment ids keeps the newer. */
export function canvasSubmissions(root: string, names: string[]): IntakeSubmission[] {
  const byUser = new Map<string, { slug: string; late: boolean; files: Map<string, { attachment: number; entry: string }>; notes: string[] }>();
  for (const entry of names) {
    const [, slug, late, user, attachment, original] = CANVAS_FILE.exec(entry)!;
    const record = byUser.get(user) ?? { slug, late: false, files: new Map(), notes: [] as string[] };
    record.late ||= Boolean(late);
    const before = record.files.get(original);
    if (!before || Number(attachment) > before.attachment) {
      if (before) record.notes.push(`${original}: two uploads; took the newer (${entry})`);
      record.files.set(original, { attachment: Number(attachment), entry });
    }
    byUser.set(user, record);
  }
  return [...byUser].map(([user, r]) => ({
    student: user,
    original: r.slug,
    format: 'canvas' as const,
    path: path.join(root, [...r.files.values()][0].entry),
    sources: [...r.files].map(([original, f]) => ({ path: path.join(root, f.entry), kind: f.entry.toLowerCase().endsWith('.zip') ? ('zip' as const) : ('file' as const), name: original })),
    ...(r.late ? { lmsLate: true } : {}),
    notes: r.notes,
  }));
}

/** Moodle: one folder (or prefixed files) per participant id. */
function moodleSubmissions(root: string, entries: { name: string; isDirectory(): boolean }[]): IntakeSubmission[] {
  const byId = new Map<string, IntakeSubmission>();
  for (const e of entries) {
    const [, fullName, id, , rest] = MOODLE_ENTRY.exec(e.name)!;
    const s: IntakeSubmission = byId.get(id) ?? { student: id, original: fullName, format: 'moodle', path: path.join(root, e.name), sources: [], notes: [] };
    const full = path.join(root, e.name);
    if (e.isDirectory()) s.sources.push({ path: full, kind: 'dir' });
    else if (rest) s.sources.push({ path: full, kind: rest.toLowerCase().endsWith('.zip') ? 'zip' : 'file', name: rest });
    byId.set(id, s);
  }
  return [...byId.values()];
}

/** A folder, zip or notebook per student (or GitHub Classroom clones), named in any way. */
async function perStudentSubmissions(root: string, listed: { name: string; isDirectory(): boolean; isSymbolicLink(): boolean }[], skipped: SkippedEntry[], options: { assignmentId?: string }) {
  const candidates: { name: string; full: string; kind: 'dir' | 'zip' | 'file'; format: SourceFormat; notes: string[]; git: boolean }[] = [];
  for (const e of listed) {
    const full = path.join(root, e.name);
    const notes: string[] = [];
    let isDir = e.isDirectory();
    let isFile = !isDir && !e.isSymbolicLink();
    if (e.isSymbolicLink()) {
      // Instructors link LMS folders in: a link is followed, and said so.
      const target = await stat(full).catch(() => undefined);
      if (!target) {
        skipped.push({ entry: e.name, reason: 'a symbolic link to nothing (its target does not exist)' });
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
      notes.push('the submission is a symbolic link; its target was graded');
    }
    const lower = e.name.toLowerCase();
    if (isDir) {
      const git = Boolean((await lstat(path.join(full, '.git')).catch(() => undefined))?.isDirectory());
      candidates.push({ name: e.name, full, kind: 'dir', format: git ? 'github-classroom' : 'folder', notes, git });
    } else if (isFile && lower.endsWith('.zip')) candidates.push({ name: e.name.slice(0, -4), full, kind: 'zip', format: 'zip', notes, git: false });
    else if (isFile && (lower.endsWith('.ipynb') || lower.endsWith('.py'))) {
      const ext = lower.endsWith('.ipynb') ? '.ipynb' : '.py';
      candidates.push({ name: e.name.slice(0, -ext.length), full, kind: 'file', format: ext === '.ipynb' ? 'notebook' : 'file', notes, git: false });
    } else skipped.push({ entry: e.name, reason: isFile ? 'a file, not a sub-folder, .zip, .ipynb or .py per student' : 'not a regular file or folder' });
  }
  const clones = candidates.filter((c) => c.git);
  const classroom = clones.length > 0 && clones.length >= candidates.length / 2;
  const prefix = classroom ? classroomPrefix(clones.map((c) => c.name), options.assignmentId) : '';
  const submissions: IntakeSubmission[] = [];
  for (const c of candidates) {
    const original = classroom && c.git && prefix && c.name.startsWith(prefix) && c.name.length > prefix.length ? c.name.slice(prefix.length) : c.name;
    const student = safeId(original);
    const s: IntakeSubmission = { student, original: c.name, format: c.format, path: c.full, sources: [{ path: c.full, kind: c.kind, ...(c.kind === 'file' ? { name: path.basename(c.full) } : {}) }], notes: [...c.notes] };
    if (student !== original && !SAFE_ID.test(original)) s.notes.push(`"${original}" is not a file-safe id; results use "${student}"`);
    if (c.git) {
      const commit = await gitCommit(c.full);
      if (commit) {
        s.git = commit;
        s.submittedAt = commit.committedAt;
        s.submittedAtSource = `git (commit ${commit.commit.slice(0, 12)})`;
      } else s.notes.push('a git clone whose last commit could not be read');
    }
    submissions.push(s);
  }
  const formats = new Set(submissions.map((s) => s.format));
  const format: Discovery['format'] = classroom ? 'github-classroom' : formats.size === 1 ? [...formats][0] : formats.size === 0 ? 'folder' : 'mixed';
  return { submissions, format };
}

/**
 * The repository prefix GitHub Classroom puts before each student's login ("hw3-style-transfer-"): the
 * assignment id followed by "-" when every clone starts with it, else the longest common prefix ending in "-"
 * (with two or more clones).
 */
export function classroomPrefix(names: string[], assignmentId?: string): string {
  if (assignmentId && names.every((n) => n.startsWith(assignmentId + '-'))) return assignmentId + '-';
  if (names.length < 2) return '';
  let common = names[0];
  for (const n of names) while (!n.startsWith(common)) common = common.slice(0, -1);
  const cut = common.lastIndexOf('-');
  return cut > 0 ? common.slice(0, cut + 1) : '';
}
