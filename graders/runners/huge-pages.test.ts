import { describe, expect, it } from 'vitest';
import { hugePageSupport } from './huge-pages.js';

describe('hugePageSupport', () => {
  it('needs Linux 6.1 or later and transparent huge pages not switched off', () => {
    expect(hugePageSupport('6.18.44-fc', 'always [madvise] never\n').collapsible).toBe(true);
    expect(hugePageSupport('6.1.0-13-amd64', '[always] madvise never\n').collapsible).toBe(true);
    expect(hugePageSupport('6.0.12', '[always] madvise never\n')).toEqual({ collapsible: false, detail: 'Linux 6.0.12 has no MADV_COLLAPSE (6.1 or later)' });
    expect(hugePageSupport('5.15.0-91-generic', 'always [madvise] never').collapsible).toBe(false);
    expect(hugePageSupport('6.5.0', 'always madvise [never]').detail).toBe('transparent huge pages are switched off (never)');
    expect(hugePageSupport('6.5.0', undefined).collapsible).toBe(false);
  });
});
