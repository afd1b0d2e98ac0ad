using System.Buffers;

namespace Orchestrator.Worker.Tests;

/// <summary>Bytes as a multi-segment sequence cut at given offsets, as a transport's buffers may hold a message.</summary>
internal sealed class ByteSegments : ReadOnlySequenceSegment<byte>
{
    private ByteSegments(ReadOnlyMemory<byte> memory, long runningIndex) => (Memory, RunningIndex) = (memory, runningIndex);

    /// <summary><paramref name="bytes"/> cut at each of <paramref name="cuts"/> (ascending, within 0..length; a repeated or end cut gives an empty segment).</summary>
    public static ReadOnlySequence<byte> Of(byte[] bytes, IReadOnlyList<int> cuts)
    {
        int[] bounds = [0, .. cuts, bytes.Length];
        var first = new ByteSegments(bytes.AsMemory(0, bounds[1]), 0);
        ByteSegments last = first;
        for (int k = 1; k < bounds.Length - 1; k++)
        {
            var next = new ByteSegments(bytes.AsMemory(bounds[k], bounds[k + 1] - bounds[k]), bounds[k]);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
