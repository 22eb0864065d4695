// Whether a warm worker can move its memory to 2 MiB pages before it forks (worker.py, collapse_to_huge_pages):
// MADV_COLLAPSE needs Linux 6.1, and transparent huge pages must not be switched off.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface HugePageSupport {
  collapsible: boolean;
  /** What decides it, for `doctor`. */
  detail: string;
  /** The command that turns them on, when only a setting stands in the way. */
  fix?: string;
}

const THP_MODE = '/sys/kernel/mm/transparent_hugepage/enabled';

/** From a kernel release ("6.18.44-…") and the text of THP_MODE ("always [madvise] never"), or undefined if absent. */
export function hugePageSupport(release: string, modeText: string | undefined): HugePageSupport {
  const [major = 0, minor = 0] = release.split('.').map((n) => Number.parseInt(n, 10));
  if (major < 6 || (major === 6 && minor < 1)) return { collapsible: false, detail: `Linux ${release} has no MADV_COLLAPSE (6.1 or later)` };
  const mode = /\[(\w+)\]/.exec(modeText ?? '')?.[1];
  if (!mode) return { collapsible: false, detail: `transparent huge pages are not available (no ${THP_MODE})` };
  if (mode === 'never') return { collapsible: false, detail: 'transparent huge pages are switched off (never)', fix: `echo madvise > ${THP_MODE}` };
  return { collapsible: true, detail: `Linux ${release}, transparent huge pages: ${mode}` };
}

/** This machine's answer. */
export function hugePageSupportHere(): HugePageSupport {
  let modeText: string | undefined;
  try {
    modeText = readFileSync(THP_MODE, 'utf8');
  } catch {
    modeText = undefined;
  }
  return hugePageSupport(os.release(), modeText);
}
