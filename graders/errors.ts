// Every error a user can cause, with a stable code and a message that names the file or question.

/** Stable codes, so tests and tools match on the kind of error rather than on its wording. */
export type ErrorCode =
  | 'MANIFEST_INVALID'
  | 'MANIFEST_NOT_FOUND'
  | 'ASSIGNMENT_NOT_FOUND'
  | 'ANSWERS_INVALID'
  | 'STAFF_SCORES_INVALID'
  | 'NPZ_INVALID'
  | 'FIXTURE_MISSING'
  | 'FIXTURE_MISMATCH'
  | 'SUBMISSION_INVALID'
  | 'INTERPRETER_MISSING'
  | 'SANDBOX_UNAVAILABLE'
  | 'REFERENCE_INVALID'
  | 'RESULTS_INCOMPATIBLE'
  | 'USAGE';

/** An error whose message is meant for a person: it names the place and what was expected. */
export class DlgradeError extends Error {
  readonly code: ErrorCode;
  /** The file the error is about, when there is one. */
  readonly file?: string;

  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.name = 'DlgradeError';
    this.code = code;
    this.file = options.file;
  }
}

/** Describes a value for an "expected X, got Y (type)" message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)} (string)`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}

/** The one wording for a value outside a fixed set: `<what> must be one of a, b, c, got "x" (string)`. */
export function mustBeOneOf(what: string, allowed: readonly unknown[], got: unknown): string {
  return `${what} must be one of ${allowed.map(String).join(', ')}, got ${describeValue(got)}`;
}
