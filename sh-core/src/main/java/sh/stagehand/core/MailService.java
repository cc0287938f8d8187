package sh.stagehand.core;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import sh.stagehand.core.build.Build;
import sh.stagehand.core.mail.BuildMail;
import sh.stagehand.core.mail.OutboundMail;
import sh.stagehand.core.monitor.BuildTraffic;
import sh.stagehand.core.project.Stage;
import sh.stagehand.core.store.BuildStore;
import sh.stagehand.core.store.OutboundMailStore;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;
import sh.stagehand.spi.mail.CapturedMail;
import sh.stagehand.spi.mail.MailMessage;
import sh.stagehand.spi.mail.MailSink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The mail builds send. Each build's server logs in to the mail catcher with its own credentials
 * (user: the build id, password: a random secret of the build), so every message is attributed to
 * the build that sent it, and no build can pass for another. Development and staging mail is caught
 * (the {@link MailSink} keeps it for people to read); production's is queued and delivered through
 * the {@link sh.stagehand.spi.mail.MailRelay} by the {@link OutboundMailSender}, as a mail server
 * does: accepted at once, whether the relay is up or configured at all, sent when it takes it.
 * Production's Mails tab shows its queue: queued, sent and bounced. Thread-safe.
 */
@Singleton
public final class MailService
{
    // What production's Mails tab shows: its newest mail.
    private static final int OUTBOUND_LISTED = 500;

    private final BuildTraffic traffic;
    private final BuildStore builds;
    private final MailSink sink;
    private final OutboundMailStore outbound;
    private final OutboundMailSender sender;
    private final Clock clock;

    @Inject
    public MailService(BuildStore builds, MailSink sink, OutboundMailStore outbound, OutboundMailSender sender, BuildTraffic traffic, Clock clock)
    {
        this.traffic = requireNonNull(traffic, "traffic is null");
        this.builds = requireNonNull(builds, "builds is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.outbound = requireNonNull(outbound, "outbound is null");
        this.sender = requireNonNull(sender, "sender is null");
        this.clock = requireNonNull(clock, "clock is null");
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
     * Takes a message a build sent: a production build's is queued for the relay, any other's kept.
     *
     * @return the message as kept or queued
     * @throws StagehandException {@code NOT_FOUND} if the message names no known build;
     *         {@code PROVIDER_UNAVAILABLE} if it can be neither kept nor queued now (the sender
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
        if (build.stage() != Stage.PRODUCTION) {
            CapturedMail caught = sink.accept(message);
            traffic.mailCaught(build.id());
            return caught;
        }
        OutboundMail queued = outbound.enqueue(build.projectId(), message, clock.instant());
        traffic.mailSent(build.id());
        sender.wake();
        return queued.mail();
    }

    /**
     * @return the mail a build sent, oldest first: for a production build, its project's production
     *         mail (every production build's, the newest {@value #OUTBOUND_LISTED}) with where each
     *         delivery stands
     */
    public List<BuildMail> mails(long buildId)
    {
        Optional<Build> build = builds.findBuild(buildId);
        if (build.isPresent() && build.get().stage() == Stage.PRODUCTION) {
            List<BuildMail> mails = new ArrayList<>(outbound.listOutboundMail(build.get().projectId(), OUTBOUND_LISTED).stream().map(BuildMail::outbound).toList());
            Collections.reverse(mails);
            return mails;
        }
        return sink.list(Long.toString(buildId)).stream().map(BuildMail::caught).toList();
    }

    public Optional<CapturedMail> mail(String mailId)
    {
        return sink.get(mailId);
    }
}
