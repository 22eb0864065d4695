// Safe student ids from whatever name an LMS or a person gave a submission ("Jane Doe", "José-García", "-rf").
import { createHash } from 'node:crypto';

/** An id that is safe as a file name and a CSV cell: letters, digits and . _ @ + -, starting with a letter or digit. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

const MAX_ID = 64;

/** A short, stable fingerprint of the original name, to tell apart names that reduce to the same id. */
export function nameFingerprint(original: string): string {
  return createHash('sha256').update(original, 'utf8').digest('hex').slice(0, 8);
}

/**
 * The file-safe id of a submission name: the name itself when already safe; otherwise accents removed, other
 * characters turned into "-", leading punctuation dropped, and a fingerprint of the original appended so two
 * different names never share an id. A name with nothing usable left becomes "student-<fingerprint>".
 */
export function safeId(original: string): string {
  const name = original.normalize('NFC');
  if (SAFE_ID.test(name)) return name;
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._@+-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[-.]+$/, '');
  const suffix = nameFingerprint(original);
  if (!ascii) return `student-${suffix}`;
  return `${ascii.slice(0, MAX_ID - suffix.length - 1)}-${suffix}`;
}
