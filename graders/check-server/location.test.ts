import { chmod, mkdir, mkdtemp, writeFile, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStamp, checkPython, idleMs, serverFolder, serverSetting, socketPath } from './location.js';

describe('serverSetting', () => {
  it.each([
    { argv: [], env: {}, use: true },
    { argv: ['--no-server'], env: {}, use: false },
    { argv: ['--no-server'], env: { DLGRADE_CHECK_SERVER: 'on' }, use: false },
    { argv: [], env: { DLGRADE_CHECK_SERVER: 'off' }, use: false },
    { argv: [], env: { DLGRADE_CHECK_SERVER: '0' }, use: false },
    { argv: [], env: { CI: 'true' }, use: false },
    { argv: [], env: { CI: '1', DLGRADE_CHECK_SERVER: 'on' }, use: true },
    { argv: [], env: { CI: 'false' }, use: true },
  ])('$argv with $env: use $use', ({ argv, env, use }) => {
    expect(serverSetting(argv, env).use).toBe(use);
  });
});

describe('idleMs', () => {
  it('is 15 minutes unless DLGRADE_CHECK_SERVER_IDLE gives seconds', () => {
    expect(idleMs({})).toBe(900_000);
    expect(idleMs({ DLGRADE_CHECK_SERVER_IDLE: '60' })).toBe(60_000);
    expect(idleMs({ DLGRADE_CHECK_SERVER_IDLE: 'soon' })).toBe(900_000);
  });
});

describe('serverFolder', () => {
  it('makes $XDG_RUNTIME_DIR/dlgrade closed to others', async () => {
    const runtime = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-xdg-'));
    const folder = serverFolder({ XDG_RUNTIME_DIR: runtime });
    expect(folder).toBe(path.join(runtime, 'dlgrade'));
    expect(serverFolder({ XDG_RUNTIME_DIR: runtime })).toBe(folder);
  });

  it('refuses a folder others can enter', async () => {
    const runtime = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-xdg-'));
    await mkdir(path.join(runtime, 'dlgrade'));
    await chmod(path.join(runtime, 'dlgrade'), 0o755);
    expect(() => serverFolder({ XDG_RUNTIME_DIR: runtime })).toThrow(/closed to others \(mode 755/);
  });
});

describe('socketPath', () => {
  it('is one server per interpreter and worker settings', () => {
    const base = socketPath('/run', '/usr/bin/python3', {});
    expect(socketPath('/run', '/usr/bin/python3', { NO_COLOR: '1' })).toBe(base);
    expect(socketPath('/run', '/opt/venv/bin/python', {})).not.toBe(base);
    expect(socketPath('/run', '/usr/bin/python3', { DLGRADE_BWRAP: '/opt/bwrap' })).not.toBe(base);
    expect(socketPath('/run', '/usr/bin/python3', {}, '/another/install')).not.toBe(base);
  });

  it('takes the interpreter from --python, then DLGRADE_PYTHON', () => {
    expect(checkPython(['check', 'a', '--python', '/p1'], { DLGRADE_PYTHON: '/p2' })).toBe('/p1');
    expect(checkPython(['check', 'a', '--python=/p1'], {})).toBe('/p1');
    expect(checkPython(['check', 'a'], { DLGRADE_PYTHON: '/p2' })).toBe('/p2');
    expect(checkPython(['check', 'a'], {})).toBe('/usr/bin/python3');
  });
});

describe('buildStamp', () => {
  it('changes when a compiled file or the Python runner changes, and only then', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-build-'));
    await mkdir(path.join(root, 'dist', 'scripts'), { recursive: true });
    await mkdir(path.join(root, 'graders', 'runners', 'python'), { recursive: true });
    await writeFile(path.join(root, 'package.json'), '{"version":"1.0.0"}');
    await writeFile(path.join(root, 'dist', 'scripts', 'cli.js'), 'one');
    await writeFile(path.join(root, 'graders', 'runners', 'python', 'worker.py'), 'one');
    const first = buildStamp(root);
    expect(buildStamp(root)).toBe(first);
    await writeFile(path.join(root, 'dist', 'scripts', 'cli.js'), 'two');
    const second = buildStamp(root);
    expect(second).not.toBe(first);
    await utimes(path.join(root, 'graders', 'runners', 'python', 'worker.py'), new Date(), new Date(Date.now() + 5000));
    expect(buildStamp(root)).not.toBe(second);
  });
});
