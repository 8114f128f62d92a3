"""`python -m bench`: run every benchmark, print a table, write bench/results/latest.json.
`python -m bench dashboard`: only the dashboard's (bench/results/dashboard.json).
`python -m bench dashboard-district`: the dashboard among 500 schools on PostgreSQL
(bench/results/dashboard_district.json; not in the full run: about half an hour).

Exits 1 when any budget fails, 0 otherwise.
"""

import gc
import logging
import os
import sys
from dataclasses import asdict

from bench import (
    agreement,
    assessment_results,
    dashboard,
    dashboard_district,
    home_time,
    loop_stall,
    mentoring_pairing,
    mentoring_suggestions,
    notes_sync,
    observation_suggestions,
    page_speed,
    page_weight,
    plan_diff,
    plan_list,
    rooms_load,
    scale_out,
    serving,
)
from bench.harness import demo_app
from bench.report import (
    HOME_P95_BUDGET_MS,
    HOME_QUERIES_BUDGET,
    LATEST,
    PAGE_WEIGHT_BUDGET_BYTES,
    Check,
    table,
    write_json,
)


def page_weight_checks(views: dict) -> list[Check]:
    """The login page's first view against its budget; the home page for information."""
    return [
        Check(
            "Login page first view (HTML+CSS+JS)",
            views["login"].total_bytes,
            "bytes",
            PAGE_WEIGHT_BUDGET_BYTES,
        ),
        Check("Home page first view, teacher", views["home_teacher"].total_bytes, "bytes"),
        Check("Room page first view, teacher (Socket.IO client included)",
              views["room_teacher"].total_bytes, "bytes", page_weight.ROOM_PAGE_BUDGET_BYTES),
    ]


def home_checks(timings: dict) -> list[Check]:
    """p50, max and CPU p95 for information; p95 and queries against their budgets."""
    checks = []
    for role, timing in timings.items():
        checks += [
            Check(f"Home GET / {role} p50", timing.p50_ms, "ms"),
            Check(f"Home GET / {role} p95", timing.p95_ms, "ms", HOME_P95_BUDGET_MS, "<"),
            Check(f"Home GET / {role} max", timing.max_ms, "ms"),
            Check(f"Home GET / {role} CPU p95", timing.cpu_p95_ms, "ms"),
            Check(f"Home GET / {role} SQL queries", timing.queries, "queries",
                  HOME_QUERIES_BUDGET[role]),
        ]
    return checks


def plan_list_checks(generated, timings: dict) -> list[Check]:
    """Per case of /plans/: p50, max and CPU p95 for information; p95 and queries against
    their budgets."""
    checks = [Check("Plans generated for /plans/", generated.plans, "plans")]
    for case, timing in timings.items():
        name = f"Plans {case}"
        checks += [
            Check(f"{name} p50", timing.p50_ms, "ms"),
            Check(f"{name} p95", timing.p95_ms, "ms", plan_list.P95_BUDGET_MS, "<"),
            Check(f"{name} max", timing.max_ms, "ms"),
            Check(f"{name} CPU p95", timing.cpu_p95_ms, "ms"),
            Check(f"{name} SQL queries", timing.queries, "queries", plan_list.QUERIES_BUDGET),
        ]
    return checks


def notes_checks(timing, view) -> list[Check]:
    """A batch of 200 notes in one request: time for information, p95, statements and the
    notes page's first view against their budgets."""
    return [
        Check("Notes sync, 200 notes: requests", timing.requests_per_batch, "requests", 1),
        Check("Notes sync, 200 notes p50", timing.p50_ms, "ms"),
        Check("Notes sync, 200 notes p95", timing.p95_ms, "ms", notes_sync.P95_BUDGET_MS, "<"),
        Check("Notes sync, 200 notes max", timing.max_ms, "ms"),
        Check("Notes sync, 200 notes SQL statements", timing.queries, "queries",
              notes_sync.QUERIES_BUDGET),
        Check("Notes sync, same batch again p50", timing.resend_p50_ms, "ms"),
        Check("Notes page first view, observer", view.total_bytes, "bytes",
              notes_sync.PAGE_BUDGET_BYTES),
    ]


def suggestion_checks(generated, timing, views: dict) -> list[Check]:
    """suggest() for a school of 120 teachers against its budget (p95, queries for
    information), and /observations/ first views against theirs."""
    budget = observation_suggestions.P95_BUDGET_MS
    checks = [
        Check("Suggestions, school of 120: teachers", generated.teachers, "teachers"),
        Check("Suggestions, school of 120: observations this month", generated.observations,
              "observations"),
        Check("Suggestions p50", timing.p50_ms, "ms"),
        Check("Suggestions p95", timing.p95_ms, "ms", budget, "<"),
        Check("Suggestions max", timing.max_ms, "ms"),
        Check("Suggestions CPU p95", timing.cpu_p95_ms, "ms"),
        Check("Suggestions SQL queries", timing.queries, "queries"),
    ]
    for who, view in views.items():
        checks.append(Check(f"/observations/ first view, {who}", view.total_bytes, "bytes",
                            observation_suggestions.PAGE_BUDGET_BYTES))
    return checks


