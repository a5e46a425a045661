"""nbgrader extensions: trusted answer checks, feedback without hidden tests, reports."""
