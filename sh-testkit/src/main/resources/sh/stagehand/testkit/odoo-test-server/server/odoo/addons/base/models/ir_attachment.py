"""`ir.attachment`: create, as Odoo's (odoo/addons/base/models/ir_attachment.py `create`,
`_get_datas_related_values`, `_file_write`): the content given as `raw` (bytes) or `datas`
(base64) is stored in the filestore under its SHA-1, never in the table."""

import base64

from odoo.models import ImplementedModel
from odoo.modules import db as modules_db


class IrAttachment(ImplementedModel):
    _name = 'ir.attachment'
    _table = 'ir_attachment'

    def create(self, vals_list):
        if isinstance(vals_list, dict):
            vals_list = [vals_list]
        ids = []
        for vals in vals_list:
            raw = vals.get('raw')
            if raw is None:
                raw = base64.b64decode(vals.get('datas') or b'')
            if isinstance(raw, str):
                raw = raw.encode()
            ids.append(modules_db.create_attachment(
                self._cr, vals.get('name') or 'unnamed', raw, vals.get('mimetype') or 'application/octet-stream',
                res_model=vals.get('res_model'), res_id=vals.get('res_id'), res_field=vals.get('res_field')))
        return self.browse(ids)
