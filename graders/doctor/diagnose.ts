// `dlgrade doctor`: what this machine gives dlgrade — the Python that runs student code and where its libraries
// come from, the sandbox and each isolation mechanism in force — and, for what is missing, the command that fixes it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { detectCgroups } from '../runners/cgroups.js';
import { MAX_SLOTS, SANDBOX_LIMITS, SLOT_UID_BASE, findTool, probeBwrap } from '../runners/bwrap-sandbox.js';
import { defaultPython, pythonRunnerScript } from '../runners/python-runner.js';
import { hugePageSupportHere } from '../runners/huge-pages.js';
import { describeProbeFailure, probe } from '../process/probe.js';

/** One finding: `ok` is in force, `missing` needs the `fix`, `note` is worth knowing. */
export interface DoctorFinding {
  topic: string;
  state: 'ok' | 'missing' | 'note';
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  findings: DoctorFinding[];
  /** Whether `grade` can run sandboxed here. */
  ready: boolean;
}

/** Everything the doctor reports, for the interpreter `python` (--python, DLGRADE_PYTHON or /usr/bin/python3). */
export async function diagnose(options: { python?: string } = {}): Promise<DoctorReport> {
  const python = defaultPython(options.python);
  const findings: DoctorFinding[] = [];
  findings.push({ topic: 'node', state: 'ok', detail: `Node ${process.versions.node}` });
  const libraries = await describePython(python);
  findings.push(...libraries.findings);
  findings.push(await describeBlas(python, libraries.ok));
  findings.push(describeHugePages());
  const sandbox = await describeSandbox(python);
  findings.push(...sandbox.findings);
  findings.push(...(await describeIsolation(sandbox.ok)));
  return { findings, ready: libraries.ok && sandbox.ok };
}

const INSTALL_TORCH = 'apt-get install python3-numpy python3-torch (Debian 12), or pip install numpy torch in the interpreter you pass with --python';

async function describePython(python: string): Promise<{ ok: boolean; findings: DoctorFinding[] }> {
  if (!existsSync(python)) {
    return { ok: false, findings: [{ topic: 'python', state: 'missing', detail: `${python} does not exist`, fix: `${INSTALL_TORCH}; or pass --python PATH` }] };
  }
  const script = 'import json, sys\nout = {"python": sys.version.split()[0], "executable": sys.executable}\nfor name in ("numpy", "torch"):\n    try:\n        m = __import__(name)\n        out[name] = [m.__version__, m.__file__]\n    except Exception as e:\n        out[name] = [None, type(e).__name__ + ": " + str(e)]\nprint(json.dumps(out))';
  const outcome = await probe(python, ['-I', '-c', script], { timeoutMs: 120_000 });
  if (outcome.kind !== 'ok') {
    return { ok: false, findings: [{ topic: 'python', state: 'missing', detail: `${python} did not run: it ${describeProbeFailure(outcome)}`, fix: INSTALL_TORCH }] };
  }
  try {
    const found = JSON.parse(outcome.stdout) as { python: string; executable: string; numpy: [string | null, string]; torch: [string | null, string] };
    const findings: DoctorFinding[] = [{ topic: 'python', state: 'ok', detail: `${python} (Python ${found.python})` }];
    for (const name of ['numpy', 'torch'] as const) {
      const [version, where] = found[name];
      findings.push(version ? { topic: name, state: 'ok', detail: `${version} from ${where}` } : { topic: name, state: 'missing', detail: `cannot be imported by ${python} (${where})`, fix: INSTALL_TORCH });
    }
    return { ok: Boolean(found.numpy[0] && found.torch[0]), findings };
  } catch {
    return { ok: false, findings: [{ topic: 'python', state: 'missing', detail: `${python} printed no report of its libraries: ${firstLine(outcome.stdout) || 'nothing'}`, fix: INSTALL_TORCH }] };
  }
}

/**
 * The BLAS NumPy and PyTorch compute with (their matrix products, and so the speed and the last bits of every
 * result), as the runner records it in every result (`blas_in_use` in dlgrade_runner.py): the same answer here.
 */
export async function describeBlas(python: string, librariesOk: boolean): Promise<DoctorFinding> {
  if (!librariesOk) return { topic: 'blas', state: 'note', detail: 'unknown (NumPy or PyTorch missing)' };
  const script = ['import sys', `sys.path.insert(0, ${JSON.stringify(path.dirname(pythonRunnerScript()))})`, 'import numpy, torch, dlgrade_runner', 'print(dlgrade_runner.blas_in_use())'].join('\n');
  const outcome = await probe(python, ['-I', '-c', script], { timeoutMs: 120_000 });
  if (outcome.kind !== 'ok') return { topic: 'blas', state: 'note', detail: `could not be read: ${python} ${describeProbeFailure(outcome)}` };
  const blas = outcome.stdout.trim();
  if (/^reference BLAS/.test(blas)) return { topic: 'blas', state: 'note', detail: `${blas}: slow for large matrix products`, fix: 'apt-get install libopenblas0-pthread' };
  return { topic: 'blas', state: 'ok', detail: blas };
}

