// A fixed-row-height virtual list: only the rows in view (plus a small overscan) exist in the DOM,
// so 100,000 frames cost the same to render as 50. Sticks to the bottom while the user is there
// (live tail), and stops following as soon as they scroll up.

import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ComponentChildren;
  /** Follow new rows while scrolled to the bottom. */
  followTail?: boolean;
  testid?: string;
  class?: string;
  /** Bring this row into view whenever it changes (a finding's evidence revealed in the list). */
  revealIndex?: number;
}

const OVERSCAN = 10;

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, renderRow } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setViewport(element.clientHeight || 600);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight || 600));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || !props.followTail || !atBottom.current) return;
    element.scrollTop = element.scrollHeight;
    setScrollTop(element.scrollTop);
  }, [items.length, props.followTail]);

  // After the tail-follow effect, so a revealed row wins over the tail on the first render.
  useLayoutEffect(() => {
    const element = ref.current;
    const index = props.revealIndex;
    if (!element || index === undefined || index < 0) return;
    const top = index * rowHeight;
    const height = element.clientHeight || 600;
    if (top >= element.scrollTop && top + rowHeight <= element.scrollTop + height) return;
    element.scrollTop = Math.max(0, top - Math.floor(height / 2));
    // The user is looking at this row now: stop following the tail.
    atBottom.current = false;
    setScrollTop(element.scrollTop);
  }, [props.revealIndex]);

  const onScroll = () => {
    const element = ref.current;
    if (!element) return;
    atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight;
    setScrollTop(element.scrollTop);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN);
  const rows: ComponentChildren[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div key={index} class="vrow" style={{ top: `${index * rowHeight}px`, height: `${rowHeight}px` }}>
        {renderRow(items[index], index)}
      </div>,
    );
  }
  return (
    <div ref={ref} class={`vlist ${props.class ?? ''}`} data-testid={props.testid} onScroll={onScroll}>
      <div class="vlist-spacer" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
