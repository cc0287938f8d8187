"""`ir.actions.server`: running a server action as a cron does, as Odoo 17's ir_actions.py.

A 'code' action runs its code with `model` (the action's model, when the test server implements
it; otherwise a stand-in whose methods do nothing), `env`, `datetime`, `time` and `log` in scope.
A 'webhook' action POSTs the record's id and model as JSON to its webhook_url and logs as Odoo
("Webhook call to %s", and "Webhook call failed: %s" when the call fails).
"""

import datetime
import json
import logging
import time
import urllib.request

from odoo.exceptions import UserError
from odoo.models import ImplementedModel, implemented

_logger = logging.getLogger('odoo.addons.base.models.ir_actions')


class _NotImplementedModel:
    """A model the test server does not implement: its methods run and do nothing."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, method):
        return lambda *args, **kwargs: None


class IrActionsServer(ImplementedModel):
    _name = 'ir.actions.server'
    _table = 'ir_act_server'

    def run(self):
        for action in self:
            self._cr.execute('SELECT state, model_name, code, webhook_url FROM ir_act_server WHERE id = %s', (action.id,))
            state, model_name, code, webhook_url = self._cr.fetchone()
            if state == 'code' and code:
                model = self.env[model_name] if model_name in implemented else _NotImplementedModel(model_name)
                scope = {'env': self.env, 'model': model, 'record': None, 'records': None, 'uid': self.env.uid,
                         'user': self.env.user, 'datetime': datetime, 'time': time, 'UserError': UserError,
                         'Warning': UserError, 'log': lambda message, level='info': None}
                exec(compile(code.strip(), 'ir.actions.server(%d)' % action.id, 'exec'), scope)
            elif state == 'webhook':
                self._call_webhook(webhook_url, model_name)
        return False

    @staticmethod
    def _call_webhook(url, model_name):
        _logger.info('Webhook call to %s', url)
        body = json.dumps({'_model': model_name}).encode()
        try:
            request = urllib.request.Request(url, data=body, headers={'Content-Type': 'application/json'}, method='POST')
            urllib.request.urlopen(request, timeout=1).close()
        except Exception as e:
            _logger.warning('Webhook call failed: %s', e)
