// `dlgrade validate`: the assignment's self-test — schema, fixtures, reference vs course answers, solution and starter.
import { paramSpecs } from '../models/params.js';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { GradingContext } from './grade-submission.js';
import { gradeSubmission } from './grade-submission.js';
import type { AssignmentReference } from '../answer-key/types.js';
import { compareArrays } from '../compare/compare.js';
import { summarize } from '../compare/describe.js';
import { caseFixturePath, fixturesDir } from '../fixtures/paths.js';
import { toleranceFor } from './grade-submission.js';
import { selectBackend } from '../answer-key/backend.js';
import { createRng } from '../answer-key/rng.js';
import type { QuestionT } from '../manifest/schema.js';

export interface ValidationCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs one named self-test: its detail when it passes, its message when it throws. */
export type CheckAttempt = (name: string, fn: () => Promise<string>) => Promise<void>;

/** A list of self-test results, opened with the manifest check every assignment passes once it has loaded. */
export function startChecks(ctx: GradingContext): { checks: ValidationCheck[]; attempt: CheckAttempt } {
  const { manifest, manifestPath } = ctx.assignment;
  const points = manifest.questions.reduce((s, q) => s + q.points, 0);
  const checks: ValidationCheck[] = [{ name: 'manifest', ok: true, detail: `${manifestPath} matches the schema (${manifest.questions.length} questions, ${points} points)` }];
  // A check that throws is reported as failed with its message; the others still run.
  const attempt = async (name: string, fn: () => Promise<string>) => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
    } catch (error) {
      checks.push({ name, ok: false, detail: (error as Error).message });
    }
  };
  return { checks, attempt };
}

/**
 * Runs every self-test: the manifest, the kind's own checks (fixtures and reference, or the answers format and key),
 * then the solution's full marks and the starter's zero. A check that throws is reported as failed with its message.
 */
export async function validateAssignment(ctx: GradingContext, reference: AssignmentReference | undefined): Promise<ValidationCheck[]> {
  const { checks, attempt } = startChecks(ctx);
  await ctx.kind.checks(ctx, reference, attempt);
  await examplesSelfTest(ctx, attempt);
  return checks;
}

