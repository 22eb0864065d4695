// The manifest's cases of a question, for the tests: each reference test runs on exactly the cases graded.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createRng } from '../../graders/answer-key/rng.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { optimisersReference } from './index.js';

export interface ManifestQuestion {
  id: string;
  points: number;
  inputs: Record<string, string>;
  outputs: Record<string, unknown>;
  mistakes?: { id: string; patterns?: string[] }[];
  compare?: { mode?: string; rtol?: number; atol?: number };
  cases: { id: string; visibility: string; args?: Record<string, unknown> }[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const manifest = parse(readFileSync(path.join(here, '..', '..', 'assignments', 'optimisers', 'manifest.yaml'), 'utf8')) as {
  seed: number;
  questions: ManifestQuestion[];
};

export function question(id: string): ManifestQuestion {
  const q = manifest.questions.find((x) => x.id === id);
  if (!q) throw new Error(`the manifest has no question ${id}`);
  return q;
}

/** Every case of a question with the inputs `dlgrade fixtures` generates for it (the same seed and labels). */
export function casesOf(id: string): { id: string; args: Record<string, unknown>; inputs: Arrays }[] {
  return question(id).cases.map((c) => ({
    id: c.id,
    args: c.args ?? {},
    inputs: optimisersReference.questions[id].generate(c.args ?? {}, createRng('optimisers', manifest.seed, id, c.id)),
  }));
}
