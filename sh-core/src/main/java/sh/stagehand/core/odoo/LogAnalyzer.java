package sh.stagehand.core.odoo;

import sh.stagehand.core.odoo.LogAnalysis.TestSummary;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Judges a build from its Odoo log, line by line, by the rule of Odoo's runbot: the build failed
 * if the log holds an {@code ERROR} or {@code CRITICAL} record, a
 * {@code Traceback (most recent call last):} line, or — for a run that installs or updates modules
 * — no {@code Modules loaded.}; it has warnings if the log holds a {@code WARNING} record (Odoo
 * logs a run of 0 tests as one); else it succeeded.
 *
 * <p>A traceback counts once, whether Odoo wrote it as continuation lines of its record or a log
 * shipper (or runbot) wrote each of its lines as a record of its own with the same header: such a
 * traceback belongs to the record just before it from the same process and logger, or, without one,
 * is one reason named by its exception.
 *
 * <p>Feed it the log as it grows with {@link #accept(String)}; {@link #result()} judges what it has
 * read so far as if the log ended there (so a run still loading its modules is "failed" until
 * {@code Modules loaded.} arrives). It keeps counts and the first few reasons, never the log.
 *
 * <p>Thread-safe: one thread may follow the log while others ask for the result.
 */
public final class LogAnalyzer
{
    public static final int MAX_REASONS = 10;

    private static final String TRACEBACK = "Traceback (most recent call last):";
    private static final int MAX_MESSAGE_LENGTH = 200;
    private static final Duration SPLIT_LINE_GAP = Duration.ofMillis(100);
    private static final Pattern TEST_SUMMARY = Pattern.compile("(\\d{1,9}) failed, (\\d{1,9}) error\\(s\\) of (\\d{1,9}) tests? when loading database ['\"].*['\"]");

    private final boolean expectModulesLoaded;

    private long lines;
    private int errors;
    private int warnings;
    private int tracebacks;
    private boolean modulesLoaded;
    private Optional<TestSummary> tests = Optional.empty();
    private final List<String> failureReasons = new ArrayList<>();
    private final List<String> warningReasons = new ArrayList<>();
    private int failuresNotShown;
    private int warningsNotShown;
    // The record continuation lines belong to; empty before the first record.
    private Optional<OdooLogLine> currentRecord = Optional.empty();
    private long currentRecordLine;
    // The reason of the current record, if it gave one, which a traceback below it completes.
    private int recordReason = -1;
    // The reason a traceback in progress completes with its exception line, and its text so far.
    private int openTracebackReason = -1;
    private String openTracebackBase = "";
    private boolean lastLineWasFrame;
    // A traceback written one record per line, while its lines arrive; empty otherwise.
    private Optional<SplitTraceback> splitTraceback = Optional.empty();

    private LogAnalyzer(boolean expectModulesLoaded)
    {
        this.expectModulesLoaded = expectModulesLoaded;
    }

    /**
     * For the log of a run that installs or updates modules ({@code -i}, {@code -u}, tests): it
     * must reach {@code Modules loaded.}.
     */
    public static LogAnalyzer forInstallOrUpdate()
    {
        return new LogAnalyzer(true);
    }

    /**
     * For a log that need not load modules, e.g. {@code neutralize.log} or a slice of a running server's log.
     */
    public static LogAnalyzer withoutModuleLoading()
    {
        return new LogAnalyzer(false);
    }

    /**
     * Reads the next line of the log. A text holding several lines is read line by line.
     */
    public synchronized void accept(String line)
    {
        requireNonNull(line, "line is null");
        if (line.indexOf('\n') >= 0) {
            for (String part : line.split("\n", -1)) {
                acceptLine(part);
            }
            return;
        }
        acceptLine(line);
    }

    public synchronized LogAnalysis result()
    {
        boolean modulesMissing = expectModulesLoaded && !modulesLoaded;
        BuildVerdict verdict;
        List<String> reasons = new ArrayList<>();
        if (errors > 0 || tracebacks > 0 || modulesMissing) {
            verdict = BuildVerdict.FAILED;
            reasons.addAll(failureReasons);
            if (failuresNotShown > 0) {
                reasons.add("and " + failuresNotShown + " more failures");
            }
            if (modulesMissing) {
                reasons.add("'Modules loaded.' not found in the log: Odoo did not finish loading the modules"
                        + (lines == 0 ? " (the log is empty)" : " (it stopped early, crashed, or is still loading)"));
            }
        }
        else if (warnings > 0) {
            verdict = BuildVerdict.WARNING;
            reasons.addAll(warningReasons);
            if (warningsNotShown > 0) {
                reasons.add("and " + warningsNotShown + " more warnings");
            }
        }
        else {
            verdict = BuildVerdict.SUCCESS;
        }
        return new LogAnalysis(verdict, reasons, lines, errors, warnings, tracebacks, modulesLoaded, tests);
    }

    private void acceptLine(String rawLine)
    {
        lines++;
        String line = OdooLogLine.withoutColors(rawLine.endsWith("\r") ? rawLine.substring(0, rawLine.length() - 1) : rawLine);
        Optional<OdooLogLine> parsed = OdooLogLine.parse(line);
        if (parsed.isPresent() && splitTraceback.isPresent() && splitTraceback.get().continuesWith(parsed.get())) {
            splitTracebackLine(parsed.get());
            return;
        }
        splitTraceback = Optional.empty();
        if (parsed.isPresent() && parsed.get().message().startsWith(TRACEBACK)) {
            splitTracebackStart(parsed.get());
            return;
        }
        if (parsed.isPresent()) {
            currentRecord = parsed;
            currentRecordLine = lines;
            recordReason = -1;
            openTracebackReason = -1;
            lastLineWasFrame = false;
            record(parsed.get());
        }
        else {
            continuation(line);
        }
        if (line.stripTrailing().endsWith(TRACEBACK)) {
            traceback();
        }
    }

    /**
     * A record whose message is a traceback's first line: the traceback of the record before it
     * when that one comes from the same process and logger (its lines are then records of their
     * own), else a traceback of its own, named by its exception line when that arrives.
     */
    private void splitTracebackStart(OdooLogLine record)
    {
        tracebacks++;
        if (currentRecord.isPresent() && currentRecordLine == lines - 1 && SplitTraceback.sameSource(currentRecord.get(), record)) {
            // The traceback of the record just before: an ERROR record's exception completes its
            // reason; below a WARNING or INFO record, a traceback is a failure of its own.
            if (currentRecord.get().isError()) {
                splitTraceback = Optional.of(new SplitTraceback(record, recordReason, recordReason >= 0 ? failureReasons.get(recordReason) : ""));
            }
            else {
                splitTraceback = Optional.of(new SplitTraceback(record, addTracebackReason(), tracebackReason()));
            }
            return;
        }
        currentRecord = Optional.of(record);
        currentRecordLine = lines;
        recordReason = -1;
        lastLineWasFrame = false;
        if (record.isError()) {
            errors++;
        }
        else if (record.isWarning()) {
            warnings++;
        }
        // Its lines may also follow as plain continuation lines (_logger.error(traceback.format_exc())).
        openTracebackReason = addTracebackReason();
        openTracebackBase = tracebackReason();
        splitTraceback = Optional.of(new SplitTraceback(record, openTracebackReason, openTracebackBase));
    }

    private void splitTracebackLine(OdooLogLine record)
    {
        SplitTraceback traceback = splitTraceback.orElseThrow();
        String message = record.message();
        boolean frame = isFrame(message);
        boolean separator = isSeparator(message);
        if (message.startsWith(TRACEBACK)) {
            tracebacks++;
            traceback.afterException = false;
        }
        else if (!frame && !separator && traceback.lastWasFrame) {
            // The unindented line right after the frames names the exception (the last one names
            // the last exception of a chain); later lines continue its message.
            traceback.afterException = true;
            if (traceback.reason >= 0) {
                failureReasons.set(traceback.reason, traceback.base + ": " + shorten(message.strip()));
            }
        }
        traceback.lastWasFrame = frame;
        traceback.lastWasSeparator = separator;
        traceback.last = record;
    }

    private void record(OdooLogLine record)
    {
        if (record.isError()) {
            errors++;
            if (addFailureReason(describe(record) + " at line " + lines)) {
                recordReason = failureReasons.size() - 1;
            }
        }
        else if (record.isWarning()) {
            warnings++;
            if (warningReasons.size() < MAX_REASONS) {
                warningReasons.add(describe(record) + " at line " + lines);
            }
            else {
                warningsNotShown++;
            }
        }
        if (record.message().startsWith("Modules loaded.") && record.logger().endsWith("modules.loading")) {
            modulesLoaded = true;
        }
        Matcher summary = TEST_SUMMARY.matcher(record.message());
        if (summary.lookingAt()) {
            TestSummary previous = tests.orElse(new TestSummary(0, 0, 0));
            tests = Optional.of(new TestSummary(
                    previous.run() + Integer.parseInt(summary.group(3)),
                    previous.failed() + Integer.parseInt(summary.group(1)),
                    previous.errored() + Integer.parseInt(summary.group(2))));
        }
    }

    private void continuation(String line)
    {
        boolean frame = isFrame(line);
        boolean separator = isSeparator(line) || line.startsWith(TRACEBACK);
        // The unindented line right after a traceback's frames names the exception, e.g.
        // "psycopg2.errors.UndefinedTable: ..."; the last one of a chain names the last exception.
        if (!frame && !separator && lastLineWasFrame && openTracebackReason >= 0) {
            failureReasons.set(openTracebackReason, openTracebackBase + ": " + shorten(line.strip()));
        }
        lastLineWasFrame = frame;
    }

    private void traceback()
    {
        tracebacks++;
        if (openTracebackReason >= 0) {
            // A chained traceback: the reason already open will name the last exception.
            return;
        }
        if (currentRecord.isPresent() && currentRecord.get().isError()) {
            // The traceback of an ERROR record: its exception completes the record's reason.
            if (recordReason >= 0) {
                openTracebackReason = recordReason;
                openTracebackBase = failureReasons.get(recordReason);
            }
            return;
        }
        openTracebackReason = addTracebackReason();
        openTracebackBase = tracebackReason();
    }

    private String tracebackReason()
    {
        return "Traceback at line " + lines;
    }

    /**
     * Adds "Traceback at line N", to be completed by its exception; returns its index, -1 when too many reasons are shown.
     */
    private int addTracebackReason()
    {
        return addFailureReason(tracebackReason()) ? failureReasons.size() - 1 : -1;
    }

    // An indented traceback line: "  File ...", its code, Python 3.11's carets.
    private static boolean isFrame(String line)
    {
        return !line.isBlank() && Character.isWhitespace(line.charAt(0));
    }

    private static boolean isSeparator(String line)
    {
        return line.isBlank() || SplitTraceback.isChainSeparator(line);
    }

    private boolean addFailureReason(String reason)
    {
        if (failureReasons.size() < MAX_REASONS) {
            failureReasons.add(reason);
            return true;
        }
        failuresNotShown++;
        return false;
    }

    /**
     * A traceback whose lines are records of their own, from the same process, level, database
     * and logger as its first line.
     */
    private final class SplitTraceback
    {
        private final OdooLogLine first;
        private final int reason;
        private final String base;
        private OdooLogLine last;
        private boolean lastWasFrame;
        private boolean lastWasSeparator;
        private boolean afterException;

        /**
         * @param reason the reason its exception line completes, -1 for none
         * @param base that reason's text before the exception
         */
        SplitTraceback(OdooLogLine first, int reason, String base)
        {
            this.first = first;
            this.last = first;
            this.reason = reason;
            this.base = base;
        }

        boolean continuesWith(OdooLogLine record)
        {
            if (!sameSource(first, record)) {
                return false;
            }
            // A shipper that keeps the record's header on each of its lines keeps its time too.
            if (record.timestamp().equals(first.timestamp())) {
                return true;
            }
            String message = record.message();
            if (message.isBlank() || isChainSeparator(message)) {
                return true;
            }
            if (message.startsWith(TRACEBACK)) {
                return lastWasSeparator;
            }
            if (afterException) {
                // The rest of the exception's message (e.g. psycopg2's "LINE 1: ..." and its caret),
                // written with it, within a few milliseconds.
                return !record.timestamp().isAfter(last.timestamp().plus(SPLIT_LINE_GAP));
            }
            return Character.isWhitespace(message.charAt(0)) || lastWasFrame;
        }

        static boolean sameSource(OdooLogLine first, OdooLogLine second)
        {
            return first.pid() == second.pid() && first.level().equals(second.level())
                    && first.logger().equals(second.logger()) && first.database().equals(second.database());
        }

        static boolean isChainSeparator(String message)
        {
            return message.startsWith("During handling of the above exception") || message.startsWith("The above exception was the direct cause");
        }
    }

    private static String describe(OdooLogLine record)
    {
        String message = shorten(record.message());
        if (record.isError() && (message.startsWith("FAIL: ") || message.startsWith("ERROR: "))) {
            return message;
        }
        return record.level() + " " + record.logger() + ": " + message;
    }

    private static String shorten(String text)
    {
        return text.length() > MAX_MESSAGE_LENGTH ? text.substring(0, MAX_MESSAGE_LENGTH - 3) + "..." : text;
    }
}
