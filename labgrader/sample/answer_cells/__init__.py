"""Answer cells the synthetic students type in, one module per exercise, plus faults and cheats.

Each constant is the code of one answer cell; names that end in ``_SOLUTION`` are the
instructor's, read from the source notebooks (:mod:`~labgrader.sample.answer_cells.solutions`).
"""
