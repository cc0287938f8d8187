"""Sending mail as Odoo's ir.mail_server does. TEST-EQUIPMENT API: real Odoo has no such function.

    from odoo.tools.mail_delivery import send_email
    send_email(env, 'someone@example.com', 'Subject', 'text body', body_html='<p>html body</p>')

The SMTP server is the first active `ir_mail_server` row (by sequence, id) when there is one, else
the --smtp, --smtp-port, --smtp-user, --smtp-password settings, as in Odoo. It logs in only when a
user is set, and speaks plain SMTP (no TLS). The message is a proper MIME message
(multipart/alternative when an HTML body is given) with Message-Id and Date. Inside a test the
mail is not sent ("skip sending email in test mode"), as in Odoo. On failure it logs an ERROR and
raises MailDeliveryException, which fails the install when raised from an install hook.
"""

import logging
import smtplib
import threading
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

from .config import config

_logger = logging.getLogger('odoo.addons.base.models.ir_mail_server')
_test_logger = logging.getLogger('odoo.tests')


class MailDeliveryException(Exception):
    """Failed to send an email (the name of Odoo's exception in ir_mail_server)."""


def _smtp_settings(cr):
    cr.execute("""SELECT name, smtp_host, smtp_port, smtp_user, smtp_pass FROM ir_mail_server
                   WHERE active ORDER BY sequence, id LIMIT 1""")
    row = cr.fetchone()
    if row:
        name, host, port, user, password = row
        return 'ir_mail_server %r' % name, host, port or 25, user, password
    return ('command line', config['smtp_server'], config['smtp_port'],
            config['smtp_user'], config['smtp_password'])


def build_message(email_to, subject, body_text, body_html=None, email_from=None):
    recipients = [email_to] if isinstance(email_to, str) else list(email_to)
    msg = EmailMessage()
    msg['Message-Id'] = make_msgid(domain=(email_from or 'odoo@localhost').rpartition('@')[2].strip('>') or None)
    msg['Date'] = formatdate(localtime=False)
    msg['From'] = email_from or config['email_from'] or 'notifications@localhost'
    msg['To'] = ', '.join(recipients)
    msg['Subject'] = subject
    msg['MIME-Version'] = '1.0'
    msg.set_content(body_text or '')
    if body_html:
        msg.add_alternative(body_html, subtype='html')     # -> multipart/alternative
    return msg


def send_email(env, email_to, subject, body_text, body_html=None, email_from=None):
    """Build and send one message; return its Message-Id."""
    msg = build_message(email_to, subject, body_text, body_html, email_from)
    recipients = [addr for _, addr in getaddresses([msg['To']])]
    if getattr(threading.current_thread(), 'testing', False):
        _test_logger.info('skip sending email in test mode')
        return msg['Message-Id']

    source, host, port, user, password = _smtp_settings(env.cr)
    try:
        if config['smtp_ssl']:
            raise MailDeliveryException('SMTP over SSL/TLS is not supported by the Odoo-compatible test server')
        with smtplib.SMTP(host, int(port), timeout=30) as smtp:
            if user:
                smtp.login(user, password or '')
            smtp.send_message(msg, from_addr=getaddresses([msg['From']])[0][1], to_addrs=recipients)
    except Exception as e:
        _logger.error("Mail delivery failed via SMTP server '%s:%s' (%s).\n%s: %s",
                      host, port, source, e.__class__.__name__, e)
        raise MailDeliveryException("Mail delivery failed via SMTP server '%s:%s': %s" % (host, port, e)) from e
    _logger.info("Mail delivery succeeded via SMTP server '%s:%s' (%s): Message-Id %s to %s",
                 host, port, source, msg['Message-Id'], ', '.join(recipients))
    return msg['Message-Id']
