"""Errors the core raises for bad input or environment. Each carries a one-line message for
the user; the CLI prints it and exits 2 (the UI shows it in a notification). Never a traceback."""


class ReadertuiError(Exception):
    """Base class: `str(error)` is a complete one-line message for the user."""


class WorkspaceError(ReadertuiError):
    """No workspace, missing notes/, unknown project, path outside the workspace."""


class GitError(ReadertuiError):
    """git failed or a ref/commit is unknown; the message says which command would fix it."""


class NoteError(ReadertuiError):
    """A note cannot be read or written: binary, invalid UTF-8, read-only folder…"""


class ConflictError(NoteError):
    """A file changed on disk since it was read; nothing was written."""


class DataFileError(ReadertuiError):
    """A malformed user data file (bookmarks, config); message names file and line."""