/** A code assignment's own checks: every fixture present and locked, and the reference against course-provided answers. */
export async function codeChecks(ctx: GradingContext, reference: AssignmentReference | undefined, attempt: CheckAttempt): Promise<void> {
  const { manifest } = ctx.assignment;

  await attempt('steps', async () => {
    const problems = manifest.questions.flatMap((q) => stepProblems(q));
    if (problems.length) throw new Error(problems.join('; '));
    return 'every $name in steps and outputs is an input or an earlier result';
  });

  if (reference) {
    await attempt('key matches the manifest', async () => {
      // Some keys make their inputs with TensorFlow.js.
      await selectBackend(ctx.lock.backend);
      const problems: string[] = [];
      const questions = manifest.questions.filter((q) => q.steps);
      for (const q of questions) {
        const key = reference.questions[q.id];
        if (!key) {
          problems.push(`questions.${q.id} has no reference in reference/${manifest.id} (register it in its index.ts)`);
          continue;
        }
        const keyMistakes = Object.keys(key.mistakes ?? {});
        for (const m of q.mistakes ?? []) {
          if (!m.patterns && !keyMistakes.includes(m.id)) problems.push(`questions.${q.id}.mistakes: "${m.id}" has no implementation in the key (its mistakes: ${keyMistakes.join(', ') || 'none'}) and no patterns`);
        }
        for (const id of keyMistakes) {
          if (!(q.mistakes ?? []).some((m) => m.id === id)) problems.push(`${q.id}: the key's mistake "${id}" is not in the manifest's mistakes, so no student is told about it`);
        }
        const generated = q.cases.find((c) => !c.source);
        if (!generated) continue;
        const inputs = key.generate((generated.args ?? {}) as Record<string, unknown>, createRng(manifest.id, manifest.seed, q.id, generated.id), { assignment: manifest.id, seed: manifest.seed });
        for (const name of Object.keys(q.inputs ?? {})) {
          if (!(name in inputs) && !Object.keys(inputs).some((k) => k.startsWith(`${name}.`))) problems.push(`${q.id}: the manifest's input "${name}" is not made by the key's generate (it makes ${Object.keys(inputs).join(', ')})`);
        }
      }
      for (const id of Object.keys(reference.questions)) {
        if (!manifest.questions.some((q) => q.id === id)) problems.push(`the key has a question "${id}" that the manifest does not`);
      }
      if (problems.length) throw new Error(problems.join('; '));
      return `every question has its reference, every input is generated, every mistake is implemented or a pattern`;
    });
  }

  await attempt('fixtures', async () => {
    let count = 0;
    const problems: string[] = [];
    const stored = new Set<string>();
    for (const q of manifest.questions) {
      for (const c of q.cases) {
        const file = caseFixturePath(ctx.assignment, q.id, c);
        const rel = path.relative(fixturesDir(ctx.assignment), file);
        const bytes = await readFile(file).catch(() => undefined);
        if (!bytes) {
          problems.push(`${rel} is missing`);
          continue;
        }
        const hash = createHash('sha256').update(bytes).digest('hex');
        if (ctx.lock.files[rel] !== hash) problems.push(`${rel} does not match fixtures.lock.json`);
        const loaded = await ctx.fixtures.load(q, c);
        for (const [name, kind] of Object.entries(q.inputs ?? {})) {
          if (kind === 'model') {
            // Every parameter of the manifest's model, with its shape.
            for (const spec of paramSpecs(ctx.assignment.manifest.model ?? { layers: [] })) {
              const stored = loaded.inputs[`${name}.${spec.name}`];
              if (!stored) problems.push(`${rel} has no weights "${name}.${spec.name}"`);
              else if (stored.shape.join() !== spec.shape.join()) problems.push(`${rel}: ${name}.${spec.name} has shape [${stored.shape}], the model needs [${spec.shape}]`);
            }
            continue;
          }
          const present = name in loaded.inputs || `${name}.0` in loaded.inputs;
          if (!present) problems.push(`${rel} has no input "${name}" (stale: run dlgrade fixtures ${manifest.id})`);
        }
        for (const id of Object.keys(loaded.mistakes)) stored.add(`${q.id}/${id}`);
        count++;
      }
    }
    // A mistake the manifest names has outputs stored for some case (a key may skip cases it does not apply to),
    // unless a pattern alone recognises it; none at all means the fixtures predate it.
    for (const q of manifest.questions) {
      for (const m of (q.mistakes ?? []).filter((x) => !x.patterns)) {
        if (q.cases.length && !stored.has(`${q.id}/${m.id}`)) problems.push(`no case of ${q.id} has outputs of its mistake "${m.id}" (stale fixtures: run dlgrade fixtures ${manifest.id})`);
      }
    }
    if (reference && ctx.lock.referenceVersion !== reference.version) {
      problems.push(`the fixtures were made by version ${ctx.lock.referenceVersion} of the key, which is now version ${reference.version} (stale fixtures: run dlgrade fixtures ${manifest.id})`);
    }
    if (problems.length) throw new Error(problems.join('; '));
    return `${count} case files present, matching the lock and the manifest`;
  });

  if (reference) {
    await attempt('reference vs course answers', async () => {
      await selectBackend(ctx.lock.backend);
      const lines: string[] = [];
      for (const q of manifest.questions) {
        for (const c of q.cases.filter((x) => x.source)) {
          const loaded = await ctx.fixtures.load(q, c);
          const outputs = await reference.questions[q.id].solve(loaded.inputs);
          for (const name of Object.keys(loaded.expected)) {
            const d = compareArrays(outputs[name], loaded.expected[name], toleranceFor(q, name, manifest.defaults?.compare));
            if (!d.pass) throw new Error(`${q.id}/${c.id} ${name}: the reference disagrees with the course file: ${summarize(d)}`);
            lines.push(`${q.id}/${c.id}`);
          }
        }
      }
      return lines.length ? `the reference reproduces ${lines.length} course answer(s): ${lines.join(', ')}` : 'no course-provided answers to check';
    });
  }

}

