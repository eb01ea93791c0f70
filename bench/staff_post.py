"""(g) A staff post reaches every member: `fedicom post create` run as an operator runs it, against a
running `fedicom serve` whose community has members on N servers, each verifying every signed
delivery (Announce{Create{Page}} and the boost of the object, so 2 per server).

Measures how long the command takes, and from starting it to the last verified delivery.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bench.fedicom_proc import Database, fedicom_command
from bench.report import Metric, ScenarioResult
from bench.servers import Recorder, SimServers

if TYPE_CHECKING:
    from bench.fedicom_proc import FedicomServer
    from bench.scenarios import Context

ROUNDS = 3


async def _command(server: FedicomServer, *args: str, stdin: bytes | None = None) -> None:
    proc = await asyncio.create_subprocess_exec(
        *fedicom_command(),
        *args,
        env=server.env(),
        cwd=server.workdir,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate(stdin)
    if proc.returncode != 0:
        raise RuntimeError(f"fedicom {' '.join(args[:2])} failed:\n{out.decode(errors='replace')}")


async def staff_post(ctx: Context, database: Database) -> ScenarioResult:
    from bench.scenarios import launch, member_servers

    n = ctx.sizes.fanout_servers
    result = ScenarioResult("staff", f"(g) staff post to {n:,} servers", database.kind)
    recorder = Recorder(verify=True, keep_payloads=True)
    sims = SimServers()
    try:
        members = await member_servers(sims, n, recorder)
        async with launch(ctx, database, "staff", members) as server:
            key_id, pem = await server.group_key()
            recorder.trusted[key_id] = pem
            await _command(
                server, "staff", "create", "mia", "--admin", "--password-stdin", stdin=b"a long password\n"
            )
            command_s, total_s, failures = [], [], []
            for r in range(ROUNDS):
                recorder.reset()
                loop = asyncio.get_running_loop()
                started = loop.time()  # the recorder's clock
                await _command(
                    server,
                    "post",
                    "create",
                    "bench",
                    "--author",
                    "mia",
                    "--title",
                    f"Offer {r}",
                    "--body",
                    "Hello",
                )
                command_s.append(loop.time() - started)
                complete = await recorder.wait_for(2 * n, timeout=300, stall=60)
                end = recorder.last_at if recorder.last_at is not None else loop.time()
                total_s.append(end - started)
                unique = {(a.port, a.path, (a.activity or {}).get("id")) for a in recorder.arrivals}
                failures.append(float(2 * n - len(unique) + len(recorder.rejected)))
                ctx.log(
                    f"  staff post round {r + 1}: {len(unique)}/{2 * n} verified deliveries, command "
                    f"{command_s[-1]:.2f} s, last delivery after {total_s[-1]:.2f} s"
                    + ("" if complete else " (incomplete: timed out)")
                )
                await asyncio.sleep(0.5)
            result.add(Metric("`fedicom post create` took", "s", command_s, digits=2))
            result.add(Metric("command start → last verified delivery", "s", total_s, digits=2))
            result.add(Metric("failures (missing, refused)", "", failures, 0, goal="max", digits=0))
    finally:
        await sims.close()
    return result
