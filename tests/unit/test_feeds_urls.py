"""URL rules for fetching (index/ingest/urls.py): schemes, addresses, canonical URLs, files."""

from __future__ import annotations

import pytest

from index.errors import URLRefusedError
from index.ingest.urls import (
    address_problem,
    article_path,
    canonical_url,
    check_addresses,
    check_url,
    same_site,
)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "newsbot fetches only http and https URLs, not file:"),
        ("ftp://example.com/feed.xml", "newsbot fetches only http and https URLs, not ftp:"),
        ("javascript:alert(1)", "newsbot fetches only http and https URLs, not javascript:"),
        ("example.com/feed.xml", "newsbot fetches only http and https URLs, not no scheme"),
        ("http:///feed.xml", "it names no host"),
        ("https://user:secret@example.com/", "URLs with a user name or password are not fetched"),
        ("http://example.com:99999/", "it is not a valid URL (Port out of range 0-65535)"),
    ],
)
def test_urls_newsbot_will_not_fetch_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(URLRefusedError) as refused:
        check_url(url, allow_private=True)
    assert refused.value.reason == reason
    assert str(refused.value) == f"{url} was refused: {reason}."


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("127.0.0.1", "a loopback address"),
        ("[::1]", "a loopback address"),
        ("[::ffff:127.0.0.1]", "a loopback address"),
        ("169.254.169.254", "a link-local address"),
        ("10.1.2.3", "a private network address"),
        ("192.168.0.10", "a private network address"),
        ("0.0.0.0", "not a public address"),
        ("100.64.0.1", "not a public address"),
    ],
)
def test_addresses_that_are_not_public_are_refused_unless_allowed(host: str, problem: str) -> None:
    url = f"http://{host}/feed.xml"
    with pytest.raises(URLRefusedError) as refused:
        check_url(url, allow_private=False)
    assert refused.value.reason.startswith(f"{host.strip('[]')} is {problem}; an admin can")
    assert "NEWSBOT_FETCH_ALLOW_PRIVATE=true" in refused.value.reason
    assert check_url(url, allow_private=True).hostname == host.strip("[]")


def test_public_addresses_and_host_names_pass_the_url_check() -> None:
    assert address_problem("93.184.216.34") is None
    assert address_problem("2606:2800:220:1:248:1893:25c8:1946") is None
    assert check_url("HTTPS://News.Example.com/feed", allow_private=False).scheme == "https"


def test_a_name_is_refused_if_any_of_its_addresses_is_private() -> None:
    check_addresses("http://news.example/", "news.example", ["93.184.216.34"])
    with pytest.raises(URLRefusedError) as refused:
        check_addresses("http://news.example/", "news.example", ["93.184.216.34", "10.0.0.7"])
    assert refused.value.reason.startswith(
        "news.example resolves to 10.0.0.7, which is a private network address;"
    )


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTP://Example.COM:80/News/story.html?utm_source=rss&utm_medium=feed#comments",
            "http://example.com/News/story.html",
        ),
        ("https://example.com/a?id=3&fbclid=XYZ&gclid=1", "https://example.com/a?id=3"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/x", "https://example.com/x"),
    ],
)
def test_canonical_urls_drop_tracking_parameters_fragments_and_case(
    url: str, canonical: str
) -> None:
    assert canonical_url(url) == canonical


def test_an_article_file_is_named_for_its_canonical_url() -> None:
    path = article_path("http://127.0.0.1:8080/articles/storm-hits-the-coast.html")
    assert path.parts[:2] == ("web", "127.0.0.1-8080")
    assert path.name.startswith("articles-storm-hits-the-coast-") and path.suffix == ".md"
    assert article_path("http://127.0.0.1:8080/articles/storm-hits-the-coast.html") == path
    other = article_path("http://127.0.0.1:8080/articles/storm-hits-the-coast.html?page=2")
    assert other != path and other.parent == path.parent


def test_article_file_names_stay_short_and_never_hidden() -> None:
    path = article_path("https://example.com/" + "very-long-words/" * 30 + "?q=" + "x" * 300)
    assert len(path.name) <= 60 + 1 + 10 + 3
    assert not any(part.startswith(".") for part in path.parts)
    assert article_path("https://example.com/").name.startswith("index-")


def test_same_site_compares_registrable_domains() -> None:
    assert same_site("https://www.example.co.uk/a", "https://news.example.co.uk/b")
    assert not same_site("https://example.com/a", "https://example.org/a")
    assert same_site("http://127.0.0.1:8/a", "http://127.0.0.1:9/b")
    assert not same_site("http://127.0.0.1/a", "http://127.0.0.2/a")
