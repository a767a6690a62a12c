// SVG charts drawn from the figures the tables beside them show exactly. No chart library: a
// few bars cost less than one in the initial JavaScript.

const PALETTE = ['#0969da', '#bf3989', '#1a7f37', '#bc4c00', '#8250df', '#57606a', '#9a6700'];
const LABEL_WIDTH = 110;
const WIDTH = 320;
const BAR = 18;
const GAP = 6;

export function seriesColour(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Horizontal bars, one per label. */
export function BarChart({
  title,
  bars,
}: {
  title: string;
  bars: { label: string; value: number }[];
}) {
  return (
    <StackedBarChart
      title={title}
      series={[title]}
      rows={bars.map((bar) => ({ label: bar.label, values: [bar.value] }))}
    />
  );
}

/** Horizontal bars, one per label, each stacked from its series (a legend names them). */
export function StackedBarChart({
  title,
  series,
  rows,
}: {
  title: string;
  series: string[];
  rows: { label: string; values: number[] }[];
}) {
  const max = Math.max(1e-12, ...rows.map((row) => row.values.reduce((a, b) => a + b, 0)));
  const height = rows.length * (BAR + GAP) + 4;
  const scale = (WIDTH - LABEL_WIDTH - 10) / max;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={title} width={WIDTH} height={height}>
        {rows.map((row, i) => {
          let x = LABEL_WIDTH;
          return (
            <g key={row.label} transform={`translate(0 ${i * (BAR + GAP)})`}>
              <text x={0} y={BAR - 5} fontSize={12}>
                {row.label.slice(0, 15)}
              </text>
              {row.values.map((value, s) => {
                const width = value * scale;
                const rect = (
                  <rect
                    key={s}
                    x={x}
                    y={0}
                    height={BAR}
                    width={width}
                    style={{ fill: seriesColour(s) }}
                  />
                );
                x += width;
                return rect;
              })}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && <Legend series={series} />}
    </figure>
  );
}

/** Vertical bars over time (one per minute), stacked from their series. */
export function ColumnChart({
  title,
  series,
  columns,
}: {
  title: string;
  series: string[];
  columns: { label: string; values: number[] }[];
}) {
  const height = 120;
  const max = Math.max(1, ...columns.map((c) => c.values.reduce((a, b) => a + b, 0)));
  const step = WIDTH / Math.max(1, columns.length);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={title} width={WIDTH} height={height + 16}>
        {columns.map((column, i) => {
          let y = height;
          return (
            <g key={column.label}>
              {column.values.map((value, s) => {
                const h = (value / max) * height;
                y -= h;
                return (
                  <rect
                    key={s}
                    x={i * step}
                    y={y}
                    width={Math.max(1, step - 1)}
                    height={h}
                    style={{ fill: seriesColour(s) }}
                  />
                );
              })}
            </g>
          );
        })}
        <text x={0} y={height + 14} fontSize={11}>
          {columns[0]?.label}
        </text>
        <text x={WIDTH} y={height + 14} fontSize={11} textAnchor="end">
          {columns[columns.length - 1]?.label}
        </text>
      </svg>
      <Legend series={series} />
    </figure>
  );
}

function Legend({ series }: { series: string[] }) {
  return (
    <ul className="legend">
      {series.map((name, s) => (
        <li key={name}>
          <span className="swatch" style={{ background: seriesColour(s) }} aria-hidden />
          {name}
        </li>
      ))}
    </ul>
  );
}
