declare module 'airlock:plugin/progress@0.1.0' {
  /**
   * `fraction` is clamped to 0.0..=1.0 by the host.
   */
  export function report(fraction: number, message: string): void;
}
