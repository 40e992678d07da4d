/**
 * Charts drawn on the server as inline SVG: no script, no library, nothing fetched, and they print.
 * Each chart is an image with a title and a description (role="img", aria-labelledby) whose bars
 * and points carry their value in a <title> (a tooltip, and what a screen reader finds when it
 * explores); the page puts the same numbers in a table beside each chart. Colours come with a
 * second cue (pattern of the line, shape of the marker), never colour alone.
 */

export interface Point {
  label: string;
  value: number;
}

interface ChartText {
  id: string;
  title: string;
  desc: string;
  /** How a count reads: "3件" / "3". */
  count(n: number): string;
}

const INK = '#1a1a1a';
const MUTED = '#4a4a4a';
const GRID = '#d5d9dd';
const BLUE = '#0b5cad';
const ORANGE = '#b35900';

export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A round upper bound and a step for 3–6 grid lines. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 5) return { top: Math.max(1, max), step: 1 };
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

/** The plot inside the margins, with `y` placing a value on a round scale that fits `max`. */
function valueFrame(width: number, height: number, margin: { left: number; right: number; top: number; bottom: number }, max: number) {
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const { top, step } = niceScale(max);
  const y = (v: number) => Math.round((margin.top + plotH - (v / top) * plotH) * 10) / 10;
  return { plotW, top, step, y };
}

function open(text: ChartText, width: number, height: number, kind: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="m-chart m-chart-${kind}" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${text.id}-title ${text.id}-desc" data-chart="${text.id}" font-family="inherit">` +
    `<title id="${text.id}-title">${esc(text.title)}</title><desc id="${text.id}-desc">${esc(text.desc)}</desc>`
  );
}

function yAxis(top: number, step: number, x0: number, x1: number, y: (v: number) => number): string {
  let out = '';
  for (let v = 0; v <= top; v += step) {
    out += `<line x1="${x0}" x2="${x1}" y1="${y(v)}" y2="${y(v)}" stroke="${GRID}" stroke-width="1"/>`;
    out += `<text x="${x0 - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="${MUTED}">${v}</text>`;
  }
  return out;
}

/** Vertical bars (per day, per hour); every n-th label on the axis when there are many. */
export function barChart(text: ChartText, points: readonly Point[], options: { width?: number; height?: number; axisLabel?: (p: Point, i: number) => string } = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 250;
  const left = 44;
  const right = 10;
  const bottom = 34;
  const { plotW, top, step, y } = valueFrame(width, height, { left, right, top: 18, bottom }, Math.max(0, ...points.map((p) => p.value)));
  const slot = plotW / Math.max(1, points.length);
  const barW = Math.max(1, Math.round(slot * 0.7 * 10) / 10);
  const every = Math.ceil(points.length / 16);
  let out = open(text, width, height, 'bar') + yAxis(top, step, left, width - right, y);
  points.forEach((p, i) => {
    const x = Math.round((left + i * slot + (slot - barW) / 2) * 10) / 10;
    const h = Math.round((y(0) - y(p.value)) * 10) / 10;
    out += `<g class="m-chart-bar" data-label="${esc(p.label)}" data-value="${p.value}">`;
    out += `<rect x="${x}" y="${y(p.value)}" width="${barW}" height="${h}" fill="${BLUE}"><title>${esc(`${p.label}: ${text.count(p.value)}`)}</title></rect>`;
    if (p.value > 0 && points.length <= 31) out += `<text x="${Math.round((x + barW / 2) * 10) / 10}" y="${y(p.value) - 4}" text-anchor="middle" font-size="10" fill="${INK}">${p.value}</text>`;
    out += '</g>';
    if (i % every === 0) {
      const label = options.axisLabel ? options.axisLabel(p, i) : p.label;
      out += `<text x="${Math.round((left + i * slot + slot / 2) * 10) / 10}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="${MUTED}">${esc(label)}</text>`;
    }
  });
  out += `<line x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}" stroke="${INK}" stroke-width="1"/>`;
  return `${out}</svg>`;
}

