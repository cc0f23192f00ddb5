"""The shared set-up of the browser tests holds: the example is synced and its dataset registered."""


def test_the_example_is_onboarded_for_the_browser_tests(example):
    executables = example["call"]("GET", "/lm/scenarios/text-classifier/executables")["resources"]
    assert {e["id"] for e in executables} == {"text-classifier-train", "text-classifier-serve"}
    assert example["call"]("GET", f"/lm/artifacts/{example['dataset']}")["kind"] == "dataset"
