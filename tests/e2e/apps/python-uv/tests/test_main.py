from main import QUOTES, index


def test_index():
    assert index()["status"] == "uv ok"


def test_quotes():
    assert QUOTES[1].text == "small images"
