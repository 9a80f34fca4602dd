"""`newsbot eval` and `newsbot bench`: parsing their options and printing their reports; the
measuring itself is ``index.measure``'s."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.corpus import progress_bar
from index.errors import QuestionError

if TYPE_CHECKING:
    from bot.cli.app import App
    from index.models import Answer, IndexSummary

# ../shared beside the repository, where the public question sets are.
_SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"


@click.command("eval")
@click.option(
    "--dataset",
    "dataset_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help=(
        "A SQuAD-style folder (corpus.json, queries.json; e.g. ../shared/eval/squad-v1.1-dev) "
        "or a news folder (dataset.json, articles/, questions.jsonl, conversations.jsonl; "
        "e.g. tests/data/news-dev)."
    ),
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
    "--details", is_flag=True, help="News datasets: also list each question answered wrongly."
)
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
    details: bool,
    report_path: Path | None,
) -> None:
    """Measure retrieval and answers on a question set, through the bot's own code path.

    The dataset's articles are indexed into their own data directory (reused while they
    do not change).

    SQuAD-style sets report hit@k, MRR, answer in citations, exact match and F1, and
    abstention; figures leave out the tuning split (one question in five) on which the
    ranking weights and the "not in the corpus" threshold were chosen.

    News sets (dataset.json with the "today" the questions are asked on, articles/,
    questions.jsonl of plain, time and unanswerable questions, conversations.jsonl) report:
    the answer in the answer text, the first citation of the right date for questions about
    a time, declines with a reason (precision and recall), follow-ups, and how often a
    short answer is shown and right. See README, "Answer quality".
    """
    from index.measure.news import is_news_dataset

    if is_news_dataset(dataset_dir):
        _eval_news(app, dataset_dir, as_json=as_json, details=details)
        return
    from bot.terminal import render_calibration, render_eval, render_tuning
    from index.measure.calibration import calibrate as run_calibration
    from index.measure.evaluation import (
        REPORTED_MODES,
        check_report_dependencies,
        choose_questions,
        evaluate,
        load_dataset,
        tuning_questions,
        write_report,
    )
    from index.measure.tuning import tune as run_tuning
    from index.measure.workspace import eval_settings, prepared_answerer
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
        with progress_bar(enabled=sys.stderr.isatty()) as on_progress:
            found = run_calibration(
                app.settings, dataset, tuning_questions(dataset, sample, seed), on_progress
            )
        click.echo(json.dumps(found) if as_json else render_calibration(found))
        return
    settings = eval_settings(app.settings, dataset.name)
    with progress_bar(enabled=sys.stderr.isatty()) as on_progress:
        summary, answerer = prepared_answerer(settings, dataset.corpus, on_progress)
    say_indexed(dataset.name, summary)
    if tune:
        tuned = run_tuning(answerer, tuning_questions(dataset, sample, seed))
        click.echo(json.dumps(tuned) if as_json else render_tuning(tuned))
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
    report["threshold"] = settings.min_relevance
    if "abstention" in report:
        report["abstention"]["threshold"] = settings.min_relevance
    if report_path is not None:
        for written in write_report(report, report_path):
            click.echo(f"Wrote {written}", err=True)
    click.echo(json.dumps(report) if as_json else render_eval(report))


@click.command("bench")
@click.option(
    "--dataset",
    "dataset_dir",
    default=_SHARED_EVAL / "squad-v1.1-dev",
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
@click.option(
    "--scales",
    default="1000,10000,100000",
    show_default=True,
    help=(
        "Store sizes (chunks) at which questions, memory, disk and recall are measured, "
        "comma-separated (1000000 works: one to two hours or more to build once on 2 cores, "
        "then cached)."
    ),
)
@click.option(
    "--also-precision",
    "also_precision",
    type=click.Choice(["fp32", "bf16"]),
    multiple=True,
    help=(
        "Also measure indexing against the bare model at this embedding precision, in the "
        "same run (the configured one is always measured)."
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.pass_obj
def bench_command(
    app: App,
    dataset_dir: Path,
    articles: int,
    scales: str,
    also_precision: tuple[str, ...],
    as_json: bool,
) -> None:
    """Measure speed side by side: raw model vs newsbot's index vs naive llama-index,
    re-indexing, question latency at each scale, memory and cold start.

    Writes only under the data directory's bench/ folder; the large stores are cached
    there, so a rerun takes minutes.
    """
    from bot.terminal import render_bench
    from index.measure.bench import AskCommand, run_bench

    try:
        sizes = sorted({int(size) for size in scales.split(",") if size.strip()})
    except ValueError:
        raise click.UsageError(
            f"--scales must be numbers of chunks, e.g. 1000,10000; got {scales!r}"
        ) from None
    if not sizes or sizes[0] < 1:
        raise click.UsageError("--scales needs at least one positive number of chunks.")
    command = AskCommand(
        argv=(str(Path(sys.executable).with_name("newsbot")),), environment=dict(os.environ)
    )
    report = run_bench(
        app.settings,
        dataset_dir,
        articles,
        command,
        progress=lambda line: click.echo(f"bench: {line}", err=True),
        scales=sizes,
        other_precisions=also_precision,
    )
    click.echo(json.dumps(report.to_dict()) if as_json else render_bench(report.to_dict()))


def say_indexed(name: str, summary: IndexSummary) -> None:
    """On stderr: how long indexing the dataset took, and every article it had to skip
    (the evaluation runs without them, so its figures are not the whole set's)."""
    if summary.chunks_embedded:
        click.echo(f"Indexed {name} in {summary.seconds:.0f} s.", err=True)
    if summary.failed:
        click.echo(
            f"Skipped {len(summary.failed)} unreadable article(s); the figures leave them out:",
            err=True,
        )
        for failure in summary.failed:
            click.echo(f"  {failure}", err=True)


def _eval_news(app: App, dataset_dir: Path, *, as_json: bool, details: bool) -> None:
    """`newsbot eval` on a news dataset, asked on the dataset's own "today"."""
    from bot.terminal import render_news_eval
    from index.answer.conversation import Conversation
    from index.measure.news import NewsQuestion, evaluate_news, load_news_dataset
    from index.measure.workspace import eval_settings, prepared_answerer
    from index.models import Answer

    dataset = load_news_dataset(dataset_dir)
    settings = eval_settings(app.settings, dataset.name).model_copy(update={"today": dataset.today})
    with progress_bar(enabled=sys.stderr.isatty()) as on_progress:
        summary, answerer = prepared_answerer(settings, dataset.articles, on_progress)
    say_indexed(dataset.name, summary)

    def asking(conversation: Conversation | None) -> Callable[[NewsQuestion], Answer]:
        def ask(question: NewsQuestion) -> Answer:
            try:
                return answerer.ask(question.question, conversation=conversation)
            except QuestionError as e:
                return Answer(question.question, str(e), found=False, reason=str(e))

        return ask

    report = evaluate_news(
        dataset,
        asking(None),
        lambda: asking(Conversation(max_turns=settings.conversation_turns)),
    )
    if not details:
        report.pop("failures")
    click.echo(json.dumps(report) if as_json else render_news_eval(report))
