// Telling an agent something needs them while they look elsewhere: a
// desktop notification (after they allowed it) and a short beep made with
// WebAudio (no sound file to ship).

let audio = null;

// Browsers start an AudioContext only after a user gesture; the first
// click or key press anywhere prepares it.
export function armSound() {
  const arm = () => {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    window.removeEventListener('pointerdown', arm);
    window.removeEventListener('keydown', arm);
  };
  window.addEventListener('pointerdown', arm);
  window.addEventListener('keydown', arm);
}

/** Two soft tones, 0.25 s in all. */
export function beep() {
  if (!audio || audio.state === 'closed') return;
  if (audio.state === 'suspended') audio.resume().catch(() => {});
  const now = audio.currentTime;
  [[880, 0], [1175, 0.12]].forEach(([freq, at]) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.15, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.12);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.13);
  });
}

export function notificationsSupported() { return 'Notification' in window; }
export function notificationsAllowed() { return notificationsSupported() && Notification.permission === 'granted'; }

/** Asks for permission; call it from a click. Resolves to whether it was granted. */
export async function askPermission() {
  if (!notificationsSupported()) return false;
  if (Notification.permission === 'granted') return true;
  if (Notification.permission === 'denied') return false;
  try {
    return (await Notification.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

/** A desktop notification (when allowed and the tab is not in front) and the beep. */
export function alertAgent(title, body, onClick) {
  beep();
  if (!notificationsAllowed() || document.visibilityState === 'visible') return;
  try {
    const n = new Notification(title, { body, tag: `omnigate-${title}`, renotify: true });
    n.onclick = () => { window.focus(); onClick?.(); n.close(); };
  } catch { /* some browsers allow notifications only from a service worker */ }
}
