"""tests/support/seed_script.py: the seed's script is rebuilt only from lines pipeline.py lost, never changed."""
import pytest

from tests.support.seed_script import PIPELINE, SEED, SeedMismatch, restore

SEED_TEXT = """Some prose about CI/CD.
{
"artifacts": []
}
import os
def load():
with open("x") as f:
data = f.read()
first = data[0]
return first, data
def main():
print(load())
main()
More prose after the code.
"""
FILE = """# a note the file adds at its top
import os


def load():
    with open("x") as f:
        data = f.read()
    first = data[0]


def main():
    print(load())


main()
"""


def test_lost_lines_come_back_with_the_indentation_of_the_line_before():
    script, put_back = restore(FILE, SEED_TEXT)
    assert put_back == ["return first, data"]
    assert "    first = data[0]\n    return first, data\n" in script
    assert script.replace("    return first, data\n", "") == FILE


def test_a_file_equal_to_the_seed_runs_as_it_is():
    fixed = FILE.replace("    first = data[0]\n", "    first = data[0]\n    return first,   data\n")
    assert restore(fixed, SEED_TEXT) == (fixed, [])


@pytest.mark.parametrize("old,new", [("first = data[0]", "first = data[1]"),
                                     ("    print(load())\n", "    print(load())\n    print('added')\n")])
def test_any_other_difference_is_refused(old, new):
    with pytest.raises(SeedMismatch):
        restore(FILE.replace(old, new), SEED_TEXT)


def test_the_shared_seed_script_lacks_only_lines_of_its_seed():
    script, put_back = restore(PIPELINE.read_text(), SEED.read_text())
    assert set(put_back) <= {"return artifacts, executions, deployments"}
    compile(script, str(PIPELINE), "exec")
