// Tolerance audit of every code assignment: for each question, every mistake its manifest lists fails at least one of its
// cases, so it never earns the question's full points. The mistakes are read from the manifests and the fixtures, not from a list here.
import { describe, expect, it } from 'vitest';
import { listAssignments, loadAssignment } from '../../graders/manifest/load-manifest.js';
import { FixtureStore } from '../../graders/fixtures/load-case.js';
import { compareArrays } from '../../graders/compare/compare.js';
import { toleranceFor } from '../../graders/engine/grade-submission.js';

const assignments = await Promise.all((await listAssignments()).map((id) => loadAssignment(id)));
const codeAssignments = assignments.filter((a) => a.manifest.runner !== 'answers');

describe.each(codeAssignments.map((a) => [a.manifest.id, a] as const))('%s: the listed mistakes fail their question', (_id, assignment) => {
  const store = new FixtureStore(assignment);
  const questions = assignment.manifest.questions.filter((q) => q.mistakes?.length);

  it.each(questions.map((q) => [q.id, q] as const))('%s', async (_qid, question) => {
    const graded = Object.entries(question.outputs ?? {}).filter(([, spec]) => typeof spec === 'string' || spec.graded !== false).map(([name]) => name);
    // A mistake may coincide with the right answer on some cases (no zeros for a ReLU mask, k=3 for a missing
    // padding): it must fail at least one case, so the question never gives it full marks.
    const failsSomewhere = new Map<string, boolean>();
    for (const c of question.cases) {
      const loaded = await store.load(question, c);
      for (const [mistake, outputs] of Object.entries(loaded.mistakes)) {
        // A mistake that cannot produce a value on this case (a network that does not run) is not a value to grade.
        if (graded.every((name) => outputs[name] === undefined)) continue;
        // Outputs the mistake leaves as they should be are the expected ones: the case fails if any graded output does.
        const passes = graded.every((name) => compareArrays(outputs[name] ?? loaded.expected[name], loaded.expected[name], toleranceFor(question, name, assignment.manifest.defaults?.compare)).pass);
        failsSomewhere.set(mistake, (failsSomewhere.get(mistake) ?? false) || !passes);
      }
    }
    for (const m of question.mistakes!) {
      // A mistake recognised by a pattern alone (no stored outputs) is only ever named on an output that failed.
      if (m.patterns && !failsSomewhere.has(m.id)) continue;
      expect(failsSomewhere.get(m.id), `${question.id}: the mistake "${m.id}" passes every case`).toBe(true);
    }
  });
});
