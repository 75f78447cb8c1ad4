"""Move a project's repository from its checked-out commit to a newer one, carrying the notes.

`plan_update` changes nothing: it snapshots every note and the bookmarks file, resolves every
citation at the old commit, maps the ones about that commit (and every bookmark) with one
`DriftMapper`, and computes the exact bytes each note would get. `apply_update` then checks out
the new commit and writes those bytes, or, if anything fails, puts back every byte and the old
checkout. Which citations are carried:

* A citation is about the old commit when the resolver says so and nothing pins it elsewhere:
  no `@ sha` of its own, not a permalink (permalinks are pinned and never rewritten).
* Citations that follow the checkout (no commit declaration in force) are rewritten when their
  mapping is exact. A changed or orphaned one is reported as needing a human and pinned to the
  old commit (`` `a.py:3` @ `abc1234` ``), so that it keeps reading the lines it was written
  about (and `check` calls it stale) instead of the same numbers in the new code; with
  `accept_changed` a changed one takes its best candidate.
* Citations under a commit declaration naming the old commit stay pinned to it unless
  `rewrite_commits` is set. Then the declaration is moved to the new commit only when every
  citation under it can be carried; otherwise the declaration and all its citations stay at the
  old commit (still correct, and `check` reports them as stale/moved), so nothing silently
  points at the wrong lines. A declaration with no carried citation under it (prose only, or
  a log section whose entries pin their own commits) is left alone.
* A renamed file's path is rewritten only where the citation wrote the full path
  (`core.rewrite.path_rewrite`); a shorter form that no longer names the file needs a human.
* Bookmarks at the old commit (or with none) move when exact, keep their old commit otherwise.

The log entry that records the update avoids citation syntax (no backticks, no `line N`), so it
never becomes a citation pinned to the wrong commit.

Review (the TUI's review screen): `UpdateOptions.accepted` names the citations a human accepted
(`citation_key`); every other carriable citation is then left as written, and the declaration
rule above applies to the result. `with_options` re-decides a plan from its own mappings and
snapshots (no git), so decisions cost nothing to preview. `plan_drift` plans the notes' citations
about an older commit to the checkout without moving it (the notes were written against `old`,
the checkout moved since); `apply_notes` writes such a plan's notes and nothing else.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import msgspec

from readertui.core import bookmarks as bookmark_store
from readertui.core import claims, symbol_drift
from readertui.core.citations import scan_note
from readertui.core.drift import DriftMapper, MappingStatus, RangeMapping, map_bookmark, split_lines
from readertui.core.errors import ConflictError, GitError, NoteError, ReadertuiError, WorkspaceError
from readertui.core.git import GitRepo, no_commit_reason, short
from readertui.core.log import log_entry
from readertui.core.model import (
    Bookmark,
    Citation,
    CitationForm,
    CitationResult,
    CommitDeclaration,
    NoteScan,
    Problem,
    Project,
    Repo,
    Status,
    Workspace,
    format_ranges,
)
from readertui.core.notes import (
    Snapshot,
    decode_note,
    read_text,
    snapshot,
    snapshot_if_exists,
    write_atomic,
)
from readertui.core.resolve import Resolver
from readertui.core.rewrite import CitationEdit, DeclarationEdit, new_ref_text, path_rewrite, rewrite_note
from readertui.core.workspace import note_files

FETCH_TIMEOUT_SECONDS = 15
EXCERPT_WIDTH = 60


class Action(enum.StrEnum):
    """What happens to a citation or bookmark when the plan is applied."""

    REWRITE = "rewrite"  # its line numbers (and path) are carried to the new commit
    UNCHANGED = "unchanged"  # same lines, same path: nothing to write
    KEEP = "keep"  # stays pinned to the old commit (a declaration that is not moved)
    REVIEW = "review"  # needs a human: changed, orphaned, or not expressible


REWRITE, UNCHANGED, KEEP, REVIEW = Action.REWRITE, Action.UNCHANGED, Action.KEEP, Action.REVIEW


class PlanOutdated(ConflictError):
    """A note or the bookmarks file changed on disk after the plan was made."""


# A citation across re-plans of unchanged notes: (note, line, column, text).
CitationKey = tuple[Path, int, int, str]


class UpdateOptions(msgspec.Struct, frozen=True):
    rewrite_commits: bool = False
    accept_changed: bool = False
    # Review decisions: when set, only these citations (`citation_key`) are carried; any other
    # that could be is left as written for a human ("not accepted"). Overrides accept_changed.
    accepted: frozenset[CitationKey] | None = None


class CitationPlan(msgspec.Struct, frozen=True):
    note: Path
    citation: Citation
    path: str  # repo-relative path at the old commit
    mapping: RangeMapping
    action: Action
    reason: str = ""
    old_excerpt: str = ""
    new_excerpt: str = ""


def citation_key(item: CitationPlan) -> CitationKey:
    citation = item.citation
    return (item.note, citation.line, citation.column, citation.text)


class BookmarkPlan(msgspec.Struct, frozen=True):
    bookmark: Bookmark
    mapping: RangeMapping
    action: Action
    updated: Bookmark | None = None  # the bookmark as it will be saved (REWRITE only)


class UpdatePlan(msgspec.Struct, frozen=True):
    project: Project
    repo: Repo
    old: str
    new: str
    old_tags: tuple[str, ...]
    new_tags: tuple[str, ...]
    commits: int
    options: UpdateOptions
    citations: tuple[CitationPlan, ...]
    bookmarks: tuple[BookmarkPlan, ...]
    declarations: tuple[tuple[Path, CommitDeclaration, str], ...]  # (note, declaration, new text)
    changed_files: dict[str, str | None]  # cited files only: old path -> new path (None: deleted)
    snapshots: dict[Path, Snapshot | None]  # every note, the bookmarks file and the log
    writes: dict[Path, bytes]  # note -> new bytes
    warnings: tuple[str, ...] = ()  # citations that could not be considered, and why
    bookmark_problems: tuple[str, ...] = ()

    def by_action(self, action: Action) -> tuple[CitationPlan, ...]:
        return tuple(item for item in self.citations if item.action == action)

    @property
    def needs_human(self) -> tuple[CitationPlan, ...]:
        return self.by_action(REVIEW)

    @property
    def bookmarks_to_save(self) -> tuple[Bookmark, ...] | None:
        if self.bookmark_problems or not any(item.action == REWRITE for item in self.bookmarks):
            return None  # a malformed file is never overwritten (the store would refuse too)
        moved = {item.bookmark.id: item.updated for item in self.bookmarks if item.updated}
        current, _ = bookmark_store.parse(self.project.bookmarks_file, self._bookmark_bytes)
        return tuple(moved.get(mark.id, mark) for mark in current)

    @property
    def _bookmark_bytes(self) -> bytes:
        taken = self.snapshots.get(self.project.bookmarks_file)
        return taken.data if taken else b""

    @property
    def nothing_to_do(self) -> bool:
        return self.old == self.new


class ApplyResult(msgspec.Struct, frozen=True):
    notes_written: tuple[Path, ...]
    bookmarks_moved: int
    log: Path | None
    needs_human: tuple[CitationPlan, ...] = ()


# --------------------------------------------------------------------------- choosing repo, target


def git_repos(project: Project) -> tuple[Repo, ...]:
    return tuple(repo for repo in project.repos if repo.is_git)


def choose_repo(project: Project, name: str | None) -> Repo:
    repos = git_repos(project)
    if name is not None:
        repo = project.repo(name)
        if repo is None or not repo.is_git:
            known = ", ".join(r.name for r in repos) or "none"
            raise WorkspaceError(f"project {project.name} has no git repository {name!r} (repos: {known})")
        return repo
    if not repos:
        raise WorkspaceError(f"project {project.name} has no checked-out git repository to update")
    if len(repos) > 1:
        names = ", ".join(repo.name for repo in repos)
        raise WorkspaceError(f"project {project.name} has several repositories ({names}); pass --repo NAME")
    return repos[0]


def resolve_target(
    git: GitRepo, ref: str | None, fetch: bool = True, require_remote: bool = False
) -> tuple[str, str]:
    """(full sha, how it was found). With no `ref`: fetch when the remote answers (bounded by a
    timeout, never a prompt), then origin's default branch; offline, the local refs, and `how`
    says the remote could not be reached and git's reason — unless `require_remote` (an update
    nobody reviews), which refuses then: origin's default branch is not known. A `ref` known
    locally is used without fetching; an unknown one is looked for after a fetch."""
    if ref is not None:
        # an origin/… ref is about the remote: fetched first, as an unknown ref is
        remote_tracking = ref.startswith(("origin/", "refs/remotes/origin/"))
        tried = (remote_tracking or git.resolve(ref) is None) and fetch and git.remote_url() is not None
        reached = git.fetch(timeout=FETCH_TIMEOUT_SECONDS) if tried else True
        sha = git.resolve(ref)
        why = "" if reached else f" (the remote could not be reached: {git.fetch_error or 'no answer'})"
        if sha is None:
            raise GitError(
                f"unknown ref {ref!r} in {git.path}{why}; try `git -C {git.path} fetch --tags` or another ref"
            )
        return sha, (f"{ref}, from local refs only{why}" if why else ref)
    has_remote = git.remote_url() is not None
    fetched = fetch and has_remote and git.fetch(timeout=FETCH_TIMEOUT_SECONDS)
    unreached = fetch and has_remote and not fetched
    if unreached and require_remote:
        raise GitError(
            f"the remote of {git.path} could not be reached ({git.fetch_error or 'no answer'}), so "
            "origin's default branch is not known; nothing was changed. Retry when it answers, or "
            "pass --to REF to move to a commit known locally"
        )
    for candidate in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
        sha = git.resolve(candidate)
        if sha is not None:
            if fetched:
                how = candidate
            elif not fetch:
                how = f"{candidate}, as known locally: a dry run fetches nothing"
            elif unreached:
                how = (
                    f"{candidate}, from local refs only: the remote could not be reached "
                    f"({git.fetch_error or 'no answer'})"
                )
            else:
                how = f"{candidate}, from local refs only: the repository has no remote"
            return sha, how
    raise GitError(f"cannot tell which commit to move {git.path} to; pass --to REF")


# --------------------------------------------------------------------------- planning


def plan_update(
    workspace: Workspace,
    project: Project,
    repo: Repo,
    git: GitRepo,
    target: str,
    options: UpdateOptions = UpdateOptions(),
) -> UpdatePlan:
    """Everything `apply_update` will do, computed without changing anything."""
    old = git.head()
    if old is None:
        raise GitError(no_commit_reason(repo.path))
    return _plan(workspace, project, repo, git, old, target, options, with_bookmarks=True)


def plan_drift(
    workspace: Workspace,
    project: Project,
    repo: Repo,
    git: GitRepo,
    old: str,
    options: UpdateOptions = UpdateOptions(rewrite_commits=True),
) -> UpdatePlan:
    """Carry the citations about `old` (a commit the notes declare) to the checked-out commit,
    without moving the checkout: for notes written before the checkout moved. Citations about
    `old` sit under a commit declaration, so `rewrite_commits` is what makes them carry at all.
    Bookmarks are left alone (they record their own commit). Apply with `apply_notes`."""
    head = git.head()
    if head is None:
        raise GitError(no_commit_reason(repo.path))
    return _plan(workspace, project, repo, git, old, head, options, with_bookmarks=False)


def drifted_commits(workspace: Workspace, project: Project, repo: Repo, git: GitRepo) -> dict[str, int]:
    """Commits other than the checkout that the notes' citations are about (by a commit
    declaration, not a pin of their own) → how many citations, most cited first. Unreadable
    notes are skipped (planning reports them)."""
    head = git.head()
    readable = []
    for note in note_files(project):
        try:
            read_text(note)
        except NoteError:
            continue
        readable.append(note)
    counts: dict[str, int] = {}
    for result in Resolver(workspace, project, silence=False).resolve_notes(readable):
        citation = result.citation
        if result.repo != repo.name or result.commit in (None, head) or result.path is None:
            continue
        if citation.commit is not None or citation.form == CitationForm.PERMALINK:
            continue
        counts[result.commit] = counts.get(result.commit, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _plan(
    workspace: Workspace,
    project: Project,
    repo: Repo,
    git: GitRepo,
    old: str,
    target: str,
    options: UpdateOptions,
    with_bookmarks: bool,
) -> UpdatePlan:
    notes = note_files(project)
    note_snapshots = {note: snapshot(note) for note in notes}
    snapshots: dict[Path, Snapshot | None] = dict(note_snapshots)
    snapshots[project.bookmarks_file] = snapshot_if_exists(project.bookmarks_file)
    snapshots.setdefault(project.reading_log, snapshot_if_exists(project.reading_log))
    old_tags, new_tags = git.tags_at(old), git.tags_at(target)
    empty = UpdatePlan(
        project, repo, old, target, old_tags, new_tags, 0, options, (), (), (), {}, snapshots, {}
    )
    if old == target:
        return empty
    mapper = DriftMapper(git, old, target)
    commits = git.count_commits(old, target)
    resolver = Resolver(workspace, project, silence=False)  # silenced citations still carry
    planner = _NotePlanner(repo, git, mapper, old, target, new_tags, options)
    warnings: list[str] = []
    for note in notes:
        try:
            text = decode_note(note, note_snapshots[note].data)
        except NoteError as error:
            warnings.append(f"skipped: {error}")
            continue
        planner.add_note(note, text, resolver.resolve_note(note, text), warnings)
    bookmark_plans: tuple[BookmarkPlan, ...] = ()
    problems: list[Problem] = []
    if with_bookmarks:
        bookmark_plans, problems = _plan_bookmarks(project, repo, git, mapper, old, target, options)
    cited = {item.path for item in planner.citations} | {b.bookmark.path for b in bookmark_plans}
    changed = mapper.changed_files(cited)
    return msgspec.structs.replace(
        empty,
        commits=commits,
        citations=tuple(planner.citations),
        bookmarks=bookmark_plans,
        declarations=tuple(planner.declarations),
        changed_files=changed,
        writes=planner.writes,
        warnings=tuple(warnings),
        bookmark_problems=tuple(str(problem) for problem in problems),
    )


class _NotePlanner:
    """Plans one note at a time: decides each citation's action and the note's new bytes."""

    def __init__(
        self,
        repo: Repo,
        git: GitRepo | None,  # None: re-deciding a made plan (`with_options`), nothing to read
        mapper: DriftMapper | None,
        old: str,
        new: str,
        new_tags: tuple[str, ...],
        options: UpdateOptions,
    ) -> None:
        self.repo, self.git, self.mapper = repo, git, mapper
        self.old, self.new, self.new_tags, self.options = old, new, new_tags, options
        self.citations: list[CitationPlan] = []
        self.declarations: list[tuple[Path, CommitDeclaration, str]] = []
        self.writes: dict[Path, bytes] = {}

    def add_note(self, note: Path, text: str, results: list[CitationResult], warnings: list[str]) -> None:
        scan = scan_note(text)
        planned: list[tuple[CitationPlan, CommitDeclaration | None]] = []
        for result in results:
            if result.status == Status.UNPINNED and result.repo in (None, self.repo.name):
                # its commit is not in the repo (a shallow clone…): the detail says what to fetch
                warnings.append(f"{_where(note, result.citation)}: not carried: {result.detail}")
                continue
            if result.repo != self.repo.name:
                continue
            if result.commit != self.old or result.path is None:
                continue  # about another commit: pinned there, left alone
            citation = result.citation
            if citation.form == CitationForm.PERMALINK or citation.commit is not None:
                continue
            if result.status not in (Status.OK, Status.MOVED, Status.STALE):
                continue  # broken already (out of range, ambiguous…): `check` reports it
            # (STALE only arises for a commit other than the checkout: `plan_drift`)
            declaration = _declaration_for(scan, citation.line)
            planned.append((self._plan_citation(note, citation, result.path), declaration))
        self.finish_note(note, text, planned, warnings)

    def finish_note(
        self, note: Path, text: str, planned: list[tuple[CitationPlan, CommitDeclaration | None]],
        warnings: list[str],
    ) -> None:
        """Apply the declaration rules to a note's decided citations and render its bytes."""
        planned = self._apply_declaration_rules(note, planned)
        following = {citation_key(item) for item, declaration in planned if declaration is None}
        self._render(note, text, [item for item, _ in planned], warnings, following)

    def _plan_citation(self, note: Path, citation: Citation, path: str) -> CitationPlan:
        assert self.mapper is not None, "a made plan is re-decided, not re-planned"
        mapping = self.mapper.map(path, citation.ranges)
        if mapping.status is MappingStatus.CHANGED and self.git is not None:
            git = self.git  # the definition the range held may place it better than its text
            mapping = symbol_drift.improve(
                mapping, self.old, self.new, citation.label,
                lambda commit, at: git.read_file(at, commit), claims.tags_definitions,
            )
        plan = _decide(CitationPlan(note, citation, path, mapping, REWRITE), self.options)
        if mapping.status is MappingStatus.CHANGED or (mapping.status is MappingStatus.MOVED and plan.action is REVIEW):
            return self._excerpts(plan)
        return plan

    def _excerpts(self, plan: CitationPlan) -> CitationPlan:
        git = self.git
        assert git is not None, "a made plan is re-decided, not re-planned"
        old_lines = split_lines(git.read_file(plan.path, self.old) or b"")
        new_lines = split_lines(git.read_file(plan.mapping.new_path, self.new) or b"") if plan.mapping.new_path else []
        first_old = plan.citation.ranges[0] if plan.citation.ranges else None
        first_new = plan.mapping.new_ranges[0] if plan.mapping.new_ranges else None
        skip = 0  # from the first line that differs: two identical first lines hide the change
        if first_old is not None and first_new is not None:
            skip = _same_lines_before(old_lines, first_old.start, first_old.end, new_lines, first_new.start, first_new.end)
        return msgspec.structs.replace(
            plan,
            old_excerpt=_excerpt(old_lines, first_old.start + skip if first_old else None),
            new_excerpt=_excerpt(new_lines, first_new.start + skip if first_new else None),
        )

    def _apply_declaration_rules(
        self, note: Path, planned: list[tuple[CitationPlan, CommitDeclaration | None]]
    ) -> list[tuple[CitationPlan, CommitDeclaration | None]]:
        """Citations under a declaration move only together with it (see the module doc)."""
        under: dict[CommitDeclaration, list[CitationPlan]] = {}
        for item, declaration in planned:
            if declaration is not None:
                under.setdefault(declaration, []).append(item)
        movable: set[CommitDeclaration] = set()
        for declaration, items in under.items():
            if self.options.rewrite_commits and all(item.action in (REWRITE, UNCHANGED) for item in items):
                movable.add(declaration)
                new_text = new_ref_text(declaration.ref, self.new, self.new_tags[0] if self.new_tags else None)
                self.declarations.append((note, declaration, new_text))
        out: list[tuple[CitationPlan, CommitDeclaration | None]] = []
        for item, declaration in planned:
            if declaration is not None and declaration not in movable:
                where = f"pinned by the commit declaration at line {declaration.line}"
                if not self.options.rewrite_commits:
                    item = msgspec.structs.replace(item, action=KEEP, reason=where)
                elif item.action == REVIEW:
                    item = msgspec.structs.replace(item, reason=f"{item.reason}; {where}, which stays")
                else:
                    item = msgspec.structs.replace(item, action=KEEP, reason=f"{where} (kept: other citations under it need a human)")
            out.append((item, declaration))
        return out

    def _render(
        self, note: Path, text: str, items: list[CitationPlan], warnings: list[str],
        following: set[CitationKey],
    ) -> None:
        """The note's new bytes; an edit the text cannot express is demoted to REVIEW.

        A citation left for a human that follows the checkout (no declaration over it) is
        pinned to the old commit: once the checkout moves it would otherwise read its old line
        numbers in the new code, and `check` would call wrong lines ok."""
        declarations = [DeclarationEdit(decl, new) for path, decl, new in self.declarations if path == note]
        final: list[CitationPlan] = []
        pins: list[tuple[Citation, str]] = []
        pin = short(self.old)
        for item in items:
            if item.action == REWRITE:
                try:
                    rewrite_note(text, [_edit(item)])
                except ValueError as error:
                    item = msgspec.structs.replace(item, action=REVIEW, reason=f"cannot rewrite: {error}")
            if item.action == REVIEW and citation_key(item) in following:
                pins.append((item.citation, pin))
                item = msgspec.structs.replace(item, reason=f"{item.reason}; pinned @ {pin}, its lines as read")
            final.append(item)
        self.citations.extend(final)
        edits = [_edit(item) for item in final if item.action == REWRITE]
        if edits or declarations or pins:
            self.writes[note] = rewrite_note(text, edits, declarations, pins).encode("utf-8")


