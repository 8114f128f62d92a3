"""The test rig's sign-in shortcut (tests/conftest.py `sign_in`, used by `client_for` outside
the tests of signing in) leaves the same session as the login form, and that session ends
like a real one."""


from tests.conftest import login, post_form, sign_in


def session_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_the_shortcut_leaves_the_session_the_login_form_leaves(app, world):
    teacher = world["a"]["teacher"]
    through_form, shortcut = app.test_client(), app.test_client()
    assert login(through_form, teacher.email).status_code == 302
    sign_in(shortcut, teacher)

    assert session_of(shortcut) == session_of(through_form)
    assert shortcut.get_cookie("remember_token") is None
    home = shortcut.get("/")
    assert home.status_code == 200
    assert "Teacher A" in home.text


def test_a_shortcut_session_ends_at_logout_elsewhere(app, world):
    teacher = world["a"]["teacher"]
    shortcut, elsewhere = app.test_client(), app.test_client()
    sign_in(shortcut, teacher)
    assert login(elsewhere, teacher.email).status_code == 302

    assert post_form(elsewhere, "/auth/logout", page="/").status_code == 302

    response = shortcut.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
