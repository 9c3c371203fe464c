/**
 * The demo's scenarios. Each drives the REAL supabase-js against the local server and records what
 * the app observes; each ends with one `done` observation, after which it records nothing more
 * (clients of failure scenarios are stopped so their retries cannot add nondeterministic lines).
 * What each one observes is written down in SCENARIOS.md.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { AppConfig, ScenarioName } from './config';
import { devBroadcast, devSetLifetime, devSilentJoin, devToken, type DevConfig, type DevTokenKind } from './dev-client';
import { describeError, markDone, observe } from './observe';
import { makeClient, stopClient, watchChannel, type SubscribeStatus, type WatchedChannel } from './realtime';

export interface ScenarioContext {
  cfg: AppConfig;
  /** Keys and user of the project, fetched once from /__dev/config. */
  dev(): Promise<DevConfig>;
  /** Where the iframe scenario puts its frame. */
  frameHost: HTMLElement | null;
}

type Scenario = (ctx: ScenarioContext) => Promise<void>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Public broadcast+presence channel config used by the "happy" scenarios. */
const roomConfig = (presenceKey: string) => ({
  config: { broadcast: { self: false, ack: false }, presence: { key: presenceKey } },
});

async function anonKey(ctx: ScenarioContext): Promise<string> {
  return ctx.cfg.key ?? (await ctx.dev()).keys.anon;
}

/** subscribe at load, broadcast both ways, presence track; the channel stays up afterwards. */
async function happyPath(ctx: ScenarioContext, name: string, opts: { worker?: boolean } = {}): Promise<void> {
  const src = ctx.cfg.source;
  const client = makeClient(ctx.cfg, await anonKey(ctx), opts);
  const w = watchChannel(src, client.channel(ctx.cfg.topic, roomConfig(src === 'A' ? 'alice' : src)));
  const status = await w.nextStatus(['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT', 'CLOSED']);
  if (status !== 'SUBSCRIBED') return failAndStop(src, name, client, w, `expected SUBSCRIBED, got ${status}`);

  // vsn 2.0.0: a user broadcast push goes out as a binary kind-3 frame (§1.4); no ack by design.
  const sent = await w.channel.send({ type: 'broadcast', event: 'hello', payload: { from: src, n: 1 } });
  observe(src, 'send', `${ctx.cfg.topic} hello -> ${sent}`);

  await devBroadcast(ctx.cfg.devBase, ctx.cfg.topic, 'server-hello', { from: 'server' });
  if (!(await w.broadcastReceived('server-hello'))) observe(src, 'error', 'server-hello broadcast not received within 10 s');

  const presenceKey = src === 'A' ? 'alice' : src;
  const tracked = await w.channel.track({ user: presenceKey });
  observe(src, 'send', `${ctx.cfg.topic} track -> ${tracked}`);
  if (!(await w.presenceJoined(presenceKey))) observe(src, 'error', `presence join of ${presenceKey} not seen within 10 s`);
  markDone(src, name);
  // The channel stays joined: heartbeats keep flowing for the panel to show.
}

async function failAndStop(
  src: string,
  name: string,
  client: SupabaseClient,
  w: WatchedChannel,
  why: string,
): Promise<void> {
  observe(src, 'error', why);
  w.mute();
  await stopClient(client);
  markDone(src, name);
}

/**
 * Subscribe a new client's channel whose token is `token` (pushed with setAuth before subscribe,
 * so the join carries it: toolchain.md) and wait for the first status in `until`. The caller
 * decides when to stop the client.
 */
async function joinWithToken(
  ctx: ScenarioContext,
  opts: { apiKey?: string; token?: string; until: SubscribeStatus[]; timeoutMs?: number; private?: boolean },
): Promise<{ client: SupabaseClient; w: WatchedChannel; status: SubscribeStatus | 'no status' }> {
  const src = ctx.cfg.source;
  const client = makeClient(ctx.cfg, opts.apiKey ?? (await anonKey(ctx)));
  if (opts.token !== undefined) {
    await client.realtime.setAuth(opts.token);
    observe(src, 'step', 'realtime.setAuth(token) before subscribe');
  }
  const w = watchChannel(
    src,
    client.channel(ctx.cfg.topic, { config: { private: opts.private ?? false, broadcast: { self: false } } }),
  );
  const status = await w.nextStatus(opts.until, opts.timeoutMs ?? 30000);
  if (status === 'no status') observe(src, 'error', `no ${opts.until.join('/')} within ${(opts.timeoutMs ?? 30000) / 1000} s`);
  return { client, w, status };
}

