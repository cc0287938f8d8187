"""`bus.presence`, as Odoo 17's addons/bus/models/bus_presence.py: a user's status, 'online' or
'away' (inactive for more than AWAY_TIMER) from the websocket's update_presence event, 'offline'
once the websocket closes. A new or changed status is sent as `bus.bus/im_status_updated` to the
user's partner's presence channel, (db, "res.partner", partner_id, "presence")."""

import datetime

from odoo.models import ImplementedModel

AWAY_TIMER = 1800       # seconds


class BusPresence(ImplementedModel):
    _name = 'bus.presence'
    _table = 'bus_presence'

    def update_presence(self, inactivity_period, identity_field='user_id', identity_value=None):
        """Record the user's presence (inactivity_period in milliseconds), then commit."""
        status = 'away' if inactivity_period > AWAY_TIMER * 1000 else 'online'
        now = datetime.datetime.utcnow()
        self._write_status(identity_value, status, now, now - datetime.timedelta(milliseconds=inactivity_period))
        self._cr.commit()

    def _set_offline(self, user_id):
        self._write_status(user_id, 'offline')

    def _write_status(self, user_id, status, last_poll=None, last_presence=None):
        cr = self._cr
        cr.execute('SELECT id, status FROM bus_presence WHERE user_id = %s', (user_id,))
        row = cr.fetchone()
        if row is None and last_poll is None:
            return                                  # no presence to set offline
        if row is None:
            cr.execute('INSERT INTO bus_presence (user_id, last_poll, last_presence, status) VALUES (%s, %s, %s, %s)',
                       (user_id, last_poll, last_presence, status))
        elif last_poll is None:
            cr.execute('UPDATE bus_presence SET status = %s WHERE id = %s', (status, row[0]))
        else:
            cr.execute('UPDATE bus_presence SET last_poll = %s, last_presence = %s, status = %s WHERE id = %s',
                       (last_poll, last_presence, status, row[0]))
        if row is None or row[1] != status:
            self._send_presence(user_id, status)

    def _send_presence(self, user_id, status):
        self._cr.execute('SELECT partner_id FROM res_users WHERE id = %s', (user_id,))
        row = self._cr.fetchone()
        if row:
            self.env['bus.bus']._sendone((self._cr.dbname, 'res.partner', row[0], 'presence'), 'bus.bus/im_status_updated',
                                         {'presence_status': status, 'im_status': status, 'partner_id': row[0]})
