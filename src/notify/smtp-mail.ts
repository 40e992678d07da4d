import nodemailer from 'nodemailer';
import type { MailMessage, MailTransport } from './messages.ts';

/** Production mail: SMTP via nodemailer (SMTP_URL, e.g. smtps://user:pass@mail.example.jp:465). */
export function smtpMailTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    name: 'smtp',
    async send(message: MailMessage) {
      await transporter.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transporter.close();
    },
  };
}
