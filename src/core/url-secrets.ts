// Secrets in captured URLs (issue 10 item 4). A page's own URL carries credentials after some
// sign-ins: the implicit flow returns the whole session in the fragment
// (`#access_token=…&refresh_token=…`), PKCE returns `?code=`, e-mail links open
// `/auth/v1/verify?token=…`, and a URL can hold `user:password@`. The content script scrubs every URL
// where it first takes it (the document's URL, the socket and request URLs the hook reports), before
// anything is stored or sent:
//   - values that are credentials by name — refresh tokens, auth codes and verifiers, one-time
//     tokens, passwords, id tokens, client secrets — become REDACTED: never stored, never shown;
//   - any other JWT in the URL keeps its header and claims (what explains a failure) and loses its
//     signature, which explains nothing and would make the URL a usable credential; except the
//     socket's `apikey`, a project key the analysis reads whole (and the panel masks);
//   - everything else stays as the page wrote it.
// Pure and linear in the URL's length (it runs on whatever a hostile page navigates to).

/** What replaces a secret value (and a JWT's signature). */
export const REDACTED = '[redacted]';

/** Parameter names whose value is a credential, compared lower-cased and percent-decoded. */
const SECRET_NAMES = new Set([
  'refresh_token',
  'provider_refresh_token',
  'provider_token',
  'code',
  'code_verifier',
  'auth_code',
  'token',
  'token_hash',
  'otp',
  'id_token',
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'client_secret',
]);

/** The one parameter whose JWT is kept whole: the Realtime socket's project key. */
const KEPT_WHOLE = 'apikey';

/** Scrubs `url` as described above. Returns it unchanged when it holds nothing to scrub. */
export function scrubUrl(url: string): string {
  const start = firstOf(url, '?#');
  const authority = scrubUserinfo(start === -1 ? url : url.slice(0, start));
  // Path segments may hold a JWT too (`/verify/eyJ…`): every piece is looked at, by its parameter
  // name when it is a value (the piece after `name=` in the query or the fragment).
  const pieces = url.slice(authority.cut).split(/([?&#;/=])/);
  let name: string | undefined;
  let inParams = false;
  // A secret value runs to the next `&`, `#` or `;`, whatever it holds (a password with a `/`).
  let inSecret = false;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if (inSecret) {
      if (p === '&' || p === '#' || p === ';') inSecret = false;
      else {
        pieces[i] = '';
        continue;
      }
    }
    if (i % 2 === 1) {
      // A delimiter. `?`, `#`, `&` and `;` start a parameter; `=` turns its name into a value.
      if (p === '?' || p === '#') inParams = true;
      if (p === '=' && inParams && name === undefined) name = paramName(pieces[i - 1]);
      else if (p !== '=') name = undefined;
      continue;
    }
    if (name !== undefined && pieces[i - 1] === '=' && SECRET_NAMES.has(name)) {
      if (p !== '' || pieces[i + 1] === '/' || pieces[i + 1] === '=' || pieces[i + 1] === '?') pieces[i] = REDACTED;
      inSecret = true;
    } else if (name !== KEPT_WHOLE || pieces[i - 1] !== '=') {
      pieces[i] = withoutSignature(p);
    }
  }
  return authority.head + pieces.join('');
}

/** `scheme://user:password@host` keeps the user and loses the password. */
function scrubUserinfo(beforeQuery: string): { head: string; cut: number } {
  const scheme = beforeQuery.indexOf('://');
  if (scheme === -1) return { head: '', cut: 0 };
  const hostStart = scheme + 3;
  const slash = beforeQuery.indexOf('/', hostStart);
  const hostEnd = slash === -1 ? beforeQuery.length : slash;
  const at = beforeQuery.lastIndexOf('@', hostEnd - 1);
  if (at < hostStart) return { head: '', cut: 0 };
  const colon = beforeQuery.indexOf(':', hostStart);
  if (colon === -1 || colon > at) return { head: '', cut: 0 };
  return { head: `${beforeQuery.slice(0, colon + 1)}${REDACTED}`, cut: at };
}

function paramName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // kept as written
  }
  return name.trim().toLowerCase();
}

