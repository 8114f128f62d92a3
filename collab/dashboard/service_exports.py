"""The dashboard's CSV files, for the same period as the page: one row per teacher
(`email` and `name` first, then a column per figure of the teachers table, mentoring, the
last act with a colleague and the flags' codes) and one row per week (a column per kind).
Written with core.csv_files.write_csv: a byte-order mark for Excel, formulas neutralised."""

from collab.core.csv_files import write_csv
from collab.dashboard.service_figures import COLUMNS, TREND_KINDS, Dashboard

TEACHER_HEADER = ("email", "name", "teams", "novice", *(key for key, _label in COLUMNS),
                  "mentor_of", "mentored_by", "last_check_in", "last_with_colleague", "flags")


def teachers_csv(found: Dashboard) -> str:
    rows = [TEACHER_HEADER]
    for row in found.rows:
        teacher = row.teacher
        rows.append((
            teacher.email, teacher.name, "; ".join(name for _id, name in teacher.teams),
            "yes" if teacher.is_novice else "no",
            *(row.figures[key] for key, _label in COLUMNS),
            "; ".join(t.name for t in row.mentor_of),
            "; ".join(t.name for t in row.mentored_by),
            row.last_check_in.isoformat() if row.last_check_in else "",
            teacher.last_together.isoformat() if teacher.last_together else "",
            " ".join(flag.code for flag in row.flags),
        ))
    return write_csv(rows)


def weekly_csv(found: Dashboard) -> str:
    kinds = [kind for kind, _label in TREND_KINDS]
    rows = [("week", *kinds)]
    for i, week in enumerate(found.weeks):
        rows.append((week.isoformat(), *(found.trend[kind][i][1] for kind in kinds)))
    return write_csv(rows)