/** Whether warm workers can fork with 2 MiB pages: without them each fork costs several times more CPU. */
function describeHugePages(): DoctorFinding {
  const support = hugePageSupportHere();
  if (support.collapsible) return { topic: 'huge pages', state: 'ok', detail: `warm workers move their memory to 2 MiB pages before forking (${support.detail})` };
  return {
    topic: 'huge pages',
    state: 'note',
    detail: `${support.detail}: warm workers fork with 4 KiB pages, which costs more CPU per submission`,
    ...(support.fix ? { fix: support.fix } : {}),
  };
}

async function describeSandbox(python: string): Promise<{ ok: boolean; findings: DoctorFinding[] }> {
  const bwrap = findTool('bwrap', process.env.DLGRADE_BWRAP);
  if (!bwrap) {
    return { ok: false, findings: [{ topic: 'sandbox', state: 'missing', detail: 'bubblewrap (bwrap) is not installed: grade and ci refuse to run, check runs unsandboxed', fix: 'apt-get install bubblewrap' }] };
  }
  const answer = await probe(bwrap, ['--version'], { timeoutMs: 10_000 });
  const version = answer.kind === 'ok' ? answer.stdout.trim() : 'version unknown';
  const usable = await probeBwrap(python);
  if (!usable.ok) return { ok: false, findings: [{ topic: 'sandbox', state: 'missing', detail: `${bwrap} (${version}) cannot be used: ${usable.reason}` }] };
  const asRoot = process.getuid?.() === 0;
  return {
    ok: true,
    findings: [
      { topic: 'sandbox', state: 'ok', detail: `${version} (${bwrap}): own pid, net, ipc, uts, user and mount namespaces; no network; read-only system` },
      asRoot
        ? { topic: 'uid per slot', state: 'ok', detail: `each running job as its own unprivileged uid (${SLOT_UID_BASE}–${SLOT_UID_BASE + MAX_SLOTS - 1}), no capabilities, no_new_privs` }
        : { topic: 'uid per slot', state: 'note', detail: 'not root: student code runs as your own uid inside the sandbox (it sees only what is bound in)', fix: 'run grade as root (a machine or container given to grading) for a uid per job' },
    ],
  };
}

async function describeIsolation(sandboxed: boolean): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  const cgroups = await detectCgroups();
  if (cgroups.ok) {
    findings.push({
      topic: 'cgroups',
      state: 'ok',
      detail: `v${cgroups.version} (${cgroups.controllers.join(', ')}): the same CPU weight per job, memory and process limits per job, CPU time measured by the kernel`,
    });
  } else {
    findings.push({
      topic: 'cgroups',
      state: 'missing',
      detail: `not used (${cgroups.reason}): rlimits only; a job stopped by the wall clock with CPU time to spare is run again and never cached`,
      fix: 'run dlgrade as root on a machine with a writable cgroup v1 hierarchy, or in a delegated cgroup v2 group: systemd-run --scope -p Delegate=yes dlgrade grade …',
    });
  }
  const asRoot = process.getuid?.() === 0;
  const canMount = asRoot && findTool('mount') !== undefined;
  findings.push(
    canMount
      ? { topic: 'write limit', state: 'ok', detail: `outputs/ and status/ are tmpfs of ${SANDBOX_LIMITS.writableBytes / 1024 / 1024} MiB and ${SANDBOX_LIMITS.writableFiles} files, enforced by the kernel` }
      : { topic: 'write limit', state: 'note', detail: 'outputs/ and status/ are counted by the harness while a job runs (mounting a tmpfs needs root)' },
  );
  findings.push({
    topic: 'cpu limit',
    state: sandboxed ? 'ok' : 'note',
    detail: `RLIMIT_CPU (hard) per process, and each case's CPU time measured from outside (${cgroups.ok ? 'cgroup accounting' : '/proc'})`,
  });
  findings.push({ topic: 'seccomp', state: 'note', detail: 'no seccomp filter: the sandbox shares the kernel; grade on a machine or VM given to grading' });
  return findings;
}

function firstLine(text: string): string {
  return String(text).trim().split('\n')[0].slice(0, 300);
}
