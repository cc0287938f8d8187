/**
 * sh-core's own {@link sh.stagehand.spi.mail.MailSink}: captured mail kept in memory, for
 * embedding and for trying the platform out. It is lost when the process stops.
 */
package sh.stagehand.core.mail;
