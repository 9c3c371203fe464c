/**
 * A dedicated Web Worker that runs its OWN supabase-js client, so the Realtime socket lives in the
 * worker. A MAIN-world content script never runs in workers: this is the case the panel can only
 * see through devtools.network ("frames not visible" without DevTools). The worker reports what
 * it observes to the page, which records it as source "worker".
 */
import { createClient } from '@supabase/supabase-js';

interface Start {
  url: string;
  key: string;
  vsn: '1.0.0' | '2.0.0';
  topic: string;
}

const report = (kind: string, text: string): void => postMessage({ kind, text });

addEventListener('message', (ev: MessageEvent<Start>) => {
  const { url, key, vsn, topic } = ev.data;
  try {
    const client = createClient(url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { vsn },
    });
    client
      .channel(topic, { config: { broadcast: { self: false } } })
      .on('broadcast', { event: '*' }, (m: { event: string; payload?: unknown }) =>
        report('broadcast', `${topic} ${m.event} ${JSON.stringify(m.payload)}`),
      )
      .subscribe((status: string, err?: Error) => {
        report('status', `${topic} ${status}${err ? `: ${err.message}` : ''}`);
        if (status === 'SUBSCRIBED') report('subscribed', '');
      });
  } catch (e) {
    report('error', e instanceof Error ? e.message : String(e));
  }
});
