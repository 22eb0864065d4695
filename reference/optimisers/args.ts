// Manifest case arguments of the optimisers references, checked with messages that name the argument.

/** A positive integer argument; `fallback` when the manifest leaves it out. */
export function intArg(args: Record<string, unknown>, name: string, fallback?: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`args.${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A finite number argument; `fallback` when the manifest leaves it out. */
export function numberArg(args: Record<string, unknown>, name: string, fallback?: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`args.${name} must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A finite number argument that may be left out. */
export function optionalNumberArg(args: Record<string, unknown>, name: string): number | undefined {
  return args[name] === undefined ? undefined : numberArg(args, name);
}

/** A shape: a non-empty list of positive integers. */
export function shapeArg(args: Record<string, unknown>, name: string): number[] {
  const value = args[name];
  if (!Array.isArray(value) || value.length === 0 || !value.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`args.${name} must be a list of positive integers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}
