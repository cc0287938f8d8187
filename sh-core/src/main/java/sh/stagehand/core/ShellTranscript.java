package sh.stagehand.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * What one shell's {@code shell.log} keeps: each line typed, once the terminal showed it. What the
 * terminal showed is followed as a line editor would have it (its last 16 KiB at most; the
 * characters dropped from its front counted): a typed line is kept only if the terminal showed it
 * within a second, so a password typed at a prompt that does not echo (psql's {@code \password},
 * {@code read -s}) is not. Thread-safe.
 */
final class ShellTranscript
{
    // The lines of shell.log one shell writes at the most (a flood of Enter fills no disk).
    static final int MAX_LOG_LINES = 10_000;

    private final String who;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Consumer<String> keep;
    private final ByteArrayOutputStream typed = new ByteArrayOutputStream();
    private final StringBuilder echoed = new StringBuilder();
    private final ArrayDeque<TypedLine> undecided = new ArrayDeque<>();
    private long echoedDropped;
    private long lineStart;
    private int loggedLines;
    private boolean decideScheduled;

    /**
     * @param keep writes one line of {@code shell.log}
     */
    ShellTranscript(String who, Clock clock, ScheduledExecutorService scheduler, Consumer<String> keep)
    {
        this.who = requireNonNull(who, "who is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.keep = requireNonNull(keep, "keep is null");
    }

    // A typed line as shell.log keeps it: controls, format characters and line or paragraph
    // separators written as \\u escapes, so that a line cannot pass for another nor drive the
    // terminal of who reads the log.
    static String printable(String line)
    {
        StringBuilder text = new StringBuilder(line.length());
        line.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || c == '\\') {
                text.append(String.format("\\u%04x", c));
            }
            else {
                text.appendCodePoint(c);
            }
        });
        return text.toString();
    }

    /**
     * What the terminal showed.
     */
    synchronized void shown(byte[] output)
    {
        String text = new String(output, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0x1b) {
                // ESC [ ... final byte, or ESC and one character.
                i++;
                if (i < text.length() && text.charAt(i) == '[') {
                    while (i + 1 < text.length() && (text.charAt(i + 1) < 0x40 || text.charAt(i + 1) > 0x7e)) {
                        i++;
                    }
                    i++;
                }
            }
            else if (c == '\b' && !echoed.isEmpty()) {
                echoed.setLength(echoed.length() - 1);
            }
            else if (c > 0x20) {
                // Spaces left out, here and in the line typed: a line editor adds and moves
                // some where a long line wraps.
                echoed.append(c);
            }
        }
        if (echoed.length() > 16384) {
            int drop = echoed.length() - 8192;
            echoed.delete(0, drop);
            echoedDropped += drop;
        }
    }

    /**
     * Keys typed, kept as typed: printable characters, a backspace takes one back, Enter ends the
     * line; escape sequences (arrows, function keys) and control keys are left out.
     */
    synchronized void typed(byte[] input)
    {
        for (int i = 0; i < input.length; i++) {
            int b = input[i] & 0xff;
            if (b == '\r' || b == '\n') {
                lineTyped(typed.toString(StandardCharsets.UTF_8));
                typed.reset();
            }
            else if (b == 0x7f || b == 0x08) {
                byte[] kept = typed.toByteArray();
                int end = kept.length;
                // One character back, with its UTF-8 continuation bytes.
                while (end > 0 && (kept[end - 1] & 0xc0) == 0x80) {
                    end--;
                }
                typed.reset();
                typed.write(kept, 0, Math.max(0, end - 1));
            }
            else if (b == 0x1b) {
                // ESC [ ... final byte, or ESC and one character.
                i++;
                if (i < input.length && input[i] == '[') {
                    while (i + 1 < input.length && (input[i + 1] < 0x40 || input[i + 1] > 0x7e)) {
                        i++;
                    }
                    i++;
                }
            }
            else if (b >= 0x20 && typed.size() < 4096) {
                typed.write(b);
            }
        }
    }

    /**
     * Keeps every line still undecided: the shell has ended.
     */
    void ended()
    {
        decide(true);
    }

    private record TypedLine(String text, long from, Instant at) {}

    // A line typed: decided once its echo had a second to come back.
    private void lineTyped(String line)
    {
        long now = echoedDropped + echoed.length();
        // Blank lines say nothing; past the most a shell writes, nothing more is kept.
        if (!line.isBlank() && loggedLines + undecided.size() < MAX_LOG_LINES) {
            undecided.add(new TypedLine(line, lineStart, clock.instant()));
            if (!decideScheduled) {
                decideScheduled = true;
                scheduler.schedule(() -> decide(false), 1100, TimeUnit.MILLISECONDS);
            }
        }
        lineStart = now;
    }

    // Keeps the lines typed a second ago or more (all of them when the shell has ended), in order.
    private synchronized void decide(boolean all)
    {
        decideScheduled = false;
        Instant due = clock.instant().minusSeconds(1);
        while (!undecided.isEmpty() && (all || !undecided.peek().at().isAfter(due))) {
            TypedLine line = undecided.poll();
            String visible = line.text().replaceAll("\\s", "");
            boolean shown = visible.isEmpty() || echoed.indexOf(visible, (int) Math.max(0, line.from() - echoedDropped)) >= 0;
            keep.accept("%s %s$ %s".formatted(line.at(), who, shown ? printable(line.text()) : "(a line typed without echo, such as a password, not kept)"));
            if (++loggedLines == MAX_LOG_LINES) {
                keep.accept("%s %s$ (the most lines a shell keeps; the next are not kept)".formatted(line.at(), who));
            }
        }
        if (!undecided.isEmpty() && !decideScheduled) {
            decideScheduled = true;
            scheduler.schedule(() -> decide(false), 1100, TimeUnit.MILLISECONDS);
        }
    }
}
