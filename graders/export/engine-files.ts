// The runnable dlgrade engine for a kit or a bundle: compiled code, runner scripts, templates — never the answer key.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../manifest/load-manifest.js';
import { DlgradeError } from '../errors.js';
import { addTree, type Bundle } from './bundle.js';

/**
 * Adds the engine under `prefix`, laid out like this repository so the copy finds its own assignments/ and fixtures/
 * beside it (projectRoot()). Left out: TypeScript sources, tests, source maps, and dist/reference — the compiled
 * answer key, of which only withheld stand-ins are shipped (see addWithheldStubs).
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
  const compiled = (rel: string) => rel.endsWith('.js') && !/\.test\.js$/.test(rel);
  await addTree(bundle, path.join(dist, 'graders'), join(prefix, 'dist/graders'), compiled);
  await addTree(bundle, path.join(dist, 'scripts'), join(prefix, 'dist/scripts'), compiled);
  await addWithheldStubs(bundle, prefix, dist);
  // Non-TypeScript files the engine reads at run time (the Python runner, shell templates), found beside graders/.
  await addTree(bundle, path.join(root, 'graders'), join(prefix, 'graders'), (rel) => !rel.endsWith('.ts') && !/(^|\/)test_|\.test\./.test(rel));
  await addTree(bundle, path.join(root, 'reports'), join(prefix, 'reports'));
}

const join = (prefix: string, rel: string) => (prefix ? `${prefix}/${rel}` : rel);

/** The first line of every stand-in for an answer-key module; the kit test looks for it. */
export const WITHHELD_MARKER = '// dlgrade: withheld answer-key module';

/**
 * The engine imports some answer-key modules statically (the registry, the written assignment's key), so they cannot
 * just be left out. Each one the shipped code imports is replaced by a stand-in with the same export names and no
 * code of the key: using any export throws REFERENCE_INVALID, which the CLI prints as a plain message.
 */
async function addWithheldStubs(bundle: Bundle, prefix: string, dist: string): Promise<void> {
  const shipped = [...bundle.entries()].filter(([rel, f]) => rel.startsWith(join(prefix, 'dist/')) && rel.endsWith('.js') && f.source);
  const needed = new Set<string>();
  const referenceDir = path.join(dist, 'reference') + path.sep;
  const queue = shipped.map(([, f]) => f.source!);
  const seen = new Set(queue);
  while (queue.length) {
    const file = queue.pop()!;
    for (const spec of staticImports(await readFile(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (target.startsWith(referenceDir)) needed.add(target);
      else if (!seen.has(target) && target.startsWith(dist + path.sep) && existsSync(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  for (const module of [...needed].sort()) {
    const rel = path.relative(dist, module).split(path.sep).join('/');
    const names = Object.keys(await import(pathToFileURL(module).href)).sort();
    const errors = path.relative(path.dirname(module), path.join(dist, 'graders', 'errors.js')).split(path.sep).join('/');
    const lines = [
      WITHHELD_MARKER,
      `// The answer key (${rel}) is not part of this kit: every export stands for it and refuses to be used.`,
      `import { DlgradeError } from '${errors.startsWith('.') ? errors : './' + errors}';`,
      'const withheld = (name) => {',
      `  const refuse = () => { throw new DlgradeError('REFERENCE_INVALID', \`\${name} belongs to the answer key, which this kit does not include\`); };`,
      "  return new Proxy(function () {}, { get: (_t, p) => (p === 'then' ? undefined : refuse()), apply: refuse, construct: refuse });",
      '};',
      ...names.map((n) => (n === 'default' ? `export default withheld('${rel}: default');` : `export const ${n} = withheld('${rel}: ${n}');`)),
    ];
    bundle.set(join(prefix, `dist/${rel}`), { content: lines.join('\n') + '\n' });
  }
}

/** The specifiers of a compiled module's static imports and re-exports (dynamic import() is left out on purpose). */
export function staticImports(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/g)) specs.push(m[1]);
  for (const m of source.matchAll(/(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g)) specs.push(m[1]);
  return specs;
}
