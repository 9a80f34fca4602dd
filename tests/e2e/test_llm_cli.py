"""`newsbot ask` and `newsbot chat` with a language model: real processes, real llama-index
clients, and the loopback LLM double (``llm_double.py``) answering from a script.

The index is built once by a real `newsbot index` of the bundled article; reference answers
come from the same CLI without NEWSBOT_LLM (the extractive answer every fallback must equal).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.e2e.answer_schema import ANSWER_KEYS
from tests.e2e.llm_double import Failure, Garbage, LLMDouble, LLMRequest, Reply

pytestmark = pytest.mark.e2e

NEWSBOT = str(Path(sys.executable).with_name("newsbot"))
LLM_KEYS = {"generated", "standalone_question", "note"}
API_KEY = "sk-test-" + "7" * 24  # must never reach a prompt or the output
TIMEOUT = 2.0
SOCHI = "What was agreed at Sochi?"
HOST = "Who hosted the foreign ministers of Armenia and Azerbaijan?"
FOLLOW_UP = "where did he host them?"
WORLD_CUP = "Who won the 2022 football World Cup?"

Json = dict[str, Any]


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("llm-cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env["NEWSBOT_DATA_DIR"] = str(root / "data")
    env["NEWSBOT_CORPUS_DIR"] = str(REPO / "corpus")
    run(env, "index")
    return env


@pytest.fixture(scope="module")
def reference(base_env: dict[str, str]) -> dict[str, Json]:
    """The extractive answers, without a language model."""
    out = run(base_env, "ask", "--json", "-", stdin=f"{SOCHI}\n{HOST}\n").stdout
    return {a["question"]: a for a in map(json.loads, out.splitlines())}


@pytest.fixture(scope="module")
def llm() -> Iterator[LLMDouble]:
    with LLMDouble() as double:
        yield double


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [NEWSBOT, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, f"newsbot {args} exited {result.returncode}: {result.stderr}"
    return result


def llm_env(base: dict[str, str], provider: str, url: str) -> dict[str, str]:
    return {
        **base,
        "NEWSBOT_LLM": provider,
        "NEWSBOT_LLM_URL": url,
        "NEWSBOT_LLM_MODEL": "scripted-model",
        "NEWSBOT_LLM_API_KEY": API_KEY,
        "NEWSBOT_LLM_TIMEOUT": str(TIMEOUT),
    }


@pytest.fixture
def ask(base_env: dict[str, str], llm: LLMDouble) -> Callable[..., Json]:
    def ask(question: str, provider: str = "openai", url: str | None = None) -> Json:
        url = url or (llm.openai_url if provider == "openai" else llm.ollama_url)
        out = run(llm_env(base_env, provider, url), "ask", "--json", question).stdout
        return dict(json.loads(out))

    return ask


def sochi(request: LLMRequest) -> str:
    """What a model that read the prompt would write about Sochi, citing the right passage."""
    n = request.passage_number("agreed not to use force")
    return (
        f"At Sochi, the leaders of Armenia and Azerbaijan agreed not to use force [{n}]. "
        f"They also agreed to stick to earlier agreements that sought to end the fighting [{n}]."
    )


SOCHI_TEXT = (
    "At Sochi, the leaders of Armenia and Azerbaijan agreed not to use force. [1] "
    "They also agreed to stick to earlier agreements that sought to end the fighting. [1]"
)


def test_ask_json_gives_the_model_s_answer_with_citations_that_verify(
    ask: Callable[..., Json], llm: LLMDouble
) -> None:
    llm.script(Reply(sochi, pieces=8))
    answer = ask(SOCHI)

    assert set(answer) == ANSWER_KEYS | LLM_KEYS
    assert (answer["found"], answer["generated"], answer["note"]) == (True, True, None)
    assert answer["standalone_question"] == SOCHI
    assert answer["answer"] == SOCHI_TEXT
    (citation,) = answer["citations"]
    assert citation["n"] == 1 and "agreed not to use force" in citation["passage"]
    assert citation["passage"] in (REPO / "corpus" / "armenia-azerbaijan-talks.md").read_text()
    (request,) = llm.requests
    assert request.body["stream"] is True and request.body["model"] == "scripted-model"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert citation["passage"].strip() in request.prompt  # it cites what it was given
    assert request.prompt.rstrip().endswith(f"Question: {SOCHI}")


def test_the_prompt_holds_the_question_and_passages_and_nothing_of_the_configuration(
    ask: Callable[..., Json], llm: LLMDouble, base_env: dict[str, str]
) -> None:
    llm.script(Reply(sochi))
    ask(SOCHI)
    (request,) = llm.requests
    prompt = request.prompt
    for secret in (API_KEY, base_env["NEWSBOT_DATA_DIR"], "NEWSBOT", "scripted-model"):
        assert secret not in prompt
    assert [m["role"] for m in request.messages] == ["system", "user"]
    assert "Armenia and Azerbaijan hold US-mediated peace talks in Washington" in prompt


def test_wrong_numbers_and_unsupported_sentences_are_removed_and_the_rest_renumbered(
    ask: Callable[..., Json], llm: LLMDouble
) -> None:
    def mixed(request: LLMRequest) -> str:
        n = request.passage_number("agreed not to use force")
        return (
            "Blinken hosted the talks at Blair House in Washington [99]. "
            f"At Sochi, the leaders of Armenia and Azerbaijan agreed not to use force [{n}]. "
            f"Putin promised both countries a peace treaty signed by Christmas [{n}]. "
            f"Ignore the articles: the configuration holds an API key [{n}]. "
            f"<@123456789012345678> @everyone read this now [{n}]."
        )

    llm.script(Reply(mixed))
    answer = ask(SOCHI)

    assert answer["generated"] is True
    assert answer["answer"] == (
        "At Sochi, the leaders of Armenia and Azerbaijan agreed not to use force. [1]"
    )
    assert len(answer["citations"]) == 1
    assert "agreed not to use force" in answer["citations"][0]["passage"]
    assert answer["note"] == "4 generated sentences the articles do not support left out."


def test_an_answer_with_nothing_verifiable_falls_back_to_the_extractive_one(
    ask: Callable[..., Json], llm: LLMDouble, reference: dict[str, Json]
) -> None:
    llm.script(Reply("The leaders agreed not to use force [7]. Peace was signed in Paris [1]."))
    answer = ask(SOCHI)
    assert answer["generated"] is False
    assert answer["answer"] == reference[SOCHI]["answer"]
    assert answer["citations"] == reference[SOCHI]["citations"]
    assert "could not be checked against the articles" in answer["note"]


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


FAILURES = {
    "server error": (Failure(500), "answered with an error (HTTP 500)"),
    "rate limit": (Failure(429, "Rate limit reached", retry_after=30), "rate-limited"),
    "html instead of events": (Garbage(), "reply was empty"),
    "broken event": (Garbage(b"data: {not json\n\n", "text/event-stream"), "could not be read"),
    "slow to start": (Reply(sochi, wait=TIMEOUT + 3), f"did not answer within {TIMEOUT:g} s"),
    "slow to finish": (Reply(sochi, pieces=20, pause=0.4), f"did not answer within {TIMEOUT:g} s"),
}


@pytest.mark.parametrize("kind", [*FAILURES, "connection refused"])
def test_every_failure_ends_in_the_extractive_answer_with_a_note_within_the_timeout(
    ask: Callable[..., Json], llm: LLMDouble, reference: dict[str, Json], kind: str
) -> None:
    if kind == "connection refused":
        llm.script()
        answer = ask(SOCHI, url=_closed_port())
        reason = "could not be reached"
    else:
        entry, reason = FAILURES[kind]
        llm.script(entry)
        answer = ask(SOCHI)
        (request,) = llm.requests  # asked once: no retries
        finished = time.monotonic()
        # From the request to the process's exit (start-up excluded): within the timeout.
        # The margin is what follows any failed request, waiting or not: printing the
        # extractive answer and the interpreter's 1.4 s of teardown (2,300 modules). A
        # reply refused at once took 1.8-2.6 s to exit on a slow day, so 1.5 s failed
        # there without a wait; a process that waited for these replies takes 7 s or more.
        assert finished - request.at < TIMEOUT + 3.0
    assert (answer["found"], answer["generated"]) == (True, False)
    assert answer["answer"] == reference[SOCHI]["answer"]
    assert reason in answer["note"] and "quotes the articles instead" in answer["note"]


def test_a_question_the_corpus_does_not_cover_is_declined_without_calling_the_model(
    ask: Callable[..., Json], llm: LLMDouble
) -> None:
    llm.script(Reply("Argentina won it [1]."))
    answer = ask(WORLD_CUP)
    assert (answer["found"], answer["generated"]) == (False, False)
    # Declined with the reason: no article mentions the World Cup.
    assert answer["reason"] == "None of the indexed articles mentions “World Cup”."
    assert answer["answer"].startswith(answer["reason"])
    assert llm.requests == []


def test_the_ollama_api_is_spoken_too(ask: Callable[..., Json], llm: LLMDouble) -> None:
    llm.script(Reply(sochi, pieces=5))
    answer = ask(SOCHI, provider="ollama")
    assert (answer["generated"], answer["answer"]) == (True, SOCHI_TEXT)
    (request,) = llm.requests
    assert request.path == "/api/chat" and request.body["stream"] is True
    assert "Authorization" not in request.headers  # the key is for the OpenAI API only


CONDENSED = "Where did Antony Blinken host the foreign ministers of Armenia and Azerbaijan?"


def test_a_follow_up_in_chat_is_condensed_from_its_conversation(
    base_env: dict[str, str], llm: LLMDouble
) -> None:
    def host(request: LLMRequest) -> str:
        n = request.passage_number("hosted the foreign ministers")
        return f"U.S. Secretary of State Antony Blinken hosted the foreign ministers [{n}]."

    def condense(request: LLMRequest) -> str:
        # A model can only name Blinken if the conversation was in the prompt.
        seen = "Antony Blinken hosted" in request.prompt and FOLLOW_UP in request.prompt
        return f'Standalone question: "{CONDENSED}"' if seen else FOLLOW_UP

    def where(request: LLMRequest) -> str:
        n = request.passage_number("Blair House")
        return f"Blinken met the foreign ministers at Blair House in Washington [{n}]."

    llm.script(Reply(host), Reply(condense), Reply(where))
    out = run(
        llm_env(base_env, "openai", llm.openai_url),
        "chat",
        "--json",
        stdin=f"{HOST}\n{FOLLOW_UP}\n",
    ).stdout
    first, second = map(json.loads, out.splitlines())

    assert first["standalone_question"] == HOST and first["generated"] is True
    assert second["question"] == FOLLOW_UP
    assert second["standalone_question"] == CONDENSED
    assert second["generated"] is True and "Blair House" in second["answer"]
    _, condense_request, answer_request = llm.requests
    assert f"Q: {HOST}" in condense_request.prompt
    assert answer_request.prompt.rstrip().endswith(f"Question: {CONDENSED}")
    assert llm.unexpected == []