def rooms_checks(results: list) -> list[Check]:
    """Per async mode: delivery latency (p99 against its budget), lost deliveries, memory per
    idle connection against their budgets; the rest for information."""
    checks = []
    for r in results:
        name = f"Rooms {r.members} clients/{r.rooms} rooms, {r.mode}, {r.database}"
        if r.processes > 1:
            name += f", {r.processes} processes"
        checks += [
            Check(f"{name}: messages sent", r.sent, "messages"),
            Check(f"{name}: delivery p50", r.p50_ms, "ms"),
            Check(f"{name}: delivery p95", r.p95_ms, "ms"),
            Check(f"{name}: delivery p99", r.p99_ms, "ms", rooms_load.P99_BUDGET_MS, "<"),
            Check(f"{name}: delivery max", r.max_ms, "ms"),
            Check(f"{name}: deliveries lost", r.lost, "deliveries", rooms_load.LOST_BUDGET),
            Check(f"{name}: server CPU per message", r.server_cpu_ms_per_message, "ms"),
            Check(f"{name}: memory per idle connection", r.idle_bytes_per_connection, "bytes",
                  rooms_load.IDLE_BYTES_BUDGET, "<"),
        ]
    return checks


def resource_lines(views: dict) -> str:
    """One line per response measured for page weight."""
    lines = []
    for name, view in views.items():
        for r in view.resources:
            lines.append(
                f"  {name:<13} {r.path:<28} {r.encoding:<8} "
                f"{r.sent_bytes:>6} B sent  ({r.raw_bytes} B decoded)"
            )
    return "\n".join(lines)


def busy_machine_hint(timings: dict, plan_timings: dict) -> str | None:
    """A hint when wall time misses its budget but CPU time would not: other load."""
    load = os.getloadavg()[0]
    budgets = [(t, HOME_P95_BUDGET_MS) for t in timings.values()]
    budgets += [(t, plan_list.P95_BUDGET_MS) for t in plan_timings.values()]
    for timing, budget in budgets:
        if timing.p95_ms >= budget > timing.cpu_p95_ms:
            return (
                f"Note: wall-clock p95 missed its budget while CPU p95 did not; the "
                f"1-minute load average is {load:.2f} on {os.cpu_count()} cores. Re-run "
                f"on a quiet machine before looking for a regression."
            )
    return None


def dashboard_main() -> int:
    """The dashboard's benchmark alone, on its own demo database."""
    logging.disable(logging.INFO)
    with demo_app() as app:
        generated, timings, view = dashboard.run(app)
    checks = dashboard.checks(generated, timings, view)
    details = {"dashboard": dashboard.details(generated, timings, view)}
    on_postgres = dashboard.run_postgres()
    checks += dashboard.checks(*on_postgres, database="PostgreSQL")
    details["dashboard_postgresql"] = dashboard.details(*on_postgres)
    details["load_average"] = os.getloadavg()
    write_json(checks, details, LATEST.with_name("dashboard.json"))
    print(table(checks))
    failed = [c.name for c in checks if c.passed is False]
    print("FAILED: " + "; ".join(failed) if failed else "All budgets met.")
    return 1 if failed else 0


def district_main() -> int:
    """The dashboard at district scale, on its own PostgreSQL server."""
    logging.disable(logging.INFO)
    district, timings = dashboard_district.run()
    checks = dashboard_district.checks(district, timings)
    write_json(checks, {"dashboard_district": dashboard_district.details(district, timings)},
               LATEST.with_name("dashboard_district.json"))
    print(table(checks))
    failed = [c.name for c in checks if c.passed is False]
    print("FAILED: " + "; ".join(failed) if failed else "All budgets met.")
    return 1 if failed else 0


