"""FORMAT.md §4.12 (embedding) and §4.13 (evaluation)."""
from __future__ import annotations

from textrepr import text_repr
from textrepr.options import Options
from textrepr.render.embedding import render_embedding
from textrepr.render.evaluation import render_evaluation

SEP = "-" * 80
O = Options()


def render(kind: str, props: dict, options: dict | None = None, event_type: str = "$ai_generation") -> str:
    req: dict = {"event_type": event_type, "data": {"id": "e1", "event": kind, "properties": props}}
    if options is not None:
        req["options"] = options
    return text_repr(req)["text"]


# --------------------------------------------------------------------------------------------
# §4.12


EMBED_EXAMPLE = """\
--------------------------------------------------------------------------------

INPUT:

embed me

--------------------------------------------------------------------------------

OUTPUT:

Embedding vector generated



--------------------------------------------------------------------------------

ERROR:

An error occurred (no details available)
"""


def test_embedding_spec_example() -> None:
    props = {"$ai_input": "embed me", "$ai_is_error": True}
    assert render("$ai_embedding", props, event_type="$ai_embedding") == EMBED_EXAMPLE


def test_embedding_without_input_or_error() -> None:
    assert render_embedding({}, O) == [SEP, "", "OUTPUT:", "", "Embedding vector generated", ""]
    assert render("$ai_embedding", {}) == SEP + "\n\nOUTPUT:\n\nEmbedding vector generated\n"


def test_embedding_error_without_input() -> None:
    lines = render_embedding({"$ai_error": {"code": 1}}, O)
    assert lines == [SEP, "", "OUTPUT:", "", "Embedding vector generated", "",
                     "", "", SEP, "", "ERROR:", "", "code: 1", ""]


def test_embedding_input_forms() -> None:
    lines = render_embedding({"$ai_input": ["a", "b"]}, O)
    assert lines[:10] == [SEP, "", "INPUT:", "", "[1]", "", "a", "", SEP, ""]  # D15
    lines = render_embedding({"$ai_input": {"texts": ["a"]}}, O)
    assert lines[:5] == [SEP, "", "INPUT:", "", "[Unparsed input format: dict]"]
    # Output and tools are never shown for embeddings.
    assert render_embedding({"$ai_output": "x", "$ai_tools": [{"name": "t"}]}, O) == render_embedding({}, O)


def test_embedding_dispatch_d1() -> None:
    # Missing data.event: the request's event_type decides.
    r = text_repr({"event_type": "$ai_embedding", "data": {"id": "e", "properties": {}}})
    assert r["text"] == SEP + "\n\nOUTPUT:\n\nEmbedding vector generated\n"


# --------------------------------------------------------------------------------------------
# §4.13


def line(props: dict) -> str:
    lines = render_evaluation(props, O)
    assert lines[0] == SEP and lines[1] == "" and lines[3] == "" and len(lines) == 4
    return lines[2]


def test_evaluation_spec_example() -> None:
    props = {"$ai_evaluation_name": "acc", "$ai_evaluation_result": False,
             "$ai_evaluation_runtime": "llm_judge", "$ai_evaluation_model": "gpt-4",
             "$ai_evaluation_reasoning": "wrong"}
    assert line(props) == "EVALUATION: acc | Result: false (llm_judge/gpt-4) | Reasoning: wrong"
    assert render("$ai_evaluation", props) == (
        SEP + "\n\nEVALUATION: acc | Result: false (llm_judge/gpt-4) | Reasoning: wrong\n")


def test_evaluation_names() -> None:
    assert line({}) == "EVALUATION: Unknown evaluation | Result: UNKNOWN"
    assert line({"$ai_evaluation_name": None}) == "EVALUATION: None | Result: UNKNOWN"
    assert line({"$ai_evaluation_name": ["a"]}) == 'EVALUATION: ["a"] | Result: UNKNOWN'


def test_evaluation_results() -> None:
    def r(**kw: object) -> str:
        return line({"$ai_evaluation_name": "n", **{"$ai_evaluation_" + k: v for k, v in kw.items()}})

    assert r(applicable=False, result=True) == "EVALUATION: n | Result: N/A"
    assert r(applicable="false", result=True) == "EVALUATION: n | Result: N/A"
    assert r(applicable=0, result=True) == "EVALUATION: n | Result: true"
    assert r(result_type="categorical", categorical_result=["resolved"]) == 'EVALUATION: n | Result: ["resolved"]'
    assert r(result_type="categorical", categorical_result="resolved", result="true") == (
        "EVALUATION: n | Result: true")
    assert r(result_type="numeric", numeric_result=0) == "EVALUATION: n | Result: 0"
    assert r(result_type="numeric", numeric_result=7.25) == "EVALUATION: n | Result: 7.25"
    assert r(result_type="numeric", numeric_result=None, result=False) == "EVALUATION: n | Result: false"
    assert r(result_type="numeric", categorical_result=["x"]) == "EVALUATION: n | Result: UNKNOWN"
    assert r(result=True) == "EVALUATION: n | Result: true"
    assert r(result="true") == "EVALUATION: n | Result: true"
    assert r(result="false") == "EVALUATION: n | Result: false"
    assert r(result=1) == "EVALUATION: n | Result: UNKNOWN"
    assert r(result="yes") == "EVALUATION: n | Result: UNKNOWN"
    assert r(result=True, skipped=True) == "EVALUATION: n | Result: true"


def test_evaluation_runtime_and_reasoning() -> None:
    def r(**kw: object) -> str:
        return line({"$ai_evaluation_name": "n", "$ai_evaluation_result": True,
                     **{"$ai_evaluation_" + k: v for k, v in kw.items()}})

    assert r(runtime="llm_judge") == "EVALUATION: n | Result: true (llm_judge)"
    assert r(runtime="llm_judge", model="") == "EVALUATION: n | Result: true (llm_judge)"
    assert r(runtime="hog", model="m") == "EVALUATION: n | Result: true (hog)"
    assert r(runtime=5) == "EVALUATION: n | Result: true (5)"
    assert r(runtime="") == "EVALUATION: n | Result: true"
    assert r(reasoning="") == "EVALUATION: n | Result: true"
    assert r(reasoning={"why": 1}) == 'EVALUATION: n | Result: true | Reasoning: {"why": 1}'
    assert r(runtime="llm_judge", model=["m"], reasoning=3) == (
        'EVALUATION: n | Result: true (llm_judge/["m"]) | Reasoning: 3')
