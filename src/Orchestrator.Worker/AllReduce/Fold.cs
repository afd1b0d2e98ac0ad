using System.Numerics;

namespace Orchestrator.Worker.AllReduce;

/// <summary>Elementwise float32 addition, each element rounded once as libtorch's add_ rounds it.</summary>
internal static class Fold
{
    public static void Add(Span<float> accumulator, ReadOnlySpan<float> values) => Sum(accumulator, accumulator, values);

    /// <summary><paramref name="destination"/> = <paramref name="left"/> + <paramref name="right"/>; the destination may be the left operand.</summary>
    public static void Sum(Span<float> destination, ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        if (left.Length != destination.Length || right.Length != destination.Length)
            throw new ArgumentException($"cannot add {left.Length} and {right.Length} values into {destination.Length}");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= destination.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(left[i..]) + new Vector<float>(right[i..])).CopyTo(destination[i..]);
        }
        for (; i < destination.Length; i++) destination[i] = left[i] + right[i];
    }
}
