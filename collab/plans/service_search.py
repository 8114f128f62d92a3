"""Finding plans: the plans a user may see, filtered and searched, 20 a page, in a fixed
number of queries whatever the number of plans.

Full-text search uses the index that migration 074d41d78df3 builds: on SQLite the FTS5 table
`plans_fts` (ranked by bm25, the title weighing most), on PostgreSQL the generated
`plans.search_vector` column (ranked by ts_rank, title weight A). Neither is in the models,
so `is_search_index_object` tells Alembic's comparison to leave them out.

The text a user types never reaches either query language as syntax: it is cut into words of
letters and digits, each word becomes a quoted FTS5 string (or a tsquery lexeme), and the words
are ANDed, each matching as a prefix ("pecah" finds "pecahan": Indonesian builds words with
suffixes and has no stemmer here).

Every list, count and facet goes through `visible_to(user)`. A page costs one query for the
plans and their owners (two past the last page), one for their tags and one for the
facets (up to three after the school's plans or the user's teams or co-authorships changed),
whatever the number of plans, revisions and comments. A search reads at most the newest
MAX_MATCHES visible matches. Counting and faceting read the two covering indexes of
models.Plan, never the wide plan rows.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from flask import current_app
from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    null,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import joinedload, load_only

from collab.core.numbers import whole_number
from collab.extensions import db
from collab.people.models import TeamMember, User
from collab.plans.access import readable_by, visible_to
from collab.plans.models import VISIBILITIES, Plan, PlanCoauthor, PlanTag

PAGE_SIZE = 20
MAX_PAGE = 999_999
SCOPES = ("all", "mine", "shared")
MAX_TERMS = 8
MAX_TERM_LENGTH = 60
RANKED_MATCHES = 1000
# A search lists and counts at most this many matches, the newest; past it the page says
# "more than" this and asks for another word or a filter.
MAX_MATCHES = 1000
# bm25 weights of the FTS5 columns, in the migration's order: title, topic, subject, body.
BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
_WORD = re.compile(r"[^\W_]+")
_FTS = table("plans_fts", column("rowid"))
_SEARCH_VECTOR = literal_column("plans.search_vector")
# Listed (not "!= 'school'") so that the facets index can seek them.
_NOT_SCHOOL_WIDE = tuple(v for v in VISIBILITIES if v != "school")

# Database objects of the search migration that the models do not describe.
SEARCH_INDEX_TABLE = "plans_fts"
SEARCH_INDEX_OBJECTS = frozenset({"ix_plans_search", "search_vector"})


def is_search_index_object(name: str | None) -> bool:
    """True for the search migration's own tables, column and indexes, which autogenerate
    and the schema test must ignore (FTS5 adds shadow tables named plans_fts_*)."""
    return bool(name) and (name in SEARCH_INDEX_OBJECTS or name == SEARCH_INDEX_TABLE
                           or name.startswith(SEARCH_INDEX_TABLE + "_"))


@dataclass
class PlanQuery:
    q: str = ""
    subject: str = ""
    grade: str = ""
    tag: str = ""
    author: int | None = None
    scope: str = "all"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "PlanQuery":
        """Read the query from request arguments, ignoring values that make no sense."""
        author = args.get("author", "")
        page = args.get("page", "1")
        scope = args.get("scope", "all")
        return cls(
            q=args.get("q", "").strip()[:200],
            subject=args.get("subject", "").strip()[:80],
            grade=args.get("grade", "").strip()[:20],
            tag=args.get("tag", "").strip().lower()[:40],
            author=whole_number(author),
            scope=scope if scope in SCOPES else "all",
            page=max(whole_number(page, MAX_PAGE) or 1, 1),
        )

    def args(self, **changes) -> dict:
        """The query as URL arguments, with some values changed (for links)."""
        values = {"q": self.q, "subject": self.subject, "grade": self.grade, "tag": self.tag,
                  "author": self.author, "scope": self.scope, "page": self.page, **changes}
        return {k: v for k, v in values.items() if v not in ("", None, "all", 1)}


@dataclass
class PlanPage:
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    capped: bool = False  # more than `total` plans match; only the newest `total` are listed

    @property
    def pages(self) -> int:
        return max((self.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def search_terms(text: str) -> list[str]:
    """The words of a search, lower-cased, without repeats: letters and digits only, so no
    character of the FTS5 or tsquery syntax survives."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    terms: list[str] = []
    for word in words:
        word = word[:MAX_TERM_LENGTH]
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every term a quoted string, prefix-matched unless it is a
    single character (a one-letter prefix matches most of the index), all required."""
    return " ".join(f'"{t}"*' if len(t) > 1 else f'"{t}"' for t in terms)


def tsquery(terms: list[str]) -> str:
    """The same search as a PostgreSQL to_tsquery text (terms hold no operator characters)."""
    return " & ".join(f"{t}:*" if len(t) > 1 else t for t in terms)


def _unindexed(column):
    """`column` as an expression no index can serve (SQLite): keeps the planner on the
    covering listing index of the user's school instead of reading wide plan rows one by one
    for every id an IN list returns."""
    return column + 0


def _shape(query: PlanQuery) -> tuple:
    """Which filters `query` uses: the statements differ by these only, the values are bound
    parameters (see _values), so each shape is built once per process."""
    return (bool(query.subject), bool(query.grade), bool(query.tag), bool(query.author),
            query.scope)


def _values(user, query: PlanQuery) -> dict:
    return {"user_id": user.id, "school_id": user.school_id, "subject": query.subject,
            "grade": query.grade, "tag": query.tag, "author": query.author,
            "offset": _offset(query)}


def _filtered(shape: tuple, *columns):
    subject, grade, tag, author, scope = shape
    user_id = bindparam("user_id")
    stmt = select(*columns).where(readable_by(user_id, bindparam("school_id")))
    if subject:
        stmt = stmt.where(Plan.subject == bindparam("subject"))
    if grade:
        stmt = stmt.where(Plan.grade == bindparam("grade"))
    if tag:
        tagged = select(PlanTag.plan_id).where(PlanTag.tag == bindparam("tag"))
        stmt = stmt.where(_unindexed(Plan.id).in_(tagged))
    if author:
        stmt = stmt.where(Plan.owner_id == bindparam("author"))
    if scope == "mine":
        stmt = stmt.where(Plan.owner_id == user_id)
    elif scope == "shared":
        coauthored = select(PlanCoauthor.plan_id).where(PlanCoauthor.user_id == user_id)
        stmt = stmt.where(Plan.owner_id != user_id, Plan.id.in_(coauthored))
    return stmt


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _ts_query(terms: list[str]):
    return func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(terms))


def _fts5_match(terms: list[str]):
    return literal_column(SEARCH_INDEX_TABLE).op("MATCH")(fts5_query(terms))


def _text_filter(terms: list[str]):
    """The condition on Plan: the plan matches every term."""
    if _is_postgresql():
        return _SEARCH_VECTOR.op("@@")(_ts_query(terms))
    # The FTS5 table is read once into a list; probing it by rowid plan by plan would
    # rebuild a prefix term's document list every time.
    return _unindexed(Plan.id).in_(select(_FTS.c.rowid).where(_fts5_match(terms)))


def _scores(terms: list[str]):
    """SQLite: (id, score) of the newest RANKED_MATCHES matches of the whole index (lower is
    better). bm25 costs a few microseconds a row, so a word found in nearly every plan is
    ranked among its newest matches only; a search with fewer matches is fully ranked. Any
    other match scores 0 and follows the ranked ones, newest first."""
    index = literal_column(SEARCH_INDEX_TABLE)
    return (select(_FTS.c.rowid.label("id"),
                   func.bm25(index, literal_column(BM25_WEIGHTS)).label("score"))
            .where(_fts5_match(terms)).order_by(_FTS.c.rowid.desc())
            .limit(RANKED_MATCHES).subquery("ranked"))


def search(user, query: PlanQuery) -> PlanPage:
    """One page of the plans `user` may see that match `query`: best match first when there
    are search words, else newest first. One query (two past the last page)."""
    if getattr(user, "membership", None) is None:
        return PlanPage(page=query.page)
    terms = search_terms(query.q)
    if terms:
        return _matches_page(user, query, terms)
    rows = db.session.execute(_page_statement(_shape(query)),
                              _values(user, query)).unique().all()
    if rows:
        return PlanPage(items=[row[0] for row in rows], total=rows[0][1], page=query.page)
    return PlanPage(items=[], total=_count(user, query) if query.page > 1 else 0,
                    page=query.page)


@cache
def _page_statement(shape: tuple):
    page = (_filtered(shape, Plan.id.label("id"), Plan.updated_at.label("updated_at"))
            .order_by(Plan.updated_at.desc(), Plan.id.desc())
            .limit(PAGE_SIZE).offset(bindparam("offset")).subquery("page"))
    total = _filtered(shape, func.count()).scalar_subquery().label("total")
    return (_with_owner(select(Plan, total).join(page, page.c.id == Plan.id))
            .order_by(page.c.updated_at.desc(), page.c.id.desc()))


# What the list shows of a plan (templates/plans/index.html): the text stays unread.
_LISTED = (Plan.id, Plan.title, Plan.subject, Plan.grade, Plan.owner_id, Plan.updated_at,
           Plan.is_research_lesson)


def _with_owner(stmt):
    """The list shows the owner's name: their membership and school (eager by default on
    User) are left to load only if something asks for them; of the plan only what is
    listed."""
    return stmt.options(joinedload(Plan.owner).lazyload(User.membership),
                        load_only(*_LISTED))


def _matches_page(user, query: PlanQuery, terms: list[str]) -> PlanPage:
    """One query: the newest MAX_MATCHES + 1 visible matches (walked newest first from the
    listing index, stopping there), numbered and counted, ranked by score, newest first among
    equals; the page's plans with their owners. A word found in thousands of plans costs no
    more than one found in a thousand: the page says "more than 1 000" and asks for another
    word or a filter rather than counting them all."""
    postgresql = _is_postgresql()
    score = -func.ts_rank(_SEARCH_VECTOR, _ts_query(terms)) if postgresql else null()
    newest = (_filtered(_shape(query), Plan.id.label("id"),
                        Plan.updated_at.label("updated_at"), score.label("score"))
              .where(_text_filter(terms))
              .order_by(Plan.updated_at.desc(), Plan.id.desc()).limit(MAX_MATCHES + 1)
              .subquery("newest"))
    if postgresql:
        listed, rank = newest, newest.c.score
    else:
        # Merged by grouping rather than joined: SQLite would scan the ranked rows once per
        # match.
        ranked = _scores(terms)
        both = union_all(
            select(newest.c.id, newest.c.updated_at, null().label("score")),
            select(ranked.c.id, null(), ranked.c.score),
        ).subquery("both")
        listed = (select(both.c.id, func.max(both.c.updated_at).label("updated_at"),
                         func.min(both.c.score).label("score"))
                  .group_by(both.c.id).having(func.max(both.c.updated_at).is_not(None))
                  .subquery("listed"))
        rank = func.coalesce(listed.c.score, 0.0)
    numbered = (select(listed.c.id, rank.label("rank"),
                       func.row_number().over(order_by=(listed.c.updated_at.desc(),
                                                        listed.c.id.desc())).label("position"),
                       func.count().over().label("matched"))
                .subquery("numbered"))
    page = (select(numbered).where(numbered.c.position <= MAX_MATCHES)
            .order_by(numbered.c.rank, numbered.c.position)
            .limit(PAGE_SIZE).offset(_offset(query)).subquery("page"))
    values = _values(user, query)
    rows = db.session.execute(
        _with_owner(select(Plan, page.c.matched).join(page, page.c.id == Plan.id))
        .order_by(page.c.rank, page.c.position), values
    ).unique().all()
    if rows:
        matched = rows[0][1]
    else:
        matched = db.session.scalar(select(func.count()).select_from(newest), values) or 0
    return PlanPage(items=[row[0] for row in rows], total=min(matched, MAX_MATCHES),
                    page=query.page, capped=matched > MAX_MATCHES)


def _offset(query: PlanQuery) -> int:
    return (query.page - 1) * PAGE_SIZE


def _count(user, query: PlanQuery) -> int:
    return db.session.scalar(_count_statement(_shape(query)), _values(user, query)) or 0


@cache
def _count_statement(shape: tuple):
    return _filtered(shape, func.count(Plan.id))


@dataclass(frozen=True)
class FacetValues:
    """Distinct subjects, grades, author ids and tags of a set of plans."""

    subjects: frozenset = frozenset()
    grades: frozenset = frozenset()
    author_ids: frozenset = frozenset()
    tags: frozenset = frozenset()


def facets(user) -> dict:
    """The subjects, grades, tags and authors present among the plans `user` may see.

    The plans the whole school sees (visibility "school") are the same for every member, so
    their values are kept per school; what only `user` sees (their own, co-authored and team
    plans) is kept per user. Both are reused while nothing they depend on changed: the
    school's plans (their number, highest id and sum of row versions — every update of a
    plan row bumps its version, see models.Plan), the user's co-authorships and team
    memberships. One query when nothing changed, up to three otherwise."""
    if getattr(user, "membership", None) is None:
        return {"subjects": [], "grades": [], "tags": [], "authors": []}
    version = _versions(user)
    shared = _shared_facets(user.school_id, version[:3])
    cache = current_app.extensions.setdefault("rembuk.personal_facets", {})
    cached = cache.get(user.id)
    if cached is not None and cached[0] == version:
        values, names = cached[1]
    else:
        personal = and_(visible_to(user), Plan.visibility.in_(_NOT_SCHOOL_WIDE))
        values, names = _personal_facets(personal, shared.author_ids)
        cache[user.id] = (version, (values, names))
    return {
        "subjects": sorted(shared.subjects | values.subjects),
        "grades": sorted(shared.grades | values.grades),
        "tags": sorted(shared.tags | values.tags),
        "authors": sorted(names.items(), key=lambda author: (author[1], author[0])),
    }


def _versions(user) -> tuple:
    """What the facets depend on, in one query: the school's plans (read from the covering
    listing index), the user's co-authorships and their teams."""
    return tuple(db.session.execute(_versions_statement(), {
        "user_id": user.id, "school_id": user.school_id}).one())