async function endWith(src: string, name: string, client: SupabaseClient, w: WatchedChannel): Promise<void> {
  w.mute();
  await stopClient(client);
  markDone(src, name);
}

async function tokenFailure(ctx: ScenarioContext, name: string, kind: DevTokenKind): Promise<void> {
  const token = await devToken(ctx.cfg.devBase, kind);
  observe(ctx.cfg.source, 'step', `minted token kind=${kind}`);
  const { client, w } = await joinWithToken(ctx, { token, until: ['CHANNEL_ERROR', 'SUBSCRIBED', 'TIMED_OUT'] });
  await endWith(ctx.cfg.source, name, client, w);
}

/** Sign the test user in while the project's access-token lifetime is `seconds`, then restore it. */
/**
 * Run `body` while the project's Auth issues access tokens of `seconds` (refreshes included, so
 * the lifetime stays in force until the scenario ends), then restore the previous lifetime.
 */
async function withLifetime<T>(ctx: ScenarioContext, seconds: number, body: () => Promise<T>): Promise<T> {
  const previous = await devSetLifetime(ctx.cfg.devBase, seconds);
  try {
    return await body();
  } finally {
    await devSetLifetime(ctx.cfg.devBase, previous).catch(() => undefined);
  }
}

function signIn(client: SupabaseClient, cfg: DevConfig) {
  if (!cfg.user) throw new Error(`project ${cfg.ref} has no sample user (only the server's default project has one)`);
  return client.auth.signInWithPassword(cfg.user);
}

