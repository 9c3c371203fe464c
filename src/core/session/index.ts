// The session core's public surface: what the panel, the popup and the CLI import. Faces read
// immutable `SessionSnapshot`s and the view models built from them; nothing outside core decodes
// a frame, discovers a token, runs a rule, compares verdicts or masks a secret by itself.

export { Session, type AnalysisState, type CaptureView, type RowsView, type SessionOptions, type SessionSnapshot } from './session';
export { isSeparator, type CaptureState, type DropSummary, type LogChange, type PageSeparator, type SessionRow } from './event-log';
export { isFrameEvent, type FrameDecoder, type FrameEvent, type FrameFacts, FrameCatalog } from './frame-catalog';
export {
  channelPhaseDisplay,
  connectionDisplay,
  connectionState,
  frameFacets,
  frameList,
  httpList,
  REGEX_SEARCH_BUDGET_MS,
  refusedExplanation,
  type ChannelPhaseDisplay,
  type ConnectionDisplay,
  type ConnectionStateName,
  type FrameFilter,
  type FrameList,
  type FrameListItem,
  type SearchBudget,
  type HttpCall,
  type HttpListItem,
} from './views';
export {
  channelKeyString,
  secondsLeft,
  SessionEngine,
  type ChannelVerdict,
  type ConnectionVerdict,
  type EngineResult,
} from './engine';
export {
  hasPredictableVerdicts,
  judgePastedToken,
  predictVerdicts,
  tokenView,
  type PastedToken,
  type PastedTokenOptions,
  type TokenUseView,
  type TokenView,
  type Verdicts,
} from './token-view';
export { replyReason, serverAnswer, type Comparison, type MatchState, type ServerAnswer } from './verdicts';
export { toldApp, type AppStatus, type ToldApp } from './told-app';
// The records the views render (types only) and the one capped serializer of captured values.
export type { ChannelRecord, ConnectionRecord, DecodedFrame, JoinAttempt } from '../realtime';
export { safeJsonText } from '../safe-json';
export { compileFrameSearch, regexRisk, regexRowCap, type FrameSearch } from './frame-search';
export { type FrameLink } from './frame-links';
export { hexDump, jsonChildren, jsonNode, treeValue, HEX_VIEW_BYTES, TREE_PAGE, type JsonNode, type JsonNodeKind } from './payload-view';
export { lastServerError, postgresChangesStatus, type ChannelServerError, type PostgresChangesState, type PostgresChangesStatus } from './channel-view';
export { findingKey, type FindingEntry, type FindingState } from './finding-history';
// Each code's title and default severity (the panel's grouped Findings view names groups by them).
export { FINDING_CODES, type FindingCode } from '../rules/catalogue';
export { maskApikeyInUrl, maskSecret, maskToken, maskTokensInText } from './masking';
export { frameHookMissingText, hookMissingText, tamperedText, type HookReport } from './hook-status';
export { unloadWords, type DocumentUnload, type UnloadCause, type UnloadLookup } from './unload';
export { DevtoolsSocketMerger, hookSocketsFromRows, type DevtoolsSocketInfo } from './devtools-merge';
// What the user tells the engine about the project (the panel's key bar, the popup's verify).
export { parseClaimValidators, parseJwks, secretFromBase64, secretFromText, type ProjectKnowledge } from '../tokens/project';
export { parseKeyInput, type KeyInput } from '../tokens/key-input';
// Fix it (the popup): each finding's diff, the corrected token, and minting it for local development.
export { correctionFor, correctedToken, mintRefusal, type Correction, type CorrectedToken, type FieldChange } from '../tokens/correct';
export { mintCorrected, publicJwk, signingJwk, type MintKey, type Minted } from '../tokens/mint';
// Time values as ISO text (a page-posted expires_at that is no date yields a readable '?').
export { isoOf } from '../rules/token-rules';
