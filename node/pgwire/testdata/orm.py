"""SQLAlchemy ORM over psycopg2 against raftplay: TestSQLAlchemy runs it with the
server's address in RAFTPLAY_PG and checks that it prints "ok"."""
import os
import sys

import sqlalchemy as sa
from sqlalchemy import orm

Base = orm.declarative_base()


class Person(Base):
    __tablename__ = "orm_people"
    id = sa.Column(sa.Integer, primary_key=True)  # serial: the id comes back by RETURNING
    name = sa.Column(sa.Text, nullable=False)
    age = sa.Column(sa.Integer)


def main():
    # use_native_hstore=False skips psycopg2's hstore probe, a pg_type query the server's
    # catalog does not answer yet (and create_all's checkfirst, hence the plain CREATE).
    engine = sa.create_engine("postgresql+psycopg2://orm@" + os.environ["RAFTPLAY_PG"] + "/raftplay",
                              future=True, use_native_hstore=False)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE orm_people (id serial PRIMARY KEY, name text NOT NULL, age int)"))
    with orm.Session(engine) as s, s.begin():
        ann, bob = Person(name="ann", age=30), Person(name="bob", age=40)
        s.add_all([ann, bob])
        s.flush()  # INSERT ... RETURNING id inside the transaction
        assert (ann.id, bob.id) == (1, 2), (ann.id, bob.id)
        ann.age = 31
        s.flush()  # UPDATE: the ORM checks the row count
        got = s.execute(sa.select(Person.age).where(Person.id == ann.id)).scalar_one()
        assert got == 31, got
    with orm.Session(engine) as s, s.begin():
        bob = s.get(Person, 2)
        s.delete(bob)
    with orm.Session(engine) as s:
        rows = s.execute(sa.select(Person.name, Person.age).order_by(Person.id)).all()
        assert [tuple(r) for r in rows] == [("ann", 31)], rows
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
