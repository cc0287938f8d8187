from odoo.tests import TransactionCase, tagged


class TestMailQueue(TransactionCase):

    def test_new_mail_is_queued(self):
        mail = self.env['mail.mail'].create({'subject': 'Queued', 'body_html': '<p>x</p>', 'email_to': 'a@example.com'})
        self.assertEqual(mail.state, 'outgoing')


@tagged('post_install', '-at_install')
class TestMailSendInTestMode(TransactionCase):

    def test_send_is_skipped_in_test_mode(self):
        mail = self.env['mail.mail'].create({'subject': 'Test mode', 'body_html': '<p>x</p>', 'email_to': 'a@example.com'})
        mail.send()
        self.assertEqual(mail.state, 'sent')
