"""`odoo.http` for addon code: import-compatible stubs (controllers are not routed by the test
server). The test server's own HTTP service is odoo.service.httpd."""

request = None


class SessionExpiredException(Exception):
    """Raised when a session is no longer valid (Odoo's odoo.http.SessionExpiredException)."""


class Controller:
    pass


def route(route=None, **kwargs):
    def decorator(method):
        method.routing = dict(kwargs, routes=[route] if isinstance(route, str) else route)
        return method
    return decorator
