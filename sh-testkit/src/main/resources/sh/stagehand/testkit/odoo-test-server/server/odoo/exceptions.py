"""The exception classes addon code imports from `odoo.exceptions`."""


class UserError(Exception):
    def __init__(self, message):
        super().__init__(message)


class ValidationError(UserError):
    pass


class AccessError(UserError):
    pass


class AccessDenied(UserError):
    def __init__(self, message="Access Denied"):
        super().__init__(message)


class MissingError(UserError):
    pass


class RedirectWarning(Exception):
    pass


class CacheMiss(KeyError):
    pass
