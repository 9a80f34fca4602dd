"""The `newsbot` command line, and the one place where the application is put together.

Settings are read from the environment once, here; every other object receives what it
needs through its constructor.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from bot.settings import BotSettings
from index.errors import ConfigurationError, CorpusError, NewsbotError, QuestionError
from index.models import IndexProgress, SearchFilters
from index.settings import Settings

if TYPE_CHECKING:
    from index.answer.conversation import Conversation
    from index.answer.extractive import Answerer
    from index.ingest.pipeline import Indexer
    from index.models import Answer
    from index.storage.store import Store

log = logging.getLogger("newsbot")


class App:
    """The composition root: builds the core's objects from settings, each on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._answerer: Answerer | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from index.storage.store import Store

            self._store = Store(self.settings)
        return self._store

    def indexer(self) -> Indexer:
        from index.embedding.model import load_document_embedder
        from index.ingest.pipeline import Indexer

        return Indexer(self.settings, self.store, lambda: load_document_embedder(self.settings))

    def answerer(self) -> Answerer:
        if self._answerer is None:
            from index.answer.extractive import Answerer
            from index.embedding.model import load_query_embedder
            from index.search.retriever import Retriever

            retriever = Retriever(self.store, load_query_embedder())
            if self.settings.llm == "none":
                self._answerer = Answerer(self.settings, retriever)
            else:
                from index.generation.generate import GenerativeAnswerer
                from index.generation.llm import load_chat_model

                model = load_chat_model(self.settings)
                self._answerer = GenerativeAnswerer(self.settings, retriever, model)
        return self._answerer

    def respond(
        self,
        question: str,
        *,
        conversation: Conversation | None = None,
        filters: SearchFilters | None = None,
    ) -> Answer:
        """The answer the CLI shows: generated when NEWSBOT_LLM is set, else extractive."""
        answerer = self.answerer()
        if self.settings.llm == "none":
            return answerer.ask(question, conversation=conversation, filters=filters)
        from index.generation.generate import GenerativeAnswerer

        assert isinstance(answerer, GenerativeAnswerer)
        return answerer.generate(question, conversation=conversation, filters=filters)


def _prepare_environment() -> None:
    # numpy's OpenBLAS threads spin-wait on each other: with another process busy on one of
    # the two cores, a 9 ms question embedding took 0.7 s. One thread costs 1-2 ms when idle.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Model loading prints progress bars and advice meant for library developers.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class _NewsbotGroup(click.Group):
    """Turns newsbot's own errors into a one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsbotError as e:
            click.echo(f"newsbot: {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("newsbot: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_NewsbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, for troubleshooting.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Ask questions about a corpus of news articles and get answers with cited sources.

    Configuration comes from NEWSBOT_* environment variables (see the README).
    """
    _prepare_environment()
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = BotSettings()
    except Exception as e:  # pydantic's ValidationError names the variable and the problem
        raise click.UsageError(f"invalid configuration: {e}") from e
    ctx.obj = App(settings)


# -- index -----------------------------------------------------------------------------------


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file could not be read.")
@click.pass_obj
def index_command(app: App, paths: tuple[Path, ...], as_json: bool, strict: bool) -> None:
    """Index the articles under PATHS (default: the corpus folder).

    The index mirrors PATHS: new and edited articles are embedded, articles that are gone
    are removed, unchanged ones cost nothing. Unreadable files are reported and skipped.
    """
    from bot.terminal import render_summary

    with _progress_bar(enabled=not as_json and sys.stderr.isatty()) as on_progress:
        summary = app.indexer().run(list(paths) or None, progress=on_progress)
    if as_json:
        click.echo(json.dumps(summary.to_dict()))
    else:
        click.echo(render_summary(summary))
    if strict and summary.failed:
        sys.exit(1)


