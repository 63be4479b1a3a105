// Helpers for the workbench specs: serving the work tree's UI instead of the
// copy embedded in the gateway (no rebuild while working on it), signing in
// through the page, and the admin API calls a test's setup makes.
import path from 'node:path';
import { readFile } from 'node:fs/promises';

const TYPES = { '.js': 'application/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

/**
 * Answers ${url}/workbench/... from `dir` (workbench/ui): index.html with the
 * build placeholder filled in, the rest as files.
 */
export async function serveWorkbenchFrom(context, url, dir) {
  const base = `${url.replace(/\/+$/, '')}/workbench/`;
  await context.route((u) => u.href.startsWith(base), async (route) => {
    const rel = new URL(route.request().url()).pathname.slice('/workbench/'.length);
    const file = !rel || rel === 'index.html' ? 'index.html' : rel.replace(/^[0-9a-f]{16}\/|^worktree\//, '');
    try {
      let body = await readFile(path.join(dir, file));
      if (file === 'index.html') body = body.toString('utf8').replaceAll('{{BUILD}}', 'worktree');
      await route.fulfill({ contentType: `${TYPES[path.extname(file)] || 'text/plain'}; charset=utf-8`, body });
    } catch {
      await route.fulfill({ status: 404, body: 'not in the work tree' });
    }
  });
}

/** Opens /workbench/ and signs in through the form. */
export async function signIn(page, url, login, password) {
  await page.goto(`${url.replace(/\/+$/, '')}/workbench/`, { waitUntil: 'load' });
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('.login-form button[type=submit]').click();
  await page.locator('.topbar').waitFor({ timeout: 10_000 });
}

/** A JSON API call with a bearer token; throws with the server's answer on failure. */
export async function call(url, token, method, route, body) {
  const res = await fetch(`${url.replace(/\/+$/, '')}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function loginToken(url, login, password) {
  const res = await fetch(`${url.replace(/\/+$/, '')}/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }),
  });
  if (!res.ok) throw new Error(`login ${login}: HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()).token;
}
