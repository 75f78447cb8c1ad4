"""The review screen: citations written against an older commit than the checkout, one row each.

What it plans ("review drift"): the notes of the current project whose commit declarations name
a commit A other than the repository's checkout B. Their citations are mapped from A to B with
`core.update.plan_drift` — the checkout is not moved. When the notes name several such commits
(or the project has several repositories with drift), a picker asks which one to review.

Each row is one citation: moved (exact), changed (best candidate + confidence) or orphaned (file
deleted; nothing to carry). The old code (at A, read from git) and the new code (at B) of the
highlighted row are shown side by side. Exact moves start accepted, changed ones undecided;
orphaned ones cannot be accepted. Decisions are remembered by the main screen while the app
runs (per repository and commit pair, keyed by note, line, column and text), so leaving to open
a version and coming back keeps them.

Applying follows `readertui update --rewrite-commits`: a citation under a commit declaration is
rewritten only together with that declaration, and the declaration moves to B only when every
citation under it is accepted; otherwise the whole section stays at A, still correct (its rows
say "stays @ A (section)"). Only line numbers (and fully written renamed paths) and those declarations
change, through `core.update.with_options` + `apply_notes` against the snapshots taken when
planning: a note edited on disk since then makes the screen plan again and write nothing.

"Update to a ref" (`ReviewScreen(..., update=True)`) reviews `readertui update --to REF` instead:
it asks for the ref (empty: origin's default branch, fetched when the remote answers), refuses a
dirty repository, plans with `core.update.plan_update` and lists the citations that follow the
checkout (those under a commit declaration stay pinned to it, as the CLI does without
`--rewrite-commits`; "review drift" carries them afterwards). Applying is `apply_update` with
the accepted subset: it checks the new commit out, rewrites the notes, moves exact bookmarks and
logs the update, or puts everything back.

Slow work (finding drift, planning, reading blobs, writing) runs in thread workers that end in
messages; failures are notifications.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import msgspec
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from readertui.core.drift import MappingStatus
from readertui.core.errors import ReadertuiError
from readertui.core.git import GitRepo, UntrustedConfigError, short
from readertui.core.model import LineRange, Location, Project, Repo, RepoKind, format_ranges
from readertui.core.preconditions import require_clean, require_head
from readertui.core.safe_text import decode_for_display, sanitize_line, split_lines
from readertui.core.update import (
    KEEP,
    REVIEW,
    REWRITE,
    UNCHANGED,
    ApplyResult,
    CitationKey,
    CitationPlan,
    PlanOutdated,
    UpdateOptions,
    UpdatePlan,
    apply_notes,
    apply_update,
    carriable,
    citation_key,
    drifted_commits,
    git_repos,
    plan_drift,
    plan_update,
    resolve_target,
    with_options,
)
from readertui.ui.bindings import bindings_for
from readertui.ui.screens.pickers import ListPicker
from readertui.ui.screens.prompt import PromptScreen
from readertui.ui.session import Session
from readertui.ui.widgets.code_view import CodeView
from readertui.ui.widgets.key_hints import KeyHints

# A description spares Textual the repr of a plan's every citation at each call (~40 ms at 600).
THREAD_GROUPS = ("review-plan", "review-preview", "review-sides", "review-apply")
ACCEPTED, REJECTED = True, False
DECISION_MARKS = {ACCEPTED: "✓", REJECTED: "✗", None: "·"}
# Column keys, in display order (the decision column has no title). What happens on apply comes
# early so a narrow terminal keeps it; the citation is in the old pane's title as well.
# The citation and where it goes first: long note names and reasons come after them, so a
# 120-column terminal never cuts the citation off.
COLUMNS = ("decision", "status", "citation", "now", "on apply", "note")
OUTCOME_WIDTH = 40  # characters of the "on apply" reason shown; the rest is cut with "…"
CHANGED_STYLE = "citation_broken"  # the code view's mark style for lines that differ


class Drift(msgspec.Struct, frozen=True):
    """One reviewable pair: `repo`'s notes name `commit`, `count` citations about it."""

    repo: Repo
    commit: str
    count: int


class UpdateTarget(msgspec.Struct, frozen=True):
    """Move `repo` to `ref` (None: origin's default branch)."""

    repo: Repo
    ref: str | None


Target = Drift | UpdateTarget