@cache
def _versions_statement():
    mine = PlanCoauthor.user_id == bindparam("user_id")
    teams = TeamMember.user_id == bindparam("user_id")
    return select(
        func.count(), func.max(Plan.id), func.sum(Plan.version),
        select(func.count()).select_from(PlanCoauthor).where(mine).scalar_subquery(),
        select(func.coalesce(func.sum(PlanCoauthor.plan_id), 0)).where(mine).scalar_subquery(),
        select(func.count()).select_from(TeamMember).where(teams).scalar_subquery(),
        select(func.coalesce(func.sum(TeamMember.team_id), 0)).where(teams).scalar_subquery(),
    ).where(Plan.school_id == bindparam("school_id"))


def _shared_facets(school_id: int, version: tuple) -> FacetValues:
    """The facet values of the school's plans that every member sees, from the app's cache
    when the school's plans are the same (`version`) as when they were read."""
    cache = current_app.extensions.setdefault("rembuk.plan_facets", {})
    cached = cache.get(school_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    values = _facet_values(and_(Plan.school_id == school_id, Plan.visibility == "school"))
    cache[school_id] = (version, values)
    return values


def _facet_arms(condition):
    """Two SELECTs of (kind, subject, grade, user_id, label) rows: the distinct (subject,
    grade, author, author's name) of the plans matching `condition`, and their distinct
    tags. The plans are read once (a CTE used twice is materialised by SQLite and
    PostgreSQL). No ORDER BY beside DISTINCT: SQLite would sort every tag row first."""
    matching = select(Plan.id, Plan.subject, Plan.grade, Plan.owner_id).where(
        condition).cte("matching")
    grouped = (select(matching.c.subject, matching.c.grade, matching.c.owner_id)
               .group_by(matching.c.subject, matching.c.grade, matching.c.owner_id)
               .subquery("grouped"))
    plans = (select(_kind("plan").label("kind"), grouped.c.subject, grouped.c.grade,
                    User.id.label("user_id"), User.name.label("label"))
             .join(User, User.id == grouped.c.owner_id))
    tags = (select(_kind("tag"), _no_text(), _no_text(), _no_user(), PlanTag.tag).distinct()
            .join(matching, matching.c.id == PlanTag.plan_id))
    return plans, tags


def _facet_values(condition) -> FacetValues:
    rows = db.session.execute(union_all(*_facet_arms(condition))).all()
    return _collect(rows)[0]


def _personal_facets(condition, shared_authors: frozenset) -> tuple[FacetValues, dict]:
    """The facet values of the plans only some members see (matching `condition`) and the
    authors' names, theirs and those of `shared_authors`, in one query."""
    names = select(_kind("name"), _no_text(), _no_text(), User.id, User.name).where(
        User.id.in_(shared_authors))
    return _collect(db.session.execute(union_all(*_facet_arms(condition), names)).all())


def _collect(rows) -> tuple[FacetValues, dict]:
    subjects, grades, authors, tags, names = set(), set(), set(), set(), {}
    for kind, subject, grade, user_id, label in rows:
        if kind == "plan":
            subjects.add(subject)
            grades.add(grade)
            authors.add(user_id)
            names[user_id] = label
        elif kind == "tag":
            tags.add(label)
        else:
            names[user_id] = label
    values = FacetValues(frozenset(subjects - {""}), frozenset(grades - {""}),
                         frozenset(authors), frozenset(tags))
    return values, names


def _kind(name: str):
    return literal_column(f"'{name}'")


def _no_text():
    return cast(null(), String)


def _no_user():
    return cast(null(), Integer)
