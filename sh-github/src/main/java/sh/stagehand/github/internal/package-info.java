/**
 * Implementation details of sh-github; not API.
 */
package sh.stagehand.github.internal;
