"""What the chapter test files share: asserting that an answer is judged wrong, and why."""


def assert_wrong(exercise, answer, *words):
    """``exercise`` judges ``answer`` wrong, and its message contains every one of ``words``."""
    verdict = exercise.verdict(answer)
    assert verdict.status == "wrong", verdict.message
    for word in words:
        assert word in verdict.message, verdict.message
