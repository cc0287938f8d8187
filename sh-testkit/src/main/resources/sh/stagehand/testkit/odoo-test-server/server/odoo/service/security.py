"""Session tokens, as Odoo 17's odoo/service/security.py and res.users._compute_session_token:
an HMAC-SHA256 of the session id keyed by the user's id, login, password, active flag and the
database secret, so that a session stops being valid when one of them changes or the user goes."""

import hashlib
import hmac


def compute_session_token(cr, uid, sid):
    """The token a session of user `uid` with id `sid` must hold; False when there is no such user."""
    cr.execute("""SELECT active, id, login, password,
                         (SELECT value FROM ir_config_parameter WHERE key = 'database.secret')
                    FROM res_users WHERE id = %s""", (uid,))
    if cr.rowcount != 1:
        return False
    key = ('%s' % (cr.fetchone(),)).encode()
    return hmac.new(key, sid.encode(), hashlib.sha256).hexdigest()


def check_session(session, cr):
    """Whether the session's token is still the one its user would get."""
    expected = compute_session_token(cr, session.get('uid'), session.sid)
    return bool(expected) and hmac.compare_digest(expected, session.get('session_token') or '')
