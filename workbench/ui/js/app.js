// Entry point: where the hub is (GET /v1/config), then the sign-in page or
// the workbench. A language switch draws the current page again in place.
import { api, session, onUnauthorized } from './api.js';
import * as features from './features.js';
import { language, onLanguageChange, t } from './i18n.js';
import { armSound } from './notify.js';
import { WorkbenchState } from './workbench_state.js';
import { renderLogin } from './views/login.js';
import { Shell } from './views/shell.js';

const root = document.getElementById('app');
let state = null;
let shell = null;

function setTitle() {
  document.documentElement.lang = language();
  document.title = t('app.title');
}

function showLogin(notice = '') {
  state?.stop();
  state = null;
  shell = null;
  renderLogin(root, { notice, onSignedIn: () => startWorkbench() });
}

async function startWorkbench() {
  let me = session.user || {};
  if (features.has('GET', '/v1/me')) {
    try {
      const fresh = await api.get('/v1/me');
      me = fresh?.user || fresh || me;
      session.setUser(me);
    } catch (e) {
      if (e.status === 401) return; // onUnauthorized has shown the sign-in page
    }
  }
  state = new WorkbenchState(me);
  shell = new Shell(root, state, { onSignOut: () => { session.clear(); showLogin(); } });
  shell.render();
  state.start();
}

// Any 401 (an expired or revoked token) ends the session once.
onUnauthorized(() => {
  if (!session.token) return;
  session.clear();
  showLogin(t('login.expired'));
});

onLanguageChange(() => {
  setTitle();
  if (shell) shell.render();
  else showLogin();
});

async function boot() {
  setTitle();
  armSound();
  await features.loadConfig(api.publicGet);
  if (session.token) await startWorkbench();
  else showLogin();
}

boot();
