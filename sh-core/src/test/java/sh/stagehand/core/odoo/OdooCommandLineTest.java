package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.odoo.OdooCommandLine.Subcommand;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OdooCommandLineTest
{
    @Test
    void testDevelopmentBuild()
    {
        OdooCommandLine command = OdooCommandLine.server()
                .withDatabase("acme-dev-feature-42")
                .withInstall(List.of("sale_custom", "stock_custom"))
                .withTestTags("/sale_custom,-slow")
                .withStopAfterInit()
                .withAddonsPath(List.of("/mnt/extra-addons", "/mnt/extra-addons/oca-web"))
                .withDataDirectory("/var/lib/odoo")
                .withDatabaseServer("172.18.0.1", 55432, "stagehand")
                .withDatabasePassword("s3cret pass")
                .withDatabaseFilter()
                .withNoDatabaseList()
                .withHttpPort(8069)
                .withSmtp("172.18.0.1", 2525)
                .withMaxCronThreads(0)
                .withLogLevel("test")
                .withLogFile("/var/log/odoo/install.log")
                .build();

        assertThat(command.subcommand()).isEqualTo(Subcommand.SERVER);
        assertThat(command.arguments()).containsExactly(
                "--config=/run/stagehand/odoo.conf",
                "-d", "acme-dev-feature-42",
                "-i", "sale_custom,stock_custom",
                "--test-enable",
                "--test-tags", "/sale_custom,-slow",
                "--stop-after-init",
                "--addons-path", "/mnt/extra-addons,/mnt/extra-addons/oca-web",
                "--data-dir", "/var/lib/odoo",
                "--db-filter", "^acme\\-dev\\-feature\\-42$",
                "--no-database-list",
                "--http-port", "8069",
                "--max-cron-threads", "0",
                "--log-level=test",
                "--logfile", "/var/log/odoo/install.log");
        assertThat(command.configFile().orElseThrow()).startsWith("""
                [options]
                db_host = 172.18.0.1
                db_port = 55432
                db_user = stagehand
                db_password = s3cret pass
                smtp_server = 172.18.0.1
                smtp_port = 2525
                admin_passwd = """).matches("(?s).*admin_passwd = [0-9a-f]{48}\n");
        assertThat(command.command()).first().isEqualTo("/usr/bin/odoo");
        assertThat(command.command()).hasSize(command.arguments().size() + 1);
        assertThat(command.command().subList(1, command.command().size())).isEqualTo(command.arguments());
    }

    @Test
    void testProductionUpdate()
    {
        OdooCommandLine command = OdooCommandLine.server()
                .withExecutable("/opt/odoo/odoo-bin")
                .withDatabase("acme.prod")
                .withUpdate(List.of("sale_custom"))
                .withoutDemo()
                .withStopAfterInit()
                .withDatabaseServer("db", 5432, "odoo")
                .withSmtp("smtp.example.com", 587)
                .withSmtpCredentials("mailer@example.com", "smtp-secret")
                .build();

        assertThat(command.command()).containsExactly(
                "/opt/odoo/odoo-bin",
                "--config=/run/stagehand/odoo.conf",
                "-d", "acme.prod",
                "-u", "sale_custom",
                "--without-demo=all",
                "--stop-after-init");
        assertThat(command.configFile().orElseThrow()).contains("db_host = db\n", "smtp_server = smtp.example.com\n", "smtp_port = 587\n", "smtp_user = mailer@example.com\n",
                "smtp_password = smtp-secret\n");
    }

    @Test
    void testPasswordsNeverOnTheCommandLine()
    {
        OdooCommandLine command = OdooCommandLine.server()
                .withDatabase("acme")
                .withDatabaseServer("db", 5432, "odoo")
                .withDatabasePassword("db-secret")
                .withSmtp("smtp.example.com", 587)
                .withSmtpCredentials("mailer", "smtp-secret")
                .build();

        assertThat(command.toString()).isEqualTo("/usr/bin/odoo --config=/run/stagehand/odoo.conf -d acme");
        assertThat(command.command()).noneMatch(argument -> argument.contains("secret"));
        assertThat(command.configFile().orElseThrow()).contains("db_password = db-secret\n", "smtp_password = smtp-secret\n");
        assertThat(OdooCommandLine.server().withDatabase("acme").build().configFile()).isEmpty();
        // Each its own master password, which nobody needs: the database manager opens to nobody.
        assertThat(command.configFile()).isNotEqualTo(OdooCommandLine.server().withDatabaseServer("db", 5432, "odoo").withDatabasePassword("db-secret")
                .withSmtp("smtp.example.com", 587).withSmtpCredentials("mailer", "smtp-secret").withDatabase("acme").build().configFile());
    }

    @Test
    void testToStringQuotesForReading()
    {
        OdooCommandLine command = OdooCommandLine.server()
                .withDatabase("acme")
                .withTestTags("-standard,/sale")
                .withDatabaseFilter()
                .withLogFile("/var/log/my logs/odoo.log")
                .build();

        assertThat(command.toString()).isEqualTo("/usr/bin/odoo -d acme --test-enable --test-tags -standard,/sale --db-filter '^acme$' --logfile '/var/log/my logs/odoo.log'");
    }

    @Test
    void testModulesAccumulateWithoutRepetition()
    {
        OdooCommandLine command = OdooCommandLine.server()
                .withInstall(List.of("a", "b"))
                .withInstall(List.of("b", "c"))
                .withUpdate(List.of("all"))
                .withInstall(List.of())
                .build();

        assertThat(command.arguments()).containsExactly("-i", "a,b,c", "-u", "all");
        assertThat(OdooCommandLine.server().withInstall(List.of()).build().arguments()).isEmpty();
    }

    @Test
    void testInvalidModuleNames()
    {
        for (String name : List.of("", "Sale", "sale-custom", "sale,stock", "-i", "sale custom", "../etc", "sale.custom")) {
            assertThatThrownBy(() -> OdooCommandLine.server().withInstall(List.of(name)), name)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MODULE_NAME.toErrorCode()))
                    .hasMessageContaining("lower-case letters, digits and '_'");
        }
        assertThatThrownBy(() -> OdooCommandLine.server().withUpdate(List.of("sale;rm")))
                .hasMessageContaining("Module name 'sale;rm' is not valid");
    }

    @Test
    void testValidTestTags()
    {
        assertThat(OdooCommandLine.requireValidTestTags("standard")).isEqualTo("standard");
        assertThat(OdooCommandLine.requireValidTestTags("-standard")).isEqualTo("-standard");
        assertThat(OdooCommandLine.requireValidTestTags("+post_install")).isEqualTo("+post_install");
        assertThat(OdooCommandLine.requireValidTestTags("*")).isEqualTo("*");
        assertThat(OdooCommandLine.requireValidTestTags("/sale")).isEqualTo("/sale");
        assertThat(OdooCommandLine.requireValidTestTags(":TestSaleOrder")).isEqualTo(":TestSaleOrder");
        assertThat(OdooCommandLine.requireValidTestTags(".test_confirm")).isEqualTo(".test_confirm");
        assertThat(OdooCommandLine.requireValidTestTags("at_install/sale:TestSaleOrder.test_confirm")).isEqualTo("at_install/sale:TestSaleOrder.test_confirm");
        assertThat(OdooCommandLine.requireValidTestTags(" standard , -slow ,,/sale_custom ")).isEqualTo("standard,-slow,/sale_custom");
    }

    @Test
    void testInvalidTestTags()
    {
        for (String tags : List.of("sale custom", "/sale-custom", "tag;rm -rf", "-", "/", "a/b/c", ":Class:Other", "tag.method.more", "été")) {
            assertThatThrownBy(() -> OdooCommandLine.requireValidTestTags(tags), tags)
                    .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_TEST_TAGS.toErrorCode()))
                    .hasMessageContaining("Test tags '" + tags + "' are not valid")
                    .hasMessageContaining("Fix the branch's test tags");
        }
        assertThatThrownBy(() -> OdooCommandLine.requireValidTestTags(" , "))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("hold no filter");
        assertThatThrownBy(() -> OdooCommandLine.server().withTestTags("/sale,bad tag"))
                .hasMessageContaining("'bad tag' does not follow [-][tag][/module][:class][.method]");
    }

    @Test
    void testDatabaseFilterQuotesTheName()
    {
        assertThat(OdooCommandLine.server().withDatabase("acme.prod_2").withDatabaseFilter().build().arguments())
                .containsExactly("-d", "acme.prod_2", "--db-filter", "^acme\\.prod_2$");
        assertThatThrownBy(() -> OdooCommandLine.server().withDatabaseFilter().build())
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining("call withDatabase");
    }

    @Test
    void testInvalidDatabaseName()
    {
        assertThatThrownBy(() -> OdooCommandLine.server().withDatabase("acme$(id)"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining("Database name 'acme$(id)' is not valid");
        assertThatThrownBy(() -> OdooCommandLine.server().withDatabase("-acme"))
                .isInstanceOf(StagehandException.class);
    }

    @Test
    void testNeutralize()
    {
        OdooCommandLine command = OdooCommandLine.neutralize()
                .withDatabase("acme-staging-7")
                .withAddonsPath(List.of("/mnt/extra-addons"))
                .withDataDirectory("/var/lib/odoo")
                .withDatabaseServer("db", 5432, "odoo")
                .withDatabasePassword("secret")
                .withLogFile("/var/log/odoo/neutralize.log")
                .build();

        assertThat(command.subcommand()).isEqualTo(Subcommand.NEUTRALIZE);
        assertThat(command.command()).containsExactly(
                "/usr/bin/odoo", "neutralize",
                "--config=/run/stagehand/odoo.conf",
                "-d", "acme-staging-7",
                "--addons-path", "/mnt/extra-addons",
                "--data-dir", "/var/lib/odoo",
                "--logfile", "/var/log/odoo/neutralize.log");
        assertThat(command.configFile().orElseThrow()).contains("db_password = secret\n");
    }

    @Test
    void testShell()
    {
        assertThat(OdooCommandLine.shell().withDatabase("acme").withDatabaseServer("db", 5432, "odoo").build().arguments())
                .containsExactly("shell", "--config=/run/stagehand/odoo.conf", "-d", "acme");
    }

    @Test
    void testSubcommandsNeedDatabaseAndRefuseModuleOptions()
    {
        assertThatThrownBy(() -> OdooCommandLine.neutralize().build())
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessage("odoo neutralize needs a database: call withDatabase");
        assertThatThrownBy(() -> OdooCommandLine.shell().build())
                .hasMessage("odoo shell needs a database: call withDatabase");
        assertThatThrownBy(() -> OdooCommandLine.neutralize().withDatabase("acme").withInstall(List.of("sale")).build())
                .hasMessageContaining("odoo neutralize does not install, update or test modules");
        assertThatThrownBy(() -> OdooCommandLine.shell().withDatabase("acme").withTestEnable().build())
                .hasMessageContaining("odoo shell does not install, update or test modules");
        assertThatThrownBy(() -> OdooCommandLine.neutralize().withDatabase("acme").withStopAfterInit().build())
                .isInstanceOf(StagehandException.class);
    }

    @Test
    void testInvalidValues()
    {
        assertInvalidArgument(() -> OdooCommandLine.server().withHttpPort(0), "The HTTP port 0 is not between 1 and 65535");
        assertInvalidArgument(() -> OdooCommandLine.server().withSmtp("smtp", 70000), "The SMTP port 70000 is not between 1 and 65535");
        assertInvalidArgument(() -> OdooCommandLine.server().withDatabaseServer("db", -1, "odoo"), "The database port -1");
        assertInvalidArgument(() -> OdooCommandLine.server().withDatabaseServer("--db_host", 5432, "odoo"), "The database host '--db_host' is not valid");
        assertInvalidArgument(() -> OdooCommandLine.server().withDatabaseServer("db", 5432, "odoo user"), "The database user 'odoo user' is not valid");
        assertInvalidArgument(() -> OdooCommandLine.server().withDatabasePassword(""), "The database password is empty, holds a control character");
        assertInvalidArgument(() -> OdooCommandLine.server().withDatabasePassword("x\nadmin_passwd = admin"), "holds a control character");
        assertInvalidArgument(() -> OdooCommandLine.server().withSmtpCredentials("user", "a\0b"), "The SMTP password is empty, holds a control character");
        assertInvalidArgument(() -> OdooCommandLine.server().withAddonsPath(List.of("relative")), "The addons path entry 'relative' is not an absolute path in the container");
        assertInvalidArgument(() -> OdooCommandLine.server().withAddonsPath(List.of("/mnt/a,b")), "holds a ',', which separates entries");
        assertInvalidArgument(() -> OdooCommandLine.server().withDataDirectory("data"), "The data directory 'data'");
        assertInvalidArgument(() -> OdooCommandLine.server().withLogFile("/var/log/odoo\n.log"), "The log file");
        assertInvalidArgument(() -> OdooCommandLine.server().withMaxCronThreads(-1), "Maximum cron threads is negative");
        assertInvalidArgument(() -> OdooCommandLine.server().withLogLevel("verbose"), "Log level 'verbose' is not one of Odoo's: critical, debug,");
        assertInvalidArgument(() -> OdooCommandLine.server().withExecutable("odoo bin"), "The executable 'odoo bin' is not valid");
        assertInvalidArgument(() -> OdooCommandLine.server().withDatabasePassword("secret").build(), "A database password without a database server");
    }

    private static void assertInvalidArgument(Runnable action, String expectedMessagePart)
    {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(StandardErrorCode.INVALID_ARGUMENT.toErrorCode()))
                .hasMessageContaining(expectedMessagePart);
    }
}
