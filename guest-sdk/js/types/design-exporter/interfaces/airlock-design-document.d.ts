/// <reference path="./airlock-design-types.d.ts" />
declare module 'airlock:design/document@0.2.0' {
  /**
   * Width and height of the canvas in pixels.
   */
  export function canvasSize(): [number, number];
  /**
   * Every layer, bottom to top.
   */
  export function layers(): Array<Layer>;
  /**
   * The selected layers, topmost first.
   */
  export function selection(): Array<Layer>;
  /**
   * The bounding box of the selection, if anything is selected.
   */
  export function selectionBounds(): Rect | undefined;
  export function addLayer(name: string, kind: LayerKind): Layer;
  export type Color = import('airlock:design/types@0.2.0').Color;
  export type Point = import('airlock:design/types@0.2.0').Point;
  export type Rect = import('airlock:design/types@0.2.0').Rect;
  export type Image = import('airlock:design/types@0.2.0').Image;
  export type LayerId = bigint;
  export type ShapeId = bigint;
  /**
   * # Variants
   * 
   * ## `"vector"`
   * 
   * ## `"raster"`
   */
  export type LayerKind = 'vector' | 'raster';
  export interface ShapeFlags {
    hidden?: boolean,
    locked?: boolean,
    closed?: boolean,
  }
  export interface Stroke {
    color: Color,
    width: number,
  }
  export type Geometry = GeometryRectangle | GeometryEllipse | GeometryPath;
  export interface GeometryRectangle {
    tag: 'rectangle',
    val: Rect,
  }
  export interface GeometryEllipse {
    tag: 'ellipse',
    val: Rect,
  }
  /**
   * A polyline through the points; closed when `shape-flags.closed` is set.
   */
  export interface GeometryPath {
    tag: 'path',
    val: Array<Point>,
  }
  export interface Shape {
    geometry: Geometry,
    fill?: Color,
    stroke?: Stroke,
    flags: ShapeFlags,
  }
  export interface LayerInfo {
    id: LayerId,
    name: string,
    kind: LayerKind,
    visible: boolean,
    /**
     * (width, height) of the layer's content box.
     */
    size: [number, number],
  }
  export type DocumentError = DocumentErrorNoSuchLayer | DocumentErrorNoSuchShape | DocumentErrorWrongLayerKind | DocumentErrorInvalid;
  export interface DocumentErrorNoSuchLayer {
    tag: 'no-such-layer',
    val: LayerId,
  }
  export interface DocumentErrorNoSuchShape {
    tag: 'no-such-shape',
    val: ShapeId,
  }
  export interface DocumentErrorWrongLayerKind {
    tag: 'wrong-layer-kind',
    val: LayerId,
  }
  export interface DocumentErrorInvalid {
    tag: 'invalid',
    val: string,
  }
  
  export class Layer implements Disposable {
    /**
     * This type does not have a public constructor.
     */
    private constructor();
    info(): LayerInfo;
    readRaster(): Image;
    shapes(): Array<[ShapeId, Shape]>;
    addShape(shape: Shape): ShapeId;
    updateShape(id: ShapeId, shape: Shape): void;
    [Symbol.dispose](): void;
  }
}