def _decide(plan: CitationPlan, options: UpdateOptions) -> CitationPlan:
    """The action for one mapped citation (pure: its mapping, how it was written, the options)."""
    mapping, path, citation = plan.mapping, plan.path, plan.citation
    if mapping.status is MappingStatus.SAME:
        return msgspec.structs.replace(plan, action=UNCHANGED, reason="")
    if mapping.status is MappingStatus.ORPHANED:
        return msgspec.structs.replace(plan, action=REVIEW, reason="file deleted")
    if mapping.new_path != path and citation.path and mapping.new_path:
        if path_rewrite(citation.path, path, mapping.new_path) is None:
            reason = f"file renamed to {mapping.new_path}; cited by a partial path"
            return msgspec.structs.replace(plan, action=REVIEW, reason=reason)
    reason = ""
    if mapping.status is MappingStatus.CHANGED:
        if not mapping.new_ranges:
            return msgspec.structs.replace(plan, action=REVIEW, reason="cited lines gone; no candidate")
        reason = "cited lines changed"
    if options.accepted is not None:
        accepted = citation_key(plan) in options.accepted
        return msgspec.structs.replace(
            plan, action=REWRITE if accepted else REVIEW, reason=reason if accepted else "not accepted in review"
        )
    if mapping.status is MappingStatus.CHANGED and not options.accept_changed:
        return msgspec.structs.replace(plan, action=REVIEW, reason=reason)
    return msgspec.structs.replace(plan, action=REWRITE, reason=reason)


