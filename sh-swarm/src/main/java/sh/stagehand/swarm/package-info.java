/**
 * Docker Swarm for Stagehand: the {@link sh.stagehand.spi.runtime.RuntimeProvider} on a Swarm of
 * Docker engines ({@code runtime.type=swarm}), a service per container, images through the
 * cluster's registry.
 */
package sh.stagehand.swarm;
