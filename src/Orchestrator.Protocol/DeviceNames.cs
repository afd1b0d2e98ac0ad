using System.Text.RegularExpressions;

namespace Orchestrator.Protocol;

/// <summary>The device names workers and the coordinator agree on (Device.name in common.proto): cpu or cuda:N.</summary>
public static partial class DeviceNames
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^(cpu|cuda:[0-9]+)$")]
    private static partial Regex Pattern();
}
