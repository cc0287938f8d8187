"""HTTP sessions, kept as Odoo 17 keeps them: one file per session in <data_dir>/sessions
(config.session_dir, created 0700 on first use), at `<sid[:2]>/<sid>`, the session dict pickled;
sid is 40 hexadecimal digits; written to a temporary file and renamed into place, mode 0644."""

import os
import pickle
import re
import secrets
import tempfile

from ..tools import config

_SID = re.compile(r'^[a-f0-9]{40}$')


def default_session():
    return {'db': None, 'uid': None, 'login': None, 'context': {}, 'debug': '', 'session_token': None}


class Session(dict):
    """A session: `db`, `uid`, `login`, `context`, `session_token`; `sid` its id; `new` when it
    was not read from a file (no cookie, or its file is gone)."""

    def __init__(self, sid, data=None, new=False):
        super().__init__(data or default_session())
        self.sid = sid
        self.new = new
        self.dirty = new

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.dirty = True

    def logout(self, keep_db=False):
        """Odoo's Session.logout: back to a default session (keeping the database if asked); the
        caller rotates it, which removes the old file."""
        db = self.get('db') if keep_db else None
        debug = self.get('debug', '')
        self.clear()
        self.update(default_session(), db=db, debug=debug)
        self.dirty = True


class FilesystemSessionStore:

    @property
    def path(self):
        return config.session_dir

    def filename(self, sid):
        return os.path.join(self.path, sid[:2], sid)

    def new(self):
        return Session(secrets.token_hex(20), new=True)

    def get(self, sid):
        if not sid or not _SID.match(sid):
            return self.new()
        try:
            with open(self.filename(sid), 'rb') as f:
                return Session(sid, pickle.load(f))
        except (OSError, EOFError, pickle.UnpicklingError):
            return self.new()

    def save(self, session):
        directory = os.path.dirname(self.filename(session.sid))
        os.makedirs(directory, 0o755, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix='.__wz_sess', dir=self.path)
        with os.fdopen(fd, 'wb') as f:
            pickle.dump(dict(session), f, pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.filename(session.sid))
        os.chmod(self.filename(session.sid), 0o644)
        session.dirty = False

    def delete(self, session):
        try:
            os.unlink(self.filename(session.sid))
        except OSError:
            pass

    def rotate(self, session):
        """A new id for the session (at login), the old file removed."""
        self.delete(session)
        session.sid = secrets.token_hex(20)
        session.dirty = True
