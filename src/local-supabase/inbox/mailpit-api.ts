/**
 * The local inbox: the part of Mailpit's HTTP API (axllent/mailpit server/apiv1: messages.go,
 * message.go) a test or a script reads mail with — GET /api/v1/messages, GET /api/v1/message/{ID}
 * (or `latest`), DELETE /api/v1/messages — and a plain page at / listing the mails and their links.
 */
import express, { type Request, type Response } from 'express';
import type { Mailbox, StoredMail } from './mailbox.js';

const SNIPPET_LENGTH = 250;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH)}...` : flat;
}

/** internal/storage MessageSummary, field for field. */
const summary = (mail: StoredMail) => ({
  ID: mail.ID,
  MessageID: mail.MessageID,
  Read: mail.Read,
  From: mail.From,
  To: mail.To,
  Cc: [],
  Bcc: [],
  ReplyTo: [],
  Subject: mail.Subject,
  Created: mail.Created.toISOString(),
  Username: '',
  Tags: [],
  Size: mail.Size,
  Attachments: 0,
  Snippet: snippet(mail.Text),
});

/** internal/storage Message, field for field. */
const message = (mail: StoredMail) => ({
  ID: mail.ID,
  MessageID: mail.MessageID,
  From: mail.From,
  To: mail.To,
  Cc: [],
  Bcc: [],
  ReplyTo: [],
  ReturnPath: mail.From.Address,
  Subject: mail.Subject,
  ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
  Date: mail.Created.toISOString(),
  Tags: [],
  Username: '',
  Text: mail.Text,
  HTML: mail.HTML,
  Size: mail.Size,
  Inline: [],
  Attachments: [],
});

/** getStartLimit: start ≥ 0, limit 50 unless a positive number is given. */
function page(req: Request): { start: number; limit: number } {
  const start = Number.parseInt(String(req.query.start ?? ''), 10);
  const limit = Number.parseInt(String(req.query.limit ?? ''), 10);
  return { start: start > 0 ? start : 0, limit: limit > 0 ? limit : 50 };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const decodeAmp = (text: string) => text.replace(/&amp;/g, '&');

function inboxPage(mails: StoredMail[]): string {
  const rows = mails.map((mail) => {
    const links = [...mail.HTML.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi)]
      .map(([, href, label]) => `<li><a href="${escapeHtml(decodeAmp(href!))}">${escapeHtml(label!.replace(/<[^>]+>/g, ''))}</a></li>`)
      .join('');
    return `<section><h2>${escapeHtml(mail.Subject)}</h2>
<p>To ${escapeHtml(mail.To.map((to) => to.Address).join(', '))}, ${escapeHtml(mail.Created.toISOString())}</p>
<ul>${links}</ul></section>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Local inbox</title></head>
<body><h1>Local inbox (${mails.length})</h1>
${rows.length ? rows.join('\n') : '<p>No mail yet.</p>'}
</body></html>
`;
}

const notFound = (res: Response) => res.status(404).type('text/plain').send('404 page not found');

export function mailpitApp(mailbox: Mailbox): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.text({ type: () => true, limit: '1mb' }));

  app.get('/api/v1/messages', (req, res) => {
    const all = mailbox.list();
    const { start, limit } = page(req);
    const messages = all.slice(start, start + limit);
    const unread = all.filter((mail) => !mail.Read).length;
    res.status(200).json({
      total: all.length,
      unread,
      count: messages.length,
      messages_count: all.length,
      messages_unread: unread,
      start,
      tags: [],
      messages: messages.map(summary),
    });
  });

  app.get('/api/v1/message/:id', (req, res) => {
    const mail = mailbox.find(req.params.id);
    if (!mail) return void notFound(res);
    mail.Read = true;
    res.status(200).json(message(mail));
  });

  app.delete('/api/v1/messages', (req, res) => {
    let ids: string[] = [];
    try {
      const body: unknown = typeof req.body === 'string' && req.body.trim() !== '' ? JSON.parse(req.body) : {};
      const given = (body as { IDs?: unknown }).IDs;
      if (Array.isArray(given)) ids = given.filter((id): id is string => typeof id === 'string');
    } catch {
      ids = [];
    }
    mailbox.delete(ids);
    res.status(200).type('text/plain').send('ok');
  });

  app.get('/', (_req, res) => {
    res.status(200).type('html').send(inboxPage(mailbox.list()));
  });

  app.use((_req: Request, res: Response) => notFound(res));
  return app;
}
