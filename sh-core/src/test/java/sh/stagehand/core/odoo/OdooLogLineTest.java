package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class OdooLogLineTest
{
    @Test
    void testParse()
    {
        assertThat(OdooLogLine.parse("2024-05-02 10:15:51,042 7 INFO acme-dev-1 odoo.modules.loading: Modules loaded."))
                .contains(new OdooLogLine(LocalDateTime.of(2024, 5, 2, 10, 15, 51, 42_000_000), 7, "INFO", Optional.of("acme-dev-1"), "odoo.modules.loading", "Modules loaded."));
    }

    @Test
    void testNoDatabase()
    {
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 4711 INFO ? odoo: Odoo version 17.0-20240501"))
                .hasValueSatisfying(line -> {
                    assertThat(line.database()).isEmpty();
                    assertThat(line.pid()).isEqualTo(4711);
                    assertThat(line.logger()).isEqualTo("odoo");
                    assertThat(line.message()).isEqualTo("Odoo version 17.0-20240501");
                });
    }

    @Test
    void testMessageWithColonsAndPerformanceInfo()
    {
        assertThat(OdooLogLine.parse("2024-05-02 10:15:47,200 7 ERROR acme-dev-1 odoo.addons.sale_custom.tests.test_order: FAIL: TestOrder.test_confirm"))
                .hasValueSatisfying(line -> {
                    assertThat(line.level()).isEqualTo("ERROR");
                    assertThat(line.isError()).isTrue();
                    assertThat(line.logger()).isEqualTo("odoo.addons.sale_custom.tests.test_order");
                    assertThat(line.message()).isEqualTo("FAIL: TestOrder.test_confirm");
                });
        assertThat(OdooLogLine.parse("2024-05-02 10:16:00,000 7 INFO acme-dev-1 werkzeug: 127.0.0.1 - - [02/May/2024 10:16:00] \"GET /web/login HTTP/1.1\" 200 - 21 0.012 0.034"))
                .hasValueSatisfying(line -> assertThat(line.message()).startsWith("127.0.0.1 - - [02/May/2024 10:16:00]").endsWith("21 0.012 0.034"));
    }

    @Test
    void testLevels()
    {
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 7 CRITICAL db odoo.service.server: Failed to initialize database `db`.")).hasValueSatisfying(line -> assertThat(line.isError()).isTrue());
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 7 WARNING db odoo.models: x")).hasValueSatisfying(line -> {
            assertThat(line.isWarning()).isTrue();
            assertThat(line.isError()).isFalse();
        });
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 7 DEBUG db odoo.sql_db: x")).hasValueSatisfying(line -> {
            assertThat(line.isWarning()).isFalse();
            assertThat(line.isError()).isFalse();
        });
    }

    @Test
    void testColoredLevel()
    {
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 7 \u001B[1;31m\u001B[1;49mERROR\u001B[0m db odoo.http: oops"))
                .hasValueSatisfying(line -> {
                    assertThat(line.level()).isEqualTo("ERROR");
                    assertThat(line.message()).isEqualTo("oops");
                });
    }

    @Test
    void testEmptyMessage()
    {
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 7 INFO db odoo.x: ")).hasValueSatisfying(line -> assertThat(line.message()).isEmpty());
        assertThat(OdooLogLine.parse("2024-05-02 10:15:40,001 7 INFO db odoo.x:")).hasValueSatisfying(line -> assertThat(line.message()).isEmpty());
    }

    @Test
    void testContinuationLines()
    {
        for (String line : List.of(
                "Traceback (most recent call last):",
                "  File \"/mnt/extra-addons/sale_custom/models/sale.py\", line 12, in action_confirm",
                "AssertionError: 'draft' != 'sale'",
                "",
                "2024-05-02 10:15:40 7 INFO db odoo: no milliseconds",
                "2024-13-02 10:15:40,001 7 INFO db odoo: month 13",
                "2024-02-30 10:15:40,001 7 INFO db odoo: 30 February",
                "2024-05-02 10:15:40,001 seven INFO db odoo: pid not a number",
                "2024-05-02 10:15:40,001 7 info db odoo: lower-case level",
                "2024-05-02 10:15:40,001 7 INFO db no logger")) {
            assertThat(OdooLogLine.parse(line)).as(line).isEmpty();
        }
    }
}
