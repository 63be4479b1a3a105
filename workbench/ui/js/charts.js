// Small inline SVG charts for the dashboard: a sparkline and horizontal bars.
import { svg, h } from './dom.js';

/** A line over the values (oldest first), scaled to the largest. */
export function sparkline(values, { width = 280, height = 64, label = '' } = {}) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 4 - (v / max) * (height - 8)).toFixed(1)}`);
  const area = values.length ? `0,${height} ${points.join(' ')} ${((values.length - 1) * step).toFixed(1)},${height}` : '';
  return svg('svg', { class: 'chart chart--spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label },
    svg('title', {}, label),
    area ? svg('polygon', { points: area, class: 'chart-area' }) : null,
    points.length ? svg('polyline', { points: points.join(' '), class: 'chart-line', fill: 'none' }) : null);
}

/** Labelled horizontal bars: [{label, value, cls}]. */
export function bars(rows, { width = 280, label = '' } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const barH = 18;
  const gap = 8;
  const labelW = 84;
  const height = Math.max(barH, rows.length * (barH + gap) - gap);
  return svg('svg', { class: 'chart chart--bars', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label },
    svg('title', {}, label),
    rows.map((r, i) => {
      const y = i * (barH + gap);
      const w = Math.max(2, ((width - labelW - 40) * r.value) / max);
      return svg('g', { class: r.cls || '' },
        svg('text', { x: 0, y: y + 13, class: 'chart-label' }, r.label),
        svg('rect', { x: labelW, y, width: w.toFixed(1), height: barH, rx: 3, class: 'chart-bar' }),
        svg('text', { x: labelW + w + 6, y: y + 13, class: 'chart-value' }, String(r.value)));
    }));
}

/** A number tile. */
export function stat(title, value, extra = null) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-title' }, title), h('div', { class: 'stat-value' }, value), extra);
}
