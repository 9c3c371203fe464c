// The session file's JSON Schema (draft 2020-12 subset) and a small validator for exactly the
// keywords it uses: type, const, enum, properties, required, additionalProperties, items, $ref
// (local #/$defs), oneOf, anyOf, minimum. docs/session.schema.json is this object written out
// (a test keeps them equal); the importer validates every session file against it, and the tests
// validate every export. No dependency: the project takes none for this.

type Schema = Record<string, unknown>;

const str = { type: 'string' };
const num = { type: 'number' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), additional: boolean | Schema = false): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: additional,
});
const stamp = { seq: int, time: num, docId: str, frameUrl: str, source: { enum: ['page', 'network', 'devtools'] } };
const stampRequired = ['kind', 'seq', 'time', 'docId', 'source'];
const event = (kind: string, props: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  properties: { kind: { const: kind }, ...stamp, ...props },
  required: [...stampRequired, ...required],
  // Later captures may record more (the background adds conn/req to network observations).
  additionalProperties: true,
});

export const SESSION_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Claimscope session file, version 1',
  type: 'object',
  required: ['format', 'version', 'exportedAt', 'producer', 'environment', 'redaction', 'analysisSettings', 'connections', 'events', 'tokens', 'findings'],
  additionalProperties: false,
  properties: {
    format: { const: 'claimscope-session' },
    version: { const: 1 },
    exportedAt: str,
    producer: obj({ name: { const: 'claimscope' }, extensionVersion: str }),
    environment: obj({
      browser: nullable(str),
      userAgent: nullable(str),
      inspectedUrl: nullable(str),
      inspectedOrigin: nullable(str),
      captureStart: nullable(num),
      captureEnd: nullable(num),
      analysedAt: nullable(num),
      clockSkew: obj({ known: bool, skewMs: nullable(num), basis: str, samples: int }),
      lifecycle: { type: 'array', items: obj({ docId: str, seq: int, time: num, change: str, persisted: bool, jumpMs: num }, ['docId', 'seq', 'time', 'change']) },
      documents: { type: 'array', items: obj({ docId: str, url: str, isTop: bool, startedAt: num }) },
      clientVersions: { type: 'array', items: obj({ name: str, version: str }) },
      drops: { type: 'object', additionalProperties: num },
    }),
    redaction: obj(
      {
        personalData: { enum: ['pseudonymised', 'included'] },
        // Written only when the export also redacted application payload values.
        payloadValues: { const: 'redacted' },
        removed: obj({ jwtSignatures: int, secretKeys: int, secretValues: int, personalData: int, payloadValues: int }, ['jwtSignatures', 'secretKeys', 'secretValues', 'personalData']),
      },
      ['personalData', 'removed'],
    ),
    analysisSettings: obj({ secretSupplied: bool, jwksSupplied: bool, claimValidators: nullable({ type: 'object' }), projectUrl: nullable(str) }),
    connections: {
      type: 'array',
      items: obj({
        conn: str,
        docId: str,
        url: str,
        realtime: bool,
        createdAt: num,
        openedAt: nullable(num),
        close: nullable(obj({ code: int, reason: str, wasClean: bool, time: num })),
        refused: bool,
        framesSent: int,
        framesReceived: int,
        frameSeqs: { type: 'array', items: int },
      }),
    },
    events: { type: 'array', items: { $ref: '#/$defs/event' } },
    tokens: {
      type: 'array',
      items: obj({
        label: str,
        class: str,
        projectRef: str,
        header: nullable({ type: 'object' }),
        claims: nullable({ type: 'object' }),
        signature: { enum: ['removed', 'none'] },
        firstSeen: num,
        lastSeen: num,
        uses: { type: 'array', items: obj({ kind: str, time: num, seq: int, conn: nullable(str), topic: nullable(str), req: nullable(str) }) },
      }),
    },
    findings: {
      type: 'array',
      items: obj({
        key: str,
        code: str,
        severity: { enum: ['error', 'warning', 'info'] },
        message: str,
        cause: str,
        fix: str,
        time: nullable(num),
        state: { enum: ['active', 'resolved'] },
        raisedAt: num,
        resolvedAt: nullable(num),
        resolvedWhy: nullable(str),
        resolvedBy: nullable(str),
        evidence: { type: 'object' },
        refs: { type: 'array', items: obj({ docId: str, seq: int }) },
      }),
    },
  },
  $defs: {
    event: {
      oneOf: [
        event('ws-connecting', { conn: str, url: str, protocols: { type: 'array', items: str } }, ['conn', 'url', 'protocols']),
        event('ws-open', { conn: str, protocol: str, extensions: str }, ['conn', 'protocol', 'extensions']),
        event('ws-frame', { conn: str, dir: { enum: ['sent', 'received'] }, opcode: { enum: ['text', 'binary'] }, text: str, base64: str, size: { type: 'integer', minimum: 0 }, truncated: bool }, ['conn', 'dir', 'opcode', 'size']),
        event('ws-close', { conn: str, code: int, reason: str, wasClean: bool, initiator: { enum: ['page', 'remote'] } }, ['conn', 'code', 'reason', 'wasClean']),
        event('ws-error', { conn: str }, ['conn']),
        event('http-request', { req: str, method: str, url: str, headers: obj({ authorization: str, apikey: str, 'x-client-info': str }, []), api: { enum: ['fetch', 'xhr', 'network'] } }, ['req', 'method', 'url', 'headers', 'api']),
        event('http-response', { req: str, status: int, date: str, grant: obj({ access_token: str, expires_at: num, expires_in: num }, []), errorBody: str, networkError: str }, ['req', 'status']),
        event('net', { url: str, resourceType: { enum: ['websocket', 'xhr', 'fetch', 'other'] }, method: str, status: int, date: str, error: str }, ['url', 'resourceType', 'method']),
        event('lifecycle', { change: { enum: ['hidden', 'visible', 'freeze', 'resume', 'online', 'offline', 'clock-jump', 'pagehide', 'pageshow'] }, jumpMs: num, persisted: bool }, ['change']),
        event('other-sockets', { count: int }, ['count']),
        event('drops', { droppedEvents: int, droppedBytes: int, truncatedFrames: int, reason: str }, ['droppedEvents', 'droppedBytes', 'truncatedFrames', 'reason']),
        event('rejected', { reason: str }, ['reason']),
      ],
    },
  },
};

