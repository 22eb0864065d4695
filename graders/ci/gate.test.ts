import { describe, expect, it } from 'vitest';
import { evaluateGate, parseGate, type Gate } from './gate.js';
import type { ResultT } from '../result/schema.js';

/** A result whose questions have the given points out of 1 (status derived; 'pending' marks staff-graded). */
function result(points: Record<string, number | 'pending'>): ResultT {
  return {
    schemaVersion: 1,
    student: 's',
    mode: 'ci',
    assignment: { id: 'a', title: 'A', version: '1', manifestSha256: '' },
    submission: { path: '.', sha256: '' },
    engine: { dlgrade: '0', node: '20', runtime: {}, sandbox: 'none' },
    fixtures: { referenceVersion: '1', backend: 'cpu', seed: 1, files: {} },
    startedAt: '',
    durationMs: 0,
    score: { points: 0, maxPoints: 0, pendingPoints: 0 },
    questions: Object.entries(points).map(([id, p]) => ({
      id,
      title: id,
      points: p === 'pending' ? 0 : p,
      maxPoints: 1,
      status: p === 'pending' ? 'pending' : p === 1 ? 'passed' : p === 0 ? 'failed' : 'partial',
      cases: [],
    })),
    notices: [],
  };
}

const ids = ['a', 'b', 'c'];

describe('parseGate', () => {
  it.each([
    [{}, { kind: 'all' }],
    [{ require: 'all' }, { kind: 'all' }],
    [{ require: 'a, c' }, { kind: 'questions', ids: ['a', 'c'] }],
    [{ minScore: '0.75' }, { kind: 'min-score', fraction: 0.75 }],
    [{ minScore: '1' }, { kind: 'min-score', fraction: 1 }],
  ])('%j gives %j', (options, gate) => {
    expect(parseGate(options, ids)).toEqual(gate);
  });

  it.each([
    [{ minScore: '1.5' }, /between 0 and 1.*"1.5"/],
    [{ minScore: 'most' }, /between 0 and 1/],
    [{ minScore: '' }, /between 0 and 1/],
    [{ require: 'a,zzz' }, /unknown: zzz.*questions: a, b, c/],
    [{ require: ',' }, /got none/],
    [{ require: 'a', minScore: '0.5' }, /cannot be combined/],
  ])('%j is a usage error', (options, message) => {
    expect(() => parseGate(options, ids)).toThrow(message);
  });
});

describe('evaluateGate', () => {
  const all: Gate = { kind: 'all' };
  it.each<[string, Record<string, number | 'pending'>, Gate, boolean, string[]]>([
    ['all pass', { a: 1, b: 1, c: 1 }, all, true, []],
    ['one partial closes "all"', { a: 1, b: 0.5, c: 1 }, all, false, ['b']],
    ['pending questions do not close "all"', { a: 1, b: 'pending', c: 1 }, all, true, []],
    ['nothing graded closes "all"', { a: 'pending' }, all, false, []],
    ['required questions pass', { a: 1, b: 0, c: 1 }, { kind: 'questions', ids: ['a', 'c'] }, true, []],
    ['a required question fails', { a: 1, b: 0, c: 1 }, { kind: 'questions', ids: ['a', 'b'] }, false, ['b']],
    ['a required question is pending', { a: 1, b: 'pending' }, { kind: 'questions', ids: ['b'] }, false, ['b']],
    ['min-score reached', { a: 1, b: 0.5, c: 1 }, { kind: 'min-score', fraction: 0.8 }, true, ['b']],
    ['min-score missed', { a: 1, b: 0, c: 1 }, { kind: 'min-score', fraction: 0.8 }, false, ['b']],
    ['min-score with thirds is not lost to rounding', { a: 1 / 3 + 1 / 3 + 1 / 3 }, { kind: 'min-score', fraction: 1 }, true, []],
    ['min-score 0 passes a zero', { a: 0 }, { kind: 'min-score', fraction: 0 }, true, ['a']],
  ])('%s', (_name, points, gate, pass, failing) => {
    const verdict = evaluateGate(result(points), gate);
    expect(verdict.pass).toBe(pass);
    expect(verdict.failing).toEqual(failing);
    expect(verdict.reason.length).toBeGreaterThan(0);
  });
});
