// Public surface of the claims engine (panel, popup and CLI import from here).
export { analyzeSession, discoverTokens, type Analysis, type AnalysisOptions, type ChannelAnalysis, type SeenToken, type TokenUse, type TokenUseKind } from './analyze';
export { channelTokenTimeline, effectiveChannelTokenAt, selectJoinToken, GATEWAY_NOTE, type EffectiveTokenSpan, type ChannelTokenSource } from './effective-token';
export { combineSkew, type ClockSkew, type SkewSample } from './skew';
export { EvidenceIndex, type HttpTokenUses } from './evidence-index';
export { closeMeaning } from './lifecycle';
export { decodeToken, classifyClaims, projectRefOfUrl, TOKEN_CLASS_LABELS, type DecodedToken, type TokenClass, type TokenProblem } from '../tokens/decode';
export { cleanToken } from '../tokens/clean';
export { findStoredSessions, cookieEntries, type StoredSession, type StoredEntry } from '../tokens/stored-session';
export { parseJwks, parseClaimValidators, secretFromBase64, secretFromText, type ProjectKnowledge } from '../tokens/project';
export { selectSigner, verifySignature, type SignatureCheck } from '../tokens/verify';
export { checkToken, tokenFindings, REFRESH_MARGIN_S, type TokenRuleContext } from '../rules/token-rules';
export { FINDING_CODES, ALL_FINDING_CODES, MAX_USE_PLACES, hasError, type Finding, type FindingCode, type FindingEvidence, type FindingUse, type FindingUseKind, type Severity } from '../rules/catalogue';
export { TokenCache, type TokenCacheStats } from '../tokens/cache';
export { judgeToken, type Judgement, type ServerFailure, type UseTime } from '../diagnosis/judge';
export { predictConnectVerdict, predictJoinVerdict, predictRefreshVerdict, GATEWAY_TOKEN_NOTE, type ConnectVerdict, type JoinVerdict, type RefreshVerdict } from '../diagnosis/verdict';
export { diagnoseJoinReason, diagnoseSystemMessage, diagnoseConnectFailure, diagnoseCloseCode, diagnoseText, type ServerReplyDiagnosis } from '../diagnosis/replies';