class ReviewOutcome(msgspec.Struct, frozen=True):
    """What the main screen does after the review closes."""

    open: tuple[Location, LineRange | None] | None = None  # show this in the source pane
    applied: ApplyResult | None = None  # notes were rewritten: reload them


class DriftFound(Message):
    def __init__(self, drifts: list[Drift]) -> None:
        super().__init__()
        self.drifts = drifts


class TrustAsked(Message):
    """Updating `target` would run programs its repo's config names (`keys`): ask first."""

    def __init__(self, target: UpdateTarget, keys: tuple[str, ...], notice: str) -> None:
        super().__init__()
        self.target, self.keys, self.notice = target, keys, notice


class ReviewPlanned(Message):
    def __init__(self, plan: UpdatePlan, notice: str = "") -> None:
        super().__init__()
        self.plan, self.notice = plan, notice


class SidesLoaded(Message):
    def __init__(self, key: CitationKey, old: tuple[str, str | None], new: tuple[str, str | None]) -> None:
        super().__init__()
        self.key, self.old, self.new = key, old, new  # (text, notice) at each commit


class PreviewReady(Message):
    def __init__(self, plan: UpdatePlan, preview: UpdatePlan) -> None:
        super().__init__()
        self.plan = plan
        self.preview = preview  # `plan` under the decisions in `preview.options`


class ReviewApplied(Message):
    def __init__(self, result: ApplyResult, carried: int) -> None:
        super().__init__()
        self.result, self.carried = result, carried


class ReviewFailed(Message):
    def __init__(self, title: str, error: Exception) -> None:
        super().__init__()
        self.title, self.error = title, str(error)


def status_text(item: CitationPlan) -> str:
    mapping = item.mapping
    if mapping.status is MappingStatus.CHANGED:
        if mapping.by_symbol and mapping.new_ranges:  # placed by the definition it cited
            return f"changed {mapping.confidence:.2f} by {mapping.by_symbol}"
        return f"changed {mapping.confidence:.2f}" if mapping.new_ranges else "changed, gone"
    if mapping.status is MappingStatus.MOVED and mapping.new_path != item.path:
        return "renamed"
    return mapping.status


def new_place(item: CitationPlan) -> str:
    mapping = item.mapping
    if mapping.new_path is None:
        return "(file deleted)"
    if not mapping.new_ranges:
        return "(no candidate)"
    where = f"{mapping.new_path}:" if mapping.new_path != item.path else ":"
    return where + format_ranges(mapping.new_ranges)