def main() -> int:
    if sys.argv[1:] == ["dashboard"]:
        return dashboard_main()
    if sys.argv[1:] == ["dashboard-district"]:
        return district_main()
    logging.disable(logging.INFO)  # migrations and mail log at INFO; the table is the output
    with demo_app() as app:
        views = page_weight.run(app)
        timings = home_time.run(app)
        notes_timing, notes_view = notes_sync.run(app)
    views["notes_observer"] = notes_view
    # Its own demo database: the generated plans would change the other figures.
    with demo_app() as app:
        generated, plan_timings = plan_list.run(app)
    # Its own demo database too: 120 more teachers would change the home figures.
    with demo_app() as app:
        generated_school, suggest_timing, observation_views = observation_suggestions.run(app)
    # Its own demo database: the same generated school, now with mentoring in it.
    with demo_app() as app:
        mentor_pool, mentor_timing = mentoring_suggestions.run(app)
    # Its own demo database: 200 assessments would change the home figures.
    with demo_app() as app:
        results_timing = assessment_results.run(app)
    gc.collect()  # the earlier benchmarks' garbage is not the diff's
    diff_timing = plan_diff.run()
    agreement_timing = agreement.run()
    pairing_small, pairing_large = mentoring_pairing.run()
    rooms_results = rooms_load.run()
    serving_results = serving.run()
    speed_results = page_speed.run()
    stall = loop_stall.run()
    scaled = scale_out.run()
    checks = (page_weight_checks(views) + home_checks(timings)
              + plan_list_checks(generated, plan_timings)
              + [Check("Plan diff, 2 000 lines p95", diff_timing.p95_ms, "ms",
                       plan_diff.P95_BUDGET_MS, "<"),
                 Check("Plan diff, 2 000 lines max", diff_timing.max_ms, "ms"),
                 Check("Agreement, 50 raters × 30 units p95", agreement_timing.p95_ms, "ms",
                       agreement.P95_BUDGET_MS, "<"),
                 Check("Agreement, 50 raters × 30 units max", agreement_timing.max_ms, "ms")]
              + [Check("Mentor pairing, 200 × 200 p50", pairing_small.p50_ms, "ms"),
                 Check("Mentor pairing, 200 × 200 max", pairing_small.max_ms, "ms",
                       mentoring_pairing.SMALL_BUDGET_MS, "<"),
                 Check("Mentor pairing, 2 000 × 2 000 places p50", pairing_large.p50_ms, "ms"),
                 Check("Mentor pairing, 2 000 × 2 000 places max", pairing_large.max_ms, "ms",
                       mentoring_pairing.LARGE_BUDGET_MS, "<")]
              + [Check("Mentor suggestions, school of 120 p50", mentor_timing.p50_ms, "ms"),
                 Check("Mentor suggestions, school of 120 p95", mentor_timing.p95_ms, "ms",
                       mentoring_suggestions.P95_BUDGET_MS, "<"),
                 Check("Mentor suggestions CPU p95", mentor_timing.cpu_p95_ms, "ms"),
                 Check("Mentor suggestions SQL queries", mentor_timing.queries, "queries")]
              + [Check("Assessment results, 200 assessments p50", results_timing.p50_ms, "ms"),
                 Check("Assessment results, 200 assessments p95", results_timing.p95_ms, "ms",
                       assessment_results.P95_BUDGET_MS, "<"),
                 Check("Assessment results, 200 assessments CPU p95",
                       results_timing.cpu_p95_ms, "ms"),
                 Check("Assessment results SQL queries", results_timing.queries, "queries")]
              + notes_checks(notes_timing, notes_view)
              + suggestion_checks(generated_school, suggest_timing, observation_views)
              + rooms_checks(rooms_results)
              + serving.checks(serving_results)
              + page_speed.checks(speed_results)
              + loop_stall.checks(stall)
              + scale_out.checks(scaled))
    details = {
        "page_weight": {name: view.as_dict() for name, view in views.items()},
        "home": {role: asdict(timing) for role, timing in timings.items()},
        "plan_list": {
            "budgets": {"p95_ms_under": plan_list.P95_BUDGET_MS,
                        "queries_at_most": plan_list.QUERIES_BUDGET},
            "generated": asdict(generated),
            "cases": {case: asdict(timing) for case, timing in plan_timings.items()},
        },
        "plan_diff": asdict(diff_timing),
        "agreement": asdict(agreement_timing),
        "mentoring_pairing": {"budgets": {"small_max_ms_under": mentoring_pairing.SMALL_BUDGET_MS,
                                          "large_max_ms_under": mentoring_pairing.LARGE_BUDGET_MS},
                              "small": asdict(pairing_small), "large": asdict(pairing_large)},
        "mentoring_suggestions": {
            "budgets": {"p95_ms_under": mentoring_suggestions.P95_BUDGET_MS},
            "pool": asdict(mentor_pool), "timing": asdict(mentor_timing)},
        "assessment_results": {"budgets": {"p95_ms_under": assessment_results.P95_BUDGET_MS},
                               **asdict(results_timing)},
        "notes_sync": {"budgets": {"p95_ms_under": notes_sync.P95_BUDGET_MS,
                                   "queries_at_most": notes_sync.QUERIES_BUDGET,
                                   "page_bytes_at_most": notes_sync.PAGE_BUDGET_BYTES},
                       **asdict(notes_timing)},
        "observation_suggestions": {
            "budgets": {"p95_ms_under": observation_suggestions.P95_BUDGET_MS,
                        "observations_first_view_bytes_at_most":
                            observation_suggestions.PAGE_BUDGET_BYTES},
            "generated": asdict(generated_school),
            "timing": asdict(suggest_timing),
            "observations_page": {who: view.as_dict()
                                  for who, view in observation_views.items()},
        },
        "rooms_load": rooms_load.details(rooms_results),
        "serving": serving.details(serving_results),
        "page_speed": page_speed.details(speed_results),
        "loop_stall": loop_stall.details(stall),
        "scale_out": scale_out.details(scaled),
    }
    write_json(checks, details)
    print(table(checks))
    print("\nPage weight, per response:")
    print(resource_lines({**views, **{f"obs. {who}": view
                                      for who, view in observation_views.items()}}))
    failed = [c.name for c in checks if c.passed is False]
    print(f"\nResults written to {LATEST}")
    print("FAILED: " + "; ".join(failed) if failed else "All budgets met.")
    hint = busy_machine_hint(timings, plan_timings)
    if hint:
        print(hint)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
