import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract } from '../src/contract/contract.ts';
import { loadDataset, takeRows, type Dataset } from '../src/data/rows.ts';
import { splitRows } from '../src/data/split.ts';
import { fitFeatureSpec, transformFeatures, type FeatureSpec } from '../src/features/features.ts';
import { fitGbdt } from '../src/models/gbdt/gbdt.ts';
import { fitLinear } from '../src/models/linear.ts';
import { predict, type TrainedModel } from '../src/models/model.ts';
import { exportOnnx } from '../src/onnx/export.ts';
import {
  createSession,
  feedsFromDataset,
  runSession,
  type OnnxSession,
} from '../src/onnx/session.ts';
import { createRng } from '../src/util/rng.ts';
import { loadParams } from '../src/params/params.ts';
import { CONTRACT, HOUSING_CSV, ROOT } from './helpers.ts';

/**
 * Every exported graph, whatever kind of model it carries, must answer a
 * finite prediction for any row, and the TypeScript transform must agree
 * with it. The graph is a deliverable of its own: other servers feed it rows
 * that no JSON Schema has checked.
 */

type Row = Record<string, number | string>;
interface Kind {
  label: string;
  trained: TrainedModel;
  session: OnnxSession;
}

let spec: FeatureSpec;
let base: Row;
let categories: string[];
let stats: ReturnType<typeof trainingStats>;
const kinds: Kind[] = [];

beforeAll(async () => {
  const contract = await loadContract(CONTRACT);
  const data = await loadDataset(HOUSING_CSV, contract);
  const split = splitRows(data, 42, 0.2, 0.1);
  const train = takeRows(data, split.train);
  spec = fitFeatureSpec(train, contract.columns);
  stats = trainingStats(train);
  const x = transformFeatures(spec, train);
  const y = train.numeric.median_house_value!;
  const params = await loadParams(join(ROOT, 'params.yaml'));
  const gbdt = fitGbdt(
    x,
    y,
    { x: [], y: new Float64Array(0) },
    { ...params.gbdt, max_rounds: 20 },
  ).model;
  // Both kinds are exported directly, whichever would win model selection.
  for (const [label, model] of [
    ['linear', fitLinear(x, y, { l2: 1 })],
    ['gbdt', gbdt],
  ] as const) {
    const trained: TrainedModel = { features: spec, model };
    kinds.push({ label, trained, session: await createSession(exportOnnx(trained)) });
  }
  const first = split.test[0]!;
  base = Object.fromEntries<number | string>([
    ...spec.numeric.map((c): [string, number] => [c, data.numeric[c]![first]!]),
    ...spec.categorical.map(({ name }): [string, string] => [
      name,
      data.categorical[name]![first]!,
    ]),
  ]);
  categories = spec.categorical[0]!.categories;
});

/** A dataset of rows, each the base row with some columns changed. */
function datasetOf(rows: Row[]): Dataset {
  return {
    rows: rows.length,
    numeric: Object.fromEntries(
      spec.numeric.map((c) => [c, Float64Array.from(rows, (r) => r[c] as number)]),
    ),
    categorical: Object.fromEntries(
      spec.categorical.map(({ name }) => [name, rows.map((r) => r[name] as string)]),
    ),
    lines: new Uint32Array(rows.length),
  };
}

/** The hostile rows the issue names, each labelled. */
function namedRows(): { label: string; row: Row }[] {
  const zeros = Object.fromEntries(spec.numeric.map((c) => [c, 0]));
  const out: { label: string; row: Row }[] = [
    { label: 'households=0', row: { ...base, households: 0 } },
    { label: 'total_rooms=0', row: { ...base, total_rooms: 0 } },
    { label: 'population=0', row: { ...base, population: 0 } },
    { label: 'households=-0', row: { ...base, households: -0 } },
    { label: '0/0 rooms per household', row: { ...base, total_rooms: 0, households: 0 } },
    { label: '0/0 bedrooms per room', row: { ...base, total_bedrooms: 0, total_rooms: 0 } },
    { label: 'all zeros', row: { ...base, ...zeros } },
    { label: 'all NaN', row: { ...base, ...mapNumeric(() => NaN) } },
    { label: 'all +Inf', row: { ...base, ...mapNumeric(() => Infinity) } },
    { label: 'all 1e38', row: { ...base, ...mapNumeric(() => 1e38) } },
    { label: 'all -1e38', row: { ...base, ...mapNumeric(() => -1e38) } },
    { label: 'tiny denominators', row: { ...base, households: 1e-40, total_rooms: 1e-40 } },
    { label: 'ocean_proximity unknown', row: { ...base, ocean_proximity: 'MARS' } },
    { label: 'ocean_proximity empty', row: { ...base, ocean_proximity: '' } },
  ];
  for (const c of spec.numeric) {
    // 1e39 does not fit float32: the graph's input is +Inf.
    for (const v of [NaN, Infinity, -Infinity, 1e38, -1e38, 1e39, -1]) {
      out.push({ label: `${c}=${v}`, row: { ...base, [c]: v } });
    }
  }
  return out;
}

function mapNumeric(f: (c: string) => number): Row {
  return Object.fromEntries(spec.numeric.map((c) => [c, f(c)]));
}

/** Predictions of the graph and of the TypeScript transform plus in-memory model. */
async function bothWays(
  kind: Kind,
  rows: Row[],
): Promise<{ graph: Float32Array; ts: Float64Array }> {
  const data = datasetOf(rows);
  const graph = await runSession(kind.session, feedsFromDataset(kind.session, data));
  const ts = predict(kind.trained.model, transformFeatures(spec, data));
  return { graph, ts };
}

