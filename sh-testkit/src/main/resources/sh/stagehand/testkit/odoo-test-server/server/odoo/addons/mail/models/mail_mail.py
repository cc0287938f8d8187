"""`mail.mail`: the outgoing mail queue, as Odoo 17's addons/mail/models/mail_mail.py.

    mail = env['mail.mail'].create({'subject': 'Hi', 'body_html': '<p>Hi</p>', 'email_to': 'a@example.com'})
    mail.send()                                  # now; or leave it 'outgoing' for the queue cron
    env['mail.mail'].process_email_queue()       # what the "Mail: Email Queue Manager" cron runs

A new mail is 'outgoing'; nothing sends it until send() or the cron (hourly, or on a trigger; never
with --max-cron-threads 0). Sent: state 'sent' ("Mail with ID %r and Message-Id %r successfully
sent", then "Sent batch %s emails via mail server ID #%s"), or deleted when auto_delete. A server
that cannot be reached (a neutralized database's `invalid` host): the batch is 'exception' with
the connection error as failure_reason, and nothing is logged. A refusal while sending: ERROR
"failed sending mail (id: %s) due to %s", state 'exception', failure_type 'unknown'.
"""

import datetime
import logging
import smtplib
import threading

import psycopg2

from odoo.addons.base.models.ir_mail_server import MailDeliveryException, html2plaintext
from odoo.models import ImplementedModel

_logger = logging.getLogger(__name__)

_MESSAGE_FIELDS = ('subject', 'email_from', 'reply_to', 'message_id', 'model', 'res_id', 'mail_server_id', 'message_type')
_MAIL_FIELDS = ('body_html', 'email_to', 'email_cc', 'references', 'headers', 'state', 'failure_type', 'failure_reason',
                'auto_delete', 'scheduled_date', 'is_notification', 'mail_message_id')


def _reason(exception):
    """Odoo's ustr() of an exception, as a Text field stores it: its arguments, one per line."""
    return '\n'.join(str(arg) for arg in exception.args) if exception.args else str(exception)


