using System.Numerics;

namespace Orchestrator.Worker.AllReduce;

/// <summary>Elementwise float32 addition, each element rounded once as libtorch's add_ rounds it.</summary>
internal static class Fold
{
    public static void Add(Span<float> accumulator, ReadOnlySpan<float> values)
    {
        if (accumulator.Length != values.Length) throw new ArgumentException($"cannot add {values.Length} values to {accumulator.Length}");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= accumulator.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(accumulator[i..]) + new Vector<float>(values[i..])).CopyTo(accumulator[i..]);
        }
        for (; i < accumulator.Length; i++) accumulator[i] += values[i];
    }
}
