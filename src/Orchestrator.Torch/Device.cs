namespace Orchestrator.Torch;

public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device as libtorch names it: <c>cpu</c>, or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);

    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Device Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return CPU;
        if (s == "cuda") return CUDA();
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out int index) && index >= 0) return CUDA(index);
        throw new FormatException($"'{text}' is not a device: expected cpu, cuda or cuda:N");
    }

    /// <summary>
    /// Why this libtorch cannot run on the device, or null when it can: CUDA needs a CUDA build that sees the device.
    /// Asked before a run loads its data, so a wrong device is named at once instead of at the first tensor moved.
    /// </summary>
    public string? Unavailability()
    {
        if (Type == DeviceType.CPU) return null;
        int count = torch.cuda.device_count();
        if (count == 0) return $"{this}: this libtorch sees no CUDA device (a CPU-only build, or no GPU or driver on this machine)";
        return Index >= count ? $"{this}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}" : null;
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
