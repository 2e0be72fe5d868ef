/**
 * The mails the embedded GoTrue sends, kept in memory as Mailpit (the mail catcher `supabase start`
 * runs) stores them: internal/storage/structs.go's Message and MessageSummary, newest first.
 */
import { randomBytes } from 'node:crypto';

export interface Address {
  Name: string;
  Address: string;
}

export interface OutgoingMail {
  from: Address;
  to: Address[];
  subject: string;
  html: string;
}

export interface StoredMail {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: Address;
  To: Address[];
  Subject: string;
  Created: Date;
  HTML: string;
  Text: string;
  Size: number;
}

/** Mailpit's IDs are shortuuids: 22 characters of base57. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const shortId = (length = 22) => Array.from(randomBytes(length), (byte) => ALPHABET[byte % ALPHABET.length]).join('');

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
const decodeEntities = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ENTITIES[name]!);

/** An HTML-only mail's text as a mail catcher derives it (enmime downconverts HTML): tags dropped, links kept beside their text. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, '$2 ( $1 )')
      .replace(/<\/(p|h[1-6]|div)>/gi, '\n')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<[^>]+>/g, ''),
  )
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n\n');
}

export class Mailbox {
  private mails: StoredMail[] = [];

  deliver(mail: OutgoingMail): StoredMail {
    const stored: StoredMail = {
      ID: shortId(),
      MessageID: `${shortId(16)}@local-supabase`,
      Read: false,
      From: mail.from,
      To: mail.to,
      Subject: mail.subject,
      Created: new Date(),
      HTML: mail.html,
      Text: htmlToText(mail.html),
      Size: Buffer.byteLength(mail.html),
    };
    this.mails.unshift(stored);
    return stored;
  }

  /** Newest first. */
  list(): StoredMail[] {
    return [...this.mails];
  }

  find(id: string): StoredMail | undefined {
    return id === 'latest' ? this.mails[0] : this.mails.find((mail) => mail.ID === id);
  }

  /** Deletes the given mails, or all of them when no ID is given. */
  delete(ids: string[] = []): void {
    this.mails = ids.length === 0 ? [] : this.mails.filter((mail) => !ids.includes(mail.ID));
  }
}
