"""Print the corpus scores at the end of the run (collected by test_corpus_score.py)."""
import score


def pytest_terminal_summary(terminalreporter):
    if score.SUMMARY:
        terminalreporter.section("diagnosis corpus scores")
        for line in score.SUMMARY:
            terminalreporter.write_line(line)
