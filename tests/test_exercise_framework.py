"""Tests of the exercise framework (lessonlib.exercises): every verdict path.

A toy exercise, "double", has fixed examples and random cases, so the tests see both.
"""

import inspect

import numpy as np
import pytest

from lessonlib.exercises import FunctionExercise, ValueExercise, Verdict, describe, halves


def double(x):
    """Reference solution."""
    return 2 * x


def double_vec(x):
    return 2.0 * np.asarray(x, dtype=float)


def _random(rng):
    return [("a random number", (float(halves(rng, ())),)), ("a random number", (float(halves(rng, ())),)),
            ("a random vector", (halves(rng, 3),))]


@pytest.fixture
def ex():
    return FunctionExercise(
        "double",
        solution=double,
        chapter="ch99",
        examples=[("two", (2.0,)), ("a negative input", (-3.0,)), ("a vector", (np.array([1.0, 2.0, 3.0]),))],
        random_cases=_random,
        hints=["What does 'double' mean?", "Multiply by two."],
        mistakes=[(lambda x: x + 2, "You added 2 instead of multiplying by 2."),
                  (lambda x: -2 * x, "Check the sign.")],
    )


def test_correct(ex):
    v = ex.verdict(lambda x: x * 2, seed=1)
    assert v == Verdict("correct", "double: correct on all 6 cases (3 fixed, 3 random).")
    assert v.ok and v.passed
    assert str(v) == "✔ double: correct on all 6 cases (3 fixed, 3 random)."


@pytest.mark.parametrize("answer", [None, Ellipsis])
def test_untouched_answer_not_attempted(ex, answer):
    v = ex.verdict(answer)
    assert v.status == "not_attempted" and "not attempted" in v.message and not v.ok
    assert str(v).startswith("…")


def test_not_implemented_is_not_attempted(ex):
    def stub(x):
        raise NotImplementedError

    v = ex.verdict(stub)
    assert v.status == "not_attempted" and "NotImplementedError" in v.message


def test_returning_none_is_not_attempted(ex):
    def forgot_return(x):
        2 * x

    v = ex.verdict(forgot_return)
    assert v.status == "not_attempted" and "returned None" in v.message


def test_exception_is_error_with_name_and_pasteable_input(ex):
    v = ex.verdict(lambda x: 1 / 0)
    assert v.status == "error" and "ZeroDivisionError" in v.message
    assert "double(x=2.0)" in v.message
    assert str(v).startswith("✘")


def test_exception_explanations():
    ex = FunctionExercise("f", double_vec, [("ones", (np.ones(3),))], ["a", "b"], "ch99")
    v = ex.verdict(lambda x: x + np.ones(2))
    assert v.status == "error" and "ValueError" in v.message and "incompatible shapes" in v.message
    v = ex.verdict(lambda x: undefined_name * x)  # noqa: F821
    assert v.status == "error" and "NameError" in v.message and "defined" in v.message
    v = ex.verdict(lambda x, y: x)
    assert v.status == "error" and "TypeError" in v.message and "arguments differ" in v.message


def test_in_place_update_of_an_integer_array_is_explained():
    ex = FunctionExercise("f", double_vec, [("integers", (np.array([1, 2]),))], ["a", "b"], "ch99")

    def in_place(x):
        x = x.copy()
        x *= 2.5
        return x

    v = ex.verdict(in_place)
    assert v.status == "error" and "in-place update" in v.message and "dtype=float" in v.message


def test_error_on_a_later_labelled_case(ex):
    def fails_on_negative(x):
        if np.any(np.asarray(x) < 0):
            raise KeyError("neg")
        return 2 * x

    v = ex.verdict(fails_on_negative, seed=0)
    assert v.status == "error" and "KeyError" in v.message
    assert "for a negative input, double(x=-3.0)" in v.message


def test_scalar_expected_array_returned_says_so(ex):
    v = ex.verdict(lambda x: np.atleast_1d(2 * x))
    assert v.status == "wrong"
    assert "expected a scalar (a single number), got an array of shape (1,)" in v.message


