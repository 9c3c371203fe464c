import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, formOf, parseForm, SETTINGS_KEY, SettingsStore, settingsKnowledge, type LocalArea, type PanelSettings } from './settings-store';

/** storage.local as the browser keeps it: values go through structured clone (JSON here). */
class MemoryArea implements LocalArea {
  readonly data = new Map<string, string>();
  failGet = false;
  async get(key: string) {
    if (this.failGet) throw new Error('storage is unavailable');
    return this.data.has(key) ? { [key]: JSON.parse(this.data.get(key)!) } : {};
  }
  async set(items: Record<string, unknown>) {
    for (const [k, v] of Object.entries(items)) this.data.set(k, JSON.stringify(v));
  }
  async remove(key: string) {
    this.data.delete(key);
  }
}

const custom: PanelSettings = {
  expectedAudience: 'my-app',
  extraRoles: ['reporting'],
  expectedIssuers: ['https://auth.example.com/auth/v1'],
  claimValidators: { iss: 'https://auth.example.com/auth/v1' },
  refreshMarginSeconds: 300,
  capture: { maxEvents: 50_000, maxMegabytes: 32 },
};

async function loaded(area: LocalArea) {
  const store = new SettingsStore(area);
  await store.load();
  return store.get();
}

describe('panel settings in storage.local', () => {
  it('starts with the defaults and no message when nothing is stored', async () => {
    const s = await loaded(new MemoryArea());
    expect(s).toMatchObject({ settings: DEFAULT_SETTINGS, loaded: true });
    expect(s.problem).toBeUndefined();
  });

  it('survives a restart: what one panel saved, the next one reads, versioned', async () => {
    const area = new MemoryArea();
    const first = new SettingsStore(area);
    await first.load();
    await first.save(custom);
    expect(JSON.parse(area.data.get(SETTINGS_KEY)!)).toMatchObject({ v: 1, expectedAudience: 'my-app' });
    expect((await loaded(area)).settings).toEqual(custom);
  });

  it.each([
    ['a string', 'not json at all'],
    ['null', null],
    ['a list', [1, 2]],
    ['another version', { ...custom, v: 2 }],
    ['no version', { ...custom }],
  ])('a corrupt stored value (%s) falls back to the defaults with a message', async (_name, value) => {
    const area = new MemoryArea();
    area.data.set(SETTINGS_KEY, JSON.stringify(value));
    const s = await loaded(area);
    expect(s.settings).toEqual(DEFAULT_SETTINGS);
    expect(s.problem).toMatch(/defaults are in use/);
  });

  it('keeps the fields it can read and names those it cannot', async () => {
    const area = new MemoryArea();
    area.data.set(SETTINGS_KEY, JSON.stringify({ ...custom, v: 1, refreshMarginSeconds: 'soon', capture: { maxEvents: -1, maxMegabytes: 32 } }));
    const s = await loaded(area);
    expect(s.settings).toMatchObject({ expectedAudience: 'my-app', refreshMarginSeconds: null, capture: { maxEvents: 200_000, maxMegabytes: 32 } });
    expect(s.problem).toBe('Some stored settings could not be read (refresh margin, capture limit (events)); the defaults are in use for them.');
  });

  it('never takes a token from storage as a setting', async () => {
    const area = new MemoryArea();
    area.data.set(SETTINGS_KEY, JSON.stringify({ ...custom, v: 1, expectedAudience: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.sig' }));
    const s = await loaded(area);
    expect(s.settings.expectedAudience).toBe('');
    expect(s.problem).toMatch(/expected audience/);
  });

  it('an unreadable storage area gives the defaults and says why', async () => {
    const area = new MemoryArea();
    area.failGet = true;
    const s = await loaded(area);
    expect(s.settings).toEqual(DEFAULT_SETTINGS);
    expect(s.problem).toMatch(/could not be read \(storage is unavailable\)/);
  });

  it('reset always works: it removes the stored value, however corrupt, and clears the message', async () => {
    const area = new MemoryArea();
    area.data.set(SETTINGS_KEY, '"garbage"');
    const store = new SettingsStore(area);
    await store.load();
    expect(store.get().problem).toBeDefined();
    await store.reset();
    expect(area.data.has(SETTINGS_KEY)).toBe(false);
    expect(store.get()).toMatchObject({ settings: DEFAULT_SETTINGS, problem: undefined });
    expect((await loaded(area)).problem).toBeUndefined();
  });

  it('follows another panel\'s save through storage.onChanged', async () => {
    let listener: ((c: Record<string, { newValue?: unknown }>, area: string) => void) | undefined;
    const store = new SettingsStore(new MemoryArea(), { addListener: (fn) => (listener = fn) });
    await store.load();
    listener!({ [SETTINGS_KEY]: { newValue: { v: 1, ...custom } } }, 'local');
    expect(store.get().settings).toEqual(custom);
    listener!({ [SETTINGS_KEY]: { newValue: undefined } }, 'local');
    expect(store.get().settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe('the settings form', () => {
  it('reads back what it shows', () => {
    expect(parseForm(formOf(custom))).toEqual({ ok: true, settings: custom });
    expect(parseForm(formOf(DEFAULT_SETTINGS))).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
  });

  it('says what is wrong with each field, and saves nothing then', () => {
    const r = parseForm({ ...formOf(DEFAULT_SETTINGS), claimValidators: '{"aud":', refreshMarginSeconds: '-3', extraRoles: 'ok, bad role!', maxMegabytes: '4096' });
    expect(r).toEqual({
      ok: false,
      errors: {
        claimValidators: expect.stringMatching(/not JSON/),
        refreshMarginSeconds: 'must be a whole number from 1 to 86,400',
        extraRoles: '"role!" is not a Postgres role name',
        maxMegabytes: 'must be a whole number from 8 to 512',
      },
    });
  });

  it('refuses a key or token in any field: settings are not a place for secrets', () => {
    const r = parseForm({ ...formOf(DEFAULT_SETTINGS), expectedIssuers: 'sb_secret_abcdefghijklmnop' });
    expect(r).toEqual({ ok: false, errors: { expectedIssuers: expect.stringMatching(/never hold a secret/) } });
  });

  it('one issuer per line; roles by comma or space', () => {
    const r = parseForm({ ...formOf(DEFAULT_SETTINGS), expectedIssuers: ' https://a.example/auth/v1 \n\nhttps://b.example\n', extraRoles: 'a, b c' });
    expect(r).toMatchObject({ ok: true, settings: { expectedIssuers: ['https://a.example/auth/v1', 'https://b.example'], extraRoles: ['a', 'b', 'c'] } });
  });
});

describe('what the engine is told', () => {
  it('only what differs from the defaults', () => {
    expect(settingsKnowledge(DEFAULT_SETTINGS)).toEqual({});
    expect(settingsKnowledge(custom)).toEqual({
      expectedAudience: 'my-app',
      knownRoles: ['reporting'],
      expectedIssuer: ['https://auth.example.com/auth/v1'],
      claimValidators: { iss: 'https://auth.example.com/auth/v1' },
      refreshMarginSeconds: 300,
    });
  });
});
