/**
 * What the platform remembers: projects, branches, builds, events, webhook deliveries. The
 * interfaces are implemented by sh-postgres on the platform's own PostgreSQL database.
 */
package sh.stagehand.core.store;