@main.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_obj
def add_command(app: App, files: tuple[Path, ...], as_json: bool) -> None:
    """Add article FILES to the corpus folder and index them.

    A file goes in only if it holds at least one readable article; one that does not is
    reported and left out (exit status 1). A file named like one already in the corpus
    replaces it: that is how an article is corrected. The rest of the corpus is kept.
    """
    from bot.terminal import render_summary
    from index.ingest.intake import Intake, add_file

    max_bytes = int(app.settings.max_file_mib * 2**20)
    added: list[Intake] = []
    refused: list[str] = []
    for path in files:
        try:
            added.append(
                add_file(
                    app.settings.corpus_dir, path.name, path.read_bytes(), max_file_bytes=max_bytes
                )
            )
        except CorpusError as e:
            refused.append(str(e))
        except OSError as e:
            refused.append(f"{path} was not added: it cannot be read ({e.strerror or e}).")
    if not as_json:
        for intake in added:
            click.echo(f"Added {intake.describe()}.")
        for reason in refused:
            click.echo(reason, err=True)
    summary = None
    index_error = None
    if added:
        try:
            with _progress_bar(enabled=not as_json and sys.stderr.isatty()) as on_progress:
                summary = app.indexer().run(None, progress=on_progress)
        except NewsbotError as e:
            # The files are in the corpus folder: the next re-index takes them in.
            index_error = f"{e} The files added will be indexed by the next re-index."
    if as_json:
        report = {
            "added": [
                {"file": i.name, "articles": i.articles, "replaced": i.replaced} for i in added
            ],
            "refused": refused,
            "index": summary.to_dict() if summary else None,
            "index_error": index_error,
        }
        click.echo(json.dumps(report))
    elif summary:
        click.echo(render_summary(summary))
    elif index_error:
        click.echo(f"newsbot: {index_error}", err=True)
    if refused or index_error:
        sys.exit(1)


