package sh.stagehand.core;

import com.google.inject.name.Named;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.project.Stage;
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
 * the build that sent it, and no build can pass for another. Development and staging mail is caught
 * (the {@link MailSink} keeps it for people to read); production's is relayed (the sink named
 * {@value #RELAY} delivers it) and never caught. Thread-safe.
 */
@Singleton
public final class MailService
{
    public static final String RELAY = "relay";

    private final BuildStore builds;
    private final MailSink sink;
    private final MailSink relay;

    @Inject
    public MailService(BuildStore builds, MailSink sink, @Named(RELAY) MailSink relay)
    {
        this.builds = requireNonNull(builds, "builds is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.relay = requireNonNull(relay, "relay is null");
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
     * Takes a message a build sent: a production build's is relayed, any other's kept.
     *
     * @return the message as kept or relayed
     * @throws StagehandException {@code NOT_FOUND} if the message names no known build;
     *         {@code PROVIDER_UNAVAILABLE} if it can be neither kept nor relayed now (the sender
     *         is told to try again)
     */
    public CapturedMail deliver(MailMessage message)
    {
        Build build;
        try {
            build = builds.findBuild(Long.parseLong(message.buildId()))
                    .orElseThrow(() -> new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + message.buildId() + " to take a mail of"));
        }
        catch (NumberFormatException e) {
            throw new StagehandException(StandardErrorCode.NOT_FOUND, "No build " + message.buildId() + " to take a mail of", e);
        }
        return build.stage() == Stage.PRODUCTION ? relay.accept(message) : sink.accept(message);
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
