// How a token travelled to Supabase: the places the analysis records a token's use (the socket's
// apikey, a phx_join's access_token, an access_token push, an HTTP header, a token grant). Its own
// module so that both the session analysis and the finding catalogue (which adds 'channel-apikey')
// share one union without rules/ depending on analysis/.

export type TokenUseKind =
  | 'socket-apikey'
  | 'join-access-token'
  | 'join-user-token'
  | 'access-token-push'
  | 'http-authorization'
  | 'http-apikey'
  | 'token-grant';
