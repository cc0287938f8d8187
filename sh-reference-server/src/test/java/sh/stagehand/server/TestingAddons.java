package sh.stagehand.server;

import sh.stagehand.testkit.TestingGitRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Odoo addons written into a test repository, the way a customer's repository holds them.
 */
final class TestingAddons
{
    private TestingAddons() {}

    static void addon(TestingGitRepository repository, String name, String depends, String initCode, String testCode)
    {
        repository.writeFile(name + "/__manifest__.py", """
                # -*- coding: utf-8 -*-
                {
                    'name': '%s',
                    'version': '17.0.1.0.0',
                    'summary': 'Stagehand test addon '
                               '(implicitly concatenated)',
                    'depends': [%s],
                    'license': 'LGPL-3',
                    'installable': True,
                    %s
                }
                """.formatted(name, depends, initCode.contains("def post_init") ? "'post_init_hook': 'post_init'," : ""));
        repository.writeFile(name + "/__init__.py", initCode);
        if (testCode != null) {
            repository.writeFile(name + "/tests/__init__.py", "from . import test_" + name + "\n");
            repository.writeFile(name + "/tests/test_" + name + ".py", testCode);
        }
    }

    /**
     * An addon at a version of the test's, with a {@code post_init} hook when its code defines one.
     */
    static void module(TestingGitRepository repository, String name, String version, String depends, String initCode)
    {
        repository.writeFile(name + "/__manifest__.py", """
                {
                    'name': '%s',
                    'version': '%s',
                    'depends': [%s],
                    'license': 'LGPL-3',
                    %s
                }
                """.formatted(name, version, depends, initCode.contains("def post_init") ? "'post_init_hook': 'post_init'," : ""));
        repository.writeFile(name + "/__init__.py", initCode);
    }

    static String passingTest(String className)
    {
        return """
                from odoo.tests import TransactionCase


                class %s(TransactionCase):

                    def test_database_answers(self):
                        self.env.cr.execute("SELECT 1")
                        self.assertEqual(self.env.cr.fetchone()[0], 1)
                """.formatted(className);
    }

    static String failingTest(String className)
    {
        return """
                from odoo.tests import TransactionCase


                class %s(TransactionCase):

                    def test_invoice_total(self):
                        self.assertEqual(2 + 2, 5, "the invoice total is wrong")
                """.formatted(className);
    }

    /**
     * Writes a pure-Python wheel, as pip builds them, so that a requirements file can be installed
     * without a package index (none is reachable from the test machines).
     */
    static void wheel(TestingGitRepository repository, String path, String distribution, String version, String moduleCode, String... requires)
    {
        String module = distribution.replace('-', '_');
        String distInfo = module + "-" + version + ".dist-info";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(module + "/__init__.py", moduleCode.getBytes(StandardCharsets.UTF_8));
        StringBuilder metadata = new StringBuilder("Metadata-Version: 2.1\nName: " + distribution + "\nVersion: " + version + "\n");
        for (String requirement : requires) {
            metadata.append("Requires-Dist: ").append(requirement).append('\n');
        }
        files.put(distInfo + "/METADATA", metadata.toString().getBytes(StandardCharsets.UTF_8));
        files.put(distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: stagehand-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n".getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        files.forEach((name, content) -> record.append(name).append(",sha256=").append(urlSafeSha256(content)).append(',').append(content.length).append('\n'));
        record.append(distInfo).append("/RECORD,,\n");
        files.put(distInfo + "/RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        Path wheel = repository.directory().resolve(path);
        try {
            Files.createDirectories(wheel.getParent());
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel))) {
                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    zip.putNextEntry(new ZipEntry(file.getKey()));
                    zip.write(file.getValue());
                    zip.closeEntry();
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String urlSafeSha256(byte[] content)
    {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String warningInit(String message)
    {
        return """
                import logging

                _logger = logging.getLogger(__name__)
                _logger.warning("%s")
                """.formatted(message);
    }

    /**
     * An addon that sends one mail at once ({@code mail.mail.send()}) and queues another for the
     * "Mail: Email Queue Manager" cron, as Odoo code does, when it is installed.
     */
    static String mailingInit(String to, String subject, String queuedTo, String queuedSubject)
    {
        return """
                def post_init(env):
                    Mail = env['mail.mail']
                    Mail.create({'subject': '%s', 'email_to': '%s', 'body_html': '<p>Hello from a build</p>'}).send()
                    Mail.create({'subject': '%s', 'email_to': '%s', 'body_html': '<p>Queued by a build</p>'})
                """.formatted(subject, to, queuedSubject, queuedTo);
    }
}
