"""The models of `bus` the test server implements (see odoo.models.ImplementedModel)."""

from . import bus, bus_presence, ir_websocket
