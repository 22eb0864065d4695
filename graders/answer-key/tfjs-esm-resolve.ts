// A module-resolution hook (node:module register) for TensorFlow.js's ES module files, whose relative imports leave
// out ".js" and "/index.js" (they are written for bundlers). Only @tensorflow packages are helped; nothing else changes.
type Resolved = { url: string; format?: string | null; shortCircuit?: boolean };
type Next = (specifier: string, context: { parentURL?: string }) => Promise<Resolved>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<Resolved> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const ours = context.parentURL?.includes('/@tensorflow/') && specifier.startsWith('.') && !specifier.endsWith('.js');
    if (!ours || (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw error;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
