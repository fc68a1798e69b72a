import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

/**
 * Outgoing mail (activation links, SSA reminders). Over SMTP when MYLIC_SMTP_URL is set (tests run a
 * local SMTP sink); otherwise, on a developer's machine with no mail server, each message is written
 * as an .eml file to `<data>/outbox/` so that links can still be followed.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** A stable Message-ID (`<…@…>`) when the sender may send the same mail again (SSA reminders). */
  messageId?: string | undefined;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.messageId ? { messageId: m.messageId } : {}),
      });
    },
  };
}

export function outboxMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.messageId ? { messageId: m.messageId } : {}),
      });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(
        join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`),
        info.message as Buffer,
        { mode: 0o600 },
      );
    },
  };
}