def test_wrong_shape_on_array_case(ex):
    v = ex.verdict(lambda x: 2 * x if np.ndim(x) == 0 else (2 * x)[:2])
    assert v.status == "wrong"
    assert "expected an array of shape (3,), got an array of shape (2,)" in v.message


def test_wrong_values_show_input_expected_and_got(ex):
    v = ex.verdict(lambda x: 3 * x)
    assert v.message == "double: for two, double(x=2.0): your function returned 6.0, the right answer is 4.0."


def test_digits_show_the_difference():
    ex = FunctionExercise("third", lambda x: x / 3, [("one", (1.0,))], ["a", "b"], "ch99", rtol=1e-9, atol=0)
    v = ex.verdict(lambda x: x / 3 * (1 + 1e-7))
    got, expected = v.message.split("returned ")[1].split(", the right answer is ")
    assert got != expected.rstrip(".")          # issue 7: never "expected 0.333333, got 0.333333"


def test_float32_answer_within_its_precision_passes_and_a_worse_one_says_so(ex):
    assert ex.verdict(lambda x: np.float32(2 * np.asarray(x)) if np.ndim(x) == 0
                      else (2 * np.asarray(x)).astype(np.float32)).ok
    v = ex.verdict(lambda x: np.float32(2.001 * np.asarray(x)) if np.ndim(x) == 0
                   else (2.001 * np.asarray(x)).astype(np.float32))
    assert v.status == "wrong" and "float32" in v.message


def test_random_failure_shows_the_seed_and_the_seed_repeats_it(ex):
    # right on the fixed examples, wrong on the random ones
    fixed = {2.0: 4.0, -3.0: -6.0}

    def lookup(x):
        return fixed[x] if np.ndim(x) == 0 and x in fixed else 2 * np.asarray(x) if np.ndim(x) else 0.0

    v = ex.verdict(lookup, seed=4321)
    assert v.status == "wrong"
    assert "seed 4321" in v.message and "ch99.double.check(lookup, seed=4321)" in v.message
    assert ex.verdict(lookup, seed=4321) == v


def test_mistake_named_only_when_it_matches_every_case(ex):
    v = ex.verdict(lambda x: x + 2)
    assert v.status == "wrong" and v.message.endswith("You added 2 instead of multiplying by 2.")
    assert "Check the sign" not in v.message
    assert ex.verdict(lambda x: -2 * x).message.endswith("Check the sign.")


def test_mistake_that_matches_on_one_case_only_is_not_named():
    # issue 7, point 5: x + 2 equals 2 x at x = 2; an answer that is x + 2 only there
    ex = FunctionExercise("double", double, [("two", (2.0,)), ("three", (3.0,)), ("five", (5.0,))],
                          ["a", "b"], "ch99", mistakes=[(lambda x: x + 2, "You added 2.")])
    v = ex.verdict(lambda x: 4.0 if x == 2 else x + 1)
    assert v.status == "wrong" and "You added 2." not in v.message


def test_mistake_needs_two_cases_where_it_differs_from_the_reference():
    ex = FunctionExercise("double", double, [("two", (2.0,)), ("three", (3.0,))], ["a", "b"], "ch99",
                          mistakes=[(lambda x: x + 2, "You added 2.")])
    v = ex.verdict(lambda x: x + 2)        # differs only at x = 3
    assert v.status == "wrong" and "You added 2." not in v.message


def test_mutating_input_is_wrong_and_the_cases_stay_intact():
    ex = FunctionExercise("double", double_vec, [("vec", (np.array([1.0, 2.0]),))], ["a", "b"], "ch99")

    def in_place(x):
        x *= 2
        return x

    v = ex.verdict(in_place)
    assert v.status == "wrong" and "modified" in v.message and "`x`" in v.message
    assert ex.verdict(lambda x: 2 * x).ok
    np.testing.assert_array_equal(ex.cases[0][1][0], [1.0, 2.0])


