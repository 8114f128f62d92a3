"""Mentoring: pairing novice teachers with mentors across a school (issue 12).

For now only the pure solver, `collab.mentoring.pairing`; no blueprint, models or pages yet.
"""
