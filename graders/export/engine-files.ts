// The runnable dlgrade engine for a kit or a bundle: compiled code, runner scripts, templates — never the answer key.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../manifest/load-manifest.js';
import { DlgradeError } from '../errors.js';
import { addTree, type Bundle } from './bundle.js';

/**
 * Adds the engine under `prefix`, laid out like this repository so the copy finds its own assignments/ and fixtures/
 * beside it (projectRoot()). Left out: TypeScript sources, tests, source maps, and dist/reference — the answer keys,
 * which the engine never imports (the CLI loads them through reference/index.js and does without when it is absent).
 */
export async function addEngine(bundle: Bundle, prefix = ''): Promise<void> {
  const root = projectRoot();
  const dist = path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'scripts', 'cli.js'))) {
    throw new DlgradeError('USAGE', `no compiled engine in ${dist}: run "npm run build" first`);
  }
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  // The kit has no TypeScript sources to build or test; the dependencies stay so package-lock.json still matches.
  delete pkg.scripts;
  bundle.set(join(prefix, 'package.json'), { content: JSON.stringify(pkg, null, 2) + '\n' });
  bundle.set(join(prefix, 'package-lock.json'), { source: path.join(root, 'package-lock.json') });
  bundle.set(join(prefix, 'bin/dlgrade.js'), { source: path.join(root, 'bin', 'dlgrade.js'), executable: true });
  await addTree(bundle, path.join(dist, 'graders'), join(prefix, 'dist/graders'), compiledFrom(root, 'graders'));
  await addTree(bundle, path.join(dist, 'scripts'), join(prefix, 'dist/scripts'), compiledFrom(root, 'scripts'));
  // Non-TypeScript files the engine reads at run time (the Python runner, shell templates), found beside graders/.
  await addTree(bundle, path.join(root, 'graders'), join(prefix, 'graders'), (rel) => !rel.endsWith('.ts') && !/(^|\/)test_|\.test\./.test(rel));
  await addTree(bundle, path.join(root, 'reports'), join(prefix, 'reports'));
}

const join = (prefix: string, rel: string) => (prefix ? `${prefix}/${rel}` : rel);

/**
 * Which compiled files of dist/<folder> to ship: no tests, and in a checkout with sources only those whose source still
 * exists, since tsc never deletes the output of a moved or removed file and a stale answer key must not reach a kit.
 */
export function compiledFrom(root: string, folder: string): (rel: string) => boolean {
  const checkout = existsSync(path.join(root, 'tsconfig.json'));
  return (rel) =>
    rel.endsWith('.js') && !/\.test\.js$/.test(rel) && (!checkout || existsSync(path.join(root, folder, rel.replace(/\.js$/, '.ts'))));
}

/**
 * Adds the compiled answer keys of the given assignments (a Gradescope bundle of an answers assignment needs its key)
 * with the registry that finds them; the registry loads each key lazily, so the keys left out are never imported.
 */
export async function addKeys(bundle: Bundle, assignments: readonly string[], prefix = ''): Promise<void> {
  const dist = path.join(projectRoot(), 'dist', 'reference');
  bundle.set(join(prefix, 'dist/reference/index.js'), { source: path.join(dist, 'index.js') });
  for (const id of assignments) {
    if (!existsSync(path.join(dist, id))) throw new DlgradeError('USAGE', `no compiled answer key in ${path.join(dist, id)}: run "npm run build" first`);
    await addTree(bundle, path.join(dist, id), join(prefix, `dist/reference/${id}`), compiledFrom(projectRoot(), `reference/${id}`));
  }
}
