/**
 * Implementation details of sh-store-postgres; not API.
 */
package sh.stagehand.store.postgres.internal;
