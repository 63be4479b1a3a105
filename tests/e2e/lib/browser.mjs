// Debian's Chromium driven by playwright-core (no browser download).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.OMNIGATE_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches a fresh headless Chromium. playwright-core gives every launch a
 * new temporary --user-data-dir of its own (and deletes it on close); it
 * refuses one passed in `args`, so the profile is always fresh.
 */
export async function launchChromium(extraArgs = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set OMNIGATE_CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 60_000 });
}

// A page answered by context.route() (a work-tree file instead of the
// gateway's copy) has no network address, so Chromium counts it as public
// and blocks its WebSocket to 127.0.0.1; only needed when pages are served so.
export const ROUTED_PAGE_ARGS = ['--disable-features=LocalNetworkAccessChecks'];

/** Collects console errors and uncaught page errors; the tests fail on any. */
export function watchErrors(page, label = 'page') {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${label}: console.error: ${msg.text()} (${msg.location().url || ''})`);
  });
  page.on('pageerror', (err) => errors.push(`${label}: uncaught: ${err.message}`));
  return errors;
}

export function artifactDir() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = process.env.OMNIGATE_ARTIFACT_DIR || path.resolve(here, '../artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
