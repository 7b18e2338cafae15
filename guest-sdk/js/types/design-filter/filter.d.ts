/// <reference path="./interfaces/airlock-design-types.d.ts" />
/// <reference path="./interfaces/airlock-plugin-cancel.d.ts" />
/// <reference path="./interfaces/airlock-plugin-log.d.ts" />
/// <reference path="./interfaces/airlock-plugin-progress.d.ts" />
declare module 'airlock:design/filter@0.2.0' {
  export type Image = import('airlock:design/types@0.2.0').Image;
  export type Param = import('airlock:design/types@0.2.0').Param;
  export interface FilterInfo {
    name: string,
    description: string,
    /**
    * The parameters `apply` understands, with their defaults.
    */
    defaults: Array<Param>,
  }
  export type FilterError = FilterErrorInvalidParam | FilterErrorUnsupportedImage | FilterErrorFailed;
  export interface FilterErrorInvalidParam {
    tag: 'invalid-param',
    val: string,
  }
  export interface FilterErrorUnsupportedImage {
    tag: 'unsupported-image',
    val: string,
  }
  export interface FilterErrorFailed {
    tag: 'failed',
    val: string,
  }
  export type * as AirlockDesignTypes020 from 'airlock:design/types@0.2.0'; // import airlock:design/types@0.2.0
  export type * as AirlockPluginCancel010 from 'airlock:plugin/cancel@0.1.0'; // import airlock:plugin/cancel@0.1.0
  export type * as AirlockPluginLog010 from 'airlock:plugin/log@0.1.0'; // import airlock:plugin/log@0.1.0
  export type * as AirlockPluginProgress010 from 'airlock:plugin/progress@0.1.0'; // import airlock:plugin/progress@0.1.0
  export function describe(): FilterInfo;
  export function apply(image: Image, params: Array<Param>): Image;
  export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
}
