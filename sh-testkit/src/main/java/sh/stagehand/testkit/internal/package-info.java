/**
 * What sh-testkit's containers share and is not API: how a local image is used and how a port is
 * published.
 */
package sh.stagehand.testkit.internal;
