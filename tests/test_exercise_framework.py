"""Tests of the exercise framework (lessonlib.exercises): every verdict path."""

import numpy as np
import pytest

from lessonlib.exercises import FunctionExercise, ValueExercise, Verdict, describe


def double(x):
    """Reference solution."""
    return 2 * x


def double_vec(x):
    return 2.0 * np.asarray(x, dtype=float)


@pytest.fixture
def ex():
    return FunctionExercise(
        "double",
        solution=double,
        cases=[(2.0,), ("a negative input", (-3.0,)), (np.array([1.0, 2.0, 3.0]),)],
        hint="Multiply by two.",
        mistakes=[(lambda x: x + 2, "You added 2 instead of multiplying by 2."),
                  (lambda x: -2 * x, "Check the sign.")],
    )


def test_correct(ex):
    v = ex.verdict(lambda x: x * 2)
    assert v == Verdict("correct", "double: correct on all 3 test cases.")
    assert v.ok
    assert str(v) == "✔ double: correct on all 3 test cases."


@pytest.mark.parametrize("answer", [None, Ellipsis])
def test_untouched_answer_not_attempted(ex, answer):
    v = ex.verdict(answer)
    assert v.status == "not_attempted"
    assert "not attempted" in v.message
    assert not v.ok
    assert str(v).startswith("…")


def test_not_implemented_is_not_attempted(ex):
    def stub(x):
        raise NotImplementedError

    v = ex.verdict(stub)
    assert v.status == "not_attempted"
    assert "NotImplementedError" in v.message


def test_returning_none_is_not_attempted(ex):
    def forgot_return(x):
        2 * x

    v = ex.verdict(forgot_return)
    assert v.status == "not_attempted"
    assert "returned None" in v.message


def test_exception_is_error_with_name_and_input(ex):
    def crashes(x):
        return 1 / 0

    v = ex.verdict(crashes)
    assert v.status == "error"
    assert "ZeroDivisionError" in v.message
    assert "x=2" in v.message
    assert str(v).startswith("✘")


def test_exception_explanations():
    ex = FunctionExercise("f", double_vec, [(np.ones(3),)], "h")

    def shapes(x):
        return x + np.ones(2)

    v = ex.verdict(shapes)
    assert v.status == "error" and "ValueError" in v.message and "incompatible shapes" in v.message

    def undefined(x):
        return undefined_name * x  # noqa: F821

    v = ex.verdict(undefined)
    assert v.status == "error" and "NameError" in v.message and "defined" in v.message

    v = ex.verdict(lambda x, y: x)
    assert v.status == "error" and "TypeError" in v.message and "arguments differ" in v.message


def test_error_on_a_later_labelled_case(ex):
    def fails_on_negative(x):
        if np.any(np.asarray(x) < 0):
            raise KeyError("neg")
        return 2 * x

    v = ex.verdict(fails_on_negative)
    assert v.status == "error"
    assert "KeyError" in v.message
    assert "for a negative input (x=-3)" in v.message


def test_wrong_shape(ex):
    v = ex.verdict(lambda x: np.atleast_1d(2 * x)[None, :])
    assert v.status == "wrong"
    assert "(1, 1)" in v.message and "()" in v.message
    assert "shape" in v.message


def test_wrong_shape_on_array_case(ex):
    v = ex.verdict(lambda x: 2 * x if np.ndim(x) == 0 else (2 * x)[:2])
    assert v.status == "wrong"
    assert "shape (2,)" in v.message and "shape (3,)" in v.message


def test_wrong_values_show_expected_and_got(ex):
    v = ex.verdict(lambda x: 3 * x)
    assert v.status == "wrong"
    assert v.message == "double: for x=2 expected 4, got 6."
    assert str(v) == "✘ " + v.message


def test_labelled_case_in_wrong_message(ex):
    v = ex.verdict(lambda x: np.abs(2 * x))  # right for x >= 0 only
    assert v.status == "wrong"
    assert "for a negative input (x=-3)" in v.message
    assert "expected -6" in v.message and "got 6" in v.message


def test_recognised_mistake_is_explained(ex):
    v = ex.verdict(lambda x: x + 2)
    assert v.status == "wrong"
    assert v.message.endswith("You added 2 instead of multiplying by 2.")
    assert "Check the sign" not in v.message
    v = ex.verdict(lambda x: -2 * x)
    assert v.message.endswith("Check the sign.")