@pytest.mark.parametrize("answer", [42, "def f(x): return 2*x", [1, 2]])
def test_non_callable_is_wrong(ex, answer):
    v = ex.verdict(answer)
    assert v.status == "wrong" and "expected a function" in v.message


def test_arg_names_used_in_messages():
    ex = FunctionExercise("add", lambda a, b: a + b, [("x", (1.0, 2.0))], ["a", "b"], "ch99",
                          arg_names=["theta", "lr"])
    assert "add(theta=1.0, lr=2.0)" in ex.verdict(lambda a, b: a - b).message


def test_show_expected_false_hides_the_right_value():
    ex = FunctionExercise("double", double, [("two", (2.0,))], ["a", "b"], "ch99", show_expected=False)
    v = ex.verdict(lambda x: 3 * x)
    assert "4.0" not in v.message and "returned 6.0, which is not right" in v.message


def loop_double(x):
    total = 0.0
    for _ in range(2):
        total = total + x
    return total


def test_no_loops_reports_a_loop():
    ex = FunctionExercise("double", double, [("two", (2.0,))], ["a", "b"], "ch99", no_loops=True)
    assert ex.verdict(double).ok
    v = ex.verdict(loop_double)
    assert v.status == "wrong" and "a `for` loop" in v.message and "right on all" in v.message


