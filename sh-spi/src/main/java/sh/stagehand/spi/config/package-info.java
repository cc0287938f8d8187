/**
 * Configuration keys, declared once: name, type, default and a line of description
 * ({@link sh.stagehand.spi.config.ConfigKey}), gathered per part of the platform
 * ({@link sh.stagehand.spi.config.ConfigKeys}) and read as typed values
 * ({@link sh.stagehand.spi.config.ConfigValues}). A value that does not fit, and a key nobody
 * declared, are refused with a message naming the key, the value and what it takes, or the key
 * meant. Durations are written one way, a number and a unit ({@code 500ms}, {@code 60s},
 * {@code 5m}, {@code 8h}, {@code 7d}); see {@link sh.stagehand.spi.config.ConfigType}.
 */
package sh.stagehand.spi.config;
