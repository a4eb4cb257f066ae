/** Placeholder: this package's API arrives with its issue. */
export const PACKAGE_VERSION = '0.1.0';