def test_check_prints_once_returns_the_verdict_and_does_not_echo(ex, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LESSONLIB_PROGRESS", str(tmp_path / "p.json"))
    result = ex.check(lambda x: 2 * x)
    assert isinstance(result, Verdict) and result.ok
    assert capsys.readouterr().out == f"{result}\n"
    assert result._ipython_display_() is None          # the notebook shows the printed line only
    assert ex.check(None).status == "not_attempted"
    assert capsys.readouterr().out.startswith("… double: not attempted")


def test_graduated_hints(ex, capsys):
    ex.hint()
    out = capsys.readouterr().out
    assert out.startswith("Hint 1 of 2 (double): What does 'double' mean?") and "hint(2)" in out
    ex.hint(2)
    out = capsys.readouterr().out
    assert out.startswith("Hint 2 of 2 (double): Multiply by two.") and "solution()" in out
    ex.hint(7)                                           # past the last: the last one
    assert capsys.readouterr().out.startswith("Hint 2 of 2")
    for bad in (0, -1, "2", 1.5, True):
        with pytest.raises(ValueError, match="level="):
            ex.hint(bad)


def test_a_single_hint_is_refused():
    with pytest.raises(ValueError, match="at least two"):
        FunctionExercise("d", double, [("x", (1.0,))], "just one hint", "ch99")
    with pytest.raises(ValueError, match="at least two"):
        FunctionExercise("d", double, [("x", (1.0,))], ["one"], "ch99")


def test_hints_toggle_is_html_details(ex):
    toggle = ex.hints_toggle()
    html = toggle._repr_html_()
    assert html.startswith("<details") and "<summary>" in html and "Multiply by two." in html
    assert "<li>What does &#x27;double&#x27; mean?</li>" in html
    assert repr(toggle).splitlines()[1] == "1. What does 'double' mean?"


def test_solution_prints_source(ex, capsys):
    ex.solution()
    out = capsys.readouterr().out
    assert out.startswith("def double(x):") and '"""Reference solution."""' in out
    assert "ch99.double" in repr(ex) and ".hint(2)" in repr(ex)


# ---------------------------------------------------------------- ValueExercise

@pytest.fixture
def vex():
    def compute():
        return 1.0 / 3.0

    return ValueExercise("third", expected=1 / 3, hints=["Divide.", "One over three."], solution=compute,
                         chapter="ch99", mistakes=[(3.0, "You inverted the fraction."), (0.0, "Integer division?")])


def test_value_correct(vex):
    v = vex.verdict(0.33334)
    assert v.status == "correct" and v.ok and "0.33334" in v.message


def test_value_wrong_never_shows_the_answer(vex):
    v = vex.verdict(3.0)
    assert v.message == "third: 3.0 is not right. You inverted the fraction."
    v = vex.verdict(0.5)
    assert v.status == "wrong" and "0.333" not in v.message and "hint()" in v.message


@pytest.mark.parametrize("answer", [None, ...])
def test_value_not_attempted(vex, answer):
    assert vex.verdict(answer).status == "not_attempted"


def test_value_non_numeric_and_wrong_shape(vex):
    assert "expected numbers" in vex.verdict("a third").message
    assert "expected a scalar" in vex.verdict([1 / 3, 1 / 3]).message


def test_value_array_and_text_solution(capsys):
    vex = ValueExercise("vec", expected=np.array([1.0, 2.0]), hints=["a", "b"], solution="theta = [1, 2]",
                        chapter="ch99")
    assert vex.verdict([1.0, 2.0]).ok and vex.verdict((1, 2)).ok
    assert not vex.verdict([1.0, 2.1]).ok
    assert "expected an array of shape (2,), got a scalar" in vex.verdict(1.0).message
    vex.solution()
    assert capsys.readouterr().out == "theta = [1, 2]\n"


# ---------------------------------------------------------------- describe

def test_describe_is_pasteable_python():
    assert describe(np.array([1.0, 2.5])) == "np.array([1.0, 2.5])"
    assert describe(np.zeros((3, 2))) == "np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])"
    assert describe(np.array([1, -2])) == "np.array([1, -2])"
    assert describe(np.array([0.5], dtype=np.float32)) == "np.array([0.5], dtype=np.float32)"
    assert describe(0.1234567891) == "0.1234567891"
    assert describe(0.1234567891, 4) == "0.1235"
    assert describe(3) == "3" and describe(True) == "True"
    assert describe((1.0, 2)) == "(1.0, 2)"
    assert describe(double) == "double"
    assert describe("text") == "'text'"
    x = np.array([[1.0, -0.5], [2.0, 3.5]])
    np.testing.assert_array_equal(eval(describe(x), {"np": np}), x)


def test_call_frame_holds_only_the_inputs():
    from lessonlib.exercises import _call_learner

    assert list(inspect.signature(_call_learner).parameters) == ["fn", "args"]


# --- what the checks say about the type of an answer (found in a newcomer's read) ---------

def test_a_true_or_false_answer_is_shown_as_a_bool_and_an_int_is_told_to_be_one():
    from lessonlib.exercises import ch02, ch11, ch12
    solve = ch11.SOLUTIONS["stale_is_stable"]
    flipped = ch11.stale_is_stable.verdict(lambda lr_lambda, delay: not solve(lr_lambda, delay), seed=0)
    assert flipped.status == "wrong" and ("returned True" in flipped.message or "returned False" in flipped.message)
    as_int = ch11.stale_is_stable.verdict(lambda lr_lambda, delay: int(solve(lr_lambda, delay)), seed=0)
    assert as_int.status == "wrong" and "bool" in as_int.message, as_int.message
    as_array = ch11.stale_is_stable.verdict(lambda lr_lambda, delay: np.array(bool(solve(lr_lambda, delay))), seed=0)
    assert as_array.status == "correct", as_array.message

    # a tuple of arrays answered with one array: say a tuple is expected, not "value #1 ..."
    only_theta = ch12.keras_rmsprop_step.verdict(
        lambda *args: ch12.SOLUTIONS["keras_rmsprop_step"](*args)[0], seed=0)
    assert "expected a tuple of 2 values" in only_theta.message and "value #1" not in only_theta.message

    # a vector where one number is expected: no advice to take value[0]
    all_limits = ch02.max_stable_lr.verdict(lambda A: 2 / np.linalg.eigvalsh(A), seed=0)
    assert all_limits.status == "wrong" and "value[0]" not in all_limits.message, all_limits.message
