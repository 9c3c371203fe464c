/**
 * Thin helpers over the REAL supabase-js client: make a client from the app config, and watch a
 * channel, turning everything supabase-js reports into observations. Nothing here imitates
 * supabase-js; it only listens to it.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import type { AppConfig } from './config';
import { describeError, observe } from './observe';

export type SubscribeStatus = 'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR';

let clientCount = 0;

export interface ClientOptions {
  /** Third-party-auth style callback (supabase-js `accessToken` option). */
  accessToken?: () => Promise<string | null>;
  /** Overrides of the config (e.g. worker:true for the worker scenario). */
  worker?: boolean;
  /** `global.headers` of createClient (they reach REST, Storage and Functions, not Realtime). */
  headers?: Record<string, string>;
}

export function makeClient(cfg: AppConfig, key: string, opts: ClientOptions = {}): SupabaseClient {
  clientCount += 1;
  return createClient(cfg.url, key, {
    auth: {
      // Each client its own storage key, in memory only: several clients on one page must not
      // share (or inherit from a previous run) a session.
      persistSession: false,
      storageKey: `claimscope-demo-${cfg.source}-${clientCount}`,
      autoRefreshToken: true,
      detectSessionInUrl: false,
    },
    realtime: {
      vsn: cfg.vsn,
      worker: opts.worker ?? cfg.worker,
      ...(cfg.heartbeatMs !== null ? { heartbeatIntervalMs: cfg.heartbeatMs } : {}),
    },
    ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
    ...(opts.headers ? { global: { headers: opts.headers } } : {}),
  });
}

export interface WatchedChannel {
  channel: RealtimeChannel;
  /** Resolves with the next subscribe() status matching `want` (or any status when omitted). */
  nextStatus(want?: SubscribeStatus[], timeoutMs?: number): Promise<SubscribeStatus | 'no status'>;
  /** Resolves when a broadcast with this event has been received (after the call or before it). */
  broadcastReceived(event: string, timeoutMs?: number): Promise<boolean>;
  presenceJoined(key: string, timeoutMs?: number): Promise<boolean>;
  /** Stop recording: later callbacks (cleanup, retries) are not observations of the scenario. */
  mute(): void;
}

type Waiter = { match: (kind: string, value: string) => boolean; resolve: (v: string) => void };

/**
 * Attach listeners, then subscribe. Everything supabase-js tells the app becomes an observation
 * of `source`, until `mute()`.
 */
export function watchChannel(source: string, channel: RealtimeChannel): WatchedChannel {
  let muted = false;
  const seen: Array<[string, string]> = [];
  const waiters: Waiter[] = [];
  const topic = channel.topic.replace(/^realtime:/, '');

  const note = (kind: 'status' | 'broadcast' | 'presence' | 'system', key: string, text: string): void => {
    if (muted) return;
    observe(source, kind, text);
    seen.push([kind, key]);
    for (const w of [...waiters]) {
      if (w.match(kind, key)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(key);
      }
    }
  };

  channel
    .on('broadcast', { event: '*' }, (msg: { event: string; payload?: unknown }) => {
      note('broadcast', msg.event, `${topic} ${msg.event} ${safeJson(msg.payload)}`);
    })
    .on('presence', { event: 'join' }, ({ key }: { key: string }) => {
      note('presence', `join:${key}`, `${topic} join ${key}`);
    })
    .on('presence', { event: 'leave' }, ({ key }: { key: string }) => {
      note('presence', `leave:${key}`, `${topic} leave ${key}`);
    })
    .on('system', {}, (payload: unknown) => {
      note('system', 'system', `${topic} ${safeJson(payload)}`);
    })
    .subscribe((status: string, err?: Error) => {
      note('status', status, `${topic} ${status}${err ? `: ${describeError(err)}` : ''}`);
    });

  const wait = (match: Waiter['match'], timeoutMs: number, fromSeen = true): Promise<string | null> =>
    new Promise((resolve) => {
      if (fromSeen) {
        const hit = seen.find(([k, v]) => match(k, v));
        if (hit) return resolve(hit[1]);
      }
      const w: Waiter = { match, resolve: (v) => { clearTimeout(t); resolve(v); } };
      const t = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        resolve(null);
      }, timeoutMs);
      waiters.push(w);
    });

  let consumedStatuses = 0;
  return {
    channel,
    async nextStatus(want, timeoutMs = 30000) {
      // Statuses are consumed in order, so two calls never return the same status twice.
      const statuses = () => seen.filter(([k]) => k === 'status').map(([, v]) => v as SubscribeStatus);
      const pending = statuses().slice(consumedStatuses);
      const idx = pending.findIndex((s) => !want || want.includes(s));
      if (idx >= 0) {
        consumedStatuses += idx + 1;
        return pending[idx];
      }
      consumedStatuses = statuses().length;
      const v = await wait((k, s) => k === 'status' && (!want || want.includes(s as SubscribeStatus)), timeoutMs, false);
      if (v !== null) consumedStatuses = statuses().length;
      return (v as SubscribeStatus | null) ?? 'no status';
    },
    async broadcastReceived(event, timeoutMs = 10000) {
      return (await wait((k, v) => k === 'broadcast' && v === event, timeoutMs)) !== null;
    },
    async presenceJoined(key, timeoutMs = 10000) {
      return (await wait((k, v) => k === 'presence' && v === `join:${key}`, timeoutMs)) !== null;
    },
    mute() {
      muted = true;
    },
  };
}

export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Stop a client for good so it cannot add retries after the scenario is done. */
export async function stopClient(client: SupabaseClient): Promise<void> {
  try {
    await client.removeAllChannels();
  } catch {
    // removeAllChannels on an errored channel may reject; the disconnect below is what matters.
  }
  try {
    await client.realtime.disconnect();
  } catch {
    // idem
  }
}
