// The explicit registry of answer keys, one per assignment; a duplicate id is an error.
import type { AssignmentReference } from '../graders/answer-key/types.js';
import { styleTransferReference } from './style-transfer/index.js';

const all: AssignmentReference[] = [styleTransferReference];

/** Answer keys by assignment id. */
export const references: ReadonlyMap<string, AssignmentReference> = buildRegistry(all);

function buildRegistry(list: AssignmentReference[]): Map<string, AssignmentReference> {
  const map = new Map<string, AssignmentReference>();
  for (const ref of list) {
    if (map.has(ref.assignment)) throw new Error(`reference/index.ts: two answer keys for the assignment "${ref.assignment}"`);
    map.set(ref.assignment, ref);
  }
  return map;
}
