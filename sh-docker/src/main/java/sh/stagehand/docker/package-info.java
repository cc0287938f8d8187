/**
 * Docker for Stagehand: the {@link sh.stagehand.spi.runtime.RuntimeProvider} on the Docker Engine
 * API ({@code runtime.type=docker}).
 */
package sh.stagehand.docker;
