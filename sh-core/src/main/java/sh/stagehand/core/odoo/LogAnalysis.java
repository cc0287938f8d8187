package sh.stagehand.core.odoo;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@link LogAnalyzer} concluded from a log.
 *
 * @param verdict success, warning or failed
 * @param reasons why, for people: the first offending lines with their line numbers (e.g.
 *         {@code FAIL: TestSaleOrder.test_confirm at line 42}); the failures for a failed build,
 *         the warnings for a build with warnings, none for a success
 * @param lines how many lines were read
 * @param errors {@code ERROR} and {@code CRITICAL} records
 * @param warnings {@code WARNING} records
 * @param tracebacks {@code Traceback (most recent call last):} lines
 * @param modulesLoaded whether Odoo logged {@code Modules loaded.}
 * @param tests the test summary Odoo logs at the end of a run with tests, if it did
 */
public record LogAnalysis(
        BuildVerdict verdict,
        List<String> reasons,
        long lines,
        int errors,
        int warnings,
        int tracebacks,
        boolean modulesLoaded,
        Optional<TestSummary> tests)
{
    public LogAnalysis
    {
        requireNonNull(verdict, "verdict is null");
        reasons = List.copyOf(requireNonNull(reasons, "reasons is null"));
        requireNonNull(tests, "tests is null");
    }

    /**
     * Odoo's {@code F failed, E error(s) of T tests when loading database 'db'}, summed over the
     * summaries of the log.
     *
     * @param run tests run
     * @param failed tests whose assertion failed
     * @param errored tests that raised an exception
     */
    public record TestSummary(int run, int failed, int errored)
    {
        public TestSummary
        {
            if (run < 0 || failed < 0 || errored < 0) {
                throw new IllegalArgumentException("negative test count: " + run + ", " + failed + ", " + errored);
            }
        }
    }
}
