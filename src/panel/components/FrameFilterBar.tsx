// The Frames view's filter bar (issue 11 item 3): direction, channel (topic), event, the toolbar's
// text as a regex, errors only — next to the toolbar's filter box (`/` focuses it) and heartbeat
// toggle. The choices come from what was captured (frameFacets); the filtering is core's frameList.

import type { FrameFacetFilter } from '../ui-state';
import { capturedText } from '../../ui/format';

export function FrameFilterBar(props: {
  filter: FrameFacetFilter;
  facets: { topics: string[]; events: string[] };
  onChange: (patch: Partial<FrameFacetFilter>) => void;
  onClear: () => void;
  /** Something narrows the list: the Clear filters button is offered. */
  active: boolean;
}) {
  const { filter, facets, onChange } = props;
  // A chosen topic or event no longer among the facets (after Clear) still shows as chosen.
  const topics = filter.topic !== undefined && !facets.topics.includes(filter.topic) ? [filter.topic, ...facets.topics] : facets.topics;
  const events = filter.event !== undefined && !facets.events.includes(filter.event) ? [filter.event, ...facets.events] : facets.events;
  return (
    <div class="frame-filters" role="group" aria-label="Frame filters" data-testid="frame-filters">
      <label class="toggle" title="Read the filter box as a regular expression (case-insensitive)">
        <input type="checkbox" data-testid="filter-regex" checked={filter.regex} onChange={(e) => onChange({ regex: (e.currentTarget as HTMLInputElement).checked })} />
        Regex
      </label>
      <select
          data-testid="filter-dir"
          aria-label="Direction"
          value={filter.dir ?? ''}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            onChange({ dir: v === 'sent' || v === 'received' ? v : undefined });
          }}
        >
          <option value="">↑↓ both directions</option>
          <option value="sent">↑ sent by the page</option>
          <option value="received">↓ received from the server</option>
        </select>
      <select
        data-testid="filter-topic"
        aria-label="Channel (topic)"
        value={filter.topic ?? ''}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value;
          onChange({ topic: v === '' ? undefined : v });
        }}
      >
        <option value="">all channels</option>
        {topics.map((t) => (
          <option value={t} key={t}>
            {capturedText(t, 80)}
          </option>
        ))}
      </select>
      <select
        data-testid="filter-event"
        aria-label="Event"
        value={filter.event ?? ''}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value;
          onChange({ event: v === '' ? undefined : v });
        }}
      >
        <option value="">all events</option>
        {events.map((ev) => (
          <option value={ev} key={ev}>
            {capturedText(ev, 80)}
          </option>
        ))}
      </select>
      <label class="toggle" title="Refused joins and pushes, phx_error, system errors and frames that did not decode (and socket errors)">
        <input type="checkbox" data-testid="filter-errors" checked={filter.errorsOnly} onChange={(e) => onChange({ errorsOnly: (e.currentTarget as HTMLInputElement).checked })} />
        Errors only
      </label>
      {props.active && (
        <button type="button" class="link" data-testid="filter-clear" onClick={props.onClear}>
          Clear filters
        </button>
      )}
    </div>
  );
}