def carriable(item: CitationPlan) -> bool:
    """Whether a review can carry `item`: exact or with a candidate, and expressible."""
    decided = _decide(item, UpdateOptions(accept_changed=True))
    return decided.action == REWRITE and not item.reason.startswith("cannot rewrite")


def with_options(plan: UpdatePlan, options: UpdateOptions) -> UpdatePlan:
    """`plan` re-decided under `options` from its own mappings and snapshots, without git: how a
    review turns its decisions into the bytes to write. Bookmarks are kept as planned."""
    planner = _NotePlanner(plan.repo, None, None, plan.old, plan.new, plan.new_tags, options)
    by_note: dict[Path, list[CitationPlan]] = {}
    for item in plan.citations:
        by_note.setdefault(item.note, []).append(item)
    warnings: list[str] = []
    for note, items in by_note.items():
        taken = plan.snapshots.get(note)
        if taken is None:
            continue
        text = decode_note(note, taken.data)
        scan = scan_note(text)
        planned = [(_decide(item, options), _declaration_for(scan, item.citation.line)) for item in items]
        planner.finish_note(note, text, planned, warnings)
    return msgspec.structs.replace(
        plan,
        options=options,
        citations=tuple(planner.citations),
        declarations=tuple(planner.declarations),
        writes=planner.writes,
        warnings=plan.warnings + tuple(warnings),
    )


