// Which Supabase client a page runs (issue 9 item 7): supabase-js sends `X-Client-Info` on its HTTP
// calls (`supabase-js/2.119.1; platform=browser` since the monorepo, `supabase-js-web/2.39.3`
// before; a standalone realtime-js `realtime-js/2.15.0`), and the socket URL says which serializer
// (`vsn`, §1.1). Some of what the app is told depends on the version (realtime-facts §7): this
// module parses the header and says what differs. Pure.

export interface ClientInfo {
  /** The header as sent (capped). */
  header: string;
  /** e.g. `supabase-js`, `supabase-js-web`, `realtime-js`, `supabase-flutter`; '' when unreadable. */
  library: string;
  /** `major.minor.patch[-pre]`, or null when the header carries none. */
  version: string | null;
  /** `platform=browser` and the like, as sent. */
  details: string[];
}

const MAX_HEADER = 200;

export function parseClientInfo(header: string): ClientInfo {
  const capped = header.length > MAX_HEADER ? `${header.slice(0, MAX_HEADER)}…` : header;
  const [first = '', ...rest] = capped.split(';').map((p) => p.trim());
  const m = /^([A-Za-z0-9_.@-]+)\/v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(first);
  return {
    header: capped,
    library: m ? m[1] : /^[A-Za-z0-9_.@-]+$/.test(first) ? first : '',
    version: m ? m[2] : null,
    details: rest.filter((p) => p !== ''),
  };
}

/** -1, 0, 1 comparing `a` and `b` as major.minor.patch (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * A standalone realtime-js up to 2.15.x (§7): its CHANNEL_ERROR `err.message` for a join error is
 * `JSON.stringify(values.join(', '))` — the reason wrapped in double quotes —, socket errors reach
 * the callback as the raw CloseEvent/Event, and `setAuth(null)` leaves the join payload alone.
 */
export function isLegacyRealtimeJs(client: ClientInfo | undefined): boolean {
  return !!client && client.library === 'realtime-js' && client.version !== null && compareVersions(client.version, '2.15.999') <= 0;
}

/** The version the behaviours Claimscope describes were measured on (e2e/app/SCENARIOS.md). */
export const MEASURED_SUPABASE_JS = '2.119.1';

/** One line for a connection: "supabase-js 2.119.1 (platform=browser), serializer vsn 2.0.0". */
export function clientWords(clients: readonly ClientInfo[], vsn: string): string {
  const named = clients.map((c) => `${c.library || 'unknown client'}${c.version ? ` ${c.version}` : ''}${c.details.length ? ` (${c.details.join(', ')})` : ''}`);
  return `${named.length ? named.join(' + ') : 'client not identified (no X-Client-Info seen on this page’s Supabase calls)'}, serializer vsn ${vsn}`;
}

/**
 * What differs for this client from the behaviour Claimscope's explanations assume (supabase-js
 * 2.x as measured), in sentences for the Connections view and version-dependent findings.
 */
export function clientNotes(clients: readonly ClientInfo[]): string[] {
  const notes: string[] = [];
  for (const c of clients) {
    if (isLegacyRealtimeJs(c)) {
      notes.push(`${c.library} ${c.version} (≤ 2.15.x): CHANNEL_ERROR messages of join errors are wrapped in double quotes, socket errors reach the subscribe callback as raw events, and setAuth(null) does not update the join payload (a sign-out keeps the old token on rejoins).`);
    } else if ((c.library === 'supabase-js' || c.library === 'supabase-js-web') && c.version && compareVersions(c.version, MEASURED_SUPABASE_JS) > 0) {
      notes.push(`${c.library} ${c.version} is newer than the version Claimscope's client explanations were measured on (${MEASURED_SUPABASE_JS}); what the app is told may differ in wording.`);
    }
  }
  return notes;
}
