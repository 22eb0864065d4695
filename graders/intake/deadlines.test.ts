import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPenalty, judgeLateness, parseTime, readExtensions } from './deadlines.js';

const policy = { deadline: '2026-03-01T23:59:00-05:00', penalty_percent_per_day: 10, max_penalty_percent: 30, grace_minutes: 15 };
const at = (iso: string) => new Date(iso);

describe('late penalties', () => {
  it.each([
    ['on time', '2026-03-01T23:00:00-05:00', false, 0],
    ['within the grace period', '2026-03-02T00:10:00-05:00', false, 0],
    ['16 minutes late: one started day', '2026-03-02T00:15:00-05:00', true, 10],
    ['a day and a minute late: two days', '2026-03-03T00:00:00-05:00', true, 20],
    ['a week late: capped', '2026-03-08T23:59:00-05:00', true, 30],
  ])('%s', (_name, when, late, percent) => {
    const verdict = judgeLateness(policy, at(when));
    expect(verdict.late).toBe(late);
    expect(verdict.percent).toBe(percent);
  });

  it('counts hours when the policy says per hour', () => {
    const verdict = judgeLateness({ deadline: '2026-03-01T12:00:00Z', penalty_percent_per_hour: 2 }, at('2026-03-01T14:30:00Z'));
    expect(verdict.percent).toBe(6);
    expect(verdict.reason).toMatch(/3 hour\(s\) × 2% = 6%/);
  });

  it('an extension moves the deadline', () => {
    const verdict = judgeLateness(policy, at('2026-03-04T12:00:00Z'), at('2026-03-05T00:00:00Z'));
    expect(verdict).toMatchObject({ late: false, percent: 0 });
    expect(verdict.reason).toMatch(/extended deadline/);
  });

  it('takes the percentage off the total, to two decimals', () => {
    expect(applyPenalty(4, 10)).toBe(3.6);
    expect(applyPenalty(2.166667, 30)).toBe(1.52);
  });

  it('reads times as LMSs write them', () => {
    expect(parseTime('2024-03-01 10:00:00.000000000 -08:00')?.toISOString()).toBe('2024-03-01T18:00:00.000Z');
    expect(parseTime('yesterday')).toBeUndefined();
  });

  it('reads an extensions CSV and names a bad row', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-ext-'));
    const good = path.join(dir, 'ext.csv');
    await writeFile(good, 'Student,Deadline\njane,2026-03-05T23:59:00-05:00\n');
    expect((await readExtensions(good)).get('jane')?.toISOString()).toBe('2026-03-06T04:59:00.000Z');
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, 'student,deadline\njane,next friday\n');
    await expect(readExtensions(bad)).rejects.toThrow(/bad\.csv: row 2: "next friday" is not a date/);
  });
});
