// Nothing wrong passes: for every numeric cell of every numeric question, the data the question gives (inputs,
// initial values, constants), another student's answer for the same cell and a decimal slip (×10) all fail.
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../graders/answers/load-answers.js';
import { gradeAnswers } from '../../graders/answers/grade-answers.js';
import path from 'node:path';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { answersQuestionConfigs } from '../../graders/answers/grade-submission.js';
import { writtenKey } from './index.js';
import { variantFor } from './variant.js';
import { answersFromKey } from './answers-from-key.js';
import { BACKPROP_SETTING } from './backprop.js';
import { RELU_NET } from './relu-net.js';

const WRITTEN_QUESTIONS = answersQuestionConfigs(await loadAssignment(path.resolve(import.meta.dirname, '../../assignments/written')), writtenKey);

/** The questions graded by value (the key's numeric and exact kinds); property questions accept many answers. */
const NUMERIC = Object.entries(writtenKey.questions).filter(([, q]) => q.kind === 'numeric' || q.kind === 'exact').map(([id]) => id);

/** Every number in a value, with its path (`backprop.gradients.w1`, `relu_net.h[0]`). */
function leaves(value: unknown, at: string, out: Map<string, number> = new Map()): Map<string, number> {
  if (typeof value === 'number') out.set(at, value);
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, at ? `${at}.${k}` : k, out);
  return out;
}

function setLeaf(root: Record<string, unknown>, at: string, value: number): void {
  const parts = at.split(/\.|(?=\[)/).map((p) => (p.startsWith('[') ? Number(p.slice(1, -1)) : p));
  let node = root as Record<string | number, unknown>;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  node[parts.at(-1)!] = value;
}

/** The relative tolerance a question's cells are graded with (the manifest's), 0 for exact counts. */
const tolerance = (question: string) => (WRITTEN_QUESTIONS.find((q) => q.id === question)?.compare?.rtol ?? (writtenKey.questions[question].kind === 'exact' ? 0 : 1e-4));

const IDS = [undefined, 's-1001', 'alice', 'zz-42'];

describe.each(IDS.map((id) => [id ?? 'canonical', id] as const))('given data never passes a numeric cell (%s)', (_name, id) => {
  const variant = variantFor(id);
  const answers = answersFromKey(variant);
  const other = answersFromKey(variantFor(id === 'alice' ? 'bob' : 'alice'));
  const solved = writtenKey.solve(variant);
  const parsed = parseAnswers(writtenKey, JSON.stringify(answers), 'answers.json');
  const givens = [...leaves(variant, '').values(), ...leaves(BACKPROP_SETTING, '').values(), ...leaves(RELU_NET, '').values()];

  it.each(NUMERIC)('%s', (question) => {
    const config = WRITTEN_QUESTIONS.filter((q) => q.id === question);
    const otherLeaves = leaves(other[question], question);
    let tried = 0;
    for (const [at, right] of leaves(answers[question], question)) {
      const candidates = new Set([...givens, right * 10, otherLeaves.get(at) ?? right]);
      for (const wrong of candidates) {
        // A given number that happens to be the right answer (an output size equal to an input size), or within the
        // question's own tolerance of it (sigmoid outputs of two variants, both near 1), is as right as the spec allows.
        if (Math.abs(wrong - right) <= tolerance(question) * Math.abs(right)) continue;
        const section = structuredClone(answers[question]) as Record<string, unknown>;
        setLeaf({ [question]: section }, at, wrong);
        const loaded = { ...parsed, sections: { ...parsed.sections, [question]: { state: 'answered' as const, value: section } } };
        const [grade] = gradeAnswers(writtenKey, loaded, variant, { questions: config, solved });
        const cell = grade.cells.find((c) => c.path === at || at.startsWith(`${c.path}[`) || at.startsWith(`${c.path}.`));
        expect(cell, `no cell grades ${at}`).toBeDefined();
        expect(cell!.pass, `${at} = ${wrong} (right: ${right}) passes`).toBe(false);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(0);
  });
});
