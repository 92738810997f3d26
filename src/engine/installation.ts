/**
 * Installation identity: what marks the resources an installation owns. A leaf module, so the
 * plan and the stack set settings both use it without importing each other.
 */

/** Tag key marking what an installation owns (created or adopted); the value is the installation id. */
export const INSTALLATION_TAG = 'cfct:installation';

/** The installation id when none is configured; the only one that adopts untagged upstream resources. */
export const DEFAULT_INSTALLATION_ID = 'default';
