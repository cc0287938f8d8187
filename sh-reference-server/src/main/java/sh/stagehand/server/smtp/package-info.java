/**
 * The mail catcher: an SMTP server the builds send to, each logging in with its own credentials.
 */
package sh.stagehand.server.smtp;
