// `dlgrade validate` for answers assignments: the format against the key, and the key's own answers across variants.
import type { GradingContext } from '../engine/grade-submission.js';
import type { CheckAttempt } from '../engine/validate.js';
import { answersKeyOf, answersQuestionConfigs, isEngineManual, numberTolerance } from './grade-submission.js';
import { gradeAnswers } from './grade-answers.js';
import { parseAnswers } from './load-answers.js';
import { variantOf } from '../answer-key/variants.js';

/** How many generated student ids the answer key is checked on. */
const SAMPLE_STUDENTS = 20;

/** The self-tests of an answers assignment (the solution and starter are tested as for any assignment). */
export async function answersChecks(ctx: GradingContext, attempt: CheckAttempt): Promise<void> {
  const { manifest } = ctx.assignment;
  const key = answersKeyOf(ctx);
  const ids = Object.keys(key.questions);

  await attempt('answers format', async () => {
    const problems: string[] = [];
    // A manual question the key does not know (a review, a plot) is the engine's: staff grade what is handed in.
    const staffOnly = manifest.questions.filter((q) => isEngineManual(q, key)).map((q) => q.id);
    for (const q of manifest.questions) {
      if (staffOnly.includes(q.id)) continue;
      if (!ids.includes(q.id)) problems.push(`${q.id} is not a question of the answers format (the key has ${ids.join(', ')})`);
      else if (q.kind !== key.questions[q.id].kind) problems.push(`${q.id} has kind ${q.kind ?? '(none)'}, but is graded as ${key.questions[q.id].kind}`);
    }
    const absent = ids.filter((id) => !manifest.questions.some((q) => q.id === id));
    if (problems.length) throw new Error(problems.join('; '));
    const also = staffOnly.length ? `; graded by staff outside it: ${staffOnly.join(', ')}` : '';
    return `every question is in the answers format with its kind${also}${absent.length ? `; not asked: ${absent.join(', ')}` : ''}`;
  });

  await attempt(key.variants ? 'answer key across variants' : "answer key's own answers", async () => {
    const questions = answersQuestionConfigs(ctx.assignment, key);
    const students = key.variants ? [undefined, ...Array.from({ length: SAMPLE_STUDENTS }, (_, i) => `validate-${i}`)] : [undefined];
    for (const id of students) {
      const variant = variantOf(key, id);
      const answers = parseAnswers(key, JSON.stringify(key.answers(variant, 4)), 'answers.json');
      const invalid = Object.entries(answers.sections).filter(([, s]) => s.state === 'invalid').map(([q]) => q);
      if (invalid.length) throw new Error(`the key's own answers do not match its section schemas: ${invalid.join(', ')}`);
      const graded = gradeAnswers(key, answers, variant, { questions, compare: numberTolerance(manifest.defaults?.compare, 'defaults.compare') });
      const lost = graded.filter((g) => g.kind !== 'manual' && g.points < g.maxPoints);
      if (lost.length) throw new Error(`the key's own answers (4 significant digits) lose ${lost.map((g) => g.id).join(', ')} for ${id ? `student "${id}"` : 'the canonical values'}`);
    }
    return key.variants
      ? `the key's answers, rounded to 4 significant digits, score full marks for the canonical values and ${SAMPLE_STUDENTS} sample students`
      : "the key's answers, rounded to 4 significant digits, score full marks";
  });
}
