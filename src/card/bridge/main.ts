/**
 * `npm run card-bridge`: the card bridge a kiosk machine runs beside its browser (docs/card.md,
 * "Readers"). It reads its settings, opens PC/SC (pcscd) and listens on 127.0.0.1; staff then pair
 * it with the kiosk page through PASS Manager (pairing.ts), which it checks against PASS's keys at
 * the configured origin.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../core/logger.ts';
import { describeFailure } from '../../core/fatal.ts';
import { PcscReaders } from '../pcsc/pcsc-transport.ts';
import { createBridgeServer } from './bridge-server.ts';
import { BridgeCardSession } from './card-session.ts';
import { loadBridgeConfig } from './config.ts';
import { Pairing } from './pairing.ts';
import { passAssertionVerifier } from './pass-verifier.ts';

async function main(): Promise<void> {
  const config = loadBridgeConfig();
  const log = createLogger(config.logLevel, { service: 'pass-card-bridge' });
  const readers = PcscReaders.open();
  const pairing = new Pairing(passAssertionVerifier(config.origin));
  const server = createBridgeServer({ config, session: new BridgeCardSession(readers, { reader: config.reader }), pairing, log });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  log.info({ origin: config.origin, port, reader: config.reader ?? 'the first with a card' }, 'card bridge listening');
  process.stderr.write(
    `\nカードブリッジ http://127.0.0.1:${port}: PASS Manager のキオスク一覧で「カードリーダーを接続」を押し、表示されたコードをキオスクの画面で入力してください。\n` +
      `Card bridge at http://127.0.0.1:${port}: press "Connect card reader" on the kiosk's row in PASS Manager and enter the code on the kiosk's screen.\n\n`,
  );
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    await readers.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  for (const line of describeFailure(error)) process.stderr.write(`card-bridge: ${line}\n`);
  process.exit(1);
});
