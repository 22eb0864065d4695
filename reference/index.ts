// The explicit registry of answer keys, one per assignment, loaded on demand so grading never pays for TensorFlow.js.
import type { AnswerKey, KeyRegistry } from '../graders/answer-key/registry.js';
import { createKeyRegistry } from '../graders/answer-key/registry.js';

const loaders: Record<string, () => Promise<AnswerKey>> = {
  'style-transfer': async () => (await import('./style-transfer/index.js')).styleTransferReference,
  'mlp-backprop': async () => (await import('./mlp-backprop/index.js')).mlpBackpropReference,
  'cnn-architectures': async () => (await import('./cnn-architectures/index.js')).cnnArchitecturesReference,
  optimisers: async () => (await import('./optimisers/index.js')).optimisersReference,
  written: async () => (await import('./written/index.js')).writtenKey,
  visualisation: async () => (await import('./visualisation/index.js')).visualisationReference,
};

/** Every answer key, as the CLI hands it to the engine. */
export const answerKeys: KeyRegistry = createKeyRegistry(loaders);