class MailMail(ImplementedModel):
    _name = 'mail.mail'
    _table = 'mail_mail'

    def __getattr__(self, field):
        if field in _MAIL_FIELDS:
            return self.read_column(field)
        if field in _MESSAGE_FIELDS:
            self._cr.execute('SELECT m.%s FROM mail_message m JOIN mail_mail mm ON mm.mail_message_id = m.id '
                             'WHERE mm.id = %%s' % field, (self.id,))
            row = self._cr.fetchone()
            return row[0] if row else False
        raise AttributeError(field)

    def create(self, values_list):
        if isinstance(values_list, dict):
            values_list = [values_list]
        ids = []
        for values in values_list:
            values = dict(values)
            if not values.get('email_from'):
                values['email_from'] = self.env.user.email_formatted
            self._cr.execute('INSERT INTO mail_message (subject, email_from, reply_to, message_id, model, res_id, '
                             'mail_server_id, message_type, body, date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) '
                             'RETURNING id',
                             (values.get('subject'), values.get('email_from'), values.get('reply_to'),
                              values.get('message_id'), values.get('model'), values.get('res_id'),
                              values.get('mail_server_id'), values.get('message_type', 'email_outgoing'),
                              values.get('body_html'), datetime.datetime.utcnow()))
            message_id = self._cr.fetchone()[0]
            self._cr.execute('INSERT INTO mail_mail (mail_message_id, body_html, email_to, email_cc, "references", headers, '
                             'state, auto_delete, scheduled_date, is_notification) '
                             "VALUES (%s, %s, %s, %s, %s, %s, 'outgoing', %s, %s, %s) RETURNING id",
                             (message_id, values.get('body_html'), values.get('email_to'), values.get('email_cc'),
                              values.get('references'), repr(values['headers']) if values.get('headers') else None,
                              bool(values.get('auto_delete')), values.get('scheduled_date'),
                              bool(values.get('mail_message_id'))))
            ids.append(self._cr.fetchone()[0])
        return self.browse(ids)

    def write(self, values):
        if self.ids:
            columns = ', '.join('"%s" = %%s' % column for column in values)
            self._cr.execute('UPDATE mail_mail SET %s WHERE id IN %%s' % columns, list(values.values()) + [tuple(self.ids)])
        return True

    def unlink(self):
        if self.ids:
            self._cr.execute('DELETE FROM mail_mail WHERE id IN %s RETURNING mail_message_id, is_notification', (tuple(self.ids),))
            messages = [message for message, notification in self._cr.fetchall() if not notification]
            if messages:
                self._cr.execute('DELETE FROM mail_message WHERE id IN %s', (tuple(messages),))
        return True

    def process_email_queue(self, ids=None):
        """Send the outgoing mails whose time has come (what the Email Queue Manager cron runs)."""
        self._cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'mail.mail.queue.batch.size'")
        row = self._cr.fetchone()
        batch_size = int(row[0]) if row else 10000
        self._cr.execute("""SELECT id FROM mail_mail WHERE state = 'outgoing'
                              AND (scheduled_date IS NULL OR scheduled_date <= %s)
                            ORDER BY id DESC LIMIT %s""", (datetime.datetime.utcnow(), batch_size))
        send_ids = [row[0] for row in self._cr.fetchall()]
        if ids:
            send_ids = [i for i in send_ids if i in ids]
        send_ids.sort()
        result = None
        try:
            auto_commit = not getattr(threading.current_thread(), 'testing', False)
            result = self.browse(send_ids).send(auto_commit=auto_commit)
        except Exception:
            _logger.exception('Failed processing mail queue')
        return result

    def send(self, auto_commit=False, raise_exception=False):
        """Send the mails now, by batches of one mail server and one sender."""
        Server = self.env['ir.mail_server']
        batches = {}
        for mail in self:
            server_id = mail.mail_server_id
            if not server_id:
                server, _smtp_from = Server._find_mail_server(mail.email_from)
                server_id = server.id if server else False
            batches.setdefault((server_id, mail.email_from), []).append(mail.id)
        for (server_id, email_from), batch_ids in batches.items():
            batch = self.browse(batch_ids)
            try:
                smtp_session = Server.connect(mail_server_id=server_id or None, smtp_from=email_from)
            except Exception as exc:
                if raise_exception:
                    raise MailDeliveryException('Unable to connect to SMTP Server', exc)
                batch.write({'state': 'exception', 'failure_reason': _reason(exc)})
                continue
            try:
                batch._send(auto_commit=auto_commit, raise_exception=raise_exception, smtp_session=smtp_session)
                _logger.info('Sent batch %s emails via mail server ID #%s', len(batch_ids), server_id)
            finally:
                if smtp_session:
                    try:
                        smtp_session.quit()
                    except smtplib.SMTPServerDisconnected:
                        pass
        return True

    def _send(self, auto_commit=False, raise_exception=False, smtp_session=None):
        Server = self.env['ir.mail_server']
        for mail in self:
            if mail.state != 'outgoing':
                continue
            try:
                mail.write({'state': 'exception', 'failure_reason': 'Error without exception. Probably due to sending an email without computed recipients.'})
                recipients = [address.strip() for address in (mail.email_to or '').split(',') if address.strip()]
                body = mail.body_html or ''
                msg = Server.build_email(mail.email_from, recipients, mail.subject, body,
                                         email_cc=mail.email_cc, reply_to=mail.reply_to, message_id=mail.message_id,
                                         references=mail.references, subtype='html',
                                         body_alternative=html2plaintext(body), subtype_alternative='plain')
                try:
                    sent_id = Server.send_email(msg, mail_server_id=mail.mail_server_id or None, smtp_session=smtp_session)
                except AssertionError as error:
                    if str(error) != Server.NO_VALID_RECIPIENT:
                        raise
                    mail.write({'failure_type': 'mail_email_missing' if not recipients else 'mail_email_invalid'})
                    _logger.info('Ignoring invalid recipients for mail.mail %s: %s', mail.message_id, mail.email_to)
                    sent_id = None
                if sent_id:
                    mail.write({'state': 'sent', 'failure_reason': None})
                    self._cr.execute('UPDATE mail_message SET message_id = %s WHERE id = %s', (sent_id, mail.mail_message_id))
                    _logger.info('Mail with ID %r and Message-Id %r successfully sent', mail.id, sent_id)
                if mail.auto_delete and (sent_id or mail.failure_type in ('mail_email_invalid', 'mail_email_missing')):
                    mail.unlink()
            except MemoryError:
                _logger.exception('MemoryError while processing mail with ID %r and Msg-Id %r. '
                                  'Consider raising the --limit-memory-hard startup option', mail.id, mail.message_id)
                raise
            except (psycopg2.Error, smtplib.SMTPServerDisconnected):
                _logger.exception('Exception while processing mail with ID %r and Msg-Id %r.', mail.id, mail.message_id)
                raise
            except Exception as e:
                failure_reason = _reason(e)
                _logger.exception('failed sending mail (id: %s) due to %s', mail.id, failure_reason)
                mail.write({'state': 'exception', 'failure_type': 'unknown', 'failure_reason': failure_reason})
                if raise_exception:
                    raise
            if auto_commit is True:
                self._cr.commit()
        return True