def _edit(item: CitationPlan) -> CitationEdit:
    mapping = item.mapping
    return CitationEdit(item.citation, mapping.new_ranges, item.path, mapping.new_path)


def _declaration_for(scan: NoteScan, line: int) -> CommitDeclaration | None:
    """The declaration object `scan.commit_for_line(line)` takes its ref from."""
    best: CommitDeclaration | None = None
    for decl in scan.declarations:
        if decl.line <= line <= decl.scope_end_line and (best is None or decl.line > best.line):
            best = decl
    return best


def _same_lines_before(
    old: list[bytes], old_start: int, old_end: int, new: list[bytes], new_start: int, new_end: int
) -> int:
    """How many lines the two ranges share at their start (whitespace aside), stopping short of
    the shorter one's end: the offset of the first line worth showing from each."""
    count = min(old_end - old_start, new_end - new_start)  # at most the last line of the shorter
    for offset in range(max(0, count)):
        a, b = old_start - 1 + offset, new_start - 1 + offset
        if a >= len(old) or b >= len(new) or old[a].split() != new[b].split():
            return offset
    return max(0, count)


def _excerpt(lines: list[bytes], line: int | None) -> str:
    if line is None or not 1 <= line <= len(lines):
        return ""
    text = " ".join(lines[line - 1].decode("utf-8", errors="replace").split())
    return text if len(text) <= EXCERPT_WIDTH else text[: EXCERPT_WIDTH - 1] + "…"


