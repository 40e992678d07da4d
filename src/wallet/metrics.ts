/** The credential issuer's series: credentials issued by type, and revoked by reason. */
import type { Metrics } from '../core/metrics.ts';
import type { ConfigurationId } from './credential-types.ts';
import type { RevocationReason } from './credential-store.ts';

export interface WalletMetrics {
  issued(configurationId: ConfigurationId): void;
  revoked(reason: RevocationReason, count: number): void;
}

export function walletMetrics(metrics: Metrics): WalletMetrics {
  const issued = metrics.counter({ name: 'pass_wallet_credentials_issued_total', help: 'Wallet credentials issued, by credential configuration', labelNames: ['configuration'] });
  const revoked = metrics.counter({ name: 'pass_wallet_credentials_revoked_total', help: 'Wallet credentials revoked, by reason', labelNames: ['reason'] });
  return {
    issued: (configuration) => issued.inc({ configuration }),
    revoked: (reason, count) => revoked.inc({ reason }, count),
  };
}
