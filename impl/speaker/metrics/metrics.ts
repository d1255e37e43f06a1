// A small Prometheus registry: gauges and counters with labels, rendered in
// the text exposition format (version 0.0.4).

export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  protected readonly series = new Map<string, Series>();
  abstract readonly type: 'gauge' | 'counter';

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  get(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) lines.push(`${this.name}${formatLabels(labels)} ${formatValue(value)}`);
    return lines.join('\n');
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge' as const;

  set(value: number, labels: Labels = {}): void {
    this.series.set(labelKey(labels), { labels: { ...labels }, value });
  }

  /** Drops every series (for gauges recomputed from scratch, like per-pool usage). */
  reset(): void {
    this.series.clear();
  }
}

export class Counter extends Metric {
  readonly type = 'counter' as const;

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    const current = this.series.get(key);
    this.series.set(key, { labels: { ...labels }, value: (current?.value ?? 0) + by });
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: Array<() => void> = [];

  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  /** Runs before every render, to refresh gauges that mirror live state. */
  onCollect(collector: () => void): void {
    this.collectors.push(collector);
  }

  render(): string {
    for (const collect of this.collectors) collect();
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }

  private add<T extends Metric>(metric: T): T {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
