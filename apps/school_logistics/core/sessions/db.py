from django.contrib.sessions.backends import db

from school_logistics.core.sessions._store import UserSessionRows


class SessionStore(UserSessionRows, db.SessionStore):
    pass
