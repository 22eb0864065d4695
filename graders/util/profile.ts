// Where a batch's time goes, phase by phase, for `npm run bench` (DLGRADE_PROFILE=<file>). Off by default: one
// branch per phase. With --jobs 1 the phases do not overlap, so their CPU deltas add up to the process's CPU time.
import { writeFileSync } from 'node:fs';

export interface PhaseTotals {
  /** Wall milliseconds summed over calls. */
  wallMs: number;
  /** This process's CPU milliseconds (user + system, every thread) summed over calls. */
  cpuMs: number;
  calls: number;
}

export interface ProfileReport {
  phases: Record<string, PhaseTotals>;
  /** Peak resident memory of this process, in MiB. */
  peakRssMb: number;
  /** CPU milliseconds of this process over its whole life. */
  processCpuMs: number;
  /** Extra counters (e.g. submissions graded). */
  counts: Record<string, number>;
}

const target = process.env.DLGRADE_PROFILE;
const phases = new Map<string, PhaseTotals>();
const counts = new Map<string, number>();

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Runs `work`, adding its wall and CPU time to `phase` when profiling is on. */
export async function inPhase<T>(phase: string, work: () => Promise<T> | T): Promise<T> {
  if (!target) return work();
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  try {
    return await work();
  } finally {
    const totals = phases.get(phase) ?? { wallMs: 0, cpuMs: 0, calls: 0 };
    totals.wallMs += performance.now() - wall0;
    totals.cpuMs += cpuMs() - cpu0;
    totals.calls++;
    phases.set(phase, totals);
  }
}

/** Adds to a named counter when profiling is on. */
export function countProfile(name: string, by = 1): void {
  if (target) counts.set(name, (counts.get(name) ?? 0) + by);
}

/** What has been measured so far. */
export function profileReport(): ProfileReport {
  const usage = process.resourceUsage();
  return {
    phases: Object.fromEntries(phases),
    peakRssMb: usage.maxRSS / 1024,
    processCpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    counts: Object.fromEntries(counts),
  };
}

if (target) process.on('exit', () => writeFileSync(target, JSON.stringify(profileReport(), null, 2) + '\n'));
