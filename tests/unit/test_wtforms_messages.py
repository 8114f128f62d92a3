"""WTForms' own messages are read once per language and process, not on every request
(Flask-WTF reads their .mo file on the first form of each request)."""

from babel import support


def test_wtforms_messages_are_loaded_once_per_language(app, monkeypatch):
    from collab.core import i18n

    i18n._wtforms_catalogue.cache_clear()
    loads = []
    real_load = support.Translations.load

    def counting(*args, **kwargs):
        if kwargs.get("domain") == "wtforms":
            loads.append(tuple(args[1]))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(support.Translations, "load", counting)
    client = app.test_client()
    for language in ("id", "en", "id", "en", "id"):
        answer = client.get("/auth/login", headers={"Accept-Language": language})
        assert answer.status_code == 200
    assert sorted(loads) == [("en",), ("id",)]
