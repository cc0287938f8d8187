/**
 * Projects (one git repository each) and their branches, each on a stage.
 */
package sh.stagehand.core.project;
