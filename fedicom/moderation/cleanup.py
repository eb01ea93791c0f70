"""The clean-up job: the bulk removal that a ban with removeData or a suspension decides, done after
the decision, a batch at a time, so that a crash or a restart resumes where it stopped.

The command records its decision (the ban or block, the modlog entry) and queues one job in the same
transaction. The job works through its stages in order (a ban: the banned actor's posts; a
suspension: the stages of `suspension.py`), each batch in a transaction of its own that also saves
the stage and a cursor (the last id done) in the job's payload: a batch's work and its progress
commit together, so no batch is done twice, and one cut short by a crash is redone from the start
(its rows re-read as they are now: a post already removed is skipped).

It covers what existed when the decision was made: posts and memberships up to the newest id then.
A ban lifted, or a block removed, before the job is done does not stop it: Lemmy-family members
removed the content when they read the Block's `removeData`, and Lemmy keeps removed content removed
when a ban is lifted; a moderator restores a post by hand (`fedicom post restore`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Membership, Post, PostState
from fedicom.jobs.models import Job, JobState
from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import JobHandler, Paused, RunningJob, mark_job_done, save_progress
from fedicom.moderation import modlog, suspension
from fedicom.moderation.models import ModlogAction
from fedicom.moderation.purge import remove_posts

KIND = "moderation.cleanup"
BAN, SUSPEND = "ban", "suspend"
DONE_ACTION = {BAN: ModlogAction.REMOVE_DATA_APPLIED, SUSPEND: ModlogAction.SUSPEND_APPLIED}


@dataclass
class Plan:
    """A clean-up job's payload: what its decision removes, and how far the job got."""

    what: str  # BAN or SUSPEND
    moderator: str  # who decided: the Delete of each post is theirs when they are staff here (`ours`)
    reason: str  # the `summary` of each Delete, and the state reason of a banned actor's posts
    target: str  # what the closing modlog entry names: the banned actor, the domain(s)
    community: str | None  # the community's name; None: every community
    group: int | None  # its id
    upto_post: int  # the newest post and membership when decided: nothing newer is touched
    upto_member: int
    ours: bool = True  # the moderator is staff here, acting here (not a remote moderator's Block)
    actor: str = ""  # a ban: whose posts
    domains: list[str] = field(default_factory=list)  # a suspension: the suspended domains
    stage: str = ""
    after: int = 0  # the cursor: the last id done in this stage
    done: int = 0  # rows of this stage gone through
    total: int = 0  # rows of this stage, counted when it began
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, payload: dict[str, Any]) -> Plan:
        known = {k: v for k, v in payload.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def payload(self) -> dict[str, Any]:
        stage = STAGES[self.stage]
        return {**asdict(self), "progress": {"stage": stage.label, "done": self.done, "total": self.total}}

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    @property
    def stages(self) -> list[str]:
        if self.what == BAN:
            return ["posts"]
        return suspension.stages(instance_wide=self.group is None)


Step = Callable[[Groups, Plan, BaseDBAsyncClient, int], Awaitable[bool]]
Count = Callable[[Plan, BaseDBAsyncClient], Awaitable[int]]


@dataclass(frozen=True)
class Stage:
    label: str  # as the progress bar and the staff pages show it
    count: Count  # its rows, when it begins
    step: Step  # one batch in the caller's transaction; True when the stage is finished


async def _count_posts(plan: Plan, conn: BaseDBAsyncClient) -> int:
    if plan.what == BAN:
        return int(await _banned_posts(plan).using_db(conn).count())
    return int(await suspension.post_scope(plan.group, plan.upto_post).using_db(conn).count())


async def _step_posts(ctx: Groups, plan: Plan, conn: BaseDBAsyncClient, batch: int) -> bool:
    if plan.what == SUSPEND:
        scanned, theirs = await suspension.next_posts(
            plan.group, plan.upto_post, plan.domains, plan.after, batch, conn
        )
        if not scanned:
            return True
        plan.after, plan.done = scanned[-1], plan.done + len(scanned)
        plan.count(
            "posts_removed",
            await remove_posts(ctx, theirs, _speaker(plan), plan.reason, conn, tombstone=True),
        )
        return len(scanned) < batch
    posts = (
        await _banned_posts(plan)
        .filter(id__gt=plan.after)
        .using_db(conn)
        .order_by("id")
        .limit(batch)
        .prefetch_related("group")
    )
    if not posts:
        return True
    plan.after, plan.done = posts[-1].id, plan.done + len(posts)
    plan.count(
        "posts_removed", await remove_posts(ctx, posts, _speaker(plan), plan.reason, conn, tombstone=False)
    )
    return len(posts) < batch


def _speaker(plan: Plan) -> str | None:
    """Whose Delete federates each removal: our staff member's; none for a remote moderator's ban."""
    return plan.moderator if plan.ours else None


def _banned_posts(plan: Plan) -> Any:
    """The banned actor's posts in scope not removed yet (held ones too: they never come out)."""
    query = Post.filter(author=plan.actor, deleted=False, id__lte=plan.upto_post).exclude(
        state=PostState.REMOVED
    )
    return query.filter(group_id=plan.group) if plan.group is not None else query


async def _one(plan: Plan, conn: BaseDBAsyncClient) -> int:
    return 1


def _stage_of(run: Callable[[Groups, Plan, BaseDBAsyncClient], Awaitable[dict[str, int]]]) -> Step:
    """A stage done in one statement or two: one batch, counted once."""

    async def step(ctx: Groups, plan: Plan, conn: BaseDBAsyncClient, _batch: int) -> bool:
        for name, n in (await run(ctx, plan, conn)).items():
            plan.count(name, n)
        plan.done = 1
        return True

    return step


async def _count_members(plan: Plan, conn: BaseDBAsyncClient) -> int:
    return int(await suspension.member_scope(plan.group, plan.upto_member).using_db(conn).count())


async def _step_members(ctx: Groups, plan: Plan, conn: BaseDBAsyncClient, batch: int) -> bool:
    scanned, removed = await suspension.remove_members(
        ctx, plan.group, plan.upto_member, plan.domains, plan.after, batch, conn
    )
    if not scanned:
        return True
    plan.after, plan.done = scanned[-1], plan.done + len(scanned)
    plan.count("members_removed", removed)
    return len(scanned) < batch


STAGES: dict[str, Stage] = {
    "deliveries": Stage(
        "cancelling queued deliveries",
        _one,
        _stage_of(lambda ctx, plan, conn: suspension.cancel_deliveries(ctx, plan.group, plan.domains, conn)),
    ),
    "members": Stage("removing members", _count_members, _step_members),
    "posts": Stage("removing posts", _count_posts, _step_posts),
    "actors": Stage(
        "purging cached data",
        _one,
        _stage_of(lambda ctx, plan, conn: suspension.purge_actors(plan.domains, conn)),
    ),
}


# --- queuing -------------------------------------------------------------------------------------


def ban_key(block_id: str) -> str:
    """One job per ban decision: its Block's id (a Block received twice queues nothing more)."""
    return "cleanup:ban:" + hashlib.sha256(block_id.encode()).hexdigest()[:40]


async def queue_ban(
    ctx: Groups,
    *,
    block_id: str,
    actor: str,
    group: Group | None,
    moderator: str,
    reason: str,
    ours: bool,
    conn: BaseDBAsyncClient,
) -> None:
    """In the ban's transaction: the job that removes the banned actor's posts in scope (`ours`: the
    ban is our staff member's, not a remote moderator's Block)."""
    plan = Plan(
        BAN,
        moderator,
        f"author banned: {reason}" if reason else "author banned",
        actor,
        group.name if group else None,
        group.id if group else None,
        *await _newest(conn),
        ours=ours,
        actor=actor,
    )
    await _queue(plan, ban_key(block_id), conn)


async def queue_suspension(
    ctx: Groups,
    domains: list[str],
    *,
    group: Group | None,
    moderator: str,
    reason: str,
    target: str,
    decision: int,
    conn: BaseDBAsyncClient,
) -> Job:
    """In the block's transaction: the job that removes what the suspended servers left behind.
    `decision` is the id of the modlog entry recording it (one job per decision)."""
    plan = Plan(
        SUSPEND,
        moderator,
        reason,
        target,
        group.name if group else None,
        group.id if group else None,
        *await _newest(conn),
        domains=sorted(set(domains)),
    )
    return await _queue(plan, f"cleanup:suspend:{decision}", conn)


async def _newest(conn: BaseDBAsyncClient) -> tuple[int, int]:
    post = await Post.all().using_db(conn).order_by("-id").first()
    member = await Membership.all().using_db(conn).order_by("-id").first()
    return post.id if post else 0, member.id if member else 0


async def _queue(plan: Plan, key: str, conn: BaseDBAsyncClient) -> Job:
    plan.stage = plan.stages[0]
    plan.total = await STAGES[plan.stage].count(plan, conn)
    await enqueue(KIND, plan.payload(), key=key, conn=conn)
    return await Job.filter(key=key).using_db(conn).get()


async def job_of_ban(block_id: str | None) -> Job | None:
    """The clean-up job a ban queued (while it is kept: a day after it is done)."""
    return await Job.get_or_none(key=ban_key(block_id)) if block_id else None


# --- running -------------------------------------------------------------------------------------


def handlers(ctx: Groups, *, batch: int) -> dict[str, JobHandler]:
    """The clean-up job's handler, `batch` rows a transaction."""

    async def handle(job: RunningJob) -> None:
        await work(ctx, Plan.read(job.payload), batch, job.stopping)

    return {KIND: handle}


async def work(ctx: Groups, plan: Plan, batch: int, stopping: Callable[[], bool]) -> None:
    """Batch after batch to the end, each committed with the progress it made (see the module)."""
    finished = False
    while not finished:
        if stopping():
            raise Paused()
        async with ctx.fed.transaction() as conn:
            finished = await _advance(ctx, plan, conn, batch)
            await save_progress(conn, plan.payload())
            if finished:
                await modlog.record(
                    plan.moderator,
                    DONE_ACTION[plan.what],
                    plan.target,
                    community=plan.community,
                    details=_counted(plan),
                    conn=conn,
                )
                await mark_job_done(conn)
        ctx.rosters.forget(plan.group)


async def _advance(ctx: Groups, plan: Plan, conn: BaseDBAsyncClient, batch: int) -> bool:
    """One batch; a finished stage gives way to the next. True when the last stage is finished."""
    if not await STAGES[plan.stage].step(ctx, plan, conn, batch):
        return False
    later = plan.stages[plan.stages.index(plan.stage) + 1 :]
    if not later:
        return True
    plan.stage, plan.after, plan.done = later[0], 0, 0
    plan.total = await STAGES[plan.stage].count(plan, conn)
    return False


def _counted(plan: Plan) -> dict[str, int]:
    names = ["posts_removed"] if plan.what == BAN else suspension.COUNTS
    return {name: plan.counts.get(name, 0) for name in names}


# --- what staff see ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """A clean-up job as the CLI, the admin API and the staff pages show it."""

    job: int
    state: str
    what: str
    target: str
    community: str | None
    stage: str
    done: int
    total: int
    counts: dict[str, int]
    error: str | None

    @property
    def running(self) -> bool:
        return self.state == JobState.PENDING


def summary(job: Job) -> Summary:
    plan = Plan.read(job.data)
    progress = job.progress
    return Summary(
        job.id,
        job.state,
        plan.what,
        plan.target,
        plan.community,
        progress.stage if progress else "",
        progress.done if progress else 0,
        progress.total if progress else 0,
        _counted(plan),
        job.last_error,
    )


async def running(communities: list[str] | None = None) -> list[Summary]:
    """Clean-ups not finished yet, oldest first: in these communities, or all (None: admins)."""
    jobs = await Job.filter(kind=KIND, state=JobState.PENDING).order_by("id")
    found = [summary(j) for j in jobs]
    if communities is None:
        return found
    return [s for s in found if s.community is not None and s.community in communities]
