from django.contrib.sessions.backends import cached_db

from school_logistics.core.sessions._store import UserSessionRows


class SessionStore(UserSessionRows, cached_db.SessionStore):
    pass
