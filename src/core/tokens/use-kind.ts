// How a token travelled to Supabase, and the words for it: the places the analysis records a token's use (the socket's
// apikey, a phx_join's access_token, an access_token push, an HTTP header, a token grant, the page's
// own URL). Its own module so that both the session analysis and the finding catalogue (which adds 'channel-apikey')
// share one union (and one wording) without rules/ depending on analysis/.

export type TokenUseKind =
  | 'socket-apikey'
  | 'join-access-token'
  | 'join-user-token'
  | 'access-token-push'
  | 'http-authorization'
  | 'http-apikey'
  /** An HTTP call's `?apikey=` query parameter (the gateway reads it like the header). */
  | 'http-apikey-param'
  | 'token-grant'
  /**
   * In the URL of a document of the page (once per document, at its start): the access token of an
   * implicit-flow sign-in (`#access_token=…`), a key in `?apikey=`. Kept without its signature
   * unless it is an `apikey` (core/url-secrets.ts); not sent to Realtime by being there.
   */
  | 'page-url';

/** Where a token travelled, in words: the token cards and the findings' "Applies to N uses" sentence. */
export const USE_WORDS: Record<TokenUseKind | 'channel-apikey', string> = {
  'socket-apikey': 'socket apikey param',
  'join-access-token': 'join access_token',
  'join-user-token': 'join user_token',
  'access-token-push': 'access_token push',
  'http-authorization': 'HTTP Authorization: Bearer',
  'http-apikey': 'HTTP apikey header',
  'http-apikey-param': 'HTTP ?apikey= parameter',
  'token-grant': '/auth/v1/token grant',
  'page-url': "the page's URL",
  'channel-apikey': 'channel fallback to the socket apikey',
};
