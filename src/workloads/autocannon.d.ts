// The slice of autocannon 9's programmatic API that src/workloads/http.ts uses (the package ships
// no types and @types/autocannon would be a dependency for ~20 lines). Keep in step with its README.

declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonOptions {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds. */
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    overallRate?: number;
    ignoreCoordinatedOmission?: boolean;
    /** Milliseconds between internal samples. */
    sampleInt?: number;
    /** Called with each client before it first connects. */
    setupClient?: (client: unknown) => void;
  }

  interface AutocannonInstance extends EventEmitter {
    stop(): void;
  }

  function autocannon(options: AutocannonOptions, callback?: (error: unknown, result: unknown) => void): AutocannonInstance;
  export default autocannon;
}
