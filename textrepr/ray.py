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

__all__ = ["TextReprBatches", "render_dataset"]


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
    redactor: Any = None,
    **map_batches_kwargs: Any,
) -> ray.data.Dataset:
    """``ds.map_batches`` with the kernel: lazily renders every row (a bad row becomes an ``error`` row).

    ``options`` is validated here, on the driver, so a bad one raises ``InvalidRequest`` at once.
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
                large_text=True, wrap_bare=wrap_bare, redactor=redactor)
    return ds.map_batches(
        TextReprBatches, batch_format="pyarrow", fn_constructor_kwargs=ctor, **kwargs
    )
