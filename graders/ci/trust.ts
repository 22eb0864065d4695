// Tamper resistance for `dlgrade ci`: the tests, fixtures, templates and engine must not come from the submission.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { DlgradeError } from '../errors.js';

/** A place the harness reads that the student must not control, with a label for the message. */
export interface TrustedPlace {
  label: string;
  path: string;
}

/** Resolves symlinks so a link inside the submission cannot hide where a file really is. */
async function resolved(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/** Throws when any trusted place lies inside the submission folder (e.g. a student's repository carrying its own tests). */
export async function assertOutsideSubmission(submissionDir: string, places: TrustedPlace[]): Promise<void> {
  const submission = await resolved(submissionDir);
  const inside: string[] = [];
  const shown = new Set<string>();
  for (const place of places) {
    const where = await resolved(place.path);
    if (!isInside(submission, where) || shown.has(where)) continue;
    shown.add(where);
    // A fixture inside an already named folder adds nothing to the message.
    if (![...shown].some((s) => s !== where && isInside(s, where))) inside.push(`${place.label} (${where})`);
  }
  if (inside.length) {
    throw new DlgradeError(
      'USAGE',
      `ci takes its tests from the installed dlgrade or the instructor kit, never from the submission, but these lie inside the submission ${submission}: ${inside.join(', ')}. Install dlgrade (or unpack the kit) outside the repository being checked`,
    );
  }
}