const scenarios: Record<ScenarioName, Scenario> = {
  subscribe: (ctx) => happyPath(ctx, 'subscribe'),

  worker: (ctx) => happyPath(ctx, 'worker', { worker: true }),

  async 'two-clients'(ctx) {
    // Each client subscribes only after the previous one is SUBSCRIBED, and each broadcast is
    // awaited at every receiver: the order of observations is then the same on every run.
    const labels = Array.from({ length: ctx.cfg.clients }, (_, i) => String.fromCharCode(65 + i));
    const key = await anonKey(ctx);
    const members: Array<{ label: string; client: SupabaseClient; w: WatchedChannel }> = [];
    for (const label of labels) {
      const client = makeClient({ ...ctx.cfg, source: label }, key);
      const w = watchChannel(label, client.channel(ctx.cfg.topic, roomConfig(label)));
      const status = await w.nextStatus(['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT', 'CLOSED']);
      if (status !== 'SUBSCRIBED') {
        observe(label, 'error', `expected SUBSCRIBED, got ${status}`);
        markDone('A', 'two-clients');
        return;
      }
      members.push({ label, client, w });
    }
    for (const sender of members) {
      const sent = await sender.w.channel.send({ type: 'broadcast', event: `hello-from-${sender.label}`, payload: { from: sender.label } });
      observe(sender.label, 'send', `${ctx.cfg.topic} hello-from-${sender.label} -> ${sent}`);
      for (const receiver of members) {
        if (receiver === sender) continue;
        if (!(await receiver.w.broadcastReceived(`hello-from-${sender.label}`))) {
          observe(receiver.label, 'error', `hello-from-${sender.label} not received within 10 s`);
        }
      }
    }
    markDone('A', 'two-clients');
  },

  async iframe(ctx) {
    if (!ctx.frameHost) {
      observe(ctx.cfg.source, 'error', 'the iframe scenario runs from the top page only');
      return markDone(ctx.cfg.source, 'iframe');
    }
    const q = new URLSearchParams(location.search);
    q.set('scenario', 'subscribe');
    q.set('source', 'iframe');
    q.set('url', ctx.cfg.url);
    q.set('dev', ctx.cfg.devBase);
    if (ctx.cfg.key) q.set('key', ctx.cfg.key);
    // frame=cross loads the frame from the other loopback name, so it is a cross-origin
    // (out-of-process) frame; by default it is same-origin.
    let base = new URL('frame.html', location.href);
    if (q.get('frame') === 'cross') {
      const other = location.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
      base = new URL(base.pathname, `${location.protocol}//${other}:${location.port}`);
    }
    q.delete('frame');
    const done = new Promise<void>((resolve) => {
      addEventListener('message', function onDone(ev: MessageEvent) {
        const d = ev.data as { __claimscopeDemo?: string; observation?: { kind?: string } } | null;
        if (d && d.__claimscopeDemo === 'observation' && d.observation?.kind === 'done') {
          removeEventListener('message', onDone);
          resolve();
        }
      });
    });
    const frame = document.createElement('iframe');
    frame.id = 'demo-frame';
    frame.title = 'iframe with its own supabase-js client';
    frame.src = `${base.href}?${q}`;
    ctx.frameHost.replaceChildren(frame);
    observe(ctx.cfg.source, 'step', 'iframe added');
    await done;
    markDone(ctx.cfg.source, 'iframe');
  },

  async 'worker-socket'(ctx) {
    const src = ctx.cfg.source;
    const key = await anonKey(ctx);
    const worker = new Worker(new URL('./worker-socket.ts', import.meta.url), { type: 'module', name: 'claimscope-demo-socket' });
    let onSubscribed: (ok: boolean) => void = () => undefined;
    let onBroadcast: () => void = () => undefined;
    const subscribed = new Promise<boolean>((r) => (onSubscribed = r));
    const broadcast = new Promise<boolean>((r) => (onBroadcast = () => r(true)));
    worker.addEventListener('message', (ev: MessageEvent<{ kind: string; text: string }>) => {
      const { kind, text } = ev.data;
      if (kind === 'subscribed') return onSubscribed(true);
      observe('worker', kind === 'status' || kind === 'broadcast' ? kind : 'error', text);
      if (kind === 'status' && !text.endsWith('SUBSCRIBED')) onSubscribed(false);
      if (kind === 'broadcast') onBroadcast();
    });
    worker.addEventListener('error', (e) => {
      observe('worker', 'error', `worker failed: ${e.message}`);
      onSubscribed(false);
    });
    worker.postMessage({ url: ctx.cfg.url, key, vsn: ctx.cfg.vsn, topic: ctx.cfg.topic });
    if (await Promise.race([subscribed, sleep(30_000).then(() => false)])) {
      await devBroadcast(ctx.cfg.devBase, ctx.cfg.topic, 'server-hello', { from: 'server' });
      if (!(await Promise.race([broadcast, sleep(10_000).then(() => false)]))) {
        observe('worker', 'error', 'server-hello broadcast not received within 10 s');
      }
    }
    // The worker's client stays connected (heartbeats), like the page's in `subscribe`.
    markDone(src, 'worker-socket');
  },

  'expired-token': (ctx) => tokenFailure(ctx, 'expired-token', 'expired'),
  'missing-role': (ctx) => tokenFailure(ctx, 'missing-role', 'no-role'),
  'other-project': (ctx) => tokenFailure(ctx, 'other-project', 'other-project'),

  async 'expiring-mid-channel'(ctx) {
    const src = ctx.cfg.source;
    const lifetime = ctx.cfg.lifetimeS ?? 20;
    const token = await devToken(ctx.cfg.devBase, 'expiring', { lifetime });
    observe(src, 'step', `minted a token that expires in ${lifetime} s`);
    const { client, w, status } = await joinWithToken(ctx, {
      token,
      until: ['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT'],
    });
    if (status === 'SUBSCRIBED') {
      // realtime-js never refreshes a token given by hand: the server closes the channel at exp
      // (system + phx_close, §3.3/§4.4), which supabase-js reports as CLOSED (§7).
      await w.nextStatus(['CLOSED', 'CHANNEL_ERROR'], (lifetime + 30) * 1000);
    }
    await endWith(src, 'expiring-mid-channel', client, w);
  },

  async 'service-role'(ctx) {
    const src = ctx.cfg.source;
    const cfg = await ctx.dev();
    observe(src, 'step', 'createClient with the service_role key');
    const { client, w, status } = await joinWithToken(ctx, {
      apiKey: cfg.keys.service_role,
      until: ['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT'],
    });
    if (status === 'SUBSCRIBED') {
      const sent = await w.channel.send({ type: 'broadcast', event: 'hello', payload: { from: src } });
      observe(src, 'send', `${ctx.cfg.topic} hello -> ${sent}`);
    }
    // It works, which is the problem: the key bypasses RLS. The client stays connected so the
    // panel can show it.
    w.mute();
    markDone(src, 'service-role');
  },

  'signout-publishable': (ctx) => withLifetime(ctx, ctx.cfg.lifetimeS ?? 100, () => signoutPublishable(ctx)),

  'hidden-refresh': (ctx) => withLifetime(ctx, ctx.cfg.lifetimeS ?? 100, () => hiddenRefresh(ctx)),

  async 'expired-apikey'(ctx) {
    const src = ctx.cfg.source;
    const apiKey = await devToken(ctx.cfg.devBase, 'expired', { role: 'anon' });
    observe(src, 'step', 'createClient with an expired JWT as apikey');
    // The upgrade is refused (401 "Token has expired", §3.1); page JS only sees close 1006.
    const { client, w } = await joinWithToken(ctx, {
      apiKey,
      until: ['CHANNEL_ERROR', 'SUBSCRIBED', 'TIMED_OUT'],
    });
    await endWith(src, 'expired-apikey', client, w);
  },

  async 'headers-only-token'(ctx) {
    // The user's token given only as a global header: REST calls carry it, Realtime never sees it
    // (supabase-js's accessToken callback has no session, so it returns the API key, §2.5).
    const src = ctx.cfg.source;
    const token = await devToken(ctx.cfg.devBase, 'valid', { role: 'authenticated' });
    observe(src, 'step', 'createClient with the user token in global.headers.Authorization');
    const client = makeClient(ctx.cfg, await anonKey(ctx), { headers: { Authorization: `Bearer ${token}` } });
    const { error } = await client.from('todos').select('*');
    observe(src, 'step', `REST select todos -> ${error ? error.message : 'ok'}`);
    const w = watchChannel(src, client.channel(ctx.cfg.topic).on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, () => undefined));
    await w.nextStatus(['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT']);
    // SUBSCRIBED, as the anon role: no error anywhere, and RLS hides the user's rows. The client
    // stays connected so the panel can judge the channel after the propagation grace.
    w.mute();
    markDone(src, 'headers-only-token');
  },

  async 'signed-in'(ctx) {
    // A healthy signed-in session: password sign-in, the session's token on REST and on a Postgres
    // Changes channel (supabase-js passes it to Realtime on SIGNED_IN).
    const src = ctx.cfg.source;
    const cfg = await ctx.dev();
    const client = makeClient(ctx.cfg, ctx.cfg.key ?? cfg.keys.anon);
    const { data, error } = await signIn(client, cfg);
    if (error || !data.session) {
      observe(src, 'error', `signInWithPassword: ${error?.message ?? 'no session'}`);
      return markDone(src, 'signed-in');
    }
    observe(src, 'auth', 'SIGNED_IN');
    // No setAuth() by hand: the ordinary path. supabase-js hands the session to Realtime on
    // SIGNED_IN and again when the join is answered (realtime-js calls setAuth() on `ok`).
    const { error: restError } = await client.from('todos').select('*');
    observe(src, 'step', `REST select todos -> ${restError ? restError.message : 'ok'}`);
    const w = watchChannel(src, client.channel(ctx.cfg.topic).on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, () => undefined));
    await w.nextStatus(['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT']);
    w.mute();
    markDone(src, 'signed-in');
  },

  async 'silent-join'(ctx) {
    // The server receives the join and never answers it: realtime-js gives up after its 10 s push
    // timeout, tells the app TIMED_OUT and sends phx_leave (§7).
    const src = ctx.cfg.source;
    await devSilentJoin(ctx.cfg.devBase, ctx.cfg.topic, true);
    observe(src, 'step', `the server will not answer joins of ${ctx.cfg.topic}`);
    try {
      const { client, w } = await joinWithToken(ctx, { until: ['TIMED_OUT', 'SUBSCRIBED', 'CHANNEL_ERROR'], timeoutMs: 20_000 });
      await endWith(src, 'silent-join', client, w);
    } finally {
      await devSilentJoin(ctx.cfg.devBase, ctx.cfg.topic, false).catch(() => undefined);
    }
  },

  async 'private-denied'(ctx) {
    const src = ctx.cfg.source;
    const token = await devToken(ctx.cfg.devBase, 'valid', { role: 'authenticated' });
    observe(src, 'step', 'joining a private channel no policy grants');
    const { client, w } = await joinWithToken(ctx, {
      token,
      private: true,
      until: ['CHANNEL_ERROR', 'SUBSCRIBED', 'TIMED_OUT'],
    });
    await endWith(src, 'private-denied', client, w);
  },
};

