"""nbgrader configuration of the multi-annotator lab. The course root is this file's folder.

Every setting below is read by nbgrader 0.9.6; the comments say which hole it closes.
"""

import os
import secrets
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

COURSE_ROOT = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "dcai-lab"
c.CourseDirectory.root = str(COURSE_ROOT)
# SQLite is the embedded default. To share one gradebook between grading machines, point
# MULTIANNOTATOR_DB_URL at PostgreSQL: postgresql+psycopg2://user:password@host:5432/gradebook
# (plain postgresql:// means psycopg 3 to SQLAlchemy 2.1, which is not installed).
c.CourseDirectory.db_url = os.environ.get(
    "MULTIANNOTATOR_DB_URL", f"sqlite:///{COURSE_ROOT / 'gradebook.db'}"
)

# nbgrader 0.9.6 builds a new submission's notebooks before it adds the submission to the
# session, and SQLAlchemy 2 warns "Object of type <SubmittedAssignment> not in session" three
# times per student. Harmless (the add that follows saves all of it), and nothing to act on.
warnings.filterwarnings(
    "ignore",
    message=r"Object of type <Submitted(Assignment|Notebook)> not in session",
    category=SAWarning,
    module="nbgrader.api",
)

# Datasets of one's own: give this a name (say "dcai-lab-2026") and regenerate the release
# (nbgrader generate_assignment multiannotator --force), and every student gets a dataset of
# their own, made from this name and their identity, graded by rules set on that dataset
# (README, "Datasets of one's own"). Empty: everyone gets the lab's own dataset (seed 123).
c.DatasetVariants.course = ""
# nbgrader's own generate_assignment steps, with the switch stamped into the locked set-up cell
# before its checksum is taken and the cell saved to the gradebook.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "labgrader.judging.variants.DatasetVariants",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# What students see in place of the solutions.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Per-cell limit: the lab's slowest cell takes under 2 s; an infinite loop is interrupted.
c.Execute.timeout = 60
c.Execute.startup_timeout = 120
# nbclient skips cells tagged "skip-execution" by default, so a student could tag a test cell
# and have it score full marks without running. Use a tag nobody can know in advance.
c.Execute.skip_cells_with_tag = "never-skip-" + secrets.token_hex(16)

# A deleted test cell comes back (and scores 0) instead of silently waiting for manual grading.
c.OverwriteCells.add_missing_cells = True

# nbgrader scores a test cell 0 when anything reaches stderr; a library's warning must not.
c.IgnorePattern.pattern = r"(?m)^\S.*:\d+: \w*Warning: "

# A whole notebook gets at most this long; cells after are not run and the report says why.
c.GradingExecute.notebook_timeout = 600
# Kernels forked from a process that has imported the stack (labgrader.kernels.warm).
c.GradingExecute.warm_kernels = True
# Student code runs as the user nbgrader-sandbox, sees neither the gradebook, the solutions nor
# other students, has no network and limited memory, processes and CPU (labgrader.sandbox).
# Where the machine cannot do that, grading says so loudly once and runs unconfined.
c.GradingExecute.sandbox = True

# One unreadable notebook costs only itself (nbgrader would drop the whole submission), and before
# the first student the sandbox is checked: grading stops if it should work and does not.
c.Autograde.exporter_class = "labgrader.autograde.exporter.GradingNotebookExporter"

# Locked cells are compared with the release the students were given, not with the checksum
# generate_assignment stored before it stripped the hidden tests (nbgrader #1961): a warning
# means a student really changed one, and the grade report lists it.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "labgrader.autograde.integrity.RestoreLockedCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Autograde with the course's kernel settings and re-judge every test cell in this process.
c.Autograde.autograde_preprocessors = [
    "labgrader.autograde.execute.GradingExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "labgrader.autograde.verify.VerifyAnswers",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "labgrader.autograde.limits.LimitOutputSize",
    "labgrader.autograde.limits.DescribeImages",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "labgrader.reporting.comments.AddTestCellComments",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback handed back to students never shows hidden tests (nbgrader issues #917, #1363), and
# shows the points the gradebook holds, a grader's override and its reason included.
c.GenerateFeedback.preprocessors = [
    "labgrader.reporting.feedback.StripHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# `nbgrader export` writes grades.csv with the graders' comments, properly quoted.
c.ExportApp.plugin_class = "labgrader.reporting.export.GradesAndComments"

# A course without an exchange is not an error: no critical log line on every Formgrader request.
c.ExchangeFactory.list = "labgrader.course.exchange.CourseExchangeList"
