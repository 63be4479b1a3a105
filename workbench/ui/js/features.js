// What this gateway build serves, from GET /v1/config: the realtime hub's
// address and the list of HTTP routes. Controls whose API is missing are not
// shown (the workbench and the APIs ship separately), and nothing is probed.

let config = { realtime_url: '', routes: [] };
let routes = new Set();

export async function loadConfig(publicGet) {
  try {
    config = await publicGet('/v1/config');
  } catch {
    // An older gateway without /v1/config: the hub listens on the HTTP port + 1.
    const port = Number(location.port || (location.protocol === 'https:' ? 443 : 80)) + 1;
    config = { realtime_url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:${port}`, routes: [] };
  }
  routes = new Set(config.routes || []);
  return config;
}

export function realtimeUrl() { return config.realtime_url; }

/** The gateway's public base URL (for URLs admins paste elsewhere). */
export function publicUrl() { return (config.public_url || location.origin).replace(/\/+$/, ''); }

/** Whether "METHOD /path/{id}" is served (the route names of gateway/http/*_routes.cpp). */
export function has(method, name) {
  return routes.has(`${method} ${name}`);
}
