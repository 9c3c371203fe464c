// A payload as a collapsible JSON tree (issue 11 item 3). The nodes, their previews, the paging of
// huge objects and the masking of secrets come from the session core (core/session/payload-view.ts);
// this only renders them — as text nodes, never HTML — and keeps which nodes are open. Keyboard:
// the tree is one tab stop; Up/Down move, Right/Left open/close, Enter toggles (WAI-ARIA tree).

import { useMemo, useRef, useState } from 'preact/hooks';
import { jsonChildren, jsonNode, TREE_PAGE, treeValue, type JsonNode } from '../../core/session';
import { capturedText } from '../../ui/format';

interface Row {
  path: string;
  depth: number;
  node: JsonNode;
  /** A "show more" row under `path`'s parent. */
  more?: { parent: string; count: number };
}

export function JsonTree({ value, mask, label, testid }: { value: unknown; mask: boolean; label: string; testid?: string }) {
  // A capped copy (depth 64, 2 MiB): a page's 10,000-deep payload is a tree of at most 64 levels.
  const root = useMemo(() => jsonNode('', treeValue(value), mask), [value, mask]);
  // A short payload reads at once: nodes open breadth-first while the tree stays under a screenful.
  const [open, setOpen] = useState<ReadonlySet<string>>(() => initiallyOpen(root, mask));
  const [pages, setPages] = useState<ReadonlyMap<string, number>>(() => new Map());
  const [active, setActive] = useState('$');
  const treeRef = useRef<HTMLUListElement>(null);

  const rows: Row[] = [];
  const walk = (node: JsonNode, path: string, depth: number) => {
    // Paths escape `/` and `\` in keys, so "a/b" the key and a › b the nesting differ.
    rows.push({ path, depth, node });
    if ((node.kind !== 'object' && node.kind !== 'array') || !open.has(path)) return;
    const { children, more } = jsonChildren(node, mask, pages.get(path) ?? TREE_PAGE);
    for (const child of children) walk(child, childPath(path, child), depth + 1);
    if (more > 0) rows.push({ path: `${path}/…more`, depth: depth + 1, node: { key: '', kind: 'null', preview: '' }, more: { parent: path, count: more } });
  };
  walk(root, '$', 0);

  const toggle = (path: string, to?: boolean) => {
    const next = new Set(open);
    if (to ?? !next.has(path)) next.add(path);
    else next.delete(path);
    setOpen(next);
  };
  const showMore = (parent: string) => setPages(new Map(pages).set(parent, (pages.get(parent) ?? TREE_PAGE) + TREE_PAGE * 5));
  const focusRow = (path: string) => {
    setActive(path);
    treeRef.current?.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`)?.scrollIntoView({ block: 'nearest' });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const index = Math.max(0, rows.findIndex((r) => r.path === active));
    const row = rows[index];
    const expandable = row && (row.node.kind === 'object' || row.node.kind === 'array') && !row.more;
    switch (e.key) {
      case 'ArrowDown':
        if (index < rows.length - 1) focusRow(rows[index + 1].path);
        break;
      case 'ArrowUp':
        if (index > 0) focusRow(rows[index - 1].path);
        break;
      case 'ArrowRight':
        if (expandable && !open.has(row.path)) toggle(row.path, true);
        else if (index < rows.length - 1) focusRow(rows[index + 1].path);
        break;
      case 'ArrowLeft':
        if (expandable && open.has(row.path)) toggle(row.path, false);
        else if (row && row.depth > 0) focusRow(row.path.slice(0, row.path.lastIndexOf('/')));
        break;
      case 'Enter':
      case ' ':
        if (row?.more) showMore(row.more.parent);
        else if (expandable) toggle(row.path);
        break;
      default:
        return;
    }
    // Handled here: not the list's arrows, not the panel's Escape/Enter.
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <ul class="json-tree" role="tree" aria-label={label} data-testid={testid} tabIndex={0} ref={treeRef} onKeyDown={onKeyDown}>
      {rows.map((row) => {
        if (row.more) {
          return (
            <li key={row.path} role="treeitem" class={`json-row more ${row.path === active ? 'active' : ''}`} data-path={row.path} style={{ paddingLeft: `${row.depth * 14}px` }}>
              <button type="button" class="link" tabIndex={-1} onClick={() => showMore(row.more!.parent)} data-testid="json-more">
                … {row.more.count.toLocaleString()} more
              </button>
            </li>
          );
        }
        const { node } = row;
        const expandable = node.kind === 'object' || node.kind === 'array';
        const isOpen = expandable && open.has(row.path);
        return (
          <li
            key={row.path}
            role="treeitem"
            aria-level={row.depth + 1}
            aria-expanded={expandable ? isOpen : undefined}
            aria-selected={row.path === active}
            class={`json-row ${row.path === active ? 'active' : ''}`}
            data-path={row.path}
            data-testid="json-node"
            data-kind={node.kind}
            style={{ paddingLeft: `${row.depth * 14}px` }}
            onClick={() => {
              setActive(row.path);
              if (expandable) toggle(row.path);
            }}
          >
            <span class="json-twisty" aria-hidden="true">
              {expandable ? (isOpen ? '▾' : '▸') : ''}
            </span>
            {row.depth > 0 && <span class="json-key captured">{capturedText(node.key, 200)}: </span>}
            <span class={`json-value ${node.kind} captured`}>{capturedText(node.preview, 400)}</span>
          </li>
        );
      })}
    </ul>
  );
}

function childPath(path: string, child: JsonNode): string {
  return `${path}/${child.key.replace(/[\\/]/g, '\\$&')}`;
}

/** Rows a tree may show when it opens (about a screenful of the details pane). */
const OPEN_ROWS = 40;

function initiallyOpen(root: JsonNode, mask: boolean): Set<string> {
  const open = new Set<string>(['$']);
  let rows = 1 + jsonChildren(root, mask).children.length;
  let level: Array<[JsonNode, string]> = [[root, '$']];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: Array<[JsonNode, string]> = [];
    for (const [node, path] of level) {
      for (const child of jsonChildren(node, mask).children) {
        if (child.kind !== 'object' && child.kind !== 'array') continue;
        const size = Math.min(child.size ?? 0, TREE_PAGE);
        if (rows + size > OPEN_ROWS) return open;
        const at = childPath(path, child);
        open.add(at);
        rows += size;
        next.push([child, at]);
      }
    }
    level = next;
  }
  return open;
}
