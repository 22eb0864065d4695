// Per-student values for any answers assignment: the id's normal form, draws from its hash, the variant of a key.
import { createHash } from 'node:crypto';
import type { AnswersKey, VariantValues } from './answers-key.js';

/** Trims and lower-cases an id, so `S123 ` and `s123` get the same values; an empty id means none. */
export function normalizeStudentId(studentId: string | undefined | null): string | null {
  const id = (studentId ?? '').trim().toLowerCase();
  return id === '' ? null : id;
}

/**
 * A student's values under a key: the canonical ones without an id, `forStudent` with one. A key without variants
 * gives `{ studentId }` (its questions are the same for everyone).
 */
export function variantOf<V extends VariantValues>(key: Pick<AnswersKey<unknown, V>, 'variants'>, studentId: string | undefined | null): V {
  const id = normalizeStudentId(studentId);
  if (!key.variants) return { studentId: id } as V;
  if (id === null) return structuredClone(key.variants.canonical);
  return key.variants.forStudent(id);
}

/** Reads the bytes of a hash in order; each draw picks from a list of options. */
export interface Draws {
  pick<T>(options: readonly T[]): T;
  /** Picks and removes the value from `options`. */
  distinct<T>(options: T[]): T;
}

/**
 * Draws for one question and student, from the bytes of sha256(`<assignment>/<question>/<id>`) (UTF-8), read in
 * order; a draw takes the next byte b and picks `options[b % options.length]`. Stable: changing it changes every
 * student's numbers.
 */
export function studentDraws(assignment: string, question: string, id: string): Draws {
  const bytes = createHash('sha256').update(`${assignment}/${question}/${id}`, 'utf8').digest();
  let next = 0;
  const byte = (): number => {
    // 32 bytes are far more than a question should draw: running out is a bug in the key.
    if (next >= bytes.length) throw new Error(`variant for ${assignment}/${question} drew more than ${bytes.length} bytes`);
    return bytes[next++];
  };
  return {
    pick: <T>(options: readonly T[]): T => options[byte() % options.length],
    distinct: <T>(options: T[]): T => options.splice(byte() % options.length, 1)[0],
  };
}