def _where(note: Path, citation: Citation) -> str:
    return f"{note.name}:{citation.line}"


def _plan_bookmarks(
    project: Project,
    repo: Repo,
    git: GitRepo,
    mapper: DriftMapper,
    old: str,
    new: str,
    options: UpdateOptions,
) -> tuple[tuple[BookmarkPlan, ...], list[Problem]]:
    marks, problems = bookmark_store.load(project)
    plans: list[BookmarkPlan] = []
    for mark in marks:
        if mark.repo != repo.name or mark.commit not in (None, old):
            continue
        mapping = map_bookmark(mapper, mark)
        if mapping.status is MappingStatus.SAME:
            plans.append(BookmarkPlan(mark, mapping, UNCHANGED))
            continue
        carry = mapping.exact or (options.accept_changed and mapping.status is MappingStatus.CHANGED and mapping.new_ranges)
        if not carry or mapping.new_path is None:
            plans.append(BookmarkPlan(mark, mapping, REVIEW))
            continue
        new_range = mapping.new_ranges[0]
        lines = [
            line.decode("utf-8", errors="replace")
            for line in split_lines(git.read_file(mapping.new_path, new) or b"")[new_range.start - 1 : new_range.end]
        ]
        updated = msgspec.structs.replace(
            mark,
            path=mapping.new_path,
            range=new_range,
            commit=new if mark.commit else None,
            fingerprint=mark.fingerprint if mapping.exact else bookmark_store.fingerprint(lines),
            excerpt=mark.excerpt if mapping.exact else bookmark_store.excerpt(lines),
        )
        plans.append(BookmarkPlan(mark, mapping, REWRITE, updated))
    return tuple(plans), problems


