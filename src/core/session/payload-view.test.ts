import { describe, expect, it } from 'vitest';
import { hexDump, jsonChildren, jsonNode, treeValue, TREE_PAGE } from './payload-view';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';

describe('JSON tree', () => {
  it('opens a payload one level at a time, with previews a person reads', () => {
    const root = jsonNode('payload', { status: 'error', response: { reason: 'Token has expired 3 seconds ago' }, list: [1, true, null] }, true);
    expect(root.preview).toBe('{3 keys}');
    const { children } = jsonChildren(root, true);
    expect(children.map((c) => [c.key, c.kind, c.preview])).toEqual([
      ['status', 'string', '"error"'],
      ['response', 'object', '{1 key}'],
      ['list', 'array', '[3 items]'],
    ]);
    expect(jsonChildren(children[2], true).children.map((c) => c.preview)).toEqual(['1', 'true', 'null']);
  });

  it('masks token signatures in leaves unless keys are revealed', () => {
    const node = jsonNode('access_token', JWT, true);
    expect(node.preview).toContain('signature hidden');
    expect(node.preview).not.toContain('c2lnbmF0dXJl');
    expect(jsonNode('access_token', JWT, false).preview).toBe(JSON.stringify(JWT));
  });

  it('bounds huge and deep values: a page of children, clipped strings, depth markers', () => {
    const wide = jsonNode('p', Array.from({ length: 5_000 }, (_, i) => i), true);
    const page = jsonChildren(wide, true);
    expect(page.children).toHaveLength(TREE_PAGE);
    expect(page.more).toBe(5_000 - TREE_PAGE);
    expect(jsonNode('s', 'x'.repeat(100_000), true).preview).toMatch(/…" \(100,000 characters\)$/);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    let node = jsonNode('p', treeValue(deep), true);
    let levels = 0;
    while (node.kind === 'object') {
      node = jsonChildren(node, true).children[0];
      levels++;
    }
    expect(levels).toBeLessThanOrEqual(65);
    expect(node.preview).toMatch(/deeper than|nested/);
  });
});

describe('hex dump', () => {
  it('shows offset, bytes and printable ASCII', () => {
    const bytes = Buffer.from([3, 1, 1, 14, 5, 0, 1, ...Buffer.from('1realtime:room1hello{"x":1}')]);
    const dump = hexDump(bytes.toString('base64'));
    expect(dump.lines[0]).toBe('00000000  03 01 01 0e 05 00 01 31 72 65 61 6c 74 69 6d 65  .......1realtime');
    expect(dump.totalBytes).toBe(bytes.length);
    expect(dump.shownBytes).toBe(bytes.length);
  });

  it('blanks JWT signatures unless keys are revealed, and caps what it decodes', () => {
    const b64 = Buffer.from(`{"access_token":"${JWT}"}`).toString('base64');
    const masked = hexDump(b64);
    expect(masked.lines.join('\n')).not.toMatch(/c2ln|73 69 67/);
    expect(masked.maskedBytes).toBe('c2lnbmF0dXJlc2lnbmF0dXJl'.length);
    expect(hexDump(b64, undefined, false).lines.join('')).toContain('c2lnbmF0');
    const big = Buffer.alloc(100_000, 0x41).toString('base64');
    const capped = hexDump(big, 4096);
    expect(capped.shownBytes).toBe(4096);
    expect(capped.totalBytes).toBe(100_000);
    expect(capped.lines).toHaveLength(256);
    expect(hexDump('not base64!!').error).toMatch(/not valid base64/);
  });
});