class _progress_bar:  # noqa: N801 - used like a function in a with statement
    """A terminal progress bar fed by the indexer's progress reports."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._bar: Any = None
        self._shown = 0

    def __enter__(self) -> Callable[[IndexProgress], None] | None:
        return self._update if self._enabled else None

    def _update(self, progress: IndexProgress) -> None:
        if progress.total == 0:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=progress.total, label="Embedding articles", file=sys.stderr
            )
            self._bar.__enter__()
        self._bar.update(progress.done - self._shown)
        self._shown = progress.done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


# -- ask and chat --------------------------------------------------------------------------


def _filters(
    source: str | None, since: dt.datetime | None, until: dt.datetime | None
) -> SearchFilters:
    return SearchFilters(
        source=source,
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
    )


_filter_options = [
    click.option("--source", help="Only articles from this source."),
    click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Only articles published on or after this date.",
    ),
    click.option(
        "--until",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Only articles published on or before this date.",
    ),
]


def _with_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_filter_options):
        command = option(command)
    return command


@main.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@_with_filters
@click.pass_obj
def ask_command(
    app: App,
    question: str,
    as_json: bool,
    source: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    """Answer QUESTION with cited passages.

    With --json and QUESTION "-", read one question per line from standard input and
    write one JSON object per line (the model is loaded once).
    """
    filters = _filters(source, since, until)
    if question == "-":
        if not as_json:
            raise click.UsageError('reading questions from standard input ("-") needs --json')
        _answer_lines(app, _stdin_lines(sys.stdin), filters, conversation=None)
        return
    try:
        answer = app.respond(question, filters=filters)
    except QuestionError as e:
        raise click.UsageError(str(e)) from e
    click.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else _human(answer))


@main.command("chat")
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per turn.")
@_with_filters
@click.pass_obj
def chat_command(
    app: App,
    as_json: bool,
    source: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> None:
    """A conversation in the terminal: follow-up questions build on earlier turns.

    From a pipe, each line is the next turn of one conversation.
    """
    from index.answer.conversation import Conversation

    conversation = Conversation(max_turns=app.settings.conversation_turns)
    filters = _filters(source, since, until)
    interactive = sys.stdin.isatty() and not as_json
    if interactive:
        click.echo("Ask about the news in the corpus. An empty line or Ctrl-D ends the chat.")
        lines: Iterable[str] = _prompted_lines()
    else:
        lines = _stdin_lines(sys.stdin)
    if as_json:
        _answer_lines(app, lines, filters, conversation)
    else:
        _print_answers(app, lines, filters, conversation)


def _stdin_lines(stream: TextIO) -> Iterator[str]:
    for line in stream:
        if line.strip():
            yield line.strip()


def _prompted_lines() -> Iterator[str]:
    while True:
        try:
            line = input("\n> ")
        except EOFError:
            return
        if not line.strip() or line.strip().lower() in {"exit", "quit"}:
            return
        yield line


def _human(answer: Answer) -> str:
    from bot.terminal import render_answer

    text = render_answer(answer)
    return f"{text}\n\n({answer.note})" if answer.note else text


def _answer_lines(
    app: App, lines: Iterable[str], filters: SearchFilters, conversation: Any
) -> None:
    for line in lines:
        try:
            record = app.respond(line, conversation=conversation, filters=filters).to_dict()
        except QuestionError as e:
            record = {"question": line[:200], "error": str(e)}
        click.echo(json.dumps(record, ensure_ascii=False))


def _print_answers(
    app: App, lines: Iterable[str], filters: SearchFilters, conversation: Any
) -> None:
    for line in lines:
        try:
            click.echo(_human(app.respond(line, conversation=conversation, filters=filters)))
        except QuestionError as e:
            click.echo(str(e))
        click.echo()


# -- stats -----------------------------------------------------------------------------------


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats_command(app: App, as_json: bool) -> None:
    """What is indexed: articles, chunks, embedding model, where, and since when."""
    from bot.terminal import render_stats

    stats = app.store.stats()
    click.echo(json.dumps(stats.to_dict()) if as_json else render_stats(stats))


# -- eval ------------------------------------------------------------------------------------


@main.command("eval")
@click.option(
    "--dataset",
    "dataset_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder with corpus.json and queries.json, e.g. ../shared/eval/squad-v1.1-dev.",
)
@click.option(
    "--sample", type=click.IntRange(min=1), help="Evaluate a seeded sample of this many questions."
)
@click.option("--seed", default=0, show_default=True, help="Seed of the sample.")
@click.option(
    "--modes",
    default="default,dense,bm25",
    show_default=True,
    help="Retrieval modes to compare, comma-separated.",
)
@click.option(
    "--tune",
    is_flag=True,
    help="Instead of evaluating, search the ranking weights on the tuning split.",
)
@click.option(
    "--calibrate",
    is_flag=True,
    help=(
        "Instead of evaluating, calibrate the 'not in the corpus' threshold: index half of "
        "the articles and ask the tuning split, whose other half is then off-topic."
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Also write PATH.json and a PATH.png chart.",
)
@click.pass_obj
def eval_command(
    app: App,
    dataset_dir: Path,
    sample: int | None,
    seed: int,
    modes: str,
    tune: bool,
    calibrate: bool,
    as_json: bool,
    report_path: Path | None,
) -> None:
    """Measure retrieval and answers on a question set, through the bot's own code path.

    The dataset's articles are indexed into their own data directory (reused while they
    do not change). Figures leave out the tuning split (one question in five) on which the
    ranking weights and the "not in the corpus" threshold were chosen.
    """
    from bot.terminal import render_eval
    from index.measure.evaluation import (
        REPORTED_MODES,
        check_report_dependencies,
        choose_questions,
        evaluate,
        load_dataset,
        tuning_questions,
        write_report,
    )
    from index.models import Answer

    wanted = [m.strip() for m in modes.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in REPORTED_MODES]
    if unknown:
        raise click.UsageError(
            f"unknown mode {unknown[0]!r}; choose from {', '.join(REPORTED_MODES)}"
        )
    if report_path is not None:
        check_report_dependencies()
    dataset = load_dataset(dataset_dir)
    if calibrate:
        _calibrate(app.settings, dataset, tuning_questions(dataset, sample, seed), as_json)
        return
    eval_app = App(_eval_settings(app.settings, dataset.name))
    with _progress_bar(enabled=sys.stderr.isatty()) as on_progress:
        summary = eval_app.indexer().run([dataset.corpus], progress=on_progress)
    if summary.chunks_embedded:
        click.echo(f"Indexed {dataset.name} in {summary.seconds:.0f} s.", err=True)
    answerer = eval_app.answerer()
    if tune:
        _tune(answerer, tuning_questions(dataset, sample, seed), as_json)
        return
    questions = choose_questions(dataset, sample, seed)

    def ask(question: str, mode: str) -> Answer:
        try:
            return answerer.ask(question, mode=mode)  # type: ignore[arg-type]
        except QuestionError as e:
            return Answer(question=question, answer=str(e), found=False)

    def progress(mode: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{mode}: {done}/{total} questions", err=True, nl=done == total)

    report = evaluate(dataset, questions, ask, wanted, progress)
    report["sample"] = {
        "size": len(questions),
        "seed": seed if sample else None,
        "tuning_split_excluded": True,
    }
    report["threshold"] = eval_app.settings.min_relevance
    if "abstention" in report:
        report["abstention"]["threshold"] = eval_app.settings.min_relevance
    if report_path is not None:
        for written in write_report(report, report_path):
            click.echo(f"Wrote {written}", err=True)
    click.echo(json.dumps(report) if as_json else render_eval(report))


def _tune(answerer: Answerer, questions: list[Any], as_json: bool) -> None:
    """Search the hybrid ranking weights on the tuning split and print the best ones."""
    from dataclasses import asdict

    from index.measure.evaluation import tune_ranking
    from index.search.ranking import RankingWeights, rank

    retriever = answerer.retriever
    best, figures, log = tune_ranking(
        questions,
        lambda q: retriever.candidates(q),
        lambda pool, weights: rank(pool, "hybrid", weights),
        RankingWeights(),
    )
    if as_json:
        click.echo(json.dumps({"questions": len(questions), "weights": asdict(best), **figures}))
        return
    click.echo(f"{len(questions)} tuning questions.")
    for line in log:
        click.echo(f"  {line}")
    click.echo(f"Best: {best}")


def _calibrate(settings: Settings, dataset: Any, questions: list[Any], as_json: bool) -> None:
    """Choose the evidence weights and threshold that tell indexed from off-topic questions."""
    from index.answer.extractive import EVIDENCE, EvidenceWeights, evidence_score
    from index.measure.evaluation import calibrate_evidence, half_of_articles

    half, half_ids = half_of_articles(dataset.corpus)
    half_app = App(_eval_settings(settings, f"{dataset.name}-half"))
    corpus = half_app.settings.data_dir / "corpus.json"
    text = json.dumps(half)
    if not corpus.exists() or corpus.read_text(encoding="utf-8") != text:
        corpus.parent.mkdir(parents=True, exist_ok=True)
        corpus.write_text(text, encoding="utf-8")
    with _progress_bar(enabled=sys.stderr.isatty()) as on_progress:
        half_app.indexer().run([corpus], progress=on_progress)
    answerer = half_app.answerer()
    rows = [
        (answerer.ask(q.question).retrieved, q.gold.article_id in half_ids)
        for q in questions
        if q.gold is not None
    ]
    grid = [EvidenceWeights(a / 10, b / 10) for a in range(11) for b in range(7)]
    criteria = {
        "balanced": calibrate_evidence(rows, grid)[:3],
        f"keep {_KEEP:.0%}": calibrate_evidence(rows, grid, keep=_KEEP)[:3],
    }
    scores = [evidence_score(r) for r, _ in rows]
    report: dict[str, Any] = {
        "questions": len(rows),
        "answerable": sum(1 for _, a in rows if a),
        "criteria": {
            name: [{"weights": asdict(w), **f} for w, f in best] for name, best in criteria.items()
        },
        "configured": {
            "weights": asdict(EVIDENCE),
            "threshold": settings.min_relevance,
            **_rates(scores, [a for _, a in rows], settings.min_relevance),
        },
    }
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(
        f"{report['questions']} tuning questions, {report['answerable']} about indexed articles "
        "(the rest are off-topic)."
    )
    for name, rows_ in report["criteria"].items():
        click.echo(f"Best by {name}:")
        for row in rows_:
            click.echo(
                f"  overlap {row['weights']['overlap']:.1f} "
                f"window {row['weights']['window_overlap']:.1f}: threshold {row['threshold']:.3f} "
                f"keeps {row['kept']:.3f} of answerable, "
                f"declines {row['declined']:.3f} of off-topic"
            )
    configured = report["configured"]
    click.echo(
        f"Configured ({configured['weights']}, threshold {configured['threshold']}): "
        f"keeps {configured['kept']:.3f}, declines {configured['declined']:.3f}."
    )


# Calibration also reports the strictest threshold that still keeps this share of answerable
# questions, beside the balanced one newsbot uses (README, "Not in the corpus", says why).
_KEEP = 0.97


def _rates(scores: list[float], answerable: list[bool], threshold: float) -> dict[str, float]:
    kept = [s >= threshold for s, a in zip(scores, answerable, strict=True) if a]
    declined = [s < threshold for s, a in zip(scores, answerable, strict=True) if not a]
    return {
        "kept": sum(kept) / len(kept) if kept else 0.0,
        "declined": sum(declined) / len(declined) if declined else 0.0,
    }


def _eval_settings(settings: Settings, dataset: str) -> Settings:
    """The evaluation's own data directory and collections, apart from the served index."""
    name = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in dataset)
    return settings.model_copy(
        update={
            "data_dir": settings.data_dir / "eval" / name,
            "collection": f"{settings.collection}-eval-{name}"[:40],
            "top_k": max(settings.top_k, 10),
        }
    )