async function signoutPublishable(ctx: ScenarioContext): Promise<void> {
  const src = ctx.cfg.source;
  const cfg = await ctx.dev();
  const client = makeClient(ctx.cfg, cfg.keys.publishable);
  const authEvents = client.auth.onAuthStateChange((event) => {
    if (event !== 'INITIAL_SESSION') observe(src, 'auth', event);
  });
  const { data, error } = await signIn(client, cfg);
  if (error || !data.session) {
    observe(src, 'error', `signInWithPassword: ${error?.message ?? 'no session'}`);
    authEvents.data.subscription.unsubscribe();
    return markDone(src, 'signout-publishable');
  }
  // The session's token reaches realtime through supabase-js's SIGNED_IN handler; setAuth()
  // (callback mode) makes sure it is resolved before the join, so the join carries it.
  await client.realtime.setAuth();
  const w = watchChannel(src, client.channel(ctx.cfg.topic, { config: { broadcast: { self: false } } }));
  const status = await w.nextStatus(['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT']);
  if (status === 'SUBSCRIBED') {
    const { error: outErr } = await client.auth.signOut();
    if (outErr) observe(src, 'error', `signOut: ${outErr.message}`);
    // SIGNED_OUT → realtime.setAuth() → sb_publishable_… pushed as access_token, which the server
    // ignores (§2.6): the channel keeps the signed-out user's token until its exp, then closes.
    await w.nextStatus(['CLOSED', 'CHANNEL_ERROR'], (data.session.expires_in + 60) * 1000);
  }
  authEvents.data.subscription.unsubscribe();
  await endWith(src, 'signout-publishable', client, w);
}

