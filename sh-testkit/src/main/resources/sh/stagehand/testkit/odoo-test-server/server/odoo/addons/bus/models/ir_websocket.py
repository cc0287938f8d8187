"""`ir.websocket`, as Odoo 17's addons/bus/models/ir_websocket.py: what the websocket's events do,
for the session's user (env.uid; None for a visitor).

`subscribe` {channels, last}: the channels must be strings; a `last` beyond the newest notification
counts as 0; "odoo-presence-res.partner_<id>" channels become that partner's presence channel for
a logged-in user; `broadcast` and the user's partner, (db, "res.partner", id), are added
(_build_bus_channel_list); then the dispatcher subscribes the socket, which sends what the table
already holds after `last`. `update_presence` {inactivity_period, im_status_ids_by_model}: the
user's bus.presence. `_authenticate`: a logged-in session whose token no longer matches expires.
"""

from odoo.http import SessionExpiredException
from odoo.models import ImplementedModel
from odoo.service import security

from .bus import dispatch

PRESENCE_PREFIX = 'odoo-presence-'


class IrWebsocket(ImplementedModel):
    _name = 'ir.websocket'

    def _build_presence_channel_list(self, presences):
        """[(model, id)] the client asked presences for -> the presence channels of those partners."""
        if self.env.uid is None:
            return []
        ids = [int(p[1]) for p in presences if p[0] == 'res.partner']
        if not ids:
            return []
        self._cr.execute('SELECT id FROM res_partner WHERE id IN %s ORDER BY id', (tuple(ids),))
        return [(self._cr.dbname, 'res.partner', pid, 'presence') for (pid,) in self._cr.fetchall()]

    def _build_bus_channel_list(self, channels):
        channels = list(channels) + ['broadcast']
        if self.env.uid is not None:
            self._cr.execute('SELECT partner_id FROM res_users WHERE id = %s', (self.env.uid,))
            row = self._cr.fetchone()
            if row:
                channels.append((self._cr.dbname, 'res.partner', row[0]))
        return channels

    def _prepare_subscribe_data(self, channels, last):
        if not all(isinstance(c, str) for c in channels):
            raise ValueError('bus.Bus only string channels are allowed.')
        last = 0 if last > self.env['bus.bus']._bus_last_id() else last
        presences = [c for c in channels if c.startswith(PRESENCE_PREFIX)]
        wanted = [tuple(c.replace(PRESENCE_PREFIX, '').split('_')) for c in presences]
        all_channels = self._build_presence_channel_list(wanted)
        all_channels += self._build_bus_channel_list([c for c in channels if c not in presences])
        return {'channels': all_channels, 'last': last}

    def _subscribe(self, og_data, websocket):
        data = self._prepare_subscribe_data(og_data['channels'], og_data['last'])
        dispatch.subscribe(data['channels'], data['last'], self._cr.dbname, websocket)

    def _update_bus_presence(self, inactivity_period, im_status_ids_by_model):
        if self.env.uid is not None:
            self.env['bus.presence'].update_presence(inactivity_period, identity_field='user_id',
                                                     identity_value=self.env.uid)

    def _on_websocket_closed(self):
        if self.env.uid is not None:
            self.env['bus.presence']._set_offline(self.env.uid)

    def _authenticate(self, session):
        if session.get('uid') is not None and not security.check_session(session, self._cr):
            session.logout(keep_db=True)
            raise SessionExpiredException()