/**
 * The solution scores full marks and the starter zero, on every case (hidden ones too) and, where there are
 * per-student values, the canonical ones of the handout (the solution and starter have no student id).
 */
async function examplesSelfTest(ctx: GradingContext, attempt: CheckAttempt): Promise<void> {
  const { manifest } = ctx.assignment;
  const all: GradingContext = { ...ctx, mode: 'grade', ...(ctx.answersKey ? { answers: { ...ctx.answers, variantId: 'canonical' } } : {}) };
  const values = ctx.answersKey?.variants ? ' with the canonical values' : '';
  if (manifest.solution) {
    await attempt('solution scores full marks', async () => {
      const result = await gradeSubmission(all, { student: 'solution', dir: path.resolve(ctx.assignment.dir, manifest.solution!) });
      const lost = result.questions
        .filter((q) => q.status !== 'pending' && q.points < q.maxPoints)
        .map((q) => {
          const c = q.cases.find((x) => x.status !== 'pass');
          return `${q.id} (${c?.id}: ${c?.error?.message ?? c?.outputs.find((o) => !o.pass)?.summary})`;
        });
      if (lost.length) throw new Error(`the solution scores ${result.score.points}/${result.score.maxPoints}; it loses ${lost.join('; ')}`);
      const pending = result.score.pendingPoints ? `, ${result.score.pendingPoints} point(s) pending staff grading` : '';
      return `${result.score.points}/${result.score.maxPoints} on all public and hidden cases${values}${pending}`;
    });
  }
  if (manifest.starter) {
    await attempt('starter scores zero with clear messages', async () => {
      const result = await gradeSubmission(all, { student: 'starter', dir: path.resolve(ctx.assignment.dir, manifest.starter!) });
      if (result.score.points !== 0) throw new Error(`the starter scores ${result.score.points}; expected 0`);
      const unclear = result.questions.flatMap((q) =>
        q.cases.filter((c) => ctx.kind.unclearStarter.includes(c.status)).map((c) => `${q.id}/${c.id}: ${c.error?.message ?? c.status}`),
      );
      if (unclear.length) throw new Error(`starter cases end without a clear message: ${unclear.join('; ')}`);
      const kinds = new Set(result.questions.flatMap((q) => q.cases.filter((c) => c.status !== 'pending').map((c) => c.error?.type ?? (c.outputs.find((o) => !o.pass)?.summary === 'not answered' ? 'not answered' : 'wrong values'))));
      return `0/${result.score.maxPoints}; every case reports ${[...kinds].join(' / ')}`;
    });
  }
}

/** `$name` references of a question's steps and outputs whose first segment is neither an input nor an earlier result. */
export function stepProblems(q: QuestionT): string[] {
  if (!q.steps) return [];
  const defined = new Set(Object.keys(q.inputs ?? {}));
  const problems: string[] = [];
  const refs = (value: unknown, out: string[] = []): string[] => {
    if (typeof value === 'string' && value.startsWith('$')) out.push(value);
    else if (Array.isArray(value)) for (const v of value) refs(v, out);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) refs(v, out);
    return out;
  };
  const check = (ref: string, where: string) => {
    const root = ref.slice(1).split('.')[0];
    if (!defined.has(root)) problems.push(`questions.${q.id}.${where}: ${ref} is not an input or an earlier "as" (known here: ${[...defined].join(', ') || 'none'})`);
  };
  q.steps.forEach((step, i) => {
    const { as, ...rest } = step as Record<string, unknown>;
    for (const ref of refs(rest)) check(ref, `steps[${i}]`);
    if ('probe' in step && !defined.has(String(step.target).split('.')[0])) problems.push(`questions.${q.id}.steps[${i}]: probe target "${step.target}" is not an input or an earlier "as"`);
    if (typeof as === 'string') defined.add(as);
  });
  for (const [name, spec] of Object.entries(q.outputs ?? {})) {
    const from = typeof spec === 'string' ? spec : spec.from;
    if (typeof from === 'string' && from.startsWith('$')) check(from, `outputs.${name}`);
  }
  return problems;
}
