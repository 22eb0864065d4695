// Turns comparison data into one sentence a student can act on.
import type { Diagnostics, Pattern } from './compare.js';

const fmt = (x: number | undefined): string => {
  if (x === undefined) return '?';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  // Counts print in full: 137,280 vs 137,128 must not both read 1.37e+5.
  if (Number.isInteger(x) && abs < 1e15) return x.toLocaleString('en-US');
  return abs >= 1e-3 && abs < 1e5 ? String(Number(x.toPrecision(6))) : x.toExponential(3);
};
const shapeText = (s: number[] | undefined) => `[${(s ?? []).join(', ')}]`;

/** The power of ten a factor is (10 → 1, 0.01 → -2), if it is one. */
function decimalSlip(factor: number): number | undefined {
  const k = Math.round(Math.log10(Math.abs(factor)));
  return k !== 0 && Math.abs(Math.abs(factor) - 10 ** k) <= 1e-9 * 10 ** k ? k : undefined;
}

/** What a pattern means, in words. */
export function describePattern(p: Pattern, mistakeMessages: Record<string, string> = {}): string {
  switch (p.kind) {
    case 'scaled': {
      const slip = decimalSlip(p.factor);
      if (slip !== undefined) return `your values are the expected ones times ${fmt(p.factor)}: the decimal point is off by ${Math.abs(slip)} place${Math.abs(slip) === 1 ? '' : 's'}`;
      return `your values are the expected ones times ${fmt(p.factor)} (off by a constant factor)`;
    }
    case 'negated':
      return 'your values have the opposite sign of the expected ones';
    case 'transposed':
      return 'your array is the transpose of the expected one';
    case 'offset':
      return `your values are the expected ones plus ${fmt(p.delta)} everywhere`;
    case 'mistake':
      return mistakeMessages[p.id] ?? `this matches the known mistake "${p.id}"`;
    case 'not-a-solution':
      return `it does not solve ${p.matrix} @ x = ${p.rhs} (relative residual ‖${p.matrix} x − ${p.rhs}‖ / ‖${p.rhs}‖ = ${fmt(p.residual)})`;
    case 'larger-norm':
      return `it solves ${p.matrix} @ x = ${p.rhs}, but its norm is ${fmt(p.ratio)} times the expected solution's (not the minimum-norm solution)`;
  }
}

/** One sentence about one output: passes with its error figure, or what is wrong. */
export function summarize(d: Diagnostics, mistakeMessages: Record<string, string> = {}): string {
  const errorFigure = d.tolerance.mode === 'rel_error' ? `rel_error ${fmt(d.relError)}` : `max abs error ${fmt(d.maxAbsError)}`;
  if (d.pass) return d.tolerance.mode === 'shape' ? `shape ${shapeText(d.actualShape)} as expected` : `correct (${errorFigure})`;
  // Known mistakes are reported once per case by the caller; the summary keeps the generic patterns.
  const hints = d.patterns.filter((p) => p.kind !== 'mistake').map((p) => describePattern(p, mistakeMessages));
  const hintText = hints.length ? ` — ${hints.join('; ')}` : '';
  switch (d.failure) {
    case 'missing':
      return d.message ?? 'no value was produced';
    case 'shape': {
      const oneElement = d.expectedShape.length === 0 && (d.actualShape ?? []).every((n) => n === 1);
      const scalarHint = oneElement ? ' — return a scalar (a 0-d tensor, e.g. from .sum() or .squeeze()), not an array holding one number' : '';
      return `shape ${shapeText(d.actualShape)}, expected ${shapeText(d.expectedShape)}${scalarHint}${hintText}`;
    }
    case 'dtype':
      return `dtype ${d.actualDtype} with non-integer values, expected ${d.expectedDtype}`;
    case 'nonfinite':
      return `${d.nanCount ?? 0} NaN and ${d.infCount ?? 0} Inf value(s) where the expected values are finite${hintText}`;
    default: {
      const limit = d.tolerance.mode === 'rel_error' ? ` > ${fmt(d.tolerance.rtol)}` : '';
      const where = d.worst && d.size > 1 ? `; worst at [${d.worst.index.join(', ')}]: got ${fmt(d.worst.actual)}, expected ${fmt(d.worst.expected)}` : d.worst ? `: got ${fmt(d.worst.actual)}, expected ${fmt(d.worst.expected)}` : '';
      const count = d.size > 1 ? `; ${d.mismatchCount} of ${d.size} elements outside the tolerance` : '';
      return `wrong values (${errorFigure}${limit}${where}${count})${hintText}`;
    }
  }
}

export { fmt as formatNumber };
