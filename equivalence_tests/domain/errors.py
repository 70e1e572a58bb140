"""The workbench broke: never a verdict on the code under test, always one line for the user.

Every entry point catches `WorkbenchError` alone and prints its message; the subclasses say
where it broke, for the code that recovers from one of them (a worker restart after a lost
server, say). Hypothesis's own `hypothesis.errors` keeps its hierarchy the same way.
"""


class WorkbenchError(Exception):
    """Raised with ONE line of text saying what went wrong and what to do.

    Users see only this line (no traceback), so it must name the cause and the fix."""


class ProvisioningError(WorkbenchError):
    """No PostgreSQL to run on, or the run's databases could not be created or dropped."""


class SchemaError(WorkbenchError):
    """A service's schema could not be created (which service, what failed)."""


class WorkerError(WorkbenchError):
    """A worker could not start, crashed, hung or runs the wrong environment."""


class ResetBlocked(WorkbenchError):
    """A worker kept a transaction open, so the reset could not take its locks."""


class ServerLost(WorkbenchError):
    """The connection to PostgreSQL broke (a restart, a crash): no outcome of any function."""
