"""torch.optim.swa_utils.AveragedModel (parameters and buffers) with the exponential moving average the binding documents.

argv: input output decay. Inputs `live.<name>` [steps + 1, ...]: the state dict of Sequential(Linear(3, 4),
BatchNorm1d(4)) at the start and after each step. The average starts as a copy of the start; after step t (0-based)
every floating entry is average.lerp(live, 1 - min(decay, (1 + t) / (10 + t))) and integer buffers are copied.
Outputs `average.<name>` [steps, ...]: the average's state dict after each step."""
import sys

import torch
from torch.optim.swa_utils import AveragedModel

import st

inputs, _ = st.load(sys.argv[1])
decay = float(sys.argv[3])
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))


def load(index):
    model.load_state_dict({name[len("live."):]: values[index] for name, values in inputs.items()})


def average_towards(average, live, averaged_count):
    if not average.is_floating_point():
        return live
    t = averaged_count.item() - 1  # AveragedModel's first update only copies, so update t is its (t + 1)-th
    return average.lerp(live, 1.0 - min(decay, (1 + t) / (10 + t)))


load(0)
ema = AveragedModel(model, avg_fn=average_towards, use_buffers=True)
ema.update_parameters(model)
steps = next(iter(inputs.values())).shape[0] - 1
trajectory = {}
for step in range(1, steps + 1):
    load(step)
    ema.update_parameters(model)
    for name, value in ema.module.state_dict().items():
        trajectory.setdefault(f"average.{name}", []).append(value.clone())
st.save(sys.argv[2], {name: torch.stack(values) for name, values in trajectory.items()})