/** A JWT (`eyJ…` header, claims, signature of base64url) loses its signature; anything else is returned as is. */
function withoutSignature(piece: string): string {
  if (!piece.startsWith('eyJ')) return piece;
  const first = piece.indexOf('.');
  const second = first === -1 ? -1 : piece.indexOf('.', first + 1);
  if (second === -1 || piece.indexOf('.', second + 1) !== -1 || second === piece.length - 1) return piece;
  if (!/^[A-Za-z0-9_\-.]+$/.test(piece)) return piece;
  return `${piece.slice(0, second + 1)}${REDACTED}`;
}

function firstOf(s: string, chars: string): number {
  let best = -1;
  for (const c of chars) {
    const i = s.indexOf(c);
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  return best;
}

/** One token found in a URL (`tokensInUrl`): where, in the URL's own terms, and the value as it stands. */
export interface UrlToken {
  /** `#access_token`, `?apikey`, `?jwt`, or `path` for a path segment. */
  where: string;
  /** As the URL holds it after `scrubUrl`: `header.claims.[redacted]`, or whole (an `apikey`). */
  value: string;
}

/** At most this many tokens are taken from one URL: a page's own URL carries one or two. */
export const MAX_URL_TOKENS = 8;

/**
 * The tokens a scrubbed URL still holds: the access token of an implicit-flow fragment (header and
 * claims, signature `[redacted]`), a project key kept whole in `apikey` (a JWT or an `sb_` key),
 * any other JWT-shaped value or path segment. The analysis counts each as a use of its token
 * (issue 10 item 4: "access tokens and keys found in URLs are token uses like any other"). Same
 * pieces as `scrubUrl`, one pass, linear in the URL's length, at most MAX_URL_TOKENS.
 */
export function tokensInUrl(url: string): UrlToken[] {
  const found: UrlToken[] = [];
  if (!url.includes('eyJ') && !url.includes('sb_')) return found;
  const pieces = url.split(/([?&#;/=])/);
  let name: string | undefined;
  let part = '';
  for (let i = 0; i < pieces.length && found.length < MAX_URL_TOKENS; i++) {
    let p = pieces[i];
    if (i % 2 === 1) {
      if (p === '?' || p === '#') part = p;
      if (p === '=' && part !== '' && name === undefined) name = paramName(pieces[i - 1]);
      else if (p !== '=') name = undefined;
      continue;
    }
    const value = name !== undefined && pieces[i - 1] === '=';
    // A parameter's value is read decoded, as its reader would (an export writes `[` as %5B).
    if (value && p.includes('%')) {
      try {
        p = decodeURIComponent(p);
      } catch {
        // kept as written
      }
    }
    if (!isUrlJwt(p) && !(value && name === KEPT_WHOLE && /^sb_[a-z]+_[A-Za-z0-9_-]+$/.test(p))) continue;
    // A name is the page's text: a few characters say where, a crafted kilobyte says nothing more.
    found.push({ where: value ? `${part}${name!.length > 40 ? `${name!.slice(0, 40)}…` : name}` : 'path', value: p });
  }
  return found;
}

/** `header.claims.signature` of base64url, or `header.claims.[redacted]` as `scrubUrl` leaves it. */
function isUrlJwt(piece: string): boolean {
  if (!piece.startsWith('eyJ')) return false;
  const first = piece.indexOf('.');
  const second = first === -1 ? -1 : piece.indexOf('.', first + 1);
  if (second === -1 || first === 3) return false;
  const signature = piece.slice(second + 1);
  if (signature !== REDACTED && (signature === '' || signature.includes('.'))) return false;
  return /^[A-Za-z0-9_-]+$/.test(piece.slice(0, first)) && /^[A-Za-z0-9_-]+$/.test(piece.slice(first + 1, second)) && (signature === REDACTED || /^[A-Za-z0-9_-]+$/.test(signature));
}

/** Whether a token as a URL held it lost its signature to `scrubUrl` (`header.claims.[redacted]`). */
export function signatureScrubbed(value: string): boolean {
  return value.endsWith(`.${REDACTED}`);
}