def test_mistake_not_blamed_where_it_equals_the_reference():
    # x + 2 equals 2 x at x = 2; closeness is not transitive, so a learner output within
    # tolerance of the mistake's but not of the reference's must not be blamed on it.
    ex = FunctionExercise("double", double, [(2.0,)], "h", rtol=1e-6, atol=0.0,
                          mistakes=[(lambda x: (x + 2) * (1 + 0.9e-6), "You added 2.")])
    v = ex.verdict(lambda x: 2 * x * (1 + 1.8e-6))
    assert v.status == "wrong"
    assert "You added 2." not in v.message
    # control: the same mistake is named where it differs from the reference
    ex2 = FunctionExercise("double", double, [(3.0,)], "h", mistakes=[(lambda x: x + 2, "You added 2.")])
    assert "You added 2." in ex2.verdict(lambda x: x + 2).message


def test_wrong_output_not_matching_any_mistake_has_no_explanation(ex):
    v = ex.verdict(lambda x: x - 7)
    assert v.status == "wrong"
    assert v.message == "double: for x=2 expected 4, got -5."


def test_mutating_input_is_wrong():
    ex = FunctionExercise("double", double_vec, [(np.array([1.0, 2.0]),)], "h")

    def in_place(x):
        x *= 2
        return x

    v = ex.verdict(in_place)
    assert v.status == "wrong"
    assert "modified" in v.message and "`x`" in v.message
    # the case itself is intact: a correct answer still passes afterwards
    assert ex.verdict(lambda x: 2 * x).ok
    np.testing.assert_array_equal(ex.cases[0][1][0], [1.0, 2.0])


@pytest.mark.parametrize("answer", [42, "def f(x): return 2*x", [1, 2]])
def test_non_callable_is_wrong(ex, answer):
    v = ex.verdict(answer)
    assert v.status == "wrong"
    assert "expected a function" in v.message


def test_arg_names_used_in_messages():
    ex = FunctionExercise("add", lambda a, b: a + b, [(1.0, 2.0)], "h", arg_names=["theta", "lr"])
    v = ex.verdict(lambda a, b: a - b)
    assert "theta=1, lr=2" in v.message


def test_check_prints_and_returns_none(ex, capsys):
    assert ex.check(lambda x: 2 * x) is None
    assert capsys.readouterr().out == "✔ double: correct on all 3 test cases.\n"
    assert ex.check(lambda x: 3 * x) is None
    assert capsys.readouterr().out == "✘ double: for x=2 expected 4, got 6.\n"
    assert ex.check(None) is None
    assert capsys.readouterr().out.startswith("… double: not attempted")


def test_hint_and_solution_print(ex, capsys):
    assert ex.hint() is None
    assert capsys.readouterr().out == "Hint (double): Multiply by two.\n"
    assert ex.solution() is None
    out = capsys.readouterr().out
    assert out.startswith("def double(x):")
    assert "return 2 * x" in out and '"""Reference solution."""' in out
    assert "double" in repr(ex) and ".check(answer)" in repr(ex)


# ---------------------------------------------------------------- ValueExercise

@pytest.fixture
def vex():
    def compute():
        return 1.0 / 3.0

    return ValueExercise("third", expected=1 / 3, hint="One over three.", solution=compute,
                         mistakes=[(3.0, "You inverted the fraction."), (0.0, "Integer division?")])


def test_value_correct(vex):
    v = vex.verdict(0.33334)
    assert v.status == "correct" and v.ok
    assert "0.33334" in v.message


def test_value_wrong_with_and_without_mistake(vex):
    v = vex.verdict(3.0)
    assert v.status == "wrong"
    assert v.message == "third: expected 0.333333, got 3. You inverted the fraction."
    v = vex.verdict(0.5)
    assert v.message == "third: expected 0.333333, got 0.5."


@pytest.mark.parametrize("answer", [None, ...])
def test_value_not_attempted(vex, answer):
    assert vex.verdict(answer).status == "not_attempted"


def test_value_non_numeric_and_wrong_shape(vex):
    assert vex.verdict("a third").status == "wrong"
    assert vex.verdict([1 / 3, 1 / 3]).status == "wrong"


def test_value_array_and_text_solution(capsys):
    vex = ValueExercise("vec", expected=np.array([1.0, 2.0]), hint="h", solution="theta = [1, 2]")
    assert vex.verdict([1.0, 2.0]).ok
    assert not vex.verdict([1.0, 2.1]).ok
    vex.solution()
    assert capsys.readouterr().out == "theta = [1, 2]\n"


def test_value_solution_prints_function_source(vex, capsys):
    vex.solution()
    out = capsys.readouterr().out
    assert out.startswith("def compute():") and "return 1.0 / 3.0" in out


def test_describe():
    assert describe(np.array([1.0, 2.5])) == "[1. , 2.5]"
    assert describe(np.zeros((3, 4))) == "an array of shape (3, 4)"
    assert describe(0.1234567891) == "0.123457"
    assert describe(double) == "double"
    assert describe("text") == "'text'"
