"""The models of `base` the test server implements (see odoo.models.ImplementedModel)."""

from . import ir_actions, ir_attachment, ir_config_parameter, ir_cron, ir_mail_server, ir_module
