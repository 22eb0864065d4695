#!/usr/bin/env node
// Entry point: runs the compiled CLI (npm install builds it). `check` first starts the Python worker it will use,
// so that importing PyTorch overlaps loading the CLI (graders/runners/prestart.ts); that start is only a hint.
if (process.argv[2] === 'check') {
  await import('../dist/graders/runners/prestart.js').then((m) => m.prestart(process.argv)).catch(() => {});
}
await import('../dist/scripts/cli.js');
