/**
 * Settings of the interop feature. They belong in the configuration
 * (libs/config, parsed once at start-up: XAPI_HOME_PAGE, XAPI_MAX_LIMIT);
 * until they are there, the module reads `config.interop` when the
 * configuration has it, else these defaults.
 */
import type { AppConfig } from '@learnstream/config';

export interface InteropOptions {
  /**
   * The platform's address as xAPI sees it: Learnstream users are agents
   * `{ account: { homePage, name: <userId> } }`, courses and resources are
   * activities `<homePage>/courses/<id>[/resources/<id>]`.
   */
  homePage: string;
  /** Most statements one GET returns (`limit=0` asks for this many). */
  maxLimit: number;
  /** Where uploaded import files are kept (IMPORT_DIR). */
  importDir: string;
  /** Largest request body of /xapi (XAPI_BODY_LIMIT). */
  xapiBodyLimit: string;
  /** The version an answer names when the request names none (XAPI_DEFAULT_VERSION). */
  xapiDefaultVersion: '1.0.3' | '2.0.0';
}

export const INTEROP_OPTIONS = Symbol('INTEROP_OPTIONS');

export const DEFAULT_INTEROP_OPTIONS: InteropOptions = {
  homePage: 'https://learnstream.invalid',
  maxLimit: 500,
  importDir: '.data/imports',
  xapiBodyLimit: '20mb',
  xapiDefaultVersion: '2.0.0',
};

export function interopOptions(config: AppConfig | undefined, overrides: Partial<InteropOptions> = {}): InteropOptions {
  const fromConfig: Partial<InteropOptions> = config?.interop ?? {};
  const options = { ...DEFAULT_INTEROP_OPTIONS, ...fromConfig, ...overrides };
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(options.homePage)) throw new Error('interop.homePage must be an http(s) URL');
  options.homePage = options.homePage.replace(/\/+$/, '');
  if (!Number.isInteger(options.maxLimit) || options.maxLimit < 1) throw new Error('interop.maxLimit must be a whole number from 1');
  return options;
}
