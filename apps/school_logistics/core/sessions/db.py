from django.contrib.sessions.backends import db

from school_logistics.core.sessions._read import PreparedRead


class SessionStore(PreparedRead, db.SessionStore):
    pass