# --------------------------------------------------------------------------- applying


def check_snapshots(plan: UpdatePlan) -> None:
    """PlanOutdated when a note, the bookmarks file or the log differs from its snapshot."""
    for path, taken in plan.snapshots.items():
        now = snapshot_if_exists(path)
        if (now.data if now else None) != (taken.data if taken else None):
            raise PlanOutdated(f"{path} changed on disk since the plan was made")
    current = set(note_files(plan.project))
    added = current - set(plan.snapshots)
    if added:
        raise PlanOutdated(f"{sorted(added)[0]} appeared since the plan was made")


def apply_update(
    plan: UpdatePlan,
    git: GitRepo,
    clock: Callable[[], datetime] = datetime.now,
) -> ApplyResult:
    """Check out the new commit, write the notes and bookmarks, log the update. On any failure
    every file this call wrote is put back to its snapshot and the old commit is checked out
    again; a file someone else changed meanwhile is never overwritten."""
    check_snapshots(plan)
    if plan.nothing_to_do:
        return ApplyResult((), 0, None)
    written: dict[Path, Snapshot] = {}  # what this call wrote: undo only our own bytes
    checked_out = False
    try:
        git.checkout_detached(plan.new)
        checked_out = True
        for note, data in plan.writes.items():
            written[note] = write_atomic(note, data, plan.snapshots[note], inside=plan.project.path.parent)
        to_save = plan.bookmarks_to_save
        if to_save is not None:
            bookmark_store.save(plan.project, to_save)
            written[plan.project.bookmarks_file] = snapshot(plan.project.bookmarks_file)
        # last step: when it fails it has written nothing (notes.edit is atomic)
        log = log_entry(plan.project, evolution_text(plan), commit=plan.new, clock=clock).path
    except (ReadertuiError, OSError) as error:
        _roll_back(plan, git, written, checked_out)
        if isinstance(error, OSError):
            raise NoteError(f"update failed and was undone: {error}") from error
        raise
    moved = sum(1 for item in plan.bookmarks if item.action == REWRITE)
    return ApplyResult(tuple(plan.writes), moved, log, plan.needs_human)


