// Building blocks for an answers key's section schemas (TypeBox: a JSON Schema for Ajv and a TypeScript type at once).
import { Type, type Static, type TOptional, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * The value or null. A null (or a missing key) means "not answered": it costs that cell, not the question.
 * Written as `type: [T, "null"]` rather than anyOf, so a wrong value gives one error that names one expected type.
 */
export function orNull<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const { type, ...rest } = schema as unknown as { type: string } & Record<string, unknown>;
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

/** A section's keys are all optional and may be null; a key the format does not have is reported and ignored. */
export function section<P extends Record<string, TSchema>>(properties: P, description: string) {
  const optional = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof P]: TOptional<P[K]>;
  };
  return orNull(Type.Object(optional, { additionalProperties: false, description }));
}

/** A number (or null). */
export const num = (description?: string) => orNull(Type.Number(description ? { description } : {}));
/** A whole number (or null); checked as a number so 1e6 is accepted, the grader compares it exactly. */
export const int = (description: string) => orNull(Type.Number({ description: `${description} (an integer)` }));
/** A list of numbers, any of which may be null. */
export const numList = (description: string) => orNull(Type.Array(orNull(Type.Number()), { description }));
/** A list of rows of numbers. */
export const matrix = (description: string) => orNull(Type.Array(Type.Array(Type.Number()), { description }));
/** Free text (or null). */
export const text = (description: string) => orNull(Type.String({ description }));
/** One schema per key, e.g. per layer or parameter. */
export const record = <K extends string, T extends TSchema>(keys: readonly K[], value: (k: K) => T) =>
  Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, T>;
