// Assembles a Result from graded questions: the one place its envelope (versions, score totals) is filled in.
import { RESULT_SCHEMA_VERSION, type QuestionResultT, type ResultT } from './schema.js';
import type { Assignment } from '../manifest/load-manifest.js';
import type { Mode } from '../engine/grade-submission.js';
import { sumPoints } from '../score/score.js';
import { ENGINE_VERSION } from '../version.js';

export interface ResultParts {
  assignment: Assignment;
  student: string;
  mode: Mode;
  submission: { path: string; sha256: string };
  runtime: Record<string, string>;
  sandbox: string;
  fixtures: ResultT['fixtures'];
  /** When grading started (ms since the epoch). */
  started: number;
  questions: QuestionResultT[];
  notices: string[];
}

/** Builds the versioned result; totals are the rounded sums of the questions' points. */
export function buildResult(parts: ResultParts): ResultT {
  const { manifest, manifestSha256 } = parts.assignment;
  const questions = parts.questions;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    student: parts.student,
    mode: parts.mode,
    assignment: { id: manifest.id, title: manifest.title, version: manifest.version, manifestSha256 },
    submission: parts.submission,
    engine: { dlgrade: ENGINE_VERSION, node: process.versions.node, runtime: parts.runtime, sandbox: parts.sandbox },
    fixtures: parts.fixtures,
    startedAt: new Date(parts.started).toISOString(),
    durationMs: Date.now() - parts.started,
    score: scoreTotals(questions),
    questions,
    notices: parts.notices,
  };
}

/** A result's totals: points of the graded questions (a pending one counts 0), the maximum, and what is still pending. */
export function scoreTotals(questions: readonly QuestionResultT[]): ResultT['score'] {
  return {
    points: sumPoints(questions.map((q) => (q.status === 'pending' ? 0 : q.points))),
    maxPoints: sumPoints(questions.map((q) => q.maxPoints)),
    pendingPoints: sumPoints(questions.filter((q) => q.status === 'pending').map((q) => q.maxPoints)),
  };
}
