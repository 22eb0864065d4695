// Cell checks for answers: numbers within a tolerance, exact integers, shapes; each gives data first, a message second.

/** One graded cell of an answer: a number, a list, or a property of the student's answer. */
export interface AnswerCell {
  /** Where the answer is in the file, e.g. `vgg11.layers.conv1.params`. */
  path: string;
  /** The expected value, or for a property check a description of the property. */
  expected: unknown;
  /** The student's value (null when not answered). */
  actual: unknown;
  pass: boolean;
  /** Why it failed (never the expected value itself, so reporters can choose to hide `expected`). */
  message?: string;
  /** Share of the question's points (relative to the other cells). */
  weight: number;
  /** The tolerance a real-valued answer was compared with. */
  tolerance?: NumberTolerance;
}

/** How a number is compared: the manifest's `compare` (rel_error, allclose or exact) with its tolerances. */
export interface NumberTolerance {
  mode: 'rel_error' | 'allclose' | 'exact';
  rtol: number;
  atol: number;
}

/** A known wrong value and what to tell a student who gives it. */
export interface KnownMistake {
  value: unknown;
  message: string;
}

export const NOT_ANSWERED = 'not answered';

/** Whether a number is close enough to the expected one under the tolerance. */
export function numbersClose(actual: number, expected: number, tol: NumberTolerance): boolean {
  if (!Number.isFinite(actual)) return false;
  const diff = Math.abs(actual - expected);
  switch (tol.mode) {
    case 'exact':
      return diff === 0;
    case 'allclose':
      return diff <= tol.atol + tol.rtol * Math.abs(expected);
    case 'rel_error':
      return diff / Math.max(1e-8, Math.abs(actual) + Math.abs(expected)) <= tol.rtol;
  }
}

function describeTolerance(tol: NumberTolerance): string {
  if (tol.mode === 'exact') return 'exactly';
  if (tol.mode === 'rel_error') return `within a relative error of ${tol.rtol}`;
  return tol.atol > 0 ? `within ${tol.atol} + ${tol.rtol}·|expected|` : `within a relative tolerance of ${tol.rtol}`;
}

function mistakeFor(actual: unknown, mistakes: readonly KnownMistake[], same: (a: unknown, b: unknown) => boolean): string | undefined {
  return mistakes.find((m) => same(actual, m.value))?.message;
}

/** A real-valued answer compared with the tolerance. */
export function numberCell(
  path: string,
  expected: number,
  actual: number | null | undefined,
  tol: NumberTolerance,
  options: { weight?: number; mistakes?: KnownMistake[]; context?: string } = {},
): AnswerCell {
  const { weight = 1, mistakes = [], context } = options;
  const at = context ? ` ${context}` : '';
  const tolerance = tol;
  if (actual === null || actual === undefined) return { path, expected, actual: null, pass: false, message: NOT_ANSWERED, weight, tolerance };
  if (numbersClose(actual, expected, tol)) return { path, expected, actual, pass: true, weight, tolerance };
  const known = mistakeFor(actual, mistakes, (a, b) => typeof b === 'number' && numbersClose(a as number, b, tol));
  const message = known ?? `${actual}${at} is not the expected value ${describeTolerance(tol)}`;
  return { path, expected, actual, pass: false, message, weight, tolerance };
}

/** A count (parameters, neurons, connections): must be the exact integer. */
export function integerCell(
  path: string,
  expected: number,
  actual: number | null | undefined,
  options: { weight?: number; mistakes?: KnownMistake[] } = {},
): AnswerCell {
  const { weight = 1, mistakes = [] } = options;
  if (actual === null || actual === undefined) return { path, expected, actual: null, pass: false, message: NOT_ANSWERED, weight };
  if (!Number.isInteger(actual)) return { path, expected, actual, pass: false, message: `expected a whole number, got ${actual}`, weight };
  if (actual === expected) return { path, expected, actual, pass: true, weight };
  const known = mistakeFor(actual, mistakes, (a, b) => a === b);
  return { path, expected, actual, pass: false, message: known ?? `${actual} is not the right count`, weight };
}

/** A list of integers (an output size or shape), compared element by element. */
export function integerListCell(
  path: string,
  expected: readonly number[],
  actual: readonly (number | null)[] | null | undefined,
  options: { weight?: number; mistakes?: KnownMistake[] } = {},
): AnswerCell {
  const { weight = 1, mistakes = [] } = options;
  if (actual === null || actual === undefined || actual.every((v) => v === null)) {
    return { path, expected, actual: null, pass: false, message: NOT_ANSWERED, weight };
  }
  const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (same(actual, expected)) return { path, expected, actual, pass: true, weight };
  const known = mistakeFor(actual, mistakes, (a, b) => Array.isArray(b) && same(a as unknown[], b));
  let message = known;
  if (!message && actual.length !== expected.length) message = `expected ${expected.length} numbers, got ${actual.length}`;
  if (!message && actual.some((v) => v === null || !Number.isInteger(v))) message = 'expected whole numbers';
  return { path, expected, actual, pass: false, message: message ?? `[${actual.join(', ')}] is not right`, weight };
}

/** A boolean answer. */
export function booleanCell(path: string, expected: boolean, actual: boolean | null | undefined, weight = 1): AnswerCell {
  if (actual === null || actual === undefined) return { path, expected, actual: null, pass: false, message: NOT_ANSWERED, weight };
  return actual === expected ? { path, expected, actual, pass: true, weight } : { path, expected, actual, pass: false, message: `${actual} is not right`, weight };
}

/** Whether a value is a rows × cols matrix of finite numbers; returns a message naming what is wrong, or undefined. */
export function matrixProblem(value: unknown, rows: number, cols: number | undefined, what: string): string | undefined {
  if (!Array.isArray(value)) return `${what} must be a list of rows`;
  if (value.length !== rows) return `${what} must have ${rows} rows, got ${value.length}`;
  for (let r = 0; r < value.length; r++) {
    const row = value[r];
    if (!Array.isArray(row)) return `${what} row ${r} must be a list of numbers`;
    if (cols !== undefined && row.length !== cols) return `${what} must have ${cols} columns, row ${r} has ${row.length}`;
    if (row.some((v) => typeof v !== 'number' || !Number.isFinite(v))) return `${what} row ${r} must hold finite numbers only`;
  }
  return undefined;
}

/** Formats a number list for messages: [1, 0.5, -2]. */
export function formatList(values: readonly number[]): string {
  return `[${values.map((v) => String(Math.round(v * 1e6) / 1e6)).join(', ')}]`;
}
