/**
 * Implementation details of sh-core; not API, may change in any release.
 */
package sh.stagehand.core.internal;
