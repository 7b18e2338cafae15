/// <reference path="./interfaces/airlock-design-document.d.ts" />
/// <reference path="./interfaces/airlock-design-types.d.ts" />
/// <reference path="./interfaces/airlock-plugin-cancel.d.ts" />
/// <reference path="./interfaces/airlock-plugin-log.d.ts" />
/// <reference path="./interfaces/airlock-plugin-progress.d.ts" />
declare module 'airlock:design/tool@0.2.0' {
  export type Param = import('airlock:design/types@0.2.0').Param;
  export type DocumentError = import('airlock:design/document@0.2.0').DocumentError;
  export type ToolError = ToolErrorInvalidParam | ToolErrorNothingSelected | ToolErrorDocument;
  export interface ToolErrorInvalidParam {
    tag: 'invalid-param',
    val: string,
  }
  export interface ToolErrorNothingSelected {
    tag: 'nothing-selected',
  }
  export interface ToolErrorDocument {
    tag: 'document',
    val: DocumentError,
  }
  export type * as AirlockDesignDocument020 from 'airlock:design/document@0.2.0'; // import airlock:design/document@0.2.0
  export type * as AirlockDesignTypes020 from 'airlock:design/types@0.2.0'; // import airlock:design/types@0.2.0
  export type * as AirlockPluginCancel010 from 'airlock:plugin/cancel@0.1.0'; // import airlock:plugin/cancel@0.1.0
  export type * as AirlockPluginLog010 from 'airlock:plugin/log@0.1.0'; // import airlock:plugin/log@0.1.0
  export type * as AirlockPluginProgress010 from 'airlock:plugin/progress@0.1.0'; // import airlock:plugin/progress@0.1.0
  /**
  * Runs the tool once; returns a one-line summary of what it changed.
  */
  export function run(params: Array<Param>): string;
  export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
}
