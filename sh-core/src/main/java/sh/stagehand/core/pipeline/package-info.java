/**
 * What a push sets in motion: the build queue and the stage pipelines, garbage collection and the
 * reconciliation of builds with the containers that really run.
 */
package sh.stagehand.core.pipeline;
