package sh.stagehand.core.mail;

import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A mail a build sent, as its Mails tab shows it: caught (development, staging), or on its way out
 * through the relay (production) with where its delivery stands.
 */
public record BuildMail(CapturedMail mail, Optional<OutboundMail> outbound)
{
    public BuildMail
    {
        requireNonNull(mail, "mail is null");
        requireNonNull(outbound, "outbound is null");
    }

    public MailMessage message()
    {
        return mail.message();
    }

    public static BuildMail caught(CapturedMail mail)
    {
        return new BuildMail(mail, Optional.empty());
    }

    public static BuildMail outbound(OutboundMail mail)
    {
        return new BuildMail(mail.mail(), Optional.of(mail));
    }
}
