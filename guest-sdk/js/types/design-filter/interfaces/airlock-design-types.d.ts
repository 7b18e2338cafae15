declare module 'airlock:design/types@0.2.0' {
  /**
   * An 8-bit RGBA image, rows top to bottom, 4 bytes per pixel, not premultiplied.
   */
  export interface Image {
    width: number,
    height: number,
    pixels: Uint8Array,
  }
  export interface Color {
    r: number,
    g: number,
    b: number,
    a: number,
  }
  export interface Point {
    x: number,
    y: number,
  }
  export interface Rect {
    x: number,
    y: number,
    width: number,
    height: number,
  }
  /**
   * A typed parameter value for filters and tools.
   */
  export type ParamValue = ParamValueBoolean | ParamValueInteger | ParamValueNumber | ParamValueText | ParamValueColor;
  export interface ParamValueBoolean {
    tag: 'boolean',
    val: boolean,
  }
  export interface ParamValueInteger {
    tag: 'integer',
    val: bigint,
  }
  export interface ParamValueNumber {
    tag: 'number',
    val: number,
  }
  export interface ParamValueText {
    tag: 'text',
    val: string,
  }
  export interface ParamValueColor {
    tag: 'color',
    val: Color,
  }
  export interface Param {
    name: string,
    value: ParamValue,
  }
}
