// `dlgrade validate` for answers assignments: the format, the answer key across variants, the solution and the starter.
import path from 'node:path';
import type { GradingContext } from '../engine/grade-submission.js';
import { gradeSubmission } from '../engine/grade-submission.js';
import { startChecks, type ValidationCheck } from '../engine/validate.js';
import { WRITTEN_QUESTION_IDS } from './schema.js';
import { numberTolerance } from './grade-submission.js';

/** How many generated student ids the answer key is checked on. */
const SAMPLE_STUDENTS = 20;

/** Runs the self-tests of an answers assignment; a check that throws is reported as failed with its message. */
export async function validateAnswersAssignment(ctx: GradingContext): Promise<ValidationCheck[]> {
  const { checks, attempt } = startChecks(ctx);
  const { manifest } = ctx.assignment;

  await attempt('answers format', async () => {
    const { QUESTION_KINDS } = await import('./grade-answers.js');
    const problems: string[] = [];
    for (const q of manifest.questions) {
      if (!(WRITTEN_QUESTION_IDS as string[]).includes(q.id)) problems.push(`${q.id} is not a question of the answers format`);
      else if (q.kind !== QUESTION_KINDS[q.id as keyof typeof QUESTION_KINDS]) problems.push(`${q.id} has kind ${q.kind ?? '(none)'}, but is graded as ${QUESTION_KINDS[q.id as keyof typeof QUESTION_KINDS]}`);
    }
    const absent = WRITTEN_QUESTION_IDS.filter((id) => !manifest.questions.some((q) => q.id === id));
    if (problems.length) throw new Error(problems.join('; '));
    return `every question is in the answers format with its kind${absent.length ? `; not asked: ${absent.join(', ')}` : ''}`;
  });

  await attempt('answer key across variants', async () => {
    const [{ gradeAnswers }, { parseAnswers }, { answersFromKey }, { variantFor }] = await Promise.all([
      import('./grade-answers.js'),
      import('./load-answers.js'),
      import('../../reference/written/answers-from-key.js'),
      import('./variant.js'),
    ]);
    const questions = manifest.questions.map((q) => ({ id: q.id, points: q.points, ...(q.compare ? { compare: numberTolerance(q.compare, `questions.${q.id}.compare`) } : {}) }));
    const ids = [undefined, ...Array.from({ length: SAMPLE_STUDENTS }, (_, i) => `validate-${i}`)];
    for (const id of ids) {
      const answers = parseAnswers(JSON.stringify(answersFromKey(variantFor(id), 4)), 'answers.json');
      const lost = gradeAnswers(answers, variantFor(id), { questions, compare: numberTolerance(manifest.defaults?.compare, 'defaults.compare') }).filter((g) => g.kind !== 'manual' && g.points < g.maxPoints);
      if (lost.length) throw new Error(`the key's own answers (4 significant digits) lose ${lost.map((g) => g.id).join(', ')} for ${id ? `student "${id}"` : 'the canonical values'}`);
    }
    return `the key's answers, rounded to 4 significant digits, score full marks for the canonical values and ${SAMPLE_STUDENTS} sample students`;
  });

  // The solution and starter hold the handout's (canonical) numbers: they have no student id.
  const canonical: GradingContext = { ...ctx, mode: 'grade', answers: { ...ctx.answers, variantId: 'canonical' } };
  if (manifest.solution) {
    await attempt('solution scores full marks', async () => {
      const result = await gradeSubmission(canonical, { student: 'solution', dir: path.resolve(ctx.assignment.dir, manifest.solution!) });
      const lost = result.questions.filter((q) => q.status !== 'pending' && q.points < q.maxPoints);
      if (lost.length) {
        const why = lost.map((q) => {
          const c = q.cases.find((x) => x.status !== 'pass');
          return `${q.id} (${c?.id}: ${c?.error?.message ?? c?.outputs.find((o) => !o.pass)?.summary})`;
        });
        throw new Error(`the solution scores ${result.score.points}/${result.score.maxPoints}; it loses ${why.join('; ')}`);
      }
      return `${result.score.points}/${result.score.maxPoints} on the canonical values, ${result.score.pendingPoints} point(s) pending staff grading`;
    });
  }
  if (manifest.starter) {
    await attempt('starter scores zero with clear messages', async () => {
      const result = await gradeSubmission(canonical, { student: 'starter', dir: path.resolve(ctx.assignment.dir, manifest.starter!) });
      if (result.score.points !== 0) throw new Error(`the starter scores ${result.score.points}; expected 0`);
      const unclear = result.questions.filter((q) => q.status !== 'pending' && q.cases.some((c) => c.status === 'error'));
      if (unclear.length) throw new Error(`the starter is not a valid answers file for ${unclear.map((q) => `${q.id} (${q.cases[0].error?.message})`).join('; ')}`);
      return `0/${result.score.maxPoints}; every autograded question reports "not answered"`;
    });
  }
  return checks;
}