def apply_notes(plan: UpdatePlan) -> ApplyResult:
    """Write the plan's notes and nothing else (no checkout, bookmarks or log): how a drift
    review (`plan_drift`) is applied. PlanOutdated when a note changed since the plan; on any
    failure the notes this call wrote are put back."""
    check_snapshots(plan)
    written: dict[Path, Snapshot] = {}
    try:
        for note, data in plan.writes.items():
            written[note] = write_atomic(note, data, plan.snapshots[note], inside=plan.project.path.parent)
    except (ReadertuiError, OSError) as error:
        _roll_back(plan, None, written, checked_out=False)
        if isinstance(error, OSError):
            raise NoteError(f"rewriting the notes failed and was undone: {error}") from error
        raise
    return ApplyResult(tuple(plan.writes), 0, None, plan.needs_human)


def _roll_back(plan: UpdatePlan, git: GitRepo | None, written: dict[Path, Snapshot], checked_out: bool) -> None:
    left: list[str] = []
    for path, ours in written.items():
        original = plan.snapshots.get(path)
        try:
            if original is None:
                path.unlink()
            else:
                write_atomic(path, original.data, ours)
        except (ConflictError, OSError) as error:
            left.append(f"{path}: {error}")
    if checked_out and git is not None:
        try:
            git.checkout_detached(plan.old)
        except GitError as error:
            left.append(
                f"{git.path} is still at {short(plan.new)} ({error}): "
                f"run `git -C {git.path} checkout --detach {plan.old}`"
            )
    if left:
        raise NoteError("the update failed and could not be fully undone: " + "; ".join(left))


# --------------------------------------------------------------------------- describing


def commit_label(sha: str, tags: tuple[str, ...]) -> str:
    return f"{short(sha)} ({', '.join(tags)})" if tags else short(sha)


def mapping_text(item: CitationPlan) -> str:
    mapping = item.mapping
    new_path = mapping.new_path or item.path
    where = new_path if new_path != item.path else ""
    ranges = format_ranges(mapping.new_ranges)
    return " ".join(part for part in (where, ranges) if part)


def evolution_text(plan: UpdatePlan) -> str:
    """The reading-log entry for an applied update (prose only: no citation syntax)."""
    count = f"{plan.commits} commit{'s' if plan.commits != 1 else ''}"
    lines = [
        f"Updated {plan.repo.name}: {commit_label(plan.old, plan.old_tags)} → "
        f"{commit_label(plan.new, plan.new_tags)}, {count}."
    ]
    if plan.changed_files:
        described = []
        for old, new in sorted(plan.changed_files.items()):
            if new is None:
                described.append(f"{old} (deleted)")
            elif new != old:
                described.append(f"{old} → {new} (renamed)")
            else:
                described.append(old)
        lines.append("Cited files changed: " + "; ".join(described) + ".")
    carried = len(plan.by_action(REWRITE))
    marks = sum(1 for item in plan.bookmarks if item.action == REWRITE)
    lines.append(f"Carried {carried} citation{'s' * (carried != 1)} and {marks} bookmark{'s' * (marks != 1)}.")
    review = plan.needs_human
    if review:
        lines.append(f"Need a human ({len(review)}):")
        for item in review:
            lines.append(f"{_prose_location(plan, item)} — {item.reason}")
    marks_left = [item.bookmark for item in plan.bookmarks if item.action == REVIEW]
    if marks_left:
        left = "; ".join(f"{mark.label or mark.id} ({mark.path} {mark.range})" for mark in marks_left)
        lines.append(f"Bookmarks left at {short(plan.old)} for a human: {left}.")
    return "\n".join(lines)


