"""`ir.mail_server`: building and sending mail, as Odoo 17's odoo/addons/base/models/ir_mail_server.py.

    msg = env['ir.mail_server'].build_email(email_from, ['to@example.com'], 'Subject', '<p>Hi</p>', subtype='html')
    env['ir.mail_server'].send_email(msg)

The server is chosen as Odoo chooses it (_find_mail_server): the active ir_mail_server rows by
sequence, those whose from_filter matches the sender first, then one without a filter, then any;
with no row at all, the command line's --smtp, --smtp-port, --smtp-user, --smtp-password and
--smtp-ssl (STARTTLS). A neutralized database has one active row, host `invalid`: connecting to
it fails, so its mail goes nowhere. In test mode nothing is sent ("skip sending email in test
mode"). A failure while sending logs INFO "Mail delivery failed via SMTP server '...'" and raises
MailDeliveryException; a failure to connect raises as it is (e.g. socket.gaierror), as in Odoo.
Odoo logs nothing when a mail is sent.
"""

import datetime
import email.policy
import html
import logging
import re
import smtplib
import threading
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid

from odoo.exceptions import UserError
from odoo.models import ImplementedModel
from odoo.tools import config

_logger = logging.getLogger(__name__)
_test_logger = logging.getLogger('odoo.tests')

SMTP_TIMEOUT = 60


class MailDeliveryException(Exception):
    """Specific exception subclass for mail delivery errors"""


def html2plaintext(text):
    text = re.sub(r'(?i)<br\s*/?>|</p>', '\n', text or '')
    return html.unescape(re.sub(r'<[^>]+>', '', text)).strip()


