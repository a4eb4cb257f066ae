/** The TestDriver and its helpers (arriving with the DSL). */
export const TESTING_VERSION = '0.1.0';
