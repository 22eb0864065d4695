// bin/dlgrade.js compiles stale sources before running; commands started together must build once, not race tsc.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';

// A miniature checkout: the real bin, a one-file CLI and the project's TypeScript.
const tree = mkdtempSync(path.join(os.tmpdir(), 'dlgrade-stale-build-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

function writeTree(cliSource: string) {
  mkdirSync(path.join(tree, 'bin'), { recursive: true });
  mkdirSync(path.join(tree, 'scripts'), { recursive: true });
  cpSync(path.join(ROOT, 'bin', 'dlgrade.js'), path.join(tree, 'bin', 'dlgrade.js'));
  if (!existsSync(path.join(tree, 'node_modules'))) symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  writeFileSync(path.join(tree, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    path.join(tree, 'tsconfig.json'),
    // Incremental, as the project's. No @types: loading the project's would make each compile ~4× dearer.
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'dist', rootDir: '.', incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo', types: [] },
      include: ['scripts/**/*.ts'],
    }),
  );
  writeFileSync(path.join(tree, 'scripts', 'cli.ts'), cliSource);
}

const run = () => execa(process.execPath, [path.join(tree, 'bin', 'dlgrade.js'), 'list'], { cwd: tree, reject: false, env: { NO_COLOR: '1' } });

describe('a stale build', () => {
  it('is compiled once by commands started together, and each runs the new build', async () => {
    writeTree("console.log('version one');\n");
    const first = await run();
    expect(first.stdout).toBe('version one');
    // The edit: a newer source than its build.
    writeTree("const answer: string = 'version two';\nconsole.log(answer);\n");
    const future = new Date(Date.now() + 5_000);
    utimesSync(path.join(tree, 'scripts', 'cli.ts'), future, future);

    const runs = await Promise.all([run(), run(), run(), run()]);
    for (const r of runs) expect(r.stdout).toBe('version two');
    const builds = runs.filter((r) => r.stderr.includes('compiling (npm run build)'));
    expect(builds).toHaveLength(1);
    expect(existsSync(path.join(tree, 'dist', '.build.lock'))).toBe(false);
  }, 120_000);

  it('that does not compile is reported with the command to run, and leaves no lock behind', async () => {
    writeTree("const n: number = 'not a number';\nconsole.log(n);\n");
    const future = new Date(Date.now() + 10_000);
    utimesSync(path.join(tree, 'scripts', 'cli.ts'), future, future);
    const result = await run();
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('do not compile');
    expect(existsSync(path.join(tree, 'dist', '.build.lock'))).toBe(false);
  }, 120_000);

  it('saved unchanged is compiled once, not by every command after it (tsc leaves its build alone)', async () => {
    writeTree("console.log('version three');\n");
    const edited = await run();
    expect(edited.stdout).toBe('version three');
    expect(edited.stderr).toContain('compiling');
    const built = statSync(path.join(tree, 'dist', 'scripts', 'cli.js')).mtimeMs;
    const later = new Date();
    utimesSync(path.join(tree, 'scripts', 'cli.ts'), later, later);
    const saved = await run();
    expect(saved.stderr).toContain('compiling');
    expect(statSync(path.join(tree, 'dist', 'scripts', 'cli.js')).mtimeMs).toBe(built);
    const next = await run();
    expect(next.stdout).toBe('version three');
    expect(next.stderr).toBe('');
  }, 120_000);

  it('whose output was deleted is compiled again in full, though the incremental record says it is up to date', async () => {
    rmSync(path.join(tree, 'dist', 'scripts', 'cli.js'));
    const again = await run();
    expect(again.stderr).toContain('compiling');
    expect(again.stdout).toBe('version three');
  }, 120_000);
});
