// `dlgrade review`: a local page where staff grade manual questions one student at a time, writing the staff CSV.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { stringify } from 'csv-stringify/sync';
import type { Assignment } from '../manifest/load-manifest.js';
import type { QuestionT } from '../manifest/schema.js';
import type { ResultT } from '../result/schema.js';
import { DlgradeError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkStaffScores, parseStaffScores, STAFF_SCORE_COLUMNS, studentKey, type StaffScore } from './staff-scores.js';
import { manualQuestions, staffQuestionInfo, unrecognisedSectionQuestion } from './manual-questions.js';
import { scoreManual } from './rubric.js';
import { REVIEW_PAGE } from './review-page.js';

export interface ReviewOptions {
  assignment: Assignment;
  /** A `grade` output folder: its results/<student>.json are what staff look at. */
  outDir: string;
  /** The staff CSV read at start (when it exists) and rewritten after every save. */
  scoresFile: string;
  port?: number;
  host?: string;
}

export interface ReviewServer {
  url: string;
  students: number;
  close(): Promise<void>;
}

/** One scoring action from the page: the items given and the comment, or clear to make the question pending again. */
interface ScoreRequest {
  student: string;
  question: string;
  items?: Record<string, boolean>;
  comment?: string;
  clear?: boolean;
}

/** Reads the results of a grade output folder for one assignment, sorted by student. */
async function readResults(outDir: string, assignmentId: string): Promise<ResultT[]> {
  const dir = path.join(outDir, 'results');
  const names = await readdir(dir).catch((cause) => {
    throw new DlgradeError('USAGE', `${dir}: no results here; run dlgrade grade ${assignmentId} SUBMISSIONS --out ${outDir} first`, { cause });
  });
  const results: ResultT[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const result = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as ResultT;
    if (result.assignment?.id === assignmentId) results.push(result);
  }
  if (results.length === 0) throw new DlgradeError('USAGE', `${dir}: no results of ${assignmentId}`);
  return results.sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
}

/** Unrecognised answers sections kept in the results (questions the manifest does not name), once each, in order. */
function unrecognisedQuestions(results: readonly ResultT[], listed: ReadonlySet<string>): QuestionT[] {
  const found = new Map<string, QuestionT>();
  for (const r of results) {
    for (const q of r.questions) {
      if (!listed.has(q.id) && q.manual && !found.has(q.id)) found.set(q.id, { ...unrecognisedSectionQuestion(q.id), title: `Unrecognised section "${q.id}"` });
    }
  }
  return [...found.values()];
}

/** The CSV text for a set of rows, in dlgrade's column order. */
export function staffScoresCsv(rows: readonly StaffScore[]): string {
  return stringify([[...STAFF_SCORE_COLUMNS], ...rows.map((r) => [r.studentId, r.question, r.item, r.points ?? '', r.comment])]);
}

/**
 * The rows that record one scoring: a row per given item (its own points) and a question row carrying the comment,
 * which also marks the question scored when no item is given.
 */
export function rowsForScore(q: QuestionT, student: string, items: Record<string, boolean>, comment: string): StaffScore[] {
  const given = (q.rubric ?? []).filter((item) => items[item.id]);
  return [...given.map((item) => ({ studentId: student, question: q.id, item: item.id, comment: '', line: 0 })), { studentId: student, question: q.id, item: '', comment: comment.trim(), line: 0 }];
}

/** Starts the review server on the loopback interface. */
export async function startReviewServer(options: ReviewOptions): Promise<ReviewServer> {
  const { manifest } = options.assignment;
  const declared = manualQuestions(manifest.questions);
  if (declared.length === 0 && manifest.runner !== 'answers') throw new DlgradeError('USAGE', `${manifest.id} has no manual questions (kind: manual) to review`);
  const results = await readResults(options.outDir, manifest.id);
  const manual = [...declared, ...unrecognisedQuestions(results, new Set(manifest.questions.map((q) => q.id)))];
  if (manual.length === 0) throw new DlgradeError('USAGE', `${manifest.id} has no manual questions (kind: manual) and no student handed in an unrecognised section: nothing to review`);
  const checkOptions = { unrecognisedSections: manifest.runner === 'answers' };
  let rows: StaffScore[] = [];
  const existing = await readFile(options.scoresFile, 'utf8').catch(() => undefined);
  if (existing !== undefined) {
    rows = parseStaffScores(existing, options.scoresFile);
    checkStaffScores(rows, staffQuestionInfo(manifest.questions), options.scoresFile, checkOptions);
  }

  const state = () => ({
    assignment: { id: manifest.id, title: manifest.title },
    scoresFile: options.scoresFile,
    questions: manual.map((q) => ({ id: q.id, title: q.title, points: q.points, rubric: q.rubric ?? [] })),
    students: results.map((r) => ({
      id: r.student,
      // A student's questions: the declared ones, and only the unrecognised sections this student handed in.
      questions: Object.fromEntries(
        manual.filter((q) => declared.includes(q) || r.questions.some((x) => x.id === q.id)).map((q) => {
          const mine = rows.filter((s) => studentKey(s.studentId) === studentKey(r.student) && s.question === q.id);
          const score = scoreManual(q, mine);
          const material = r.questions.find((x) => x.id === q.id)?.manual?.material ?? [];
          return [q.id, { material, scored: score.scored, points: score.points, given: score.marks.filter((m) => m.awarded !== undefined).map((m) => m.id), comment: score.comment ?? '' }];
        }),
      ),
    })),
  });

  // Saves are serialised so two quick key presses never interleave their writes.
  let saving: Promise<unknown> = Promise.resolve();
  const score = async (req: ScoreRequest) => {
    const q = manual.find((x) => x.id === req.question);
    const result = results.find((r) => r.student === req.student);
    if (!q || !result) throw new DlgradeError('USAGE', `unknown student or question: ${JSON.stringify(req.student)} / ${JSON.stringify(req.question)}`);
    const others = rows.filter((s) => !(studentKey(s.studentId) === studentKey(req.student) && s.question === q.id));
    const next = req.clear ? others : [...others, ...rowsForScore(q, req.student, req.items ?? {}, req.comment ?? '')];
    checkStaffScores(next, staffQuestionInfo(manifest.questions), options.scoresFile, checkOptions);
    await writeFileAtomic(options.scoresFile, staffScoresCsv(next));
    rows = parseStaffScores(staffScoresCsv(next), options.scoresFile);
    return state().students.find((s) => s.id === req.student);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, error instanceof DlgradeError ? 400 : 500, { error: (error as Error).message }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/') return sendText(res, 200, 'text/html; charset=utf-8', REVIEW_PAGE);
    if (req.method === 'GET' && url.pathname === '/api/state') return send(res, 200, state());
    if (req.method === 'POST' && url.pathname === '/api/score') {
      const body = JSON.parse(await readBody(req)) as ScoreRequest;
      const done = saving.then(() => score(body));
      saving = done.catch(() => undefined);
      return send(res, 200, await done);
    }
    return send(res, 404, { error: 'not found' });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}/`,
    students: results.length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new DlgradeError('USAGE', 'request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, 'application/json', JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, type: string, body: string): void {
  // The page shows what students wrote: nothing from outside this server may run in it.
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'" });
  res.end(body);
}
