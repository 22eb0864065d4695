// Diagnostics as the result stores them: JSON has no NaN or Infinity.

/**
 * A deep copy of `value` as JSON.parse(JSON.stringify(value)) would give it, with non-finite numbers as the strings
 * "NaN", "Infinity", "-Infinity". Walked directly: a text round trip per output cost more than the comparison.
 */
export function jsonSafe(value: unknown): any {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
  // As in JSON: undefined, functions and symbols are dropped from objects and become null in arrays.
  const dropped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';
  if (Array.isArray(value)) return value.map((v) => (dropped(v) ? null : jsonSafe(v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (!dropped(v)) out[key] = jsonSafe(v);
  }
  return out;
}
