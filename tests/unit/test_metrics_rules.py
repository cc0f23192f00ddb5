"""Metrics: input checks, merge rules, writer scopes and the read-side parsers ($filter, $select, tagFilters)."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.errors import Forbidden, InvalidInput, NotImplementedYet
from chalicelib.domain.tracking.metrics import (Metric, NameValue, check_writer, merge_metrics, parse_metric,
                                       parse_pairs, upsert_by_name)
from chalicelib.domain.tracking.query import TagFilters, check_execution_ids, parse_execution_filter, select_parts

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def metric(name="loss", value=1.0, step=0, ts=NOW, labels=()):
    return Metric(name=name, value=value, timestamp=ts, step=step,
                  labels=[NameValue(name=k, value=v) for k, v in labels])


# -- parse_metric -----------------------------------------------------------------------------------------
def test_defaults_timestamp_to_write_time_and_step_to_zero():
    m = parse_metric({"name": "Error Rate", "value": 3}, NOW, "metrics[0]")
    assert (m.timestamp, m.step, m.value, m.labels) == (NOW, 0, 3, [])


def test_timestamp_with_offset_is_kept_as_utc():
    m = parse_metric({"name": "acc", "value": 0.5, "timestamp": "2024-05-01T14:00:00+02:00"}, NOW, "m")
    assert m.timestamp == NOW


@pytest.mark.parametrize("raw, words", [
    ({"value": 1}, "'m.name'"),
    ({"name": "", "value": 1}, "'m.name'"),
    ({"name": "!!!", "value": 1}, "'m.name'"),
    ({"name": "x" * 257, "value": 1}, "'m.name'"),
    ({"name": "loss"}, "finite number"),
    ({"name": "loss", "value": "0.5"}, "finite number, got \"0.5\""),
    ({"name": "loss", "value": True}, "finite number"),
    ({"name": "loss", "value": float("nan")}, "finite number"),
    ({"name": "loss", "value": float("inf")}, "finite number"),
    ({"name": "loss", "value": 1e200}, "storable range"),
    ({"name": "loss", "value": 1, "step": -1}, "integer >= 0"),
    ({"name": "loss", "value": 1, "step": 1.5}, "integer >= 0"),
    ({"name": "loss", "value": 1, "timestamp": "yesterday"}, "RFC 3339"),
    ({"name": "loss", "value": 1, "timestamp": 12}, "RFC 3339"),
    ({"name": "loss", "value": 1, "labels": [{"name": "a"}]}, "labels[0].value"),
    ({"name": "loss", "value": 1, "labels": [{"name": "a", "value": "v" * 257}]}, "1 to 256"),
])
def test_bad_metrics_are_refused_with_a_message(raw, words):
    with pytest.raises(InvalidInput) as err:
        parse_metric(raw, NOW, "m")
    assert words in err.value.message


def test_name_pattern_is_unanchored_like_the_spec():
    assert parse_metric({"name": "Error Rate (%)", "value": 1}, NOW, "m").name == "Error Rate (%)"


def test_pairs_need_name_and_value():
    assert parse_pairs([{"name": "a", "value": "b"}], "tags", 256) == [NameValue(name="a", value="b")]
    with pytest.raises(InvalidInput):
        parse_pairs([{"name": "a", "value": ""}], "tags", 256)
    with pytest.raises(InvalidInput):
        parse_pairs("not a list", "tags", 256)
    assert parse_pairs([{"name": "big", "value": "x" * 10000}], "customInfo", None)[0].value == "x" * 10000


# -- merge rules ------------------------------------------------------------------------------------------
def test_same_name_step_timestamp_replaces_in_place_other_metrics_are_appended():
    existing = [metric("loss", 1.0, 0), metric("acc", 0.5, 0)]
    merged = merge_metrics(existing, [metric("loss", 0.7, 0, labels=[("k", "v")]), metric("loss", 0.6, 1),
                                      metric("acc", 0.9, 0, ts=datetime(2024, 5, 2, tzinfo=timezone.utc))])
    assert [(m.name, m.step, m.value) for m in merged] == [("loss", 0, 0.7), ("acc", 0, 0.5), ("loss", 1, 0.6),
                                                           ("acc", 0, 0.9)]
    assert merged[0].labels == [NameValue(name="k", value="v")]
    assert [m.value for m in existing] == [1.0, 0.5]  # inputs untouched


def test_duplicates_within_one_write_keep_the_last():
    assert [m.value for m in merge_metrics([], [metric(value=1), metric(value=2)])] == [2]


def test_tags_and_custom_info_upsert_by_name():
    merged = upsert_by_name([NameValue(name="a", value="1"), NameValue(name="b", value="2")],
                            [NameValue(name="b", value="3"), NameValue(name="c", value="4")])
    assert [(p.name, p.value) for p in merged] == [("a", "1"), ("b", "3"), ("c", "4")]


def test_restricted_writer_may_write_only_its_execution():
    check_writer(frozenset(), "anything")
    check_writer(frozenset({"aicore.metrics.write:exec-1"}), "exec-1")
    with pytest.raises(Forbidden):
        check_writer(frozenset({"aicore.metrics.write:exec-1"}), "exec-2")


# -- read side --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, ids", [
    ("executionId eq 'exec-1'", ["exec-1"]),
    ("  executionId  EQ  'exec-1' ", ["exec-1"]),
    ("executionId in ('exec-1','exec-2')", ["exec-1", "exec-2"]),
    ("executionId in ( 'exec-1' , 'exec-2', 'exec-1' )", ["exec-1", "exec-2"]),
])
def test_supported_filters(text, ids):
    assert parse_execution_filter(text) == ids


@pytest.mark.parametrize("text", [
    "executionId ne 'exec-1'", "status eq 'x'", "executionId eq 'a1234' or executionId eq 'b1234'",
    "executionId eq exec-1", "executionId in ()", "contains(executionId, 'x')",
])
def test_other_filters_are_not_implemented(text):
    with pytest.raises(NotImplementedYet) as err:
        parse_execution_filter(text)
    assert "executionId eq" in err.value.message


def test_filter_ids_are_validated_and_limited():
    with pytest.raises(InvalidInput):
        parse_execution_filter("executionId eq 'a/b'")
    with pytest.raises(InvalidInput) as err:
        check_execution_ids([f"exec-{i}" for i in range(11)])
    assert "at most 10" in err.value.message


def test_select_parts():
    assert select_parts([]) == {"metrics", "tags", "custom_info"}
    assert select_parts(["*"]) == {"metrics", "tags", "custom_info"}
    assert select_parts(["metrics", "customInfo"]) == {"metrics", "custom_info"}
    assert select_parts(["custominfo"]) == {"custom_info"}
    with pytest.raises(InvalidInput):
        select_parts(["labels"])


def test_tag_filters():
    tags = [{"name": "team", "value": "a"}, {"name": "env", "value": "prod"}, {"name": "x,y", "value": "1=2"}]
    assert TagFilters("team=a,env!=dev").matches(tags)
    assert TagFilters("team").matches(tags) and not TagFilters("owner").matches(tags)
    assert not TagFilters("team=b").matches(tags)
    assert not TagFilters("env!=prod").matches(tags)
    assert TagFilters("owner!=me").matches(tags)  # absent counts as "not equal"
    assert TagFilters("x%2Cy=1%3D2").matches(tags)
    assert TagFilters(None).matches([]) and TagFilters("").matches(tags)
    with pytest.raises(InvalidInput):
        TagFilters("=v")
