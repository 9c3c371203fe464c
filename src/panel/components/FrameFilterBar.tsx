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
      <FacetSelect
        testid="filter-dir"
        label="Direction"
        value={filter.dir}
        all="↑↓ both directions"
        options={DIRECTIONS}
        onChange={(v) => onChange({ dir: v === 'sent' || v === 'received' ? v : undefined })}
      />
      <FacetSelect testid="filter-topic" label="Channel (topic)" value={filter.topic} all="all channels" options={topics.map(captured)} onChange={(topic) => onChange({ topic })} />
      <FacetSelect testid="filter-event" label="Event" value={filter.event} all="all events" options={events.map(captured)} onChange={(event) => onChange({ event })} />
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

interface FacetOption {
  value: string;
  label: string;
}

const DIRECTIONS: FacetOption[] = [
  { value: 'sent', label: '↑ sent by the page' },
  { value: 'received', label: '↓ received from the server' },
];

/** A topic or event name is captured text: shown capped and escaped (ui/format.ts), matched whole. */
function captured(name: string): FacetOption {
  return { value: name, label: capturedText(name, 80) };
}

/** One facet's choice: the empty value is "all" (no filter on this facet), reported as undefined. */
function FacetSelect(props: { testid: string; label: string; value: string | undefined; all: string; options: readonly FacetOption[]; onChange: (value: string | undefined) => void }) {
  return (
    <select
      data-testid={props.testid}
      aria-label={props.label}
      value={props.value ?? ''}
      onChange={(e) => {
        const v = (e.currentTarget as HTMLSelectElement).value;
        props.onChange(v === '' ? undefined : v);
      }}
    >
      <option value="">{props.all}</option>
      {props.options.map((o) => (
        <option value={o.value} key={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
