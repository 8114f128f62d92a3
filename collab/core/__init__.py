"""Shared ground of every feature: database (SQLite locking), web glue (security headers,
safe_next, nav), errors, i18n, mail, Markdown rendering, static files, the activity log and
notifications. `core` imports no feature."""
