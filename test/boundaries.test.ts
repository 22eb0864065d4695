// The import boundaries: graders/ (the engine) never imports reference/ (the keys) or scripts/ (the CLI), reference/
// never imports scripts/, and no module imports itself through others. For the boundaries every import counts (type-only
// and dynamic ones are dependencies all the same); for cycles, the imports that remain in the compiled JavaScript,
// since a cycle matters through the order in which modules run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const FOLDERS = ['graders', 'reference', 'scripts'];

/** Every .ts file (tests included) under the code folders, relative to the root with forward slashes. */
function sourceFiles(): string[] {
  return FOLDERS.flatMap((dir) =>
    (readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${dir}/${f.split(path.sep).join('/')}`),
  );
}

/**
 * The project files a file imports (static, re-exports and import() with a literal), `.js` mapped to `.ts`; with
 * `runtime`, only those left after TypeScript drops the imports used as types only.
 */
function importsOf(file: string, runtime: boolean): string[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const code = runtime ? ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 } }).outputText : source;
  const info = ts.preProcessFile(code, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const files = sourceFiles();
const inProject = (targets: string[]) => targets.filter((t) => !t.startsWith('..'));
const graph = new Map(files.map((f) => [f, inProject(importsOf(f, false))]));
const runtimeGraph = new Map(files.filter((f) => !f.endsWith('.test.ts')).map((f) => [f, inProject(importsOf(f, true))]));

/** The edges that leave a folder for one it must not import. */
function forbiddenEdges(from: string, to: readonly string[]): string[] {
  return [...graph].flatMap(([file, targets]) =>
    file.startsWith(`${from}/`) ? targets.filter((t) => to.some((dir) => t.startsWith(`${dir}/`))).map((t) => `${file} → ${t}`) : [],
  );
}

/** One cycle per strongly connected component of more than one file (Tarjan), as a readable chain. */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of runtimeGraph.get(v) ?? []) {
      if (!runtimeGraph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(chain(component));
    }
  };
  for (const f of runtimeGraph.keys()) if (!index.has(f)) visit(f);
  return found;
}

/** A path around a cycle inside a component: a → b → … → a. */
function chain(component: string[]): string[] {
  const inside = new Set(component);
  const start = [...component].sort()[0];
  // Breadth-first from start back to start, within the component.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of runtimeGraph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

/** Modules that start processes, as their specifiers are written. */
const PROCESS_MODULES = new Set(['node:child_process', 'child_process', 'execa']);

/**
 * Files outside graders/process/ allowed to start processes, and why. Tests are allowed too: they run the CLI, Python
 * and browsers as a user would.
 */
const PROCESS_EXEMPT: Record<string, string> = {
  // The benchmark measures dlgrade as a user meets it, whole CLI processes timed from outside; scripts/ is never imported.
  'scripts/bench.ts': 'times whole CLI processes from outside',
  // Used by reference tests only: cross-checks the TensorFlow.js reference against PyTorch.
  'reference/cnn-architectures/torch-helper.ts': 'test support that runs PyTorch to cross-check a reference',
};

/** The files that import a process module (statically or with import()), other than the allowed ones. */
function processStarters(): string[] {
  return files
    .filter((f) => !f.endsWith('.test.ts') && !f.startsWith('graders/process/') && !Object.hasOwn(PROCESS_EXEMPT, f))
    .flatMap((f) => {
      const specs = ts.preProcessFile(readFileSync(path.join(ROOT, f), 'utf8'), true, true).importedFiles.map((i) => i.fileName);
      return specs.filter((spec) => PROCESS_MODULES.has(spec)).map((spec) => `${f} imports ${spec}`);
    });
}

describe('import boundaries', () => {
  it('finds the project files and their imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('scripts/commands/common.ts')).toContain('reference/index.ts');
  });

  it('graders/ imports nothing from reference/ or scripts/', () => {
    expect(forbiddenEdges('graders', ['reference', 'scripts'])).toEqual([]);
  });

  it('reference/ imports nothing from scripts/', () => {
    expect(forbiddenEdges('reference', ['scripts'])).toEqual([]);
  });

  it('only graders/process/ starts processes (the sandbox probes and the detached check server included)', () => {
    expect(processStarters()).toEqual([]);
    // Each exemption names a file that still exists and still needs it.
    for (const file of Object.keys(PROCESS_EXEMPT)) expect(files, file).toContain(file);
  });

  it('no import cycle', () => {
    expect(cycles().map((c) => c.join(' → '))).toEqual([]);
  });
});
