"""Ray Data integration: render a Dataset of requests with the Arrow kernel on a pool of actors.

Optional dependency: ``pip install "textrepr[ray]"``; ``import textrepr`` never imports this module or ray.
Rendering holds the GIL, so the pool is made of processes (Ray actors), one per CPU by default.

    import ray, textrepr
    from textrepr.ray import render_dataset

    ds = ray.data.read_parquet("s3://bucket/requests/")       # a "request" column of JSON documents
    out = render_dataset(ds, textrepr.Options.llm_summary(max_length=20_000))
    out.write_parquet("s3://bucket/texts/")

Each output row carries the input's other columns plus ``text``, ``char_count``, ``truncated``, ``event_id``,
``trace_id`` and ``error``; see :mod:`textrepr.arrow` for the row semantics. The text column is always
``large_string`` so that every block has the same schema.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .arrow import BatchRenderer, OptionsLike, _batch_override

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import ray.data

__all__ = ["TextReprBatches", "render_dataset", "render_traces"]


class TextReprBatches:
    """Ray Data callable class: one :class:`~textrepr.arrow.BatchRenderer` per actor.

    Options are validated once when the actor starts, not per batch.
    """

    def __init__(self, **renderer_kwargs: Any) -> None:
        self._render = BatchRenderer(**renderer_kwargs)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return self._render(batch)


def _cluster_cpus() -> int:
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def render_dataset(
    ds: ray.data.Dataset,
    options: OptionsLike = None,
    *,
    column: str = "request",
    options_column: str | None = "options",
    keep_request: bool = False,
    wrap_bare: bool = False,
    token_counter: str | None = None,
    redactor: Any = None,
    **map_batches_kwargs: Any,
) -> ray.data.Dataset:
    """``ds.map_batches`` with the kernel: lazily renders every row (a bad row becomes an ``error`` row).

    ``options`` is validated here, on the driver, so a bad one raises ``InvalidRequest`` at once.
    ``token_counter`` names the counter of ``max_tokens`` (``textrepr.tokens.counter``; default: the estimator).
    ``redactor``: a :class:`textrepr.Redactor` with custom rules (sent to each actor; its callback must pickle).
    ``map_batches_kwargs`` go to ``Dataset.map_batches`` (e.g. ``batch_size``, ``compute``, ``num_cpus``).

    Without ``compute``/``concurrency``: a pool that starts at one actor per CPU of the cluster, each
    reserving half a CPU (``num_cpus=0.5``). Rendering is CPU-bound, so one busy actor per core is the aim; but
    actors that reserve every CPU leave none for Ray Data's read and write tasks and the pipeline stalls
    for good, while an autoscaling pool on a small cluster rarely grows past one actor (both seen with
    Ray 2.60 on 2 CPUs). Batches are whole blocks unless ``batch_size`` is given: an actor renders whole
    blocks anyway, and fewer, larger batches cost less per row. A dataset of few large blocks keeps few
    actors busy (see docs/warehouse.md).
    """
    import inspect

    import ray.data

    _batch_override(options)  # fail fast on the driver
    kwargs = dict(map_batches_kwargs)
    if "compute" not in kwargs and "concurrency" not in kwargs:
        n = _cluster_cpus()
        try:  # start at full size; min_size=1 lets a few-block dataset run without Ray's under-use warning
            kwargs["compute"] = ray.data.ActorPoolStrategy(min_size=1, max_size=n, initial_size=n)
        except TypeError:  # Ray without initial_size
            kwargs["compute"] = ray.data.ActorPoolStrategy(size=n)
        kwargs.setdefault("num_cpus", 0.5)
    if "udf_modifying_row_count" in inspect.signature(ds.map_batches).parameters:
        kwargs.setdefault("udf_modifying_row_count", False)  # one output row per input row
    ctor = dict(options=options, column=column, options_column=options_column, keep_request=keep_request,
                large_text=True, wrap_bare=wrap_bare, token_counter=token_counter,
                redactor=redactor)  # a counter's name
    return ds.map_batches(
        TextReprBatches, batch_format="pyarrow", fn_constructor_kwargs=ctor, **kwargs
    )


# ------------------------------------------------------------------------- traces from flat events

_KEY = "_textrepr_trace_id"


def _with_trace_key(batch: pa.Table) -> pa.Table:
    """The batch plus the trace id of each row ("" for rows of no trace: other kinds, no trace id, or
    undecodable properties — the kernel reports those in the "" group)."""
    import pyarrow as pa

    from .arrow import event_rows
    from .assembly.events import participant, trace_of
    from .errors import InvalidRequest

    keys: list[str] = []
    for i, ev in enumerate(event_rows(batch)):
        try:
            p = participant(ev, i)
        except InvalidRequest:
            p = None
        keys.append((trace_of(p[1]) or "") if p is not None else "")
    return batch.append_column(_KEY, pa.array(keys, type=pa.string()))


def _render_trace_group(group: pa.Table, options: OptionsLike = None) -> pa.Table:
    """map_groups function: the events of one trace id -> its output row(s)."""
    from .arrow import render_traces

    return render_traces(group.drop_columns([_KEY]), options)


def render_traces(ds: ray.data.Dataset, options: OptionsLike = None, **map_groups_kwargs: Any) -> ray.data.Dataset:
    """One row per trace of a Dataset of flat events (PostHog batch-export columns: ``uuid``, ``event``,
    ``properties`` as JSON text, ``timestamp``, any others), with Ray Data's ``groupby(...).map_groups(...)``.

    Output columns as :func:`textrepr.arrow.render_traces`. Rows come in Ray's group order (by trace id),
    not first appearance; within a trace, Ray's shuffle does not keep input order, which only matters for
    events with equal timestamps (the rules break such ties by input order). Events of no trace, and rows
    with undecodable properties, come out as rows with a null ``trace_id`` and an ``error``.
    ``options`` is validated here, on the driver. ``map_groups_kwargs`` go to ``map_groups``.
    """
    from .arrow import _trace_options

    _trace_options(options)  # fail fast on the driver
    keyed = ds.map_batches(_with_trace_key, batch_format="pyarrow")
    kwargs = dict(map_groups_kwargs)
    kwargs.setdefault("batch_format", "pyarrow")
    kwargs["fn_kwargs"] = {**kwargs.get("fn_kwargs", {}), "options": options}
    return keyed.groupby(_KEY).map_groups(_render_trace_group, **kwargs)