/** Problems of `value` against `schema` (empty when valid), each "path: what is wrong". */
export function validateAgainst(value: unknown, schema: Schema = SESSION_SCHEMA, limit = 20): string[] {
  const errors: string[] = [];
  const root = schema;
  const check = (v: unknown, s: Schema, path: string): void => {
    if (errors.length >= limit) return;
    if (typeof s.$ref === 'string') {
      const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
      const target = name ? (root.$defs as Record<string, Schema> | undefined)?.[name] : undefined;
      if (!target) return void errors.push(`${path}: unknown $ref ${s.$ref}`);
      return check(v, target, path);
    }
    if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
      const options = (s.anyOf ?? s.oneOf) as Schema[];
      const passing = options.filter((o) => validateWith(v, o, root).length === 0).length;
      if (passing === 0) {
        const kind = (v as { kind?: unknown })?.kind;
        const named = options.find((o) => (o.properties as Record<string, Schema> | undefined)?.kind?.const === kind);
        if (named) return check(v, named, path);
        errors.push(`${path}: matches none of the allowed shapes${typeof kind === 'string' ? ` (unknown kind "${kind}")` : ''}`);
      } else if (s.oneOf && passing > 1) errors.push(`${path}: matches more than one shape`);
      return;
    }
    if ('const' in s && v !== s.const) return void errors.push(`${path}: must be ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v)) return void errors.push(`${path}: must be one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}`);
    if (s.type !== undefined && !hasType(v, s.type as string)) return void errors.push(`${path}: must be ${s.type === 'array' ? 'an array' : s.type === 'object' ? 'an object' : `a ${s.type}`}`);
    if (typeof s.minimum === 'number' && typeof v === 'number' && v < s.minimum) errors.push(`${path}: must be ≥ ${s.minimum}`);
    if (Array.isArray(v) && s.items) v.forEach((item, i) => check(item, s.items as Schema, `${path}[${i}]`));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const req of (s.required ?? []) as string[]) if (!(req in record)) errors.push(`${path}: missing "${req}"`);
      for (const [k, x] of Object.entries(record)) {
        if (k in props) check(x, props[k], `${path}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected "${k}"`);
        else if (typeof s.additionalProperties === 'object') check(x, s.additionalProperties as Schema, `${path}.${k}`);
      }
    }
  };
  check(value, schema, '$');
  return errors;
}

function validateWith(value: unknown, schema: Schema, root: Schema): string[] {
  return validateAgainst(value, { ...schema, $defs: root.$defs }, 1);
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    default:
      return typeof v === type;
  }
}