/** Horizontal bars with the count and share written beside each (method, residency). */
export function shareChart(text: ChartText, points: readonly Point[], options: { width?: number } = {}): string {
  const width = options.width ?? 720;
  const row = 34;
  const labelW = 170;
  const valueW = 120;
  const height = points.length * row + 12;
  const total = points.reduce((s, p) => s + p.value, 0);
  const barArea = width - labelW - valueW - 16;
  let out = open(text, width, height, 'share');
  points.forEach((p, i) => {
    const y = 6 + i * row;
    const share = total ? Math.round((p.value / total) * 1000) / 10 : 0;
    const w = total ? Math.round((p.value / total) * barArea * 10) / 10 : 0;
    out += `<g class="m-chart-bar" data-label="${esc(p.label)}" data-value="${p.value}" data-share="${share}">`;
    out += `<text x="${labelW - 8}" y="${y + row / 2 + 4}" text-anchor="end" font-size="13" fill="${INK}">${esc(p.label)}</text>`;
    out += `<rect x="${labelW}" y="${y + 6}" width="${barArea}" height="${row - 14}" fill="#eef1f4"/>`;
    out += `<rect x="${labelW}" y="${y + 6}" width="${w}" height="${row - 14}" fill="${BLUE}"><title>${esc(`${p.label}: ${text.count(p.value)} (${share}%)`)}</title></rect>`;
    out += `<text x="${labelW + barArea + 8}" y="${y + row / 2 + 4}" font-size="13" fill="${INK}">${esc(`${text.count(p.value)} (${share}%)`)}</text>`;
    out += '</g>';
  });
  return `${out}</svg>`;
}

export interface Series {
  name: string;
  values: readonly number[];
}

/** Lines over days (registrations and withdrawals): solid with circles, dashed with squares. */
export function lineChart(text: ChartText, labels: readonly string[], series: readonly Series[], options: { width?: number; height?: number; axisLabel?: (label: string) => string } = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 260;
  const left = 44;
  // Room for the last day's label, centred on the last point.
  const right = 28;
  const bottom = 34;
  const { plotW, top, step, y } = valueFrame(width, height, { left, right, top: 34, bottom }, Math.max(0, ...series.flatMap((s) => s.values)));
  const x = (i: number) => Math.round((left + (labels.length <= 1 ? plotW / 2 : (i / (labels.length - 1)) * plotW)) * 10) / 10;
  const styles = [
    { color: BLUE, dash: '', tag: 'circle', marker: (cx: number, cy: number) => `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${BLUE}"` },
    { color: ORANGE, dash: ' stroke-dasharray="6 4"', tag: 'rect', marker: (cx: number, cy: number) => `<rect x="${cx - 3.5}" y="${cy - 3.5}" width="7" height="7" fill="${ORANGE}"` },
  ];
  let out = open(text, width, height, 'line') + yAxis(top, step, left, width - right, y);
  series.forEach((s, k) => {
    const style = styles[k % styles.length]!;
    out += `<g class="m-series" data-series="${esc(s.name)}">`;
    out += `<polyline fill="none" stroke="${style.color}" stroke-width="2"${style.dash} points="${s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}"/>`;
    s.values.forEach((v, i) => {
      out += `${style.marker(x(i), y(v))} data-label="${esc(labels[i]!)}" data-value="${v}"><title>${esc(`${s.name} ${labels[i]}: ${text.count(v)}`)}</title></${style.tag}>`;
    });
    out += '</g>';
    const lx = left + k * 180;
    out += `<line x1="${lx}" x2="${lx + 26}" y1="14" y2="14" stroke="${style.color}" stroke-width="2"${style.dash}/>${style.marker(lx + 13, 14)}/><text x="${lx + 32}" y="18" font-size="12" fill="${INK}">${esc(s.name)}</text>`;
  });
  const every = Math.ceil(labels.length / 12);
  labels.forEach((label, i) => {
    if (i % every === 0) out += `<text x="${x(i)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="${MUTED}">${esc(options.axisLabel ? options.axisLabel(label) : label)}</text>`;
  });
  out += `<line x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}" stroke="${INK}" stroke-width="1"/>`;
  return `${out}</svg>`;
}
