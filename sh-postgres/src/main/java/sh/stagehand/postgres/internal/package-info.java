/**
 * Implementation details of sh-postgres; not API.
 */
package sh.stagehand.postgres.internal;