async function hiddenRefresh(ctx: ScenarioContext): Promise<void> {
  const src = ctx.cfg.source;
  const cfg = await ctx.dev();
  const client = makeClient(ctx.cfg, ctx.cfg.key ?? cfg.keys.anon);
  let muted = false;
  let channelClosed = false;
  let refreshedAfterClose: () => void = () => undefined;
  const refreshed = new Promise<void>((r) => (refreshedAfterClose = r));
  const authEvents = client.auth.onAuthStateChange((event) => {
    if (muted || event === 'INITIAL_SESSION') return;
    // Refreshes while the channel is up are timing-dependent (ticker every 30 s, §5.4): they are
    // not recorded; the one that matters is the first refresh after the server closed the channel.
    if (event === 'TOKEN_REFRESHED' && !channelClosed) return;
    observe(src, 'auth', event);
    if (event === 'TOKEN_REFRESHED') refreshedAfterClose();
  });
  const { data, error } = await signIn(client, cfg);
  if (error || !data.session) {
    observe(src, 'error', `signInWithPassword: ${error?.message ?? 'no session'}`);
    authEvents.data.subscription.unsubscribe();
    return markDone(src, 'hidden-refresh');
  }
  await client.realtime.setAuth();
  const w = watchChannel(src, client.channel(ctx.cfg.topic, { config: { broadcast: { self: false } } }));
  const status = await w.nextStatus(['SUBSCRIBED', 'CHANNEL_ERROR', 'TIMED_OUT']);
  if (status === 'SUBSCRIBED') {
    observe(src, 'step', `signed in with a ${data.session.expires_in} s token; now hide or freeze this tab for longer than that`);
    // auth-js stops its refresh ticker while the tab is hidden (§5.4); realtime-js's heartbeat
    // setAuth() is then the only refresher, and a frozen (or heavily throttled) tab runs neither,
    // so the server closes the channel at exp (§4.4). A tab that stays visible keeps refreshing
    // and never gets here: the wait below then ends after 10 lifetimes with "no CLOSED".
    const end = await w.nextStatus(['CLOSED', 'CHANNEL_ERROR'], data.session.expires_in * 10 * 1000);
    channelClosed = true;
    if (end === 'CHANNEL_ERROR') {
      // The channel errored (seen with a frozen tab: the socket survived, the server had shut the
      // channel at exp). realtime-js rejoins on its own, at first with the stale token, until
      // auth-js's refresh reaches it: record up to the channel being SUBSCRIBED again.
      const again = await w.nextStatus(['SUBSCRIBED', 'CLOSED'], 90_000);
      if (again === 'no status') observe(src, 'step', 'not SUBSCRIBED again within 90 s');
    } else if (end === 'CLOSED') {
      // The server's system + phx_close reached the app: no rejoin (§7). Back in a visible tab
      // auth-js refreshes (on visibilitychange, or at its next 30 s tick), too late for it.
      const late = await Promise.race([refreshed.then(() => true), sleep(45_000).then(() => false)]);
      if (!late) observe(src, 'step', 'no TOKEN_REFRESHED within 45 s of the close');
    }
  }
  muted = true;
  authEvents.data.subscription.unsubscribe();
  await endWith(src, 'hidden-refresh', client, w);
}

export async function runScenario(name: ScenarioName, ctx: ScenarioContext): Promise<void> {
  observe(ctx.cfg.source, 'scenario', name);
  try {
    await scenarios[name](ctx);
  } catch (e) {
    observe(ctx.cfg.source, 'error', `${name}: ${describeError(e)}`);
    markDone(ctx.cfg.source, name);
  }
}
