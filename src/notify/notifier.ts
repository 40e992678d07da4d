import type { Config } from '../config/load-config.ts';
import type { Logger } from '../core/logger.ts';
import type { MailMessage, MailTransport, SmsMessage, SmsTransport } from './messages.ts';
import { Outbox } from './outbox.ts';
import { smtpMailTransport } from './smtp-mail.ts';
import { httpSmsTransport } from './http-sms.ts';

/** Sends PASS's mail and SMS through the configured transports. Logs who and which kind, never the text. */
export class Notifier {
  readonly #mail: MailTransport;
  readonly #sms: SmsTransport;
  readonly #log: Logger;
  /** Present when either transport is the development outbox. */
  readonly outbox: Outbox | undefined;

  constructor(mail: MailTransport, sms: SmsTransport, log: Logger, outbox?: Outbox) {
    this.#mail = mail;
    this.#sms = sms;
    this.#log = log;
    this.outbox = outbox;
  }

  async mail(message: MailMessage): Promise<void> {
    await this.#mail.send(message);
    this.#log.info({ channel: 'mail', transport: this.#mail.name }, 'message sent');
  }

  async sms(message: SmsMessage): Promise<void> {
    await this.#sms.send(message);
    this.#log.info({ channel: 'sms', transport: this.#sms.name }, 'message sent');
  }

  close(): void {
    this.#mail.close?.();
  }
}

export function createNotifier(config: Config, log: Logger): Notifier {
  const needsOutbox = config.mail.transport === 'outbox' || config.sms.transport === 'outbox';
  const outbox = needsOutbox && !config.production ? new Outbox() : undefined;
  const mail = config.mail.transport === 'smtp' ? smtpMailTransport(config.mail.smtpUrl!, config.mail.from) : outbox!.mailTransport();
  const sms = config.sms.transport === 'http' ? httpSmsTransport(config.sms.gatewayUrl!, config.sms.gatewayToken) : outbox!.smsTransport();
  return new Notifier(mail, sms, log, outbox);
}
