/**
 * The service-provider interfaces of Stagehand and what they share.
 *
 * <p>A hosting platform is assembled from five providers: {@link sh.stagehand.spi.runtime.RuntimeProvider}
 * (where Odoo servers run), {@link sh.stagehand.spi.database.DatabaseProvider} (where their
 * databases live), {@link sh.stagehand.spi.vcs.VcsProvider} (where the code comes from),
 * {@link sh.stagehand.spi.backup.BackupStore} (where backups go) and
 * {@link sh.stagehand.spi.mail.MailSink} (where outgoing mail goes). Each has a factory that
 * creates it from a flat configuration map; a {@link sh.stagehand.spi.StagehandPlugin} found with
 * {@link java.util.ServiceLoader} contributes factories from a third-party jar.
 *
 * <p>This package depends on the JDK only. Every failure is a {@link sh.stagehand.spi.StagehandException}
 * carrying an {@link sh.stagehand.spi.ErrorCode}.
 */
package sh.stagehand.spi;