class IrMailServer(ImplementedModel):
    _name = 'ir.mail_server'
    _table = 'ir_mail_server'

    NO_VALID_RECIPIENT = ("At least one valid recipient address should be specified "
                          "for outgoing emails (To/Cc/Bcc)")
    NO_FOUND_SMTP_FROM = "The Return-Path or From header is required for any outbound email"

    def _is_test_mode(self):
        return getattr(threading.current_thread(), 'testing', False)

    def _get_default_from_address(self):
        return config['email_from']

    def _servers(self):
        self._cr.execute('SELECT id, from_filter FROM ir_mail_server WHERE active ORDER BY sequence, id')
        return self._cr.fetchall()

    @staticmethod
    def _match_from_filter(email_from, from_filter):
        if not from_filter:
            return True
        address = (getaddresses([email_from or ''])[0][1] or '').lower()
        for part in from_filter.lower().split(','):
            part = part.strip()
            if part and (address == part or ('@' not in part and address.endswith('@' + part))):
                return True
        return False

    def _find_mail_server(self, email_from, mail_servers=None):
        """(server, smtp_from): the server to send `email_from`'s mail with, None for the command line's."""
        servers = mail_servers if mail_servers is not None else self._servers()
        notifications_email = self._get_default_from_address()
        address = (getaddresses([email_from or ''])[0][1] or '').lower()
        for candidate in (address, notifications_email):
            if not candidate:
                continue
            for server_id, from_filter in servers:
                if from_filter and self._match_from_filter(candidate, from_filter):
                    return self.browse(server_id), email_from if candidate == address else notifications_email
        for server_id, from_filter in servers:
            if not from_filter:
                return self.browse(server_id), notifications_email or email_from
        if servers:
            _logger.warning('No mail server matches the from_filter, using %s as fallback', notifications_email or email_from)
            return self.browse(servers[0][0]), notifications_email or email_from
        return None, email_from

    def connect(self, host=None, port=None, user=None, password=None, encryption=None, smtp_from=None,
                ssl_certificate=None, ssl_private_key=None, smtp_debug=False, mail_server_id=None, allow_archived=False):
        if self._is_test_mode():
            return None
        server = None
        if mail_server_id:
            server = self.browse(mail_server_id)
        elif not host:
            server, smtp_from = self._find_mail_server(smtp_from)
        if server:
            self._cr.execute('SELECT name, smtp_host, smtp_port, smtp_user, smtp_pass, smtp_encryption, active, from_filter '
                             'FROM ir_mail_server WHERE id = %s', (server.id,))
            name, host, port, user, password, encryption, active, from_filter = self._cr.fetchone()
            if not active and not allow_archived:
                raise UserError('The server "%s" cannot be used because it is archived.' % name)
        else:
            host = host or config['smtp_server']
            port = config['smtp_port'] if port is None else port
            user = user or config['smtp_user']
            password = password or config['smtp_password']
            encryption = encryption or ('starttls' if config['smtp_ssl'] else 'none')
            from_filter = config['from_filter']
        if not host:
            raise UserError('Missing SMTP Server\nPlease define at least one SMTP server, or provide the SMTP parameters explicitly.')
        if encryption == 'ssl':
            connection = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT)
        else:
            connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        connection.set_debuglevel(smtp_debug)
        if encryption == 'starttls':
            connection.starttls()
        if user:
            connection.login(user, password or '')
        connection.ehlo_or_helo_if_needed()
        connection.smtp_from = smtp_from
        connection.from_filter = from_filter
        return connection

    def build_email(self, email_from, email_to, subject, body, email_cc=None, email_bcc=None, reply_to=False,
                    attachments=None, message_id=None, references=None, object_id=False, subtype='plain', headers=None,
                    body_alternative=None, subtype_alternative='plain'):
        email_from = email_from or self._get_default_from_address() or self.env.user.email_formatted
        assert email_from, 'You must either provide a sender address explicitly or configure the --email-from startup parameter.'
        msg = EmailMessage(policy=email.policy.SMTP)
        msg['Message-Id'] = message_id or make_msgid()
        if references:
            msg['references'] = references
        msg['Subject'] = subject
        msg['From'] = email_from
        msg['Reply-To'] = reply_to or email_from
        msg['To'] = ', '.join(email_to) if isinstance(email_to, (list, tuple)) else (email_to or '')
        if email_cc:
            msg['Cc'] = ', '.join(email_cc) if isinstance(email_cc, (list, tuple)) else email_cc
        if email_bcc:
            msg['Bcc'] = ', '.join(email_bcc) if isinstance(email_bcc, (list, tuple)) else email_bcc
        msg['Date'] = datetime.datetime.utcnow()
        for key, value in (headers or {}).items():
            msg[str(key)] = value
        body = body or ''
        if subtype == 'html' and not body_alternative:
            msg['MIME-Version'] = '1.0'
            msg.add_alternative(html2plaintext(body), subtype='plain', charset='utf-8')
            msg.add_alternative(body, subtype=subtype, charset='utf-8')
        elif body_alternative:
            msg['MIME-Version'] = '1.0'
            msg.add_alternative(body_alternative, subtype=subtype_alternative, charset='utf-8')
            msg.add_alternative(body, subtype=subtype, charset='utf-8')
        else:
            msg.set_content(body, subtype=subtype, charset='utf-8')
        for name, content, mimetype in attachments or []:
            maintype, _, subtype_ = (mimetype or 'application/octet-stream').partition('/')
            msg.add_attachment(content, maintype=maintype, subtype=subtype_, filename=name)
        return msg

    def _prepare_email_message(self, message, smtp_session):
        smtp_from = message['Return-Path'] or (smtp_session and smtp_session.smtp_from) or message['From']
        assert smtp_from, self.NO_FOUND_SMTP_FROM
        smtp_from = getaddresses([smtp_from])[0][1] or smtp_from
        recipients = [address for _, address in getaddresses(
            [message[header] for header in ('To', 'Cc', 'Bcc') if message[header]]) if address]
        assert recipients, self.NO_VALID_RECIPIENT
        del message['Bcc']
        return smtp_from, recipients, message

    def send_email(self, message, mail_server_id=None, smtp_server=None, smtp_port=None, smtp_user=None,
                   smtp_password=None, smtp_encryption=None, smtp_ssl_certificate=None, smtp_ssl_private_key=None,
                   smtp_debug=False, smtp_session=None):
        """Send `message`; return its Message-Id."""
        smtp = smtp_session or self.connect(smtp_server, smtp_port, smtp_user, smtp_password, smtp_encryption,
                                            smtp_from=message['From'], smtp_debug=smtp_debug, mail_server_id=mail_server_id)
        smtp_from, recipients, message = self._prepare_email_message(message, smtp)
        if self._is_test_mode():
            _test_logger.info('skip sending email in test mode')
            return message['Message-Id']
        try:
            message_id = message['Message-Id']
            smtp.send_message(message, smtp_from, recipients)
            if not smtp_session:
                smtp.quit()
        except smtplib.SMTPServerDisconnected:
            raise
        except Exception as e:
            msg = "Mail delivery failed via SMTP server '%s'.\n%s: %s" % (smtp_server, e.__class__.__name__, e)
            _logger.info(msg)
            raise MailDeliveryException('Mail Delivery Failed', msg)
        return message_id
