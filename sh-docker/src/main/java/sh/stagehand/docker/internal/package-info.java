/**
 * Implementation details of sh-docker; not API.
 */
package sh.stagehand.docker.internal;
