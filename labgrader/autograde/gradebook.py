"""Open nbgrader's gradebook without re-creating tables that are all there.

nbgrader 0.9.6 opens the gradebook afresh for each step of grading a student (about ten
times: the student, the submission, each notebook's scores, late penalties), and each time
asks the database to create every table it does not have (``create_all``: one query per
table, 6 of the 8.5 ms an opening takes on SQLite, a round trip each on PostgreSQL).
:func:`install` gives :class:`nbgrader.api.Gradebook` an ``__init__`` that does exactly what
nbgrader's does, except that it skips ``create_all`` when the tables it would create already
exist, which the one listing of tables that nbgrader makes anyway shows.
"""

from __future__ import annotations

from nbgrader import api
from sqlalchemy import inspect, text
from sqlalchemy.orm import scoped_session, sessionmaker


def _open(self, db_url: str, course_id: str = "default_course", authenticator=None) -> None:
    # nbgrader.api.Gradebook.__init__ (0.9.6), with create_all only when tables are missing.
    self.engine = api.create_engine(db_url, echo=False, future=True)
    self.db = scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))
    tables = set(inspect(self.engine).get_table_names())
    if not set(api.Base.metadata.tables) <= tables:
        api.Base.metadata.create_all(bind=self.engine)
    if not tables:
        version = api.get_alembic_version()
        self.db.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"))
        self.db.execute(text(f"INSERT INTO alembic_version (version_num) VALUES ('{version}');"))
        self.db.commit()
    self.check_course(course_id=course_id)
    self.course_id = course_id
    self.authenticator = authenticator


def install() -> None:
    """Use ``_open`` for every gradebook this process opens (idempotent)."""
    api.Gradebook.__init__ = _open
