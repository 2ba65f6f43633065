// Registers the chart.js pieces the Studio uses (line and bar charts) once, and the shared look of every chart.
import {
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartOptions,
} from 'chart.js';

Chart.register(LineElement, PointElement, BarElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip, Filler);

/**
 * Short tick labels with just enough digits to tell neighbouring ticks apart (0.9900, 0.9905, ...),
 * exponent form for tiny or huge values (1.5e-6, not 1.5000000E-6).
 */
export function tickLabel(v: number | string, stepBetweenTicks = 0): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (n === 0) return '0';
  if (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e5) return n.toExponential(1);
  if (stepBetweenTicks > 0) {
    const decimals = Math.min(8, Math.max(0, Math.ceil(-Math.log10(stepBetweenTicks) + 1e-9)));
    return n.toFixed(decimals);
  }
  return String(Number(n.toPrecision(4)));
}

/** Text and grid colours follow the theme (read from CSS variables when a chart is built). */
export function themedOptions(): { text: string; grid: string } {
  const css = getComputedStyle(document.documentElement);
  return { text: css.getPropertyValue('--muted').trim() || '#666', grid: css.getPropertyValue('--grid').trim() || '#ddd' };
}

export function baseLineOptions(opts: { yLabel?: string; log?: boolean; xLabel?: string }): ChartOptions<'line'> {
  const c = themedOptions();
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false, axis: 'x' },
    plugins: { legend: { labels: { color: c.text, boxWidth: 12, font: { size: 11 } } }, tooltip: { enabled: true } },
    scales: {
      x: { type: 'linear', title: { display: !!opts.xLabel, text: opts.xLabel ?? '', color: c.text }, ticks: { color: c.text, maxTicksLimit: 6 }, grid: { color: c.grid } },
      y: {
        type: opts.log ? 'logarithmic' : 'linear',
        title: { display: !!opts.yLabel, text: opts.yLabel ?? '', color: c.text },
        ticks: { color: c.text, maxTicksLimit: 5, callback: (v, _i, ticks) => tickLabel(v, ticks.length > 1 ? Math.abs(ticks[1]!.value - ticks[0]!.value) : 0) },
        grid: { color: c.grid },
      },
    },
  };
}
