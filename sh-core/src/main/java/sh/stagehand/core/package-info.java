/**
 * The platform: configuration, the choice of providers, and the {@link sh.stagehand.core.Stagehand}
 * facade a hosting company embeds.
 */
package sh.stagehand.core;
