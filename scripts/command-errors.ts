// How a command's failure is told and which exit code it gives, the same for the CLI and the check server.
import { DlgradeError } from '../graders/errors.js';

/** Writes the message of an error that ended a command and returns the exit code: 2 for a user's error, 3 for dlgrade's own. */
export function reportCommandError(error: unknown): number {
  if (error instanceof DlgradeError) {
    process.stderr.write(`dlgrade: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(`dlgrade: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 3;
}
