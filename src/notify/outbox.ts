import type { MailMessage, MailTransport, SmsMessage, SmsTransport } from './messages.ts';

export interface OutboxEntry {
  id: number;
  channel: 'mail' | 'sms';
  to: string;
  subject: string | undefined;
  text: string;
  sentAt: Date;
}

const KEEP = 200;

/**
 * Development only: mail and SMS are kept in memory and shown at /dev/outbox instead of being
 * delivered. Configuration refuses MAIL_TRANSPORT=outbox and SMS_TRANSPORT=outbox in production.
 */
export class Outbox {
  readonly #entries: OutboxEntry[] = [];
  #next = 1;

  add(channel: OutboxEntry['channel'], to: string, subject: string | undefined, text: string): void {
    this.#entries.unshift({ id: this.#next++, channel, to, subject, text, sentAt: new Date() });
    this.#entries.length = Math.min(this.#entries.length, KEEP);
  }

  /** Newest first. */
  list(): OutboxEntry[] {
    return [...this.#entries];
  }

  mailTransport(): MailTransport {
    return { name: 'outbox', send: async (m: MailMessage) => this.add('mail', m.to, m.subject, m.text) };
  }

  smsTransport(): SmsTransport {
    return { name: 'outbox', send: async (m: SmsMessage) => this.add('sms', m.to, undefined, m.text) };
  }
}
