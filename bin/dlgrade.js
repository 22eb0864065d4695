#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm install builds it). In a source checkout, TypeScript sources newer than
// their build are compiled first, so an edited reference or a `dlgrade new` skeleton is what runs. `check` is then
// handed to a running check server, or else starts the Python worker it will use, so that importing PyTorch overlaps
// loading the CLI (graders/runners/prestart.ts).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// A reader that stops early (`dlgrade list | head -1`) closes the pipe: the command still finishes its work
// (a batch still writes its results) and its exit code, without a stack trace for the output nobody reads.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const stampFile = path.join(root, 'dist', '.build-stamp');
// tsconfig.json's tsBuildInfoFile: tsc's record of what it emitted, by content hash.
const buildInfo = path.join(root, 'dist', '.tsbuildinfo');

/**
 * The first TypeScript source (not a test) whose build in dist/ is missing, or older than both the source and the
 * start of the last build this script ran (tsc leaves a build alone when its source was saved unchanged), and whether
 * the build of a source older than the last build is missing (deleted since; a new source's is simply not built yet),
 * with the time the last build started.
 */
function staleSources() {
  const builtAt = lastBuildStart();
  const recordedAt = statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  let first;
  let missing = false;
  for (const dir of ['graders', 'reference', 'scripts']) {
    if (!existsSync(path.join(root, dir))) continue;
    for (const rel of readdirSync(path.join(root, dir), { recursive: true })) {
      if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || rel.endsWith('.d.ts')) continue;
      const sourceTime = statSync(path.join(root, dir, rel)).mtimeMs;
      const builtTime = statSync(path.join(root, 'dist', dir, rel.replace(/\.ts$/, '.js')), { throwIfNoEntry: false })?.mtimeMs;
      if (builtTime === undefined && sourceTime < Math.max(recordedAt, builtAt)) missing = true;
      if (builtTime === undefined || (builtTime < sourceTime && builtAt < sourceTime)) first ??= path.join(dir, rel);
    }
  }
  return { first, missing, builtAt };
}

/** When the last build this script ran started (its stamp's time), or 0. */
function lastBuildStart() {
  return statSync(stampFile, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

/** Takes dist/.build.lock, or waits until no other dlgrade process holds it; true when taken. */
function lockBuild(lock) {
  try {
    closeSync(openSync(lock, 'wx'));
    return true;
  } catch {
    // A lock older than any build was left by a killed process.
    if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 10 * 60_000) rmSync(lock, { force: true });
    while (existsSync(lock)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    return false;
  }
}

/** Compiles the sources; several dlgrade commands started together (a script, a test) build once, the rest wait. */
function rebuild() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  const lock = path.join(root, 'dist', '.build.lock');
  let stale = staleSources();
  // Each build dates the stamp anew. A command that finds it changed once it holds the lock knows that another built
  // the sources it found stale, even when their times still say stale (a source dated in the future).
  const seen = stale.builtAt;
  for (; stale.first; stale = staleSources()) {
    if (!existsSync(tsc)) {
      process.stderr.write(`dlgrade: ${stale.first} is newer than its build in dist/; run "npm run build" (TypeScript is not installed here to do it)\n`);
      process.exit(2);
    }
    if (!lockBuild(lock)) continue;
    if (lastBuildStart() !== seen) {
      rmSync(lock, { force: true });
      return;
    }
    process.stderr.write(`dlgrade: ${stale.first} changed since the last build; compiling (npm run build)…\n`);
    // An incremental build trusts its record and would not write again an output deleted since.
    if (stale.missing) rmSync(buildInfo, { force: true });
    const started = new Date();
    const build = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status === 0) {
      writeFileSync(stampFile, '');
      // Dated to the build's start: a source saved while tsc ran is still newer.
      utimesSync(stampFile, started, started);
    }
    rmSync(lock, { force: true });
    if (build.status !== 0) {
      process.stderr.write('dlgrade: the TypeScript sources do not compile (errors above); fix them, then run the command again (or "npm run build")\n');
      process.exit(2);
    }
    // One build is enough: a source tsc does not emit (outside tsconfig) would otherwise be rebuilt forever.
    return;
  }
}

// A student kit has no TypeScript sources, so nothing is ever stale there. DLGRADE_NO_BUILD=1 skips the check.
if (process.env.DLGRADE_NO_BUILD !== '1' && existsSync(path.join(root, 'tsconfig.json'))) rebuild();

// A check goes to the user's check server when one is running (graders/check-server/): PyTorch is already imported
// there. Otherwise, or if anything about the server is wrong, it runs here as it always did.
let served = false;
if (process.argv[2] === 'check') {
  const attempt = await import('../dist/graders/check-server/client.js').then((m) => m.checkOnServer(process.argv.slice(2)), (error) => ({ served: false, reason: error.message }));
  const verbose = process.argv.includes('--verbose') || process.argv.includes('-v');
  if (attempt.served) {
    served = true;
    process.exitCode = attempt.exitCode;
    if (verbose) process.stderr.write(`dlgrade: checked by the check server (pid ${attempt.pid}); --no-server checks in this process\n`);
  } else {
    if (verbose) process.stderr.write(`dlgrade: checking in this process: ${attempt.reason}\n`);
    await import('../dist/graders/runners/prestart.js').then((m) => m.prestart(process.argv)).catch(() => {});
  }
}
if (!served) await import('../dist/scripts/cli.js');
