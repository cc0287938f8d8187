package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.odoo.LogAnalysis.TestSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LogAnalyzerTest
{
    private static final String START = """
            2024-05-02 10:15:40,001 7 INFO ? odoo: Odoo version 17.0-20240501
            2024-05-02 10:15:40,002 7 INFO ? odoo: addons paths: ['/usr/lib/python3/dist-packages/odoo/addons', '/var/lib/odoo/addons/17.0', '/mnt/extra-addons']
            2024-05-02 10:15:40,003 7 INFO ? odoo: database: stagehand@172.18.0.1:55432
            2024-05-02 10:15:40,500 7 INFO acme-dev-1 odoo.modules.loading: init db
            2024-05-02 10:15:41,100 7 INFO acme-dev-1 odoo.modules.loading: loading 1 modules...
            2024-05-02 10:15:44,300 7 INFO acme-dev-1 odoo.modules.loading: 1 modules loaded in 3.20s, 0 queries (+0 extra)
            2024-05-02 10:15:45,000 7 INFO acme-dev-1 odoo.modules.loading: loading 12 modules...
            2024-05-02 10:15:46,000 7 INFO acme-dev-1 odoo.modules.registry: module sale_custom: creating or updating database tables
            2024-05-02 10:15:47,123 7 INFO acme-dev-1 odoo.addons.sale_custom.tests.test_order: Starting TestOrder.test_confirm ...
            """;

    private static final String END_OK = """
            2024-05-02 10:15:50,000 7 INFO acme-dev-1 odoo.modules.loading: 12 modules loaded in 5.00s, 4242 queries (+4242 extra)
            2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
            2024-05-02 10:15:51,100 7 INFO acme-dev-1 odoo.service.server: Starting post tests
            2024-05-02 10:15:55,000 7 INFO acme-dev-1 odoo.service.server: 12 post-tests in 3.90s, 1200 queries
            2024-05-02 10:15:55,001 7 INFO acme-dev-1 odoo.tests.result: 0 failed, 0 error(s) of 57 tests when loading database 'acme-dev-1'
            2024-05-02 10:15:55,100 7 INFO acme-dev-1 odoo.service.server: Initiating shutdown
            2024-05-02 10:15:55,101 7 INFO acme-dev-1 odoo.service.server: Hit CTRL-C again or send a second signal to force the shutdown.
            """;

    private static final String FAILED_TESTS = """
            2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: FAIL: TestOrder.test_confirm
            Traceback (most recent call last):
              File "/mnt/extra-addons/sale_custom/tests/test_order.py", line 21, in test_confirm
                self.assertEqual(order.state, 'sale')
            AssertionError: 'draft' != 'sale'
            - draft
            + sale

            2024-05-02 10:15:47,300 7 INFO acme-dev-1 odoo.addons.sale_custom.tests.test_order: Starting TestOrder.test_cancel ...
            2024-05-02 10:15:47,400 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: ERROR: TestOrder.test_cancel
            Traceback (most recent call last):
              File "/mnt/extra-addons/sale_custom/models/sale_order.py", line 40, in action_cancel
                return self._states[state]
            KeyError: 'cancel'
            """;

    private static final String END_FAILED = """
            2024-05-02 10:15:50,000 7 INFO acme-dev-1 odoo.modules.loading: 12 modules loaded in 5.00s, 4242 queries (+4242 extra)
            2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
            2024-05-02 10:15:55,001 7 ERROR acme-dev-1 odoo.tests.result: 1 failed, 1 error(s) of 57 tests when loading database 'acme-dev-1'
            2024-05-02 10:15:55,100 7 INFO acme-dev-1 odoo.service.server: Initiating shutdown
            """;

    @Test
    void testSuccess()
    {
        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), START + END_OK);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.SUCCESS);
        assertThat(analysis.reasons()).isEmpty();
        assertThat(analysis.lines()).isEqualTo(16);
        assertThat(analysis.errors()).isZero();
        assertThat(analysis.warnings()).isZero();
        assertThat(analysis.tracebacks()).isZero();
        assertThat(analysis.modulesLoaded()).isTrue();
        assertThat(analysis.tests()).contains(new TestSummary(57, 0, 0));
    }

    @Test
    void testFailedTests()
    {
        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), START + FAILED_TESTS + END_FAILED);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.reasons()).containsExactly(
                "FAIL: TestOrder.test_confirm at line 10: AssertionError: 'draft' != 'sale'",
                "ERROR: TestOrder.test_cancel at line 19: KeyError: 'cancel'",
                "ERROR odoo.tests.result: 1 failed, 1 error(s) of 57 tests when loading database 'acme-dev-1' at line 26");
        assertThat(analysis.errors()).isEqualTo(3);
        assertThat(analysis.tracebacks()).isEqualTo(2);
        assertThat(analysis.modulesLoaded()).isTrue();
        assertThat(analysis.tests()).contains(new TestSummary(57, 1, 1));
    }

    @Test
    void testWarnings()
    {
        String log = START + """
                2024-05-02 10:15:48,000 7 WARNING acme-dev-1 odoo.modules.loading: The model sale.custom.wizard has no access rules, consider adding one. E.g. access_sale_custom_wizard,access_sale_custom_wizard,model_sale_custom_wizard,base.group_user,1,0,0,0
                2024-05-02 10:15:48,500 7 WARNING acme-dev-1 py.warnings: /mnt/extra-addons/sale_custom/models/sale.py:12: DeprecationWarning: Since 17.0, use _read_group
                  warnings.warn(
                """ + END_OK;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.WARNING);
        assertThat(analysis.warnings()).isEqualTo(2);
        assertThat(analysis.reasons()).containsExactly(
                "WARNING odoo.modules.loading: %s at line 10".formatted("The model sale.custom.wizard has no access rules, consider adding one. "
                        + "E.g. access_sale_custom_wizard,access_sale_custom_wizard,model_sale_custom_wizard,base.group_user,1,0,0,0"),
                "WARNING py.warnings: /mnt/extra-addons/sale_custom/models/sale.py:12: DeprecationWarning: Since 17.0, use _read_group at line 11");
    }

    @Test
    void testZeroTestsIsAWarning()
    {
        String log = START + """
                2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
                2024-05-02 10:15:55,001 7 WARNING acme-dev-1 odoo.tests.result: 0 failed, 0 error(s) of 0 tests when loading database 'acme-dev-1'
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.WARNING);
        assertThat(analysis.reasons()).containsExactly("WARNING odoo.tests.result: 0 failed, 0 error(s) of 0 tests when loading database 'acme-dev-1' at line 11");
        assertThat(analysis.tests()).contains(new TestSummary(0, 0, 0));
    }

    @Test
    void testCrashBeforeModulesLoad()
    {
        String log = """
                2024-05-02 10:15:40,001 7 INFO ? odoo: Odoo version 17.0-20240501
                Traceback (most recent call last):
                  File "/usr/bin/odoo", line 8, in <module>
                    odoo.cli.main()
                  File "/usr/lib/python3/dist-packages/odoo/cli/command.py", line 66, in main
                    o.run(args)
                psycopg2.OperationalError: connection to server at "db" (172.18.0.2), port 5432 failed: Connection refused
                \tIs the server running on that host and accepting TCP/IP connections?
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.errors()).isZero();
        assertThat(analysis.tracebacks()).isEqualTo(1);
        assertThat(analysis.modulesLoaded()).isFalse();
        assertThat(analysis.tests()).isEmpty();
        assertThat(analysis.reasons()).containsExactly(
                "Traceback at line 2: psycopg2.OperationalError: connection to server at \"db\" (172.18.0.2), port 5432 failed: Connection refused",
                "'Modules loaded.' not found in the log: Odoo did not finish loading the modules (it stopped early, crashed, or is still loading)");
    }

    @Test
    void testChainedTracebackNamesTheLastException()
    {
        String log = """
                2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
                2024-05-02 10:15:52,000 7 INFO acme-dev-1 odoo.addons.sale_custom.models.sale: syncing
                Traceback (most recent call last):
                  File "/mnt/extra-addons/sale_custom/models/sale.py", line 12, in sync
                KeyError: 'x'

                During handling of the above exception, another exception occurred:

                Traceback (most recent call last):
                  File "/mnt/extra-addons/sale_custom/models/sale.py", line 14, in sync
                ValueError: cannot sync
                2024-05-02 10:15:53,000 7 INFO acme-dev-1 odoo.service.server: Initiating shutdown
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.tracebacks()).isEqualTo(2);
        assertThat(analysis.reasons()).containsExactly("Traceback at line 3: ValueError: cannot sync");
    }

    // A record's traceback names the exception behind it, as the first line of the reason says what failed.
    @Test
    void testErrorRecordReasonNamesItsException()
    {
        String log = """
                2024-05-02 10:15:46,000 7 WARNING acme-dev-1 odoo.modules.loading: Transient module states were reset
                2024-05-02 10:15:46,001 7 ERROR acme-dev-1 odoo.modules.registry: Failed to load registry
                Traceback (most recent call last):
                  File "/usr/lib/python3/dist-packages/odoo/modules/registry.py", line 87, in new
                    odoo.modules.load_modules(registry, force_demo, status, update_module)
                odoo.exceptions.UserError: Unable to install module "phone_extra" because an external dependency is not met: Python library not installed: phonenumbers
                2024-05-02 10:15:46,002 7 CRITICAL acme-dev-1 odoo.service.server: Failed to initialize database `acme-dev-1`.
                Traceback (most recent call last):
                  File "/usr/lib/python3/dist-packages/odoo/service/server.py", line 1301, in preload_registries
                odoo.exceptions.UserError: Unable to install module "phone_extra" because an external dependency is not met: Python library not installed: phonenumbers
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.reasons().get(0)).isEqualTo("ERROR odoo.modules.registry: Failed to load registry at line 2: odoo.exceptions.UserError: "
                + "Unable to install module \"phone_extra\" because an external dependency is not met: Python library not installed: phonenumbers");
        assertThat(analysis.tracebacks()).isEqualTo(2);
    }

    @Test
    void testTracebackBelowAWarningFails()
    {
        String log = """
                2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
                2024-05-02 10:15:52,000 7 WARNING acme-dev-1 odoo.addons.mail.models.mail_mail: Mail delivery failed
                Traceback (most recent call last):
                  File "/usr/lib/python3/dist-packages/odoo/addons/base/models/ir_mail_server.py", line 700, in send_email
                smtplib.SMTPServerDisconnected: Connection unexpectedly closed
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.warnings()).isEqualTo(1);
        assertThat(analysis.reasons()).containsExactly("Traceback at line 3: smtplib.SMTPServerDisconnected: Connection unexpectedly closed");
    }

    // As runbot and log shippers write a traceback: each of its lines a record with the same header.
    @Test
    void testTracebackLoggedOneRecordPerLineIsOneReason()
    {
        String log = """
                2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
                2024-05-02 10:15:52,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: Failed to sync order S00042
                2024-05-02 10:15:52,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: Traceback (most recent call last):
                2024-05-02 10:15:52,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale:   File "/mnt/extra-addons/sale_custom/models/sale.py", line 14, in sync
                2024-05-02 10:15:52,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale:     raise ValueError('cannot sync')
                2024-05-02 10:15:52,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: ValueError: cannot sync
                2024-05-02 10:15:53,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: Traceback (most recent call last):
                2024-05-02 10:15:53,001 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale:   File "/mnt/extra-addons/sale_custom/models/sale.py", line 30, in cancel
                2024-05-02 10:15:53,002 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: KeyError: 'cancel'
                2024-05-02 10:15:54,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: Failed to cancel order S00043
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.errors()).isEqualTo(3);
        assertThat(analysis.tracebacks()).isEqualTo(2);
        assertThat(analysis.reasons()).containsExactly(
                "ERROR odoo.addons.sale_custom.models.sale: Failed to sync order S00042 at line 2: ValueError: cannot sync",
                "Traceback at line 7: KeyError: 'cancel'",
                "ERROR odoo.addons.sale_custom.models.sale: Failed to cancel order S00043 at line 10");
    }

    @Test
    void testTracebackLoggedOneRecordPerLineBelowAWarningIsAFailureOfItsOwn()
    {
        String log = """
                2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
                2024-05-02 10:15:52,000 7 WARNING acme-dev-1 odoo.modules.loading: Module sale_custom demo data failed to install, installed without demo data
                2024-05-02 10:15:52,001 7 WARNING acme-dev-1 odoo.modules.loading: Traceback (most recent call last):
                2024-05-02 10:15:52,002 7 WARNING acme-dev-1 odoo.modules.loading:   File "/usr/lib/python3/dist-packages/odoo/modules/loading.py", line 80, in load_demo
                2024-05-02 10:15:52,003 7 WARNING acme-dev-1 odoo.modules.loading: psycopg2.errors.UndefinedColumn: column "x" does not exist
                2024-05-02 10:15:52,004 7 WARNING acme-dev-1 odoo.modules.loading: LINE 1: SELECT x FROM sale_order
                2024-05-02 10:15:52,005 7 WARNING acme-dev-1 odoo.modules.loading:                ^
                2024-05-02 10:15:55,000 7 WARNING acme-dev-1 odoo.modules.loading: Another warning, later
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.warnings()).isEqualTo(2);
        assertThat(analysis.reasons()).containsExactly("Traceback at line 3: psycopg2.errors.UndefinedColumn: column \"x\" does not exist");
    }

    // _logger.error(traceback.format_exc()): the record is the traceback's first line, the rest plain lines.
    @Test
    void testRecordThatIsATracebackNamesItsException()
    {
        String log = """
                2024-05-02 10:15:51,000 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded.
                2024-05-02 10:15:52,000 7 ERROR acme-dev-1 odoo.addons.sale_custom.models.sale: Traceback (most recent call last):
                  File "/mnt/extra-addons/sale_custom/models/sale.py", line 14, in sync
                    raise ValueError('cannot sync')
                ValueError: cannot sync
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.errors()).isEqualTo(1);
        assertThat(analysis.reasons()).containsExactly("Traceback at line 2: ValueError: cannot sync");
    }

    @Test
    void testFailedTestLoggedOneRecordPerLineIsOneReason()
    {
        String log = START + """
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: FAIL: TestOrder.test_confirm
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: Traceback (most recent call last):
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order:   File "/mnt/extra-addons/sale_custom/tests/test_order.py", line 21, in test_confirm
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order:     self.assertEqual(order.state, 'sale')
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: AssertionError: 'draft' != 'sale'
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: - draft
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: + sale
                2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order:\s
                """ + END_FAILED;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.errors()).isEqualTo(2);
        assertThat(analysis.reasons()).containsExactly(
                "FAIL: TestOrder.test_confirm at line 10: AssertionError: 'draft' != 'sale'",
                "ERROR odoo.tests.result: 1 failed, 1 error(s) of 57 tests when loading database 'acme-dev-1' at line 20");
    }

    @Test
    void testCritical()
    {
        String log = """
                2024-05-02 10:15:40,001 7 CRITICAL acme-dev-1 odoo.modules.module: Couldn't load module sale_custom
                2024-05-02 10:15:40,002 7 CRITICAL acme-dev-1 odoo.modules.module: No module named 'openupgradelib'
                """;

        LogAnalysis analysis = analyze(LogAnalyzer.forInstallOrUpdate(), log);

        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analysis.errors()).isEqualTo(2);
        assertThat(analysis.reasons()).containsExactly(
                "CRITICAL odoo.modules.module: Couldn't load module sale_custom at line 1",
                "CRITICAL odoo.modules.module: No module named 'openupgradelib' at line 2",
                "'Modules loaded.' not found in the log: Odoo did not finish loading the modules (it stopped early, crashed, or is still loading)");
    }

    @Test
    void testLogWithoutModuleLoading()
    {
        String log = """
                2024-05-02 11:00:00,001 9 INFO acme-staging-3 odoo.addons.base.models.ir_module: Neutralizing database acme-staging-3
                2024-05-02 11:00:01,001 9 INFO acme-staging-3 odoo.modules.neutralize: Neutralization finished
                """;

        assertThat(analyze(LogAnalyzer.withoutModuleLoading(), log).verdict()).isEqualTo(BuildVerdict.SUCCESS);
        assertThat(analyze(LogAnalyzer.forInstallOrUpdate(), log).verdict()).isEqualTo(BuildVerdict.FAILED);
    }

    @Test
    void testEmptyLog()
    {
        LogAnalysis install = LogAnalyzer.forInstallOrUpdate().result();

        assertThat(install.verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(install.reasons()).containsExactly("'Modules loaded.' not found in the log: Odoo did not finish loading the modules (the log is empty)");
        assertThat(LogAnalyzer.withoutModuleLoading().result().verdict()).isEqualTo(BuildVerdict.SUCCESS);
    }

    @Test
    void testLiveLog()
    {
        LogAnalyzer analyzer = LogAnalyzer.forInstallOrUpdate();
        START.lines().forEach(analyzer::accept);

        assertThat(analyzer.result().verdict()).isEqualTo(BuildVerdict.FAILED);
        assertThat(analyzer.result().modulesLoaded()).isFalse();

        END_OK.lines().forEach(analyzer::accept);

        assertThat(analyzer.result().verdict()).isEqualTo(BuildVerdict.SUCCESS);
        assertThat(analyzer.result().lines()).isEqualTo(16);
    }

    @Test
    void testReasonsAreLimited()
    {
        LogAnalyzer analyzer = LogAnalyzer.forInstallOrUpdate();
        analyzer.accept("2024-05-02 10:15:51,000 7 INFO db odoo.modules.loading: Modules loaded.");
        for (int test = 1; test <= 15; test++) {
            analyzer.accept("2024-05-02 10:15:52,000 7 ERROR db odoo.addons.x.tests.test_x: FAIL: TestX.test_" + test);
        }
        for (int warning = 1; warning <= 12; warning++) {
            analyzer.accept("2024-05-02 10:15:53,000 7 WARNING db odoo.x: warning " + warning);
        }

        LogAnalysis analysis = analyzer.result();

        assertThat(analysis.errors()).isEqualTo(15);
        assertThat(analysis.warnings()).isEqualTo(12);
        assertThat(analysis.reasons()).hasSize(LogAnalyzer.MAX_REASONS + 1);
        assertThat(analysis.reasons()).startsWith("FAIL: TestX.test_1 at line 2", "FAIL: TestX.test_2 at line 3");
        assertThat(analysis.reasons()).endsWith("FAIL: TestX.test_10 at line 11", "and 5 more failures");
    }

    @Test
    void testLongMessagesAreShortened()
    {
        LogAnalyzer analyzer = LogAnalyzer.withoutModuleLoading();
        analyzer.accept("2024-05-02 10:15:53,000 7 ERROR db odoo.sql_db: bad query: " + "x".repeat(500));

        assertThat(analyzer.result().reasons()).singleElement().satisfies(reason -> {
            assertThat(reason).startsWith("ERROR odoo.sql_db: bad query: xxx").endsWith("xxx... at line 1");
            assertThat(reason).hasSize("ERROR odoo.sql_db: ".length() + 200 + " at line 1".length());
        });
    }

    @Test
    void testWarningReasonsAreLimited()
    {
        LogAnalyzer analyzer = LogAnalyzer.withoutModuleLoading();
        for (int warning = 1; warning <= 12; warning++) {
            analyzer.accept("2024-05-02 10:15:53,000 7 WARNING db odoo.x: warning " + warning);
        }

        assertThat(analyzer.result().reasons()).hasSize(LogAnalyzer.MAX_REASONS + 1).endsWith("WARNING odoo.x: warning 10 at line 10", "and 2 more warnings");
    }

    @Test
    void testColorsCarriageReturnsAndSeveralLinesAtOnce()
    {
        LogAnalyzer analyzer = LogAnalyzer.forInstallOrUpdate();
        analyzer.accept("2024-05-02 10:15:51,000 7 \u001B[1;32m\u001B[1;49mINFO\u001B[0m db odoo.modules.loading: Modules loaded.\r");
        analyzer.accept("2024-05-02 10:15:52,000 7 \u001B[1;31m\u001B[1;49mERROR\u001B[0m db odoo.http: oops\r\n"
                + "Traceback (most recent call last):\r\n"
                + "ValueError: x\r");

        LogAnalysis analysis = analyzer.result();

        assertThat(analysis.lines()).isEqualTo(4);
        assertThat(analysis.modulesLoaded()).isTrue();
        assertThat(analysis.errors()).isEqualTo(1);
        assertThat(analysis.tracebacks()).isEqualTo(1);
        assertThat(analysis.reasons()).containsExactly("ERROR odoo.http: oops at line 2");
    }

    @Test
    void testSummariesAreSummed()
    {
        LogAnalyzer analyzer = LogAnalyzer.withoutModuleLoading();
        analyzer.accept("2024-05-02 10:15:55,001 7 INFO db1 odoo.tests.result: 0 failed, 0 error(s) of 10 tests when loading database 'db1'");
        analyzer.accept("2024-05-02 10:15:55,002 7 ERROR db2 odoo.tests.result: 2 failed, 1 error(s) of 5 tests when loading database 'db2'");

        assertThat(analyzer.result().tests()).contains(new TestSummary(15, 2, 1));
    }

    @Test
    void testConcurrentReadersAndWriters()
            throws Exception
    {
        LogAnalyzer analyzer = LogAnalyzer.withoutModuleLoading();
        int writers = 4;
        int linesPerWriter = 2_000;
        ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int writer = 0; writer < writers; writer++) {
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int line = 0; line < linesPerWriter; line++) {
                        analyzer.accept(line % 2 == 0
                                ? "2024-05-02 10:15:52,000 7 WARNING db odoo.x: warning"
                                : "2024-05-02 10:15:52,000 7 INFO db odoo.x: info");
                    }
                    return null;
                }));
            }
            futures.add(executor.submit(() -> {
                start.await();
                for (int read = 0; read < 200; read++) {
                    LogAnalysis analysis = analyzer.result();
                    assertThat((long) analysis.warnings()).isLessThanOrEqualTo(analysis.lines());
                }
                return null;
            }));
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            executor.shutdownNow();
        }

        LogAnalysis analysis = analyzer.result();
        assertThat(analysis.lines()).isEqualTo((long) writers * linesPerWriter);
        assertThat(analysis.warnings()).isEqualTo(writers * linesPerWriter / 2);
        assertThat(analysis.verdict()).isEqualTo(BuildVerdict.WARNING);
        assertThat(analysis.reasons()).hasSize(LogAnalyzer.MAX_REASONS + 1).last().isEqualTo("and 3990 more warnings");
    }

    private static LogAnalysis analyze(LogAnalyzer analyzer, String log)
    {
        log.lines().forEach(analyzer::accept);
        return analyzer.result();
    }
}
