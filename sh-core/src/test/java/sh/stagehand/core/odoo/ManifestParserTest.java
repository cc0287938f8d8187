package sh.stagehand.core.odoo;

import org.junit.jupiter.api.Test;
import sh.stagehand.core.odoo.Manifest.ExternalDependencies;
import sh.stagehand.spi.StagehandException;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestParserTest
{
    // The shape of a real Odoo 17 manifest: header comments, a triple-quoted description, nested assets.
    private static final String SALE_LIKE = """
            # -*- coding: utf-8 -*-
            # Part of Odoo. See LICENSE file for full copyright and licensing details.

            {
                'name': 'Sales',
                'version': '1.2',
                'category': 'Sales/Sales',
                'summary': 'Sales internal machinery',
                'description': \"\"\"
            This module contains all the common features of Sales Management and eCommerce.
                \"\"\",
                'depends': ['sales_team', 'account_payment', 'utm'],
                'data': [
                    'security/sale_security.xml',
                    'security/ir.model.access.csv',

                    'report/sale_report.xml',
                    'views/sale_order_views.xml',   # the main form
                ],
                'demo': [
                    'data/product_product_demo.xml',
                    'data/sale_demo.xml',
                ],
                'installable': True,
                'auto_install': False,
                'assets': {
                    'web.assets_backend': [
                        'sale/static/src/scss/sale_onboarding.scss',
                        'sale/static/src/js/**/*',
                        ('remove', 'sale/static/src/js/old_widget.js'),
                    ],
                    'web.assets_tests': [
                        'sale/static/tests/tours/**/*',
                    ],
                },
                'post_init_hook': '_synchronize_cron',
                'license': 'LGPL-3',
            }
            """;

    // The shape of an OCA manifest: double quotes, implicit concatenation, external dependencies.
    private static final String OCA_LIKE = """
            # Copyright 2023 ACME
            # License AGPL-3.0 or later (http://www.gnu.org/licenses/agpl).
            {
                "name": "Web Responsive",
                "summary": "Responsive web client, "
                "community-supported",
                "version": "17.0.1.0.3",
                "category": "Website",
                "website": "https://github.com/OCA/web",
                "author": "LasLabs, Tecnativa, " "Odoo Community Association (OCA)",
                "maintainers": ["Yajo", "Tardo"],
                "license": "LGPL-3",
                "installable": True,
                "application": False,
                "depends": ["web", "mail"],
                "external_dependencies": {"python": ["openupgradelib", "requests>=2.0"], "bin": ["wkhtmltopdf"]},
                "development_status": "Production/Stable",
                "sequence": -5,
            }
            """;

    @Test
    void testRealOdooManifest()
    {
        Manifest manifest = ManifestParser.parse("sale", SALE_LIKE);

        assertThat(manifest.addonName()).isEqualTo("sale");
        assertThat(manifest.name()).isEqualTo("Sales");
        assertThat(manifest.version()).contains("1.2");
        assertThat(manifest.depends()).containsExactly("sales_team", "account_payment", "utm");
        assertThat(manifest.data()).containsExactly(
                "security/sale_security.xml",
                "security/ir.model.access.csv",
                "report/sale_report.xml",
                "views/sale_order_views.xml");
        assertThat(manifest.demo()).containsExactly("data/product_product_demo.xml", "data/sale_demo.xml");
        assertThat(manifest.installable()).isTrue();
        assertThat(manifest.autoInstall()).isFalse();
        assertThat(manifest.application()).isFalse();
        assertThat(manifest.externalDependencies()).isEqualTo(ExternalDependencies.NONE);
        assertThat(manifest.raw())
                .containsEntry("license", "LGPL-3")
                .containsEntry("description", "\nThis module contains all the common features of Sales Management and eCommerce.\n    ")
                .containsEntry("assets", Map.of(
                        "web.assets_backend", List.of(
                                "sale/static/src/scss/sale_onboarding.scss",
                                "sale/static/src/js/**/*",
                                List.of("remove", "sale/static/src/js/old_widget.js")),
                        "web.assets_tests", List.of("sale/static/tests/tours/**/*")));
        assertThat(manifest.raw().keySet()).containsExactly(
                "name", "version", "category", "summary", "description", "depends", "data", "demo", "installable", "auto_install", "assets", "post_init_hook", "license");
    }

    @Test
    void testOcaManifest()
    {
        Manifest manifest = ManifestParser.parse("web_responsive", OCA_LIKE);

        assertThat(manifest.name()).isEqualTo("Web Responsive");
        assertThat(manifest.version()).contains("17.0.1.0.3");
        assertThat(manifest.depends()).containsExactly("web", "mail");
        assertThat(manifest.externalDependencies()).isEqualTo(new ExternalDependencies(List.of("openupgradelib", "requests>=2.0"), List.of("wkhtmltopdf")));
        assertThat(manifest.raw())
                .containsEntry("summary", "Responsive web client, community-supported")
                .containsEntry("author", "LasLabs, Tecnativa, Odoo Community Association (OCA)")
                .containsEntry("maintainers", List.of("Yajo", "Tardo"))
                .containsEntry("sequence", -5L);
    }

    // The list-of-entries form some addons declare (Odoo itself reads only the dict form).
    @Test
    void testExternalDependenciesAsAListOfEntries()
    {
        Manifest manifest = ManifestParser.parse("phone_validation_extra", """
                {
                    'name': 'Phone validation extra',
                    'version': '18.0.1.0.0',
                    'depends': ['base'],
                    'external_dependencies': [
                        {'pypi': 'phonenumbers', 'apt': 'python3-phonenumbers', 'optional': True},
                        {'python': 'requests'},
                        {'bin': 'wkhtmltopdf', 'optional': False},
                    ],
                }
                """);

        assertThat(manifest.externalDependencies()).isEqualTo(new ExternalDependencies(
                List.of("phonenumbers", "requests"), List.of("wkhtmltopdf"), List.of("python3-phonenumbers"), List.of("phonenumbers", "python3-phonenumbers")));
    }

    @Test
    void testDefaults()
    {
        Manifest manifest = ManifestParser.parse("my_module", "{}");

        assertThat(manifest.name()).isEqualTo("my_module");
        assertThat(manifest.version()).isEmpty();
        assertThat(manifest.depends()).isEmpty();
        assertThat(manifest.installable()).isTrue();
        assertThat(manifest.autoInstall()).isFalse();
        assertThat(manifest.application()).isFalse();
        assertThat(manifest.externalDependencies()).isEqualTo(ExternalDependencies.NONE);
        assertThat(manifest.data()).isEmpty();
        assertThat(manifest.demo()).isEmpty();
        assertThat(manifest.raw()).isEmpty();
        assertThat(manifest.odooVersion("17.0")).hasToString("17.0.1.0");
    }

    @Test
    void testAutoInstall()
    {
        assertThat(parse("{'depends': ['sale', 'stock'], 'auto_install': True}").autoInstall()).isTrue();
        assertThat(parse("{'depends': ['sale', 'stock'], 'auto_install': False}").autoInstall()).isFalse();
        assertThat(parse("{'depends': ['sale', 'stock'], 'auto_install': ['sale']}").autoInstall()).isTrue();
        assertThat(parse("{'depends': ['sale', 'stock'], 'auto_install': ('sale', 'stock')}").autoInstall()).isTrue();
        // [] means: always installed.
        assertThat(parse("{'depends': ['sale'], 'auto_install': []}").autoInstall()).isTrue();
        assertThat(parse("{'auto_install': None}").autoInstall()).isFalse();
        assertThat(parse("{'auto_install': 0}").autoInstall()).isFalse();
    }

    @Test
    void testAutoInstallTriggersMustBeDependencies()
    {
        assertThatThrownBy(() -> parse("""
                {
                    'depends': ['sale'],
                    'auto_install': ['sale', 'stock'],
                }
                """))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                .hasMessageContaining("my_module/__manifest__.py at line 3, column 21")
                .hasMessageContaining("the auto_install triggers ['stock'] are not in 'depends' ['sale']")
                .hasMessageContaining("add them to 'depends'");
    }

    @Test
    void testBooleansFollowPythonTruth()
    {
        assertThat(parse("{'installable': False}").installable()).isFalse();
        assertThat(parse("{'installable': 0}").installable()).isFalse();
        assertThat(parse("{'installable': ''}").installable()).isFalse();
        assertThat(parse("{'installable': None}").installable()).isFalse();
        assertThat(parse("{'installable': 1}").installable()).isTrue();
        assertThat(parse("{'application': True}").application()).isTrue();
        assertThat(parse("{'application': []}").application()).isFalse();
    }

    @Test
    void testStringForms()
    {
        Map<String, Object> raw = parse("""
                {
                    'single': 'it\\'s',
                    "double": "say \\"hi\\"",
                    'triple_single': '''one
                two''',
                    'escapes': 'tab\\there\\nnew \\\\ \\x41\\101\\u00e9\\U0001F600\\N{LATIN SMALL LETTER E WITH ACUTE}',
                    'unknown_escape': 'a\\qb',
                    'raw': r'\\d+\\.\\d+\\'',
                    'raw_upper': R"C:\\path",
                    'unicode': u'caf\\xe9',
                    'bytes': b'data\\x00',
                    'raw_bytes': br'\\x00',
                    'joined': 'a' "b" '''c''' \"\"\"d\"\"\",
                    'continued': 'first \\
                second',
                    'empty': '',
                    'quotes_inside': "it's",
                }
                """).raw();

        assertThat(raw).containsEntry("single", "it's")
                .containsEntry("double", "say \"hi\"")
                .containsEntry("triple_single", "one\ntwo")
                .containsEntry("escapes", "tab\there\nnew \\ AA\u00e9\uD83D\uDE00\u00e9")
                .containsEntry("unknown_escape", "a\\qb")
                .containsEntry("raw", "\\d+\\.\\d+\\'")
                .containsEntry("raw_upper", "C:\\path")
                .containsEntry("unicode", "caf\u00e9")
                .containsEntry("bytes", "data\u0000")
                .containsEntry("raw_bytes", "\\x00")
                .containsEntry("joined", "abcd")
                .containsEntry("continued", "first second")
                .containsEntry("empty", "")
                .containsEntry("quotes_inside", "it's");
    }

    @Test
    void testNumbersAndConstants()
    {
        Map<String, Object> raw = parse("""
                {
                    'int': 42,
                    'negative': -7,
                    'plus': +3,
                    'zero': 0,
                    'zeros': 00,
                    'underscores': 1_000_000,
                    'hex': 0xFF,
                    'octal': 0o17,
                    'binary': 0b101,
                    'big': 123456789012345678901234567890,
                    'float': 1.5,
                    'negative_float': -0.25,
                    'leading_dot': .5,
                    'trailing_dot': 2.,
                    'exponent': 1e3,
                    'negative_exponent': 2.5E-2,
                    'true': True,
                    'false': False,
                    'none': None,
                }
                """).raw();

        assertThat(raw).containsEntry("int", 42L)
                .containsEntry("negative", -7L)
                .containsEntry("plus", 3L)
                .containsEntry("zero", 0L)
                .containsEntry("zeros", 0L)
                .containsEntry("underscores", 1_000_000L)
                .containsEntry("hex", 255L)
                .containsEntry("octal", 15L)
                .containsEntry("binary", 5L)
                .containsEntry("big", new BigInteger("123456789012345678901234567890"))
                .containsEntry("float", 1.5)
                .containsEntry("negative_float", -0.25)
                .containsEntry("leading_dot", 0.5)
                .containsEntry("trailing_dot", 2.0)
                .containsEntry("exponent", 1000.0)
                .containsEntry("negative_exponent", 0.025)
                .containsEntry("true", true)
                .containsEntry("false", false)
                .containsEntry("none", Manifest.PYTHON_NONE);
        assertThat(Manifest.PYTHON_NONE).hasToString("None");
    }

    @Test
    void testContainers()
    {
        Map<String, Object> raw = parse("""
                {
                    'duplicate': 'first',
                    'empty_list': [],
                    'empty_tuple': (),
                    'empty_dict': {},
                    'one_tuple': ('a',),
                    'parenthesized': ('not a tuple'),
                    'parenthesized_join': ('one '
                                           'two'),
                    'set': {'a', 'b', 'a'},
                    'nested': {'k': [1, (2, 3), {'x': None}], 4: 'int key', ('a', 1): 'tuple key'},
                    'trailing_commas': [1, 2, ],
                    'duplicate': 'last',
                }
                """).raw();

        assertThat(raw).containsEntry("empty_list", List.of())
                .containsEntry("empty_tuple", List.of())
                .containsEntry("empty_dict", Map.of())
                .containsEntry("one_tuple", List.of("a"))
                .containsEntry("parenthesized", "not a tuple")
                .containsEntry("parenthesized_join", "one two")
                .containsEntry("set", Set.of("a", "b"))
                .containsEntry("nested", Map.of("k", List.of(1L, List.of(2L, 3L), Map.of("x", Manifest.PYTHON_NONE)), 4L, "int key", List.of("a", 1L), "tuple key"))
                .containsEntry("trailing_commas", List.of(1L, 2L))
                .containsEntry("duplicate", "last");
        // As in Python, a repeated key keeps its first place and its last value.
        assertThat(raw.keySet()).first().isEqualTo("duplicate");
        assertThat(raw.keySet()).last().isEqualTo("trailing_commas");
    }

    @Test
    void testLayoutVariants()
    {
        // Windows line endings, a byte order mark, tabs, a backslash continuation outside brackets, comments everywhere.
        String source = "\uFEFF# comment\r\n\r\n\\\r\n{\t# opening\r\n\t'name' :\t'Tabbed', # after\r\n\t'depends':\r\n\t[\r\n\t\t'base' # no comma before the bracket\r\n\t]\r\n}\r\n\r\n# trailing comment\r\n";
        Manifest manifest = ManifestParser.parse("tabbed", source.getBytes(StandardCharsets.UTF_8));

        assertThat(manifest.name()).isEqualTo("Tabbed");
        assertThat(manifest.depends()).containsExactly("base");
    }

    @Test
    void testTripleQuotedStringKeepsWindowsLineEndingsAsNewlines()
    {
        Manifest manifest = ManifestParser.parse("crlf", "{'description': '''a\r\nb'''}");

        assertThat(manifest.raw()).containsEntry("description", "a\nb");
    }

    @Test
    void testUtf8Content()
    {
        Manifest manifest = ManifestParser.parse("l10n_fr_extra", "{'name': 'Comptabilité française — extra', 'author': '日本'}".getBytes(StandardCharsets.UTF_8));

        assertThat(manifest.name()).isEqualTo("Comptabilité française — extra");
        assertThat(manifest.raw()).containsEntry("author", "日本");
    }

    @Test
    void testEmptyFile()
    {
        assertInvalid("", "at line 1, column 1: the file is empty: expected a dict literal");
        assertInvalid("# only a comment\n\n", "at line 3, column 1: the file is empty");
    }

    @Test
    void testUnterminatedString()
    {
        assertInvalid("""
                {
                    'name': 'Broken,
                    'depends': ['base'],
                }
                """, "at line 2, column 13: unterminated string: it starts here and line 2 ends before its closing '");
        assertInvalid("{'description': '''never closed\n\n}\n", "at line 1, column 17: unterminated triple-quoted string");
        assertInvalid("{'name': r'ends with a backslash\\'}", "at line 1, column 10: unterminated string");
    }

    @Test
    void testMissingCommaBetweenEntries()
    {
        assertInvalid("""
                {
                    'name': 'Module',
                    'depends': ['base']
                    'data': ['views/views.xml'],
                }
                """, "at line 4, column 5: expected ',' or '}' after the value of 'depends', found string 'data': is a ',' missing at the end of line 3?");
    }

    @Test
    void testMissingCommaBetweenStringsIsExplained()
    {
        // Python joins the two strings, so the parser sees 'Moduleversion' followed by ':'.
        assertInvalid("""
                {
                    'name': 'Module'
                    'version': '1.0',
                }
                """, "at line 3, column 14: expected ',' or '}' after the value of 'name', found ':': strings written one after the other are joined into one, here 'Moduleversion'; is a ',' missing at the end of line 2?");
    }

    @Test
    void testMissingCommaInList()
    {
        assertInvalid("{'depends': ['base' 'mail', 'sale' ['x']]}", "at line 1, column 36: expected ',' or ']' after a list element, found '['");
    }

    @Test
    void testPythonCodeIsRefused()
    {
        assertInvalid("""
                import os
                {'name': os.environ['HOME']}
                """, "at line 1, column 1: expected '{' to start the manifest dict, found name 'import': Python code (imports, assignments, calls, variables) is not allowed");
        assertInvalid("{'name': os.getcwd()}", "at line 1, column 10: expected a value, found name 'os': a manifest holds only literals");
        assertInvalid("{'data': list(range(3))}", "at line 1, column 10: expected a value, found name 'list'");
        assertInvalid("{'name': __import__('os').system('id')}", "found name '__import__'");
        assertInvalid("{'name': 'a' + 'b'}", "at line 1, column 14: expected ',' or '}' after the value of 'name', found '+'");
        assertInvalid("{'name': f'{1 + 1}'}", "at line 1, column 10: f-strings are not allowed in a manifest");
        assertInvalid("manifest = {}", "found name 'manifest'");
        assertInvalid("{**other}", "at line 1, column 2: expected a value, found '*'");
        assertInvalid("{'version': 1j}", "complex numbers are not allowed");
    }

    @Test
    void testNotADict()
    {
        assertInvalid("['name']", "at line 1, column 1: expected '{' to start the manifest dict, found '['");
        assertInvalid("'just a string'", "expected '{' to start the manifest dict, found string 'just a string'");
        assertInvalid("{'name': 'x'},", "at line 1, column 14: expected the end of the file after the '}' that closes the manifest dict at line 1, column 13, found ','"
                + " (a ',' after the closing '}' makes the file a tuple: remove it)");
        assertInvalid("{'a': 1}\n{'b': 2}", "at line 2, column 1: expected the end of the file");
        assertInvalid("{1: 'x'}", "at line 1, column 2: the keys of the manifest dict must be strings, found an integer 1");
    }

    @Test
    void testUnclosedBrackets()
    {
        assertInvalid("{\n    'depends': ['base',\n", "at line 3, column 1: expected a value, found the end of the file");
        assertInvalid("{\n    'depends': ['base']\n", "at line 3, column 1: expected ',' or '}' after the value of 'depends', found the end of the file: the '{' at line 1, column 1 is never closed");
        assertInvalid("{'depends': ['base'}", "at line 1, column 20: expected ',' or ']' after a list element, found '}'");
    }

    @Test
    void testInvalidKeysAndValues()
    {
        assertInvalid("{'name': 'x', 'data': {['a']: 1}}", "a dict key must be a string, a number, True, False, None or a tuple of those, found a list");
        assertInvalid("{'data': {('a', ['b']): 1}}", "a dict key must be a string, a number, True, False, None or a tuple of those, found a list");
        assertInvalid("{'data': {{'a': 1}}}", "a set element must be a string, a number, True, False, None or a tuple of those, found a dict");
        assertInvalid("{'name' 'x'}", "at line 1, column 12: expected ':' after the dict key 'namex', found '}'");
        assertInvalid("{'name': b'x' 'y'}", "cannot join bytes and a string literal");
        assertInvalid("{'name': 'x', 'sequence': 010}", "leading zeros are not allowed in the integer 010");
        assertInvalid("{'version': 17.0.1.0.0}", "at line 1, column 13: invalid number 17.0.1.0.0 (a version is a string: write '17.0.1.0.0')");
        assertInvalid("{'name': 'x', 'sequence': 0x}", "invalid number 0x");
        assertInvalid("{'name': -'x'}", "expected a number after '-', found string 'x'");
        assertInvalid("{'name': 'bad \\x4'}", "at line 1, column 15: truncated \\x escape");
        assertInvalid("{'name': '\\N{NO SUCH CHARACTER}'}", "unknown Unicode character name in \\N{NO SUCH CHARACTER}");
        assertInvalid("{'name': 'x'; 'version': '1.0'}", "found ';'");
    }

    @Test
    void testWrongTypesForKnownKeys()
    {
        assertInvalid("{\n    'depends': 'base',\n}", "Invalid my_module/__manifest__.py at line 2, column 16: 'depends' must be a list of module names such as ['base', 'mail'], found a string 'base'");
        assertInvalid("{'depends': ['base', 42]}", "'depends' must be a list of module names such as ['base', 'mail'], but it holds an integer 42");
        assertInvalid("{'version': 1.0}", "'version' must be a version such as '17.0.1.0.0' or '1.0', found a float 1.0");
        assertInvalid("{'name': ['x']}", "'name' must be the module's human name");
        assertInvalid("{'data': ('a.xml', None)}", "'data' must be a list of file paths");
        assertInvalid("{'auto_install': 'sale'}", "'auto_install' must be True, False or a list of module names, found a string 'sale'");
        assertInvalid("{'external_dependencies': ['requests']}", "'external_dependencies[0]' must be a dict such as {'pypi': 'phonenumbers', 'optional': True}, found a string 'requests'");
        assertInvalid("{'external_dependencies': 'requests'}", "'external_dependencies' must be a dict such as {'python': ['requests'], 'bin': ['wkhtmltopdf']}, or a list of entries");
        assertInvalid("{'external_dependencies': [{'pip': 'x'}]}", "external_dependencies[0] has the key 'pip', which is none of 'pypi', 'python', 'bin', 'apt', 'optional'");
        assertInvalid("{'external_dependencies': [{'optional': True}]}", "external_dependencies[0] names no dependency: {'optional': True}");
        assertInvalid("{'external_dependencies': [{'pypi': 'x', 'optional': 'yes'}]}", "'external_dependencies[0]['optional']' must be True or False, found a string 'yes'");
        assertInvalid("{'external_dependencies': [{'pypi': ['x']}]}", "'external_dependencies[0]['pypi']' must be a name such as 'phonenumbers', found a list ['x']");
        assertInvalid("{'external_dependencies': {'python': 'requests'}}", "'external_dependencies['python']' must be a list of Python package names, found a string 'requests'");
    }

    @Test
    void testValuesInMessagesAreWrittenAsPython()
    {
        assertInvalid("{'depends': True}", "'depends' must be a list of module names such as ['base', 'mail'], found a boolean True");
        assertInvalid("{'depends': ['base', None]}", "but it holds None");
        assertInvalid("{'depends': ['base', False]}", "but it holds a boolean False");
        assertInvalid("{'data': {'a.xml': True, 'b': [1, 'x', None]}}", "found a dict {'a.xml': True, 'b': [1, 'x', None]}");
        assertInvalid("{'auto_install': {'sale': False}}", "found a dict {'sale': False}");
        assertInvalid("{'name': {'sale', 'mail'}}", "found a set {");
        assertInvalid("{'name': ('a', ('b', 2.5))}", "found a list ['a', ['b', 2.5]]");
    }

    @Test
    void testMessageSaysWhatToDoAndShowsTheLine()
    {
        assertThatThrownBy(() -> ManifestParser.parse("sale_custom", "{\n\t'name': 'Custom'\n\t'depends': ['sale'],\n}\n"))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                .hasMessageStartingWith("Cannot read sale_custom/__manifest__.py at line 3, column 11: expected ',' or '}' after the value of 'name', found ':'")
                .hasMessageContaining("Fix the __manifest__.py of addon sale_custom: it must hold a single Python dict literal")
                .hasMessageEndingWith("\n     'depends': ['sale'],\n              ^");
    }

    @Test
    void testInvalidUtf8()
    {
        byte[] latin1 = "{'name': 'Comptabilité'}".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> ManifestParser.parse("l10n_fr_extra", latin1))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                .hasMessageContaining("Cannot read l10n_fr_extra/__manifest__.py: it is not UTF-8 text")
                .hasMessageContaining("save it in UTF-8");
    }

    @Test
    void testNulCharacter()
    {
        assertInvalid("{\n    'name': 'a\0b',\n}", "at line 2, column 15: the file holds a NUL character");
    }

    @Test
    void testTooLarge()
    {
        byte[] huge = new byte[ManifestParser.MAX_MANIFEST_BYTES + 1];

        assertThatThrownBy(() -> ManifestParser.parse("huge", huge))
                .isInstanceOf(StagehandException.class)
                .hasMessageContaining("it is 1048577 bytes long, more than the 1048576 bytes a manifest may have");
    }

    @Test
    void testDeepNestingIsRefused()
    {
        String deep = "{'x': " + "[".repeat(PythonLiteralParser.MAX_NESTING + 5) + "]".repeat(PythonLiteralParser.MAX_NESTING + 5) + "}";

        assertInvalid(deep, "more than " + PythonLiteralParser.MAX_NESTING + " nested lists, tuples, dicts and sets");
        String allowed = "{'x': " + "[".repeat(PythonLiteralParser.MAX_NESTING - 1) + "]".repeat(PythonLiteralParser.MAX_NESTING - 1) + "}";
        assertThat(parse(allowed).raw()).containsKey("x");
    }

    @Test
    void testRawMapIsImmutable()
    {
        Manifest manifest = parse("{'depends': ['base'], 'assets': {'a': ['b']}}");

        assertThatThrownBy(() -> manifest.raw().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> manifest.depends().add("x")).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        Map<Object, Object> assets = (Map<Object, Object>) manifest.raw().get("assets");
        assertThatThrownBy(() -> assets.clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    private static Manifest parse(String source)
    {
        return ManifestParser.parse("my_module", source);
    }

    private static void assertInvalid(String source, String expectedMessagePart)
    {
        assertThatThrownBy(() -> parse(source))
                .isInstanceOfSatisfying(StagehandException.class, e -> assertThat(e.errorCode()).isEqualTo(OdooErrorCode.INVALID_MANIFEST.toErrorCode()))
                .hasMessageContaining("my_module/__manifest__.py")
                .hasMessageContaining(expectedMessagePart)
                .hasMessageContaining("my_module");
    }
}
