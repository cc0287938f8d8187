/**
 * Where Odoo servers run: containers started from a {@link sh.stagehand.spi.runtime.ContainerSpec},
 * labelled so that a restarted platform finds them again, their output followed line by line.
 */
package sh.stagehand.spi.runtime;