class ReviewScreen(Screen[ReviewOutcome | None]):
    DEFAULT_CSS = """
    ReviewScreen { layout: vertical; }
    ReviewScreen #review-head { height: auto; max-height: 3; padding: 0 1; background: $panel; }
    ReviewScreen #review-table { height: 2fr; min-height: 4; }
    ReviewScreen #review-sides { height: 3fr; }
    ReviewScreen #review-sides > Vertical { width: 1fr; }
    ReviewScreen #review-new-box { border-left: vkey $panel-lighten-2; }
    ReviewScreen .pane-title {
        height: 1; background: $panel; color: $text-muted; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ReviewScreen CodeView { height: 1fr; }
    """
    BINDINGS = bindings_for("review")

    def __init__(
        self,
        session: Session,
        project: Project,
        memory: dict[tuple[str, str, str], dict[CitationKey, bool]] | None = None,
        update: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.project = project
        self.update = update  # review an update to a ref instead of the notes' drift
        # Decisions per (repo, old commit, new commit), shared with the main screen, so a review
        # left to open a version resumes as it was, and one pair's decisions never leak into another.
        self._memory = memory if memory is not None else {}
        self.decisions: dict[CitationKey, bool] = {}
        self.plan: UpdatePlan | None = None
        self.preview: UpdatePlan | None = None  # the plan under the current decisions
        self.rows: list[CitationPlan] = []
        self._outcomes: dict[CitationKey, CitationPlan] = {}
        self._target: Target | None = None

    # ---- layout

    def compose(self) -> ComposeResult:
        yield Static("", id="review-head", markup=False)
        table: DataTable = DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        yield table
        with Horizontal(id="review-sides"):
            with Vertical():
                yield Static("", id="review-old-title", classes="pane-title", markup=False)
                yield CodeView(id="review-old")
            with Vertical(id="review-new-box"):
                yield Static("", id="review-new-title", classes="pane-title", markup=False)
                yield CodeView(id="review-new")
        yield KeyHints()

    @property
    def table(self) -> DataTable:
        return self.query_one("#review-table", DataTable)

    @property
    def old_view(self) -> CodeView:
        return self.query_one("#review-old", CodeView)

    @property
    def new_view(self) -> CodeView:
        return self.query_one("#review-new", CodeView)

    def on_mount(self) -> None:
        if not self.query("#review-old"):
            return  # a `D` or `U` pressed right after `q`: the app closed before this composed
        theme = getattr(self.app, "ui_theme", None)
        settings = getattr(self.app, "settings", None)
        for view in (self.old_view, self.new_view):
            if theme is not None:
                view.set_theme_styles(theme.syntax, theme.marks)
            if settings is not None:
                view.configure(tab_width=settings.tab_width, highlight_max_bytes=settings.highlight_max_bytes)
            view.load("", name="review")
        for key in COLUMNS:
            self.table.add_column("" if key == "decision" else key, key=key)
        self.table.focus()
        if self.update:
            self._choose_repo()
        else:
            self._head("Looking for citations written against another commit…")
            self._find_drift()

    # ---- update to a ref: which repository, which ref

    def _choose_repo(self) -> None:
        repos = git_repos(self.project)
        if not repos:
            self.notify(f"{self.project.name} has no git repository to update", severity="warning")
            self.dismiss(None)
        elif len(repos) == 1:
            self._ask_ref(repos[0])
        else:
            items = [(repo.name, repo) for repo in repos]
            self.app.push_screen(ListPicker("Update which repository?", items), self._repo_chosen)

    def _repo_chosen(self, repo: Repo | None) -> None:
        if repo is None:
            self.dismiss(None)
        else:
            self._ask_ref(repo)

    def _ask_ref(self, repo: Repo) -> None:
        def asked(ref: str | None) -> None:
            if ref is None:
                self.dismiss(None)
            else:
                self._plan(UpdateTarget(repo, ref.strip() or None))

        prompt = PromptScreen(
            f"Update {repo.name} to which commit, tag or branch? (empty: origin's default branch)",
            placeholder="v2.0, main, a1b2c3d…",
        )
        self.app.push_screen(prompt, asked)

    # ---- planning

    @work(exclusive=True, group="review-plan", description="review-plan", thread=True, exit_on_error=False)
    def _find_drift(self) -> None:
        drifts: list[Drift] = []
        try:
            for repo in git_repos(self.project):
                git = self._git(repo)
                found = drifted_commits(self.session.workspace, self.project, repo, git)
                drifts += [Drift(repo, commit, count) for commit, count in found.items()]
        except ReadertuiError as error:
            self.post_message(ReviewFailed("Cannot look for drift", error))
            return
        self.post_message(DriftFound(drifts))

    @on(DriftFound)
    def _drift_found(self, event: DriftFound) -> None:
        drifts = event.drifts
        if not drifts:
            self.notify("every citation is about the checked-out commit: nothing drifted", timeout=5)
            self.dismiss(None)
        elif len(drifts) == 1:
            self._plan(drifts[0])
        else:
            items = [
                (f"{d.repo.name}: notes @ {short(d.commit)}, {d.count} citation{'s' * (d.count != 1)}", d)
                for d in drifts
            ]
            self.app.push_screen(ListPicker("Review which commit's notes?", items), self._chosen)

    def _chosen(self, drift: Drift | None) -> None:
        if drift is None:
            self.dismiss(None)
        else:
            self._plan(drift)

    def _plan(self, target: Target, notice: str = "") -> None:
        self._target = target
        if isinstance(target, Drift):
            doing = f"Planning {target.repo.name} notes @ {short(target.commit)} → the checkout…"
        else:
            ref = target.ref or "origin's default branch"
            doing = f"Planning the update of {target.repo.name} to {ref}…"
        self._head(doing)
        self._plan_worker(target, notice)

    @work(exclusive=True, group="review-plan", description="review-plan", thread=True, exit_on_error=False)
    def _plan_worker(self, target: Target, notice: str) -> None:
        workspace, repo = self.session.workspace, target.repo
        try:
            git = self._git(repo)
            if isinstance(target, Drift):
                plan = plan_drift(workspace, self.project, repo, git, target.commit)
            else:
                git.require_trusted_config()  # asks the user (TrustAsked) before any fetch
                require_head(git)
                require_clean(git, repo.path)
                sha, how = resolve_target(git, target.ref)
                plan = plan_update(workspace, self.project, repo, git, sha, UpdateOptions())
                if not notice and target.ref is None:
                    notice = f"target: {how}"
        except UntrustedConfigError as error:
            if isinstance(target, UpdateTarget):  # only an update fetches and checks out
                self.post_message(TrustAsked(target, error.keys, notice))
            else:
                self.post_message(ReviewFailed("Cannot plan the review", error))
            return
        except ReadertuiError as error:
            self.post_message(ReviewFailed("Cannot plan the review", error))
            return
        self.post_message(ReviewPlanned(plan, notice))

    @on(TrustAsked)
    def _ask_trust(self, event: TrustAsked) -> None:
        """The repo's own git config would run programs on fetch and checkout: the user says."""
        target = event.target

        def answered(answer: str | None) -> None:
            if answer is not None and answer.strip().lower() in ("trust", "yes", "y"):
                git = self.session.git_for(target.repo)
                if git is not None:
                    git.trust_config = True
                    self._plan(target, event.notice)
                    return
            self.notify("Nothing was fetched or checked out.", title="Update cancelled", timeout=5)
            self.dismiss(None)

        keys = ", ".join(event.keys)
        prompt = PromptScreen(
            f"The git config of {target.repo.name} would run programs ({keys}). "
            "Type trust to let the update run them; Escape cancels",
            placeholder="trust",
        )
        self.app.push_screen(prompt, answered)

    def _head(self, text: str) -> None:
        """The line above the table: names, tags and messages in it are untrusted text."""
        self.query_one("#review-head", Static).update(sanitize_line(" ".join(text.split())))

    def _git(self, repo: Repo) -> GitRepo:
        git = self.session.git_for(repo)
        if git is None:  # git_repos() only yields git repositories
            raise ReadertuiError(f"{repo.name} is not a git repository")
        return git

    @on(ReviewPlanned)
    def _planned(self, event: ReviewPlanned) -> None:
        plan = event.plan
        if plan.nothing_to_do:
            # the notice says when the target was found offline (the remote could not be reached)
            known = f" ({event.notice})" if event.notice else ""
            self.notify(f"{plan.repo.name} is already at {short(plan.new)}{known}: nothing to do", timeout=5)
            self.dismiss(None)
            return
        self.plan = plan
        # An update leaves citations under a commit declaration pinned (KEEP): nothing to review.
        hidden = (UNCHANGED, KEEP) if self.update else (UNCHANGED,)
        self.rows = [item for item in plan.citations if item.action not in hidden]
        self.decisions = self._memory.setdefault((plan.repo.name, plan.old, plan.new), {})
        for item in self.rows:
            key = citation_key(item)
            if key not in self.decisions and item.mapping.exact and carriable(item):
                self.decisions[key] = ACCEPTED  # exact moves start accepted
        self._refresh_preview()
        table = self.table
        table.clear()
        for item in self.rows:
            table.add_row(*self._cells(item), key=self._row_key(item))
        for warning in plan.warnings:
            self.notify(warning, severity="warning", timeout=8)
        if event.notice:
            self.notify(event.notice, timeout=10)
        if not self.rows:
            self.notify(
                "no cited line changed since that commit; applying moves the declarations to the checkout",
                timeout=8,
            )
        else:
            self._show_sides()

    # ---- rows

    @staticmethod
    def _row_key(item: CitationPlan) -> str:
        note, line, column, text = citation_key(item)
        return f"{note}\0{line}\0{column}\0{text}"

    def _note_name(self, note: Path) -> str:
        try:
            return note.relative_to(self.project.notes_dir).as_posix()
        except ValueError:
            return str(note)

    def _cells(self, item: CitationPlan) -> list[Text]:
        style = "green" if item.mapping.exact else ("red" if item.mapping.status is MappingStatus.ORPHANED else "yellow")
        cells = {
            "decision": Text(self._mark(item)),
            "status": Text(status_text(item), style=style),
            "on apply": Text(_clip(self._outcome_text(item))),
            "note": Text(f"{self._note_name(item.note)}:{item.citation.line}"),
            "citation": Text(item.citation.text),
            "now": Text(new_place(item)),
        }
        return [cells[key] for key in COLUMNS]

    def _mark(self, item: CitationPlan) -> str:
        return DECISION_MARKS[self.decisions.get(citation_key(item))] if carriable(item) else "–"

    def _outcome_text(self, item: CitationPlan) -> str:
        outcome = self._outcomes.get(citation_key(item))
        if outcome is None or self.plan is None:
            return ""
        if outcome.action == REWRITE:
            return "rewrite"
        if outcome.action == KEEP:
            return f"stays @ {short(self.plan.old)} (section)"  # a citation beside it is not accepted
        decision = self.decisions.get(citation_key(item))
        if outcome.action == REVIEW and carriable(item):
            return "rejected" if decision is REJECTED else "undecided"  # both left as written
        first_reason = outcome.reason.split(";")[0]  # the rest says its declaration stays
        return f"{first_reason} (by hand)" if first_reason else "left as written"

    def _options(self) -> UpdateOptions:
        accepted = frozenset(
            citation_key(item) for item in self.rows if self.decisions.get(citation_key(item)) is ACCEPTED
        )
        return UpdateOptions(rewrite_commits=not self.update, accepted=accepted)

    def _refresh_preview(self) -> None:
        if self.plan is not None:
            self._preview_worker(self.plan, self._options())

    @work(exclusive=True, group="review-preview", description="review-preview", thread=True, exit_on_error=False)
    def _preview_worker(self, plan: UpdatePlan, options: UpdateOptions) -> None:
        # Re-scans the notes with rows: ~50 ms for 600 citations, kept off the key press.
        try:
            preview = with_options(plan, options)
        except ReadertuiError as error:
            self.post_message(ReviewFailed("Cannot preview the decisions", error))
            return
        self.post_message(PreviewReady(plan, preview))

    @on(PreviewReady)
    def _preview_ready(self, event: PreviewReady) -> None:
        preview = event.preview
        if event.plan is not self.plan or preview.options != self._options():
            return  # made for an earlier plan or earlier decisions; a newer one is on its way
        self.preview = preview
        self._outcomes = {citation_key(item): item for item in preview.citations}
        self._update_head()
        self._redraw_rows()

    def _update_head(self) -> None:
        plan, preview = self.plan, self.preview
        if plan is None or preview is None:
            return
        counts: dict[str, int] = {}
        for item in self.rows:
            kind = "moved" if item.mapping.exact else item.mapping.status
            counts[kind] = counts.get(kind, 0) + 1
        found = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing to carry"
        carried = len(preview.by_action(REWRITE))
        notes = len(preview.writes)
        key = getattr(self.app, "key_for", lambda binding_id: binding_id)
        moved = len(preview.declarations)
        declarations = f" and {moved} commit declaration{'s' * (moved != 1)}" if moved else ""
        rewrite = f"rewrite {carried} citation{'s' * (carried != 1)}{declarations} in {notes} note{'s' * (notes != 1)}"
        if not self.update:
            self._head(
                f"{plan.repo.name}: notes written @ {_label(plan.old, plan.old_tags)}, checkout "
                f"@ {_label(plan.new, plan.new_tags)} — {found}.  {key('review_apply')}: {rewrite}"
            )
            return
        pinned = len(plan.by_action(KEEP))
        kept = f"; {pinned} under commit declarations stay @ {short(plan.old)}" if pinned else ""
        commits = f"{plan.commits} commit{'s' * (plan.commits != 1)}"
        self._head(
            f"Update {plan.repo.name}: {_label(plan.old, plan.old_tags)} → {_label(plan.new, plan.new_tags)}, "
            f"{commits} — {found}{kept}.  {key('review_apply')}: check out "
            f"{short(plan.new)} and {rewrite}"
        )

    def _redraw_rows(self) -> None:
        """Update the decision and outcome cells that changed (a table cell update repaints)."""
        table = self.table
        for item in self.rows:
            row_key = self._row_key(item)
            for column, text in (("decision", self._mark(item)), ("on apply", _clip(self._outcome_text(item)))):
                if str(table.get_cell(row_key, column)) != text:
                    table.update_cell(row_key, column, Text(text), update_width=column == "on apply")

    def _current(self) -> CitationPlan | None:
        if not self.rows or self.table.row_count == 0:
            return None
        row = self.table.cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # ---- the two sides

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._show_sides()

    def _show_sides(self) -> None:
        item, plan = self._current(), self.plan
        if item is None or plan is None:
            return
        old_range = format_ranges(item.citation.ranges)
        self.query_one("#review-old-title", Static).update(
            f"old @ {short(plan.old)}  {item.path}:{old_range}  (cited)"
        )
        mapping = item.mapping
        if mapping.new_path is None:
            new_title = f"new @ {short(plan.new)}  {item.path}: deleted"
        else:
            kind = "exact" if mapping.exact else f"best candidate, confidence {mapping.confidence:.2f}"
            where = format_ranges(mapping.new_ranges) or "no candidate"
            new_title = f"new @ {short(plan.new)}  {mapping.new_path}:{where}  ({kind})"
        self.query_one("#review-new-title", Static).update(new_title)
        self._load_sides(item, plan)

    @work(exclusive=True, group="review-sides", description="review-sides", thread=True, exit_on_error=False)
    def _load_sides(self, item: CitationPlan, plan: UpdatePlan) -> None:
        try:
            git = self._git(plan.repo)
            old = _display(git.read_file(item.path, plan.old), f"{item.path} is not at {short(plan.old)}")
            new_path = item.mapping.new_path
            new = (
                _display(git.read_file(new_path, plan.new), f"{new_path} is not at {short(plan.new)}")
                if new_path
                else ("", f"{item.path} was deleted by {short(plan.new)}")
            )
        except ReadertuiError as error:
            self.post_message(ReviewFailed("Cannot read the code", error))
            return
        self.post_message(SidesLoaded(citation_key(item), old, new))

    @on(SidesLoaded)
    def _sides_loaded(self, event: SidesLoaded) -> None:
        item = self._current()
        if item is None or citation_key(item) != event.key:
            return  # the cursor moved on meanwhile
        mapping = item.mapping
        self._fill(self.old_view, event.old, item.path, item.citation.ranges)
        self._fill(self.new_view, event.new, mapping.new_path or item.path, mapping.new_ranges)
        if mapping.status is MappingStatus.CHANGED:
            old_changed, new_changed = changed_lines(
                split_lines(event.old[0]), item.citation.ranges, split_lines(event.new[0]), mapping.new_ranges
            )
            self.old_view.set_overlays(_whole_lines(self.old_view, old_changed))
            self.new_view.set_overlays(_whole_lines(self.new_view, new_changed))

    @staticmethod
    def _fill(view: CodeView, shown: tuple[str, str | None], path: str, ranges: tuple[LineRange, ...]) -> None:
        text, notice = shown
        view.set_overlays({})
        view.load(text if text or not notice else f"({notice})", path=path if text else None, name=path)
        view.set_marks({line: "cited" for r in ranges for line in range(r.start, r.end + 1)})
        if ranges and text:
            first = ranges[0]
            view.goto(min(first.start, view.line_count), select=first if first.end <= view.line_count else None)

    # ---- decisions

    def _decide(self, decision: bool) -> None:
        item = self._current()
        if item is None:
            return
        if not carriable(item):
            self.notify(f"{status_text(item)}: nothing to carry ({item.reason}); edit the note by hand", timeout=5)
            return
        self.decisions[citation_key(item)] = decision
        self.table.update_cell(self._row_key(item), "decision", Text(self._mark(item)))
        self._refresh_preview()
        row = self.table.cursor_row
        if row + 1 < len(self.rows):
            self.table.move_cursor(row=row + 1)

    def action_review_accept(self) -> None:
        self._decide(ACCEPTED)

    def action_review_reject(self) -> None:
        self._decide(REJECTED)

    def action_review_open_old(self) -> None:
        item, plan = self._current(), self.plan
        if item is None or plan is None:
            return
        first = item.citation.ranges[0] if item.citation.ranges else None
        commit = None if plan.old == self._checkout(plan) else plan.old
        self._open(Location(self.project.name, plan.repo.name, item.path, first.start if first else 1, commit), first)

    def action_review_open_new(self) -> None:
        item, plan = self._current(), self.plan
        if item is None or plan is None:
            return
        if item.mapping.new_path is None:
            self.notify(f"{item.path} no longer exists at {short(plan.new)}", severity="warning")
            return
        first = item.mapping.new_ranges[0] if item.mapping.new_ranges else None
        commit = None if plan.new == self._checkout(plan) else plan.new
        path = item.mapping.new_path
        self._open(Location(self.project.name, plan.repo.name, path, first.start if first else 1, commit), first)

    def _checkout(self, plan: UpdatePlan) -> str | None:
        return self.session.head(plan.repo)

    def _open(self, location: Location, select: LineRange | None) -> None:
        self.dismiss(ReviewOutcome(open=(location, select)))

    def action_review_close(self) -> None:
        self.dismiss(None)

    # ---- applying

    def action_review_apply(self) -> None:
        if self.plan is not None:
            self._apply(self.plan, self._options())

    @work(exclusive=True, group="review-apply", description="review-apply", thread=True, exit_on_error=False)
    def _apply(self, plan: UpdatePlan, options: UpdateOptions) -> None:
        try:
            chosen = with_options(plan, options)
            if not chosen.writes and not self.update:
                raise ReadertuiError("nothing accepted that can be written (see the last column)")
            result = apply_update(chosen, self._git(plan.repo)) if self.update else apply_notes(chosen)
        except PlanOutdated as error:
            # Someone edited a note since the plan: nothing was written; plan again from disk.
            self.app.call_from_thread(
                self._plan, self._target, f"{error}: planned again, nothing was written; review and apply again"
            )
            return
        except ReadertuiError as error:
            self.post_message(ReviewFailed("Notes not rewritten", error))
            return
        self.post_message(ReviewApplied(result, len(chosen.by_action(REWRITE))))

    @on(ReviewApplied)
    def _applied(self, event: ReviewApplied) -> None:
        result, plan = event.result, self.plan
        written = len(result.notes_written)
        text = (
            f"rewrote {event.carried} citation{'s' * (event.carried != 1)} in {written} "
            f"note{'s' * (written != 1)}"
        )
        if self.update and plan is not None:
            text = f"{plan.repo.name} is at {short(plan.new)}; {text}"
            if result.bookmarks_moved:
                text += f", moved {result.bookmarks_moved} bookmark{'s' * (result.bookmarks_moved != 1)}"
            if result.log is not None:
                text += "; logged in the reading log"
            if plan.repo.kind is RepoKind.SUBMODULE:
                text += f". Record it in the superproject: git add {plan.repo.path}"
        self.notify(text, title="Review applied", timeout=10 if self.update else 5)
        if plan is not None:  # these citations were carried or left by choice: start afresh
            self._memory.pop((plan.repo.name, plan.old, plan.new), None)
        self.dismiss(ReviewOutcome(applied=event.result))

    # ---- errors

    @on(ReviewFailed)
    def _failed(self, event: ReviewFailed) -> None:
        self.notify(event.error, title=event.title, severity="error", timeout=8)
        if self.plan is None:
            self._head(f"{event.title}: {event.error}")

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            self.notify(str(error) or type(error).__name__, severity="error", timeout=8)


def changed_lines(
    old: list[str], old_ranges: tuple[LineRange, ...], new: list[str], new_ranges: tuple[LineRange, ...]
) -> tuple[set[int], set[int]]:
    """Lines (1-based) of each cited block that differ from the other block: what to point at
    when a citation's lines changed. Ranges are paired in order."""
    old_changed: set[int] = set()
    new_changed: set[int] = set()
    for old_range, new_range in zip(old_ranges, new_ranges):
        before = old[old_range.start - 1 : old_range.end]
        after = new[new_range.start - 1 : new_range.end]
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                old_changed.update(range(old_range.start + i1, old_range.start + i2))
                new_changed.update(range(new_range.start + j1, new_range.start + j2))
    return old_changed, new_changed


def _whole_lines(view: CodeView, lines: set[int]) -> dict[int, list[tuple[int, int, str]]]:
    return {line: [(0, len(view.line_text(line)), CHANGED_STYLE)] for line in lines if line <= view.line_count}


def _label(sha: str, tags: tuple[str, ...]) -> str:
    return f"{short(sha)} ({', '.join(tags)})" if tags else short(sha)


def _display(data: bytes | None, missing: str) -> tuple[str, str | None]:
    return decode_for_display(data) if data is not None else ("", missing)


def _clip(text: str, width: int = OUTCOME_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
