"""Two-process DistributedDataParallel on the CPU (gloo, torch.multiprocessing): every rank applies
the same lr at every step, the spec's, and the replicas stay identical."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import lrsched

STEPS = 12
SPEC = lrsched.ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5, staircase=True)

WORKER = textwrap.dedent(
    """
    import json, sys
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp
    import lrsched

    def worker(rank, world, rendezvous, out, config, steps):
        dist.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
        torch.manual_seed(0)
        model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 1))
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        scheduler = lrsched.render(lrsched.deserialize(config), "torch", optimizer=opt)
        used, agreed = [], []
        for k in range(steps):
            g = torch.Generator().manual_seed(1000 * rank + k)  # each rank its own data
            x, y = torch.randn(8, 3, generator=g), torch.randn(8, 1, generator=g)
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            lr = torch.tensor([opt.param_groups[0]["lr"]], dtype=torch.float64)
            gathered = [torch.zeros_like(lr) for _ in range(world)]
            dist.all_gather(gathered, lr)
            agreed.append(all(torch.equal(t, lr) for t in gathered))
            used.append(lr.item())
            opt.step()
            scheduler.step()
        params = [p.detach().double().flatten().tolist() for p in model.parameters()]
        with open(f"{out}/rank{rank}.json", "w") as f:
            json.dump({"used": used, "agreed": agreed, "params": params}, f)
        dist.destroy_process_group()

    if __name__ == "__main__":
        rendezvous, out, config, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        # fork: the children share this fresh interpreter's imports (it has run no torch op yet)
        mp.start_processes(worker, args=(2, rendezvous, out, config, steps), nprocs=2, start_method="fork")
    """
)


def test_two_process_ddp_ranks_apply_the_same_lr(tmp_path):
    script = tmp_path / "ddp_worker.py"
    script.write_text(WORKER)
    config = json.dumps(lrsched.serialize(SPEC))
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "rendezvous"), str(tmp_path), config, str(STEPS)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stderr, result.stderr  # torch's scheduler-order warning included
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert all(all(rank["agreed"]) for rank in ranks)  # checked on every step, across ranks
    assert ranks[0]["used"] == ranks[1]["used"]
    assert ranks[0]["used"] == pytest.approx([SPEC(k) for k in range(STEPS)], rel=1e-12)
    assert ranks[0]["params"] == ranks[1]["params"]  # DDP kept the replicas identical