/** Labels of the rows where the graph is not finite or differs from TypeScript by more than 1e-4. */
function disagreements(
  labels: string[],
  { graph, ts }: { graph: Float32Array; ts: Float64Array },
): string[] {
  return labels.flatMap((label, i) => {
    const g = graph[i]!;
    const t = ts[i]!;
    const ok =
      Number.isFinite(g) &&
      Number.isFinite(t) &&
      Math.abs(g - t) <= 1e-4 * Math.max(Math.abs(t), 1);
    return ok ? [] : [`${label}: graph ${g}, typescript ${t}`];
  });
}

describe('every exported graph answers a finite value for any row', () => {
  for (const label of ['linear', 'gbdt']) {
    it(`${label}: the named hostile rows give finite predictions equal to the TypeScript transform`, async () => {
      const kind = kinds.find((k) => k.label === label)!;
      const named = namedRows();
      const result = await bothWays(
        kind,
        named.map((n) => n.row),
      );
      expect(
        disagreements(
          named.map((n) => n.label),
          result,
        ),
      ).toEqual([]);
      expect(named.length).toBeGreaterThan(60);
    });

    it(`${label}: 3,000 random mixes of zeros, NaN, ±Inf, huge, tiny, negative and real values`, async () => {
      const kind = kinds.find((k) => k.label === label)!;
      const rng = createRng(11);
      const specials = [0, -0, NaN, Infinity, -Infinity, 1e38, -1e38, 3.4e38, 1e39, 1e-40, -1, 1e6];
      const pick = <T>(values: readonly T[]): T => values[Math.floor(rng() * values.length)]!;
      const rows: Row[] = Array.from({ length: 3000 }, () => ({
        ...base,
        ...mapNumeric((c) => (rng() < 0.5 ? (base[c] as number) : pick(specials))),
        ocean_proximity: pick([...categories, '', 'MARS']),
      }));
      const result = await bothWays(kind, rows);
      const labels = rows.map((r) =>
        JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v)),
      );
      expect(disagreements(labels, result).slice(0, 5)).toEqual([]);
    });
  }
});

describe('the stated rule, checked against features built by hand', () => {
  /** Each graph's prediction for a row, against its model's prediction on hand-made features. */
  async function check(row: Row, edit: (features: Map<string, number>) => void): Promise<void> {
    const baseFeatures = transformFeatures(spec, datasetOf([base]));
    const features = new Map(spec.names.map((name, j) => [name, baseFeatures[j]![0]!]));
    edit(features);
    const columns = spec.names.map((name) => Float32Array.of(features.get(name)!));
    for (const kind of kinds) {
      const expected = predict(kind.trained.model, columns)[0]!;
      const [got] = await runSession(
        kind.session,
        feedsFromDataset(kind.session, datasetOf([row])),
      );
      expect(Math.abs(got! - expected), kind.label).toBeLessThanOrEqual(1e-4 * Math.abs(expected));
    }
  }
  const f32 = Math.fround;
  const clamp = (name: string, v: number) =>
    Math.min(stats.get(name)!.max, Math.max(stats.get(name)!.min, v));
  const median = (name: string) => stats.get(name)!.median;

  it('a zero denominator gives the ratio its training median; the column itself is clamped to its range', async () => {
    await check({ ...base, households: 0 }, (f) => {
      f.set('households', stats.get('households')!.min);
      f.set('rooms_per_household', median('rooms_per_household'));
      f.set('population_per_household', median('population_per_household'));
    });
  });

  it('NaN or ±Inf in any column becomes its training median; a non-finite denominator gives the ratio its median', async () => {
    await check({ ...base, median_income: NaN }, (f) =>
      f.set('median_income', median('median_income')),
    );
    await check({ ...base, total_rooms: -Infinity }, (f) => {
      f.set('total_rooms', median('total_rooms'));
      f.set('bedrooms_per_room', median('bedrooms_per_room'));
      f.set(
        'rooms_per_household',
        clamp('rooms_per_household', f32(median('total_rooms') / f32(base.households as number))),
      );
    });
  });

  it('a huge value is clamped to the training range, and so is the ratio it makes', async () => {
    await check({ ...base, households: 1e38 }, (f) => {
      f.set('households', stats.get('households')!.max);
      f.set('rooms_per_household', stats.get('rooms_per_household')!.min);
      f.set('population_per_household', stats.get('population_per_household')!.min);
    });
  });
});

/**
 * Median (mean of the middle two for an even count), minimum and maximum of
 * every numeric column and ratio over the training rows, in float32: computed
 * here from the data, independently of the pipeline.
 */
function trainingStats(train: Dataset): Map<string, { median: number; min: number; max: number }> {
  const f32 = Math.fround;
  const of = (values: number[]) => {
    const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
    const mid = (sorted.length - 1) / 2;
    const m = sorted[Math.floor(mid)]! + (sorted[Math.ceil(mid)]! - sorted[Math.floor(mid)]!) / 2;
    return { median: f32(m), min: f32(sorted[0]!), max: f32(sorted[sorted.length - 1]!) };
  };
  const column = (c: string) => Array.from(train.numeric[c]!, f32);
  const out = new Map(spec.numeric.map((c) => [c, of(column(c))]));
  const filled = (c: string) => column(c).map((v) => (Number.isNaN(v) ? out.get(c)!.median : v));
  for (const r of spec.ratios) {
    const num = filled(r.numerator);
    const den = column(r.denominator);
    out.set(r.name, of(num.map((v, i) => f32(v / den[i]!))));
  }
  return out;
}
