// The IMAP (dovecot) and SMTP (aiosmtpd) test servers of tests/support,
// through the og_mail_servers helper (tests/support/mail_servers_main.cpp):
// one request line, one answer line.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export async function startMailServers(binary) {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  const early = [];
  lines.on('line', (l) => (waiting.length ? waiting.shift()(l) : early.push(l)));
  const next = (ms = 30_000) => new Promise((resolve, reject) => {
    if (early.length) { resolve(early.shift()); return; }
    const timer = setTimeout(() => reject(new Error('og_mail_servers: no answer')), ms);
    waiting.push((l) => { clearTimeout(timer); resolve(l); });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const hello = JSON.parse(await Promise.race([next(60_000), exited.then((c) => { throw new Error(`og_mail_servers exited (${c})`); })]));
  let queue = Promise.resolve();
  const ask = (line) => (queue = queue.then(() => { child.stdin.write(`${line}\n`); return next(); }));
  return {
    ...hello,
    /** Puts a raw mail into the IMAP inbox (unseen). */
    async deliver(raw) {
      const answer = await ask(`deliver ${Buffer.from(raw, 'utf8').toString('base64')}`);
      if (answer !== 'ok') throw new Error(`deliver: ${answer}`);
    },
    /** The mails the SMTP server accepted: [{mail_from, recipients, data}]. */
    async received() { return JSON.parse(await ask('received')); },
    async close() { child.stdin.end(); await exited; },
  };
}

/** The decoded text/plain body of a MIME mail (base64 or quoted-printable, UTF-8). */
export function plainText(data) {
  const crlf = data.replace(/\r\n/g, '\n');
  const parts = crlf.split(/\n--[^\n]+\n/);
  for (const part of parts) {
    const split = part.indexOf('\n\n');
    if (split < 0) continue;
    const head = part.slice(0, split).replace(/\n[ \t]+/g, ' ');
    if (!/content-type:\s*text\/plain/i.test(head) && parts.length > 1) continue;
    let body = part.slice(split + 2);
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      body = body.replace(/=\n/g, '');
      return Buffer.from(body.replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    }
    return body;
  }
  return '';
}

/** A header's value (unfolded, first occurrence). */
export function header(data, name) {
  const head = data.replace(/\r\n/g, '\n').split('\n\n')[0].replace(/\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m ? m[1].trim() : '';
}

/**
 * The attachments of a MIME mail: [{filename, contentType, bytes (Buffer)}],
 * from every part with Content-Disposition: attachment (base64 or as is).
 */
export function attachments(data) {
  const out = [];
  for (const part of data.replace(/\r\n/g, '\n').split(/\n--[^\n]+\n/)) {
    const split = part.indexOf('\n\n');
    if (split < 0) continue;
    const head = part.slice(0, split).replace(/\n[ \t]+/g, ' ');
    if (!/^content-disposition:\s*attachment/im.test(head)) continue;
    const filename = /filename="?([^";\n]+)"?/i.exec(head)?.[1] || '';
    const contentType = (/^content-type:\s*([^;\s]+)/im.exec(head)?.[1] || '').toLowerCase();
    const body = part.slice(split + 2).replace(/\n--[^\n]*--\s*$/, '');
    const bytes = /content-transfer-encoding:\s*base64/i.test(head)
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : Buffer.from(body, 'latin1');
    out.push({ filename, contentType, bytes });
  }
  return out;
}
