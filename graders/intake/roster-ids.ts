// Canvas names students by their Canvas user id; a Canvas gradebook export maps that id ("ID") to the SIS login
// the rest of the course uses.
import type { Roster } from '../reporters/gradebook.js';

/** Canvas user id → the roster's SIS Login ID (else SIS User ID, else the column `key` names). */
export function canvasRosterIds(roster: Roster, key?: string): Map<string, string> {
  const preferred = [key?.split(',')[0]?.trim(), 'SIS Login ID', 'SIS User ID'].filter((k): k is string => Boolean(k) && k !== 'ID');
  const ids = new Map<string, string>();
  if (!roster.columns.includes('ID')) return ids;
  for (const row of roster.rows) {
    const canvasId = row.ID?.trim();
    const sis = preferred.map((k) => row[k]?.trim()).find((v) => v);
    if (canvasId && sis) ids.set(canvasId, sis);
  }
  return ids;
}
