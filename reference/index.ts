// The explicit registry of answer keys, one per assignment, loaded on demand so grading never pays for TensorFlow.js.
import type { AssignmentReference } from '../graders/answer-key/types.js';

const loaders: Record<string, () => Promise<AssignmentReference>> = {
  'style-transfer': async () => (await import('./style-transfer/index.js')).styleTransferReference,
  'mlp-backprop': async () => (await import('./mlp-backprop/index.js')).mlpBackpropReference,
  'cnn-architectures': async () => (await import('./cnn-architectures/index.js')).cnnArchitecturesReference,
};

/** The assignment ids that have an answer key. */
export function referenceIds(): string[] {
  return Object.keys(loaders);
}

/** Loads an assignment's answer key; undefined when none is registered. Checks the key names the same assignment. */
export async function loadReference(assignment: string): Promise<AssignmentReference | undefined> {
  const load = loaders[assignment];
  if (!load) return undefined;
  const reference = await load();
  if (reference.assignment !== assignment) {
    throw new Error(`reference/index.ts: the key registered for "${assignment}" says it is for "${reference.assignment}"`);
  }
  return reference;
}
