"""Prints how many CUDA devices python3-torch (the same libtorch as the binding's) sees."""
import torch

print(torch.cuda.device_count())
