package sh.stagehand.core;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The mail builds send. Each build's server logs in to the mail catcher with its own credentials
 * (user: the build id, password: a random secret of the build), so every message is attributed to
 * the build that sent it, and no build can pass for another. Thread-safe.
 */
@Singleton
public final class MailService
{
    private final BuildStore builds;
    private final MailSink sink;

    @Inject
    public MailService(BuildStore builds, MailSink sink)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.sink = requireNonNull(sink, "sink is null");
    }

    /**
     * @return the build the credentials belong to, if they are right (compared in constant time)
     */
    public Optional<Build> authenticate(String user, String password)
    {
        long buildId;
        try {
            buildId = Long.parseLong(user);
        }
        catch (NumberFormatException e) {
            return Optional.empty();
        }
        return builds.findBuild(buildId)
                .filter(build -> MessageDigest.isEqual(build.smtpPassword().getBytes(StandardCharsets.UTF_8), String.valueOf(password).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Keeps a message a build sent.
     *
     * @throws StagehandException {@code NOT_FOUND} if the message names no known build
     */
    public CapturedMail capture(MailMessage message)
    {
        try {
            builds.findBuild(Long.parseLong(message.buildId()))
                    .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + message.buildId() + " to keep a mail for"));
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + message.buildId() + " to keep a mail for", e);
        }
        return sink.accept(message);
    }

    public List<CapturedMail> mails(long buildId)
    {
        return sink.list(Long.toString(buildId));
    }

    public Optional<CapturedMail> mail(String mailId)
    {
        return sink.get(mailId);
    }
}