def _prose_location(plan: UpdatePlan, item: CitationPlan) -> str:
    note = _note_name(plan, item.note)
    ranges = format_ranges(item.citation.ranges)
    return f"{note} at {item.citation.line}: {item.path} {ranges}".rstrip()


def format_plan(plan: UpdatePlan, how: str = "") -> str:
    """The plan as people read it before saying yes: grouped moved / changed / orphaned."""
    count = f"{plan.commits} commit{'s' if plan.commits != 1 else ''}"
    head = f"{plan.project.name}/{plan.repo.name}: {commit_label(plan.old, plan.old_tags)} → "
    head += f"{commit_label(plan.new, plan.new_tags)}"
    if plan.nothing_to_do:
        return head + (f" (target: {how})" if how else "") + ": already there, nothing to do"
    out = [f"{head}, {count}" + (f" (target: {how})" if how else "")]
    groups = (
        ("Moved (exact, will be rewritten)", [i for i in plan.by_action(REWRITE) if i.mapping.exact]),
        ("Changed (will take the best candidate)", [i for i in plan.by_action(REWRITE) if not i.mapping.exact]),
        ("Changed (need a human)", [i for i in plan.needs_human if i.mapping.status is MappingStatus.CHANGED]),
        ("Orphaned (file deleted; need a human)", [i for i in plan.needs_human if i.mapping.status is MappingStatus.ORPHANED]),
        ("Renamed, cited by a partial path (need a human)", [i for i in plan.needs_human if i.mapping.status is MappingStatus.MOVED]),
    )
    for title, items in groups:
        if not items:
            continue
        out.append(f"{title} ({len(items)}):")
        for item in items:
            out.append("  " + _plan_line(plan, item))
            if item.mapping.status is MappingStatus.CHANGED:
                out.append(f"      old: {item.old_excerpt}")
                out.append(f"      new: {item.new_excerpt or '(no candidate)'}")
    kept = plan.by_action(KEEP)
    if kept:
        out.append(f"Kept at {short(plan.old)} by a commit declaration ({len(kept)}):")
        out += ["  " + _plan_line(plan, item) + f"  [{item.reason}]" for item in kept]
    for note, declaration, new_text in plan.declarations:
        out.append(f"Declaration {_note_name(plan, note)}:{declaration.line}: {declaration.ref} → {new_text}")
    unchanged = len(plan.by_action(UNCHANGED))
    if unchanged:
        out.append(f"Unchanged: {unchanged} citation{'s' * (unchanged != 1)}")
    if plan.bookmarks:
        moved = [b for b in plan.bookmarks if b.action == REWRITE]
        review = [b for b in plan.bookmarks if b.action == REVIEW]
        out.append(f"Bookmarks: {len(moved)} moved, {len(review)} need a human")
        for mark_plan in moved + review:
            mark, mapping = mark_plan.bookmark, mark_plan.mapping
            target = f"{mapping.new_path}:{format_ranges(mapping.new_ranges)}" if mapping.new_ranges else "no candidate"
            verdict = "moves to" if mark_plan.action == REWRITE else f"{mapping.status}, best"
            out.append(f"  [{mark.id}] {mark.label or mark.excerpt}: {mark.path}:{mark.range} {verdict} {target}")
    out += [f"warning: {text}" for text in plan.warnings]
    out += [f"warning: bookmarks not updated: {text}" for text in plan.bookmark_problems]
    if plan.writes:
        out.append(f"Notes to rewrite: {', '.join(_note_name(plan, note) for note in plan.writes)}")
    return "\n".join(out)


def _note_name(plan: UpdatePlan, note: Path) -> str:
    try:
        return note.relative_to(plan.project.notes_dir).as_posix()
    except ValueError:
        return str(note)


def _plan_line(plan: UpdatePlan, item: CitationPlan) -> str:
    where = f"{_note_name(plan, item.note)}:{item.citation.line}"
    text = f"{where}  {item.citation.text.strip()}"
    if item.mapping.new_path is not None and (item.mapping.new_ranges or item.mapping.new_path != item.path):
        text += f" → {mapping_text(item)}"
    if item.mapping.status is MappingStatus.CHANGED and item.mapping.new_ranges:
        text += f" (confidence {item.mapping.confidence:.2f})"
    if item.reason and item.action == REVIEW:
        text += f" — {item.reason}"
    return text
