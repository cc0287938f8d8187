"""The models of `mail` the test server implements (see odoo.models.ImplementedModel)."""

from . import mail_mail
