// HTTP: Supabase calls the page made (method, URL, status, which auth headers it carried, token
// grants and capped error bodies), and what the browser's network layer reported on its own.

import { useEffect, useRef } from 'preact/hooks';
import { isoOf, maskApikeyInUrl, maskTokensInText, type HttpListItem } from '../../core/session';
import { CappedText } from '../../ui/CappedText';
import { capturedText, formatTime } from '../../ui/format';

/** `reveal`: the key of a call a finding pointed at — highlighted and scrolled into view. */
export function HttpView({ items, revealKeys, reveal }: { items: HttpListItem[]; revealKeys: boolean; reveal?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('[data-revealed="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [reveal]);
  // A request URL arrives scrubbed (core/url-secrets.ts); what is left of a key or JWT is masked like any other.
  const url = (u: string) => capturedText(revealKeys ? u : maskTokensInText(maskApikeyInUrl(u)), 2_000);
  // HTTP calls are few compared with frames; still, render at most the latest 2,000.
  const shown = items.length > 2_000 ? items.slice(-2_000) : items;
  return (
    <div class="list-view" data-testid="http-view" ref={ref}>
      {items.length === 0 && <p class="empty">No Supabase HTTP call captured yet.</p>}
      {shown.length < items.length && (
        <p class="muted">
          Showing the latest {shown.length.toLocaleString()} of {items.length.toLocaleString()} calls.
        </p>
      )}
      <table class="http">
        <tbody>
          {shown.map((item) =>
            item.kind === 'call' ? (
              <tr
                key={item.call.key}
                data-testid="http-row"
                data-status={item.call.response?.status ?? ''}
                class={item.call.key === reveal ? 'revealed' : undefined}
                data-revealed={item.call.key === reveal ? 'true' : undefined}
              >
                <td class="time">{formatTime(item.call.time)}</td>
                <td class="method">{capturedText(item.call.method, 20)}</td>
                <td class="url captured">
                  {url(item.call.url)}
                  {item.call.urlLength !== undefined && <UrlCut length={item.call.urlLength} />}
                  {item.call.response?.errorBody !== undefined && <CappedText text={item.call.response.errorBody} cap={4096} mask={!revealKeys} />}
                </td>
                <td class="status">
                  {item.call.response
                    ? item.call.response.networkError
                      ? `failed: ${capturedText(item.call.response.networkError)}`
                      : item.call.response.status
                    : 'pending'}
                </td>
                <td class="muted">
                  {item.call.api}
                  {item.call.hasAuthorization ? ' · Authorization' : ''}
                  {item.call.hasApikey ? ' · apikey' : ''}
                  {item.call.response?.grant?.access_token ? ' · token granted' : ''}
                  {item.call.response?.grant?.expires_at !== undefined
                    ? ` (expires ${isoOf(item.call.response.grant.expires_at)})`
                    : ''}
                </td>
              </tr>
            ) : (
              <tr key={`net-${item.event.docId}-${item.event.seq}`} data-testid="net-row" class="net">
                <td class="time">{formatTime(item.event.time)}</td>
                <td class="method">{item.event.method}</td>
                <td class="url captured">{url(item.event.url)}</td>
                <td class="status">{item.event.status ?? capturedText(item.event.error ?? '')}</td>
                <td class="muted">
                  network layer · {item.event.resourceType}
                  {item.event.date ? ` · Date ${item.event.date}` : ''}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A URL longer than the capture cap: only its start was kept (issue 10 item 9). */
export function UrlCut(props: { length: number }) {
  return (
    <span class="muted" data-testid="url-cut" data-length={props.length} title="The page's URL was longer than 8,192 characters: only its start was captured.">
      {` … (URL cut: ${props.length.toLocaleString()} characters)`}
    </span>
  );
}
