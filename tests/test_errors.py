"""An error on our side gets the site's own page, or a fragment for htmx: never a traceback."""

import pytest

from tests.conftest import htmx


@pytest.fixture
def failing_client(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("the printer is on fire")

    return app.test_client()


def test_an_unhandled_error_gets_the_sites_own_page(failing_client):
    response = failing_client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<title>Something went wrong" in page and "An error on our side" in page
    assert '<main id="main"' in page and "printer" not in page


def test_an_unhandled_error_gets_a_fragment_for_htmx(failing_client):
    response = failing_client.get("/boom", headers=htmx())
    fragment = response.get_data(as_text=True)
    assert response.status_code == 500
    assert fragment.startswith('<p class="error-fragment" role="alert">')
    assert "Something went wrong" in fragment and "<html" not in fragment
