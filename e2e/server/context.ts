// State shared by the HTTP, Auth, REST and Realtime parts of the server: projects, knobs, clock.
import type { Project } from './projects.js';
import { tenantJwks } from './projects.js';
import type { TenantKeys, VerifyOptions } from './verify.js';
import type { Wordings } from './wording.js';

export interface Knobs {
  /** Added to the real clock: the server's notion of now and its `Date` header. */
  clockOffsetMs: number;
  /** 'current' (server 2.129.8) or 'historical' (≤ 2024-08-27 words, 403-empty connect errors). */
  wordings: Wordings;
  /** CONNECT_ERROR_BACKOFF_MS (production 2000). */
  connectBackoffMs: number;
  /** CHANNEL_ERROR_BACKOFF_MS (production 5000). */
  channelBackoffMs: number;
  /** JWT_CLAIM_VALIDATORS: server-wide, strict equality (§4.2). */
  claimValidators: Record<string, unknown>;
  /** GoTrue's refresh-token reuse interval (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, 10 s). */
  refreshTokenReuseIntervalMs: number;
  /** Periodic token re-check interval on live channels (5 min, §4.4). */
  confirmTokenIntervalMs: number;
  /**
   * Sub-topics whose joins the server never answers: a stand-in for an overloaded server or a
   * join whose authorisation hangs, so the client's TIMED_OUT path (§7) can be driven for real.
   */
  silentJoinTopics: string[];
  /**
   * Host name Auth writes into `iss` instead of the request's Host (port kept), as the Supabase
   * CLI's API_EXTERNAL_URL does (`http://127.0.0.1:54321` whatever name the app uses); null = the
   * request's Host.
   */
  authIssuerHost: string | null;
}

export interface LogEntry {
  at: number;
  code: string;
  message: string;
}

export class ServerContext {
  readonly projects = new Map<string, Project>();
  readonly logs: LogEntry[] = [];
  constructor(
    public knobs: Knobs,
    public defaultRef: string,
  ) {}

  nowMs(): number {
    return Date.now() + this.knobs.clockOffsetMs;
  }
  /** Joken's `current_time()`: whole seconds. */
  nowSec(): number {
    return Math.floor(this.nowMs() / 1000);
  }
  dateHeader(): string {
    return new Date(this.nowMs()).toUTCString();
  }
  log(code: string, message: string): void {
    this.logs.push({ at: this.nowMs(), code, message });
    if (this.logs.length > 2000) this.logs.splice(0, this.logs.length - 2000);
  }

  /**
   * Tenant = first DNS label of the Host (§1.1). A bare IP address or `localhost` has no project
   * label, so it selects the default project; any other unknown label is "Tenant not found".
   */
  projectForHost(host: string | undefined): Project | undefined {
    const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
    if (name === '' || name === 'localhost' || /^[\d.]+$/.test(name) || name.includes(':')) {
      return this.projects.get(this.defaultRef);
    }
    return this.projects.get(name.split('.')[0]);
  }

  tenantKeys(p: Project): TenantKeys {
    const jwks = tenantJwks(p);
    return { jwtSecret: p.jwtSecret, jwks: jwks.length ? jwks : null };
  }

  verifyOptions(): VerifyOptions {
    return { nowSec: this.nowSec(), claimValidators: this.knobs.claimValidators };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