# -- bench -----------------------------------------------------------------------------------

_BENCH_DATASET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "squad-v1.1-dev"


@main.command("bench")
@click.option(
    "--dataset",
    "dataset_dir",
    default=_BENCH_DATASET,
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder with corpus.json (and queries.json for the questions asked).",
)
@click.option(
    "--articles",
    default=6,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many of the dataset's articles to index (each is embedded three times).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.pass_obj
def bench_command(app: App, dataset_dir: Path, articles: int, as_json: bool) -> None:
    """Measure speed side by side: raw model vs newsbot's index vs naive llama-index,
    re-indexing, question latency at 1k/10k/100k chunks, memory and cold start.

    Writes only under the data directory's bench/ folder; the large stores are cached
    there, so a rerun takes minutes.
    """
    from bot.terminal import render_bench
    from index.measure.bench import AskCommand, run_bench

    command = AskCommand(
        argv=(str(Path(sys.executable).with_name("newsbot")),), environment=dict(os.environ)
    )
    report = run_bench(
        app.settings,
        dataset_dir,
        articles,
        command,
        progress=lambda line: click.echo(f"bench: {line}", err=True),
    )
    click.echo(json.dumps(report.to_dict()) if as_json else render_bench(report.to_dict()))


# -- serve -----------------------------------------------------------------------------------


@main.command("serve")
@click.pass_obj
def serve_command(app: App) -> None:
    """Run the Discord bot: /ask, mentions and DMs, /reindex and /status.

    Needs NEWSBOT_DISCORD_TOKEN; the README (Discord) explains how to create the bot, invite
    it and configure it. Stops on Ctrl-C or SIGTERM.
    """
    settings = app.settings
    assert isinstance(settings, BotSettings)
    from bot.discord_bot import MISSING_TOKEN

    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise ConfigurationError(MISSING_TOKEN)
    from bot.discord_bot import NewsBot, run, use_endpoints
    from bot.feedback import FeedbackStore
    from bot.reindex_worker import IndexerProcess

    logging.getLogger("bot").setLevel(min(logging.getLogger().level, logging.INFO))
    use_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    bot = NewsBot(
        settings=settings,
        answerer=app.answerer(),
        indexer=IndexerProcess(settings),
        store=app.store,
        feedback=FeedbackStore(settings.feedback_path),
    )
    run(bot, settings.discord_token.get_secret_value().strip())
