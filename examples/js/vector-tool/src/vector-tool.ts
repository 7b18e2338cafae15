// A tool plugin in TypeScript for `airlock:design/tool`: draws a star in the
// selection, on the topmost selected vector layer (a `layer` resource the
// host lends the plugin), or on a new layer when none is selected.
import {
  addLayer,
  selection,
  selectionBounds,
  type Layer,
  type Point,
  type Shape,
} from 'airlock:design/document@0.2.0';
import type { Param, ToolError } from 'airlock:design/tool@0.2.0';
import type { Color } from 'airlock:design/types@0.2.0';
import { log } from 'airlock-guest';

interface Options {
  points: number;
  fill: Color;
}

/** Reads the parameters: `points` (integer 3..=32) and `color`. */
function options(params: Param[]): Options {
  const opts: Options = { points: 5, fill: { r: 150, g: 60, b: 220, a: 255 } };
  for (const { name, value } of params) {
    if (name === 'points' && value.tag === 'integer' && value.val >= 3n && value.val <= 32n) {
      opts.points = Number(value.val);
    } else if (name === 'color' && value.tag === 'color') {
      opts.fill = value.val;
    } else {
      fail({ tag: 'invalid-param', val: `\`${name}\`: expected points (integer 3..=32) or color` });
    }
  }
  return opts;
}

/** Ends the call with `error` as the tool's `err` result. */
function fail(error: ToolError): never {
  throw error;
}

/** The points of a star centred in the box, outer and inner corners in turn. */
function star(cx: number, cy: number, outer: number, points: number): Point[] {
  const inner = outer * 0.45;
  return Array.from({ length: points * 2 }, (_, i) => {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / points;
    return { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle) };
  });
}

export function run(params: Param[]): string {
  const opts = options(params);
  const selected = selection();
  const bounds = selectionBounds();
  try {
    if (selected.length === 0 || bounds === undefined) fail({ tag: 'nothing-selected' });
    const target: Layer =
      selected.find((layer) => layer.info().kind === 'vector') ?? addLayer('Star', 'vector');
    const outer = Math.min(bounds.width, bounds.height) * 0.45;
    const shape: Shape = {
      geometry: {
        tag: 'path',
        val: star(bounds.x + bounds.width / 2, bounds.y + bounds.height / 2, outer, opts.points),
      },
      fill: opts.fill,
      stroke: { color: { r: 255, g: 255, b: 255, a: 255 }, width: 2 },
      flags: { closed: true },
    };
    let id: bigint;
    try {
      id = target.addShape(shape);
    } catch (err) {
      // The bindings throw an import's `err` as an error whose `payload` it is.
      fail({ tag: 'document', val: (err as { payload: never }).payload });
    }
    const layerId = target.info().id;
    log.info(`vector-tool: star ${id} with ${opts.points} points on layer ${layerId}`);
    return `added a ${opts.points}-point star (shape ${id}) to layer ${layerId}`;
  } finally {
    // JS has no destructors: give the host its handles back now.
    for (const layer of selected) layer[Symbol.dispose]();
  }
}
