"""Who may see and do what. One module per area; every route and socket handler asks here.

`school.py` holds what every area builds on: the current user's school, role checks, and
"is this row in my school" (a row of another school is a 404, never a 403, so ids leak
nothing).
"""
