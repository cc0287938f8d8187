/**
 * The ground floor under builds, pipelines and backups: where a build's files lie on the host
 * (workspaces, data directories, filestores), the labels that find its containers again, and the
 * lock that makes production's operations one at a time. Imports nothing of the floors above.
 */
package sh.stagehand.core.workspace;
