// The commands a student reads in the kit (its README and the handout) work in the kit exactly as written.
import { mkdtemp, readFile, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { ROOT, dlgrade } from './cli.js';

const ID = 'mlp-backprop';
let kit: string;
let readme: string;
let handout: string;

beforeAll(async () => {
  kit = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-kit-cmds-')), 'kit');
  const run = await dlgrade(['export-student', ID, '--out', kit]);
  expect(run.exitCode, run.stderr).toBe(0);
  // What `npm ci --omit=dev` would install, without the network.
  await symlink(path.join(ROOT, 'node_modules'), path.join(kit, 'node_modules'), 'dir');
  readme = await readFile(path.join(kit, 'README.md'), 'utf8');
  handout = await readFile(path.join(kit, 'assignments', ID, 'handout.md'), 'utf8');
});

/** Every `npx dlgrade check …` line of a text, with the placeholder folder filled in. */
function checkCommands(text: string, folder: string): string[][] {
  return [...text.matchAll(/npx dlgrade (check [^\n`]+)/g)].map((m) => m[1].trim().replace('path/to/your/folder', folder).split(/\s+/));
}

describe('the kit as a student follows it', () => {
  it('checks the interpreter dlgrade will use, not whatever python3 is on the PATH', () => {
    expect(readme).toMatch(/npx dlgrade doctor/);
    expect(readme).not.toMatch(/python3 -c/);
  });

  it("runs the README's and the handout's check commands as written, with npx, from the kit folder", async () => {
    const starter = path.join('assignments', ID, 'starter');
    const commands = [...checkCommands(readme, starter), ...checkCommands(handout, starter)];
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const args of commands) {
      const run = await execa('npx', ['--no-install', 'dlgrade', ...args], { cwd: kit, reject: false, env: { NO_COLOR: '1' } });
      expect(run.exitCode, `npx dlgrade ${args.join(' ')}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/Total: 0\/13/);
    }
  });
});
