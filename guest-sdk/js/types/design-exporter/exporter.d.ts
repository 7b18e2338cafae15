/// <reference path="./interfaces/airlock-design-document.d.ts" />
/// <reference path="./interfaces/airlock-design-types.d.ts" />
/// <reference path="./interfaces/airlock-plugin-cancel.d.ts" />
/// <reference path="./interfaces/airlock-plugin-log.d.ts" />
/// <reference path="./interfaces/airlock-plugin-progress.d.ts" />
declare module 'airlock:design/exporter@0.2.0' {
  export interface ExportInfo {
    format: string,
    extension: string,
    mimeType: string,
  }
  export type * as AirlockDesignDocument020 from 'airlock:design/document@0.2.0'; // import airlock:design/document@0.2.0
  export type * as AirlockDesignTypes020 from 'airlock:design/types@0.2.0'; // import airlock:design/types@0.2.0
  export type * as AirlockPluginCancel010 from 'airlock:plugin/cancel@0.1.0'; // import airlock:plugin/cancel@0.1.0
  export type * as AirlockPluginLog010 from 'airlock:plugin/log@0.1.0'; // import airlock:plugin/log@0.1.0
  export type * as AirlockPluginProgress010 from 'airlock:plugin/progress@0.1.0'; // import airlock:plugin/progress@0.1.0
  export function describe(): ExportInfo;
  export function render(): Uint8Array;
  /**
  * Writes the export as `file-name` into the folder the host granted
  * read-write at `/out`; returns the number of bytes written, or why not.
  */
  export function save(fileName: string): bigint;
  export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
}
