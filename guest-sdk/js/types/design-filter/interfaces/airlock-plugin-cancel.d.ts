declare module 'airlock:plugin/cancel@0.1.0' {
  /**
   * True once the host has asked the current call to stop early.
   */
  export function isCancelled(): boolean;
}
