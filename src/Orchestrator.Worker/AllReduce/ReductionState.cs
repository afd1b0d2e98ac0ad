using System.Runtime.InteropServices;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// One member's view of an exchange: the contributions to its own segment waiting to be folded, and which chunks of
/// the result are final. A chunk is final when this member folded it from contributions covering every shard, or a
/// peer sent it finished.
/// </summary>
internal sealed class ReductionState
{
    private readonly ExchangeRequest _request;
    private readonly SegmentLayout _layout;
    private readonly List<PendingPart>[] _pending;
    private readonly TaskCompletionSource[] _ownReduced;
    private readonly bool[,] _final;
    private int _remaining;

    public ReductionState(ExchangeRequest request, SegmentLayout layout)
    {
        (_request, _layout) = (request, layout);
        // Not zeroed: every chunk of the result is written once (folded or copied) before the exchange completes.
        Result = GC.AllocateUninitializedArray<float>(checked((int)layout.Length));
        _pending = [.. Enumerable.Range(0, layout.ChunksPerSegment).Select(_ => new List<PendingPart>())];
        _ownReduced = [.. Enumerable.Range(0, layout.ChunksPerSegment).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _final = new bool[layout.Members, layout.ChunksPerSegment];
        _remaining = layout.Members * layout.ChunksPerSegment;
    }

    public float[] Result { get; }

    public bool IsComplete => _remaining == 0;

    public Task OwnChunkReduced(int chunk) => _ownReduced[chunk].Task;

    public void AddOwnContribution(ShardContribution contribution)
    {
        for (int chunk = 0; chunk < _layout.ChunksPerSegment; chunk++)
        {
            var (offset, count) = _layout.Chunk(_request.Rank, chunk);
            AddContribution(chunk, new PendingPart(contribution.ShardBegin, contribution.ShardEnd, FloatBytes.Of(contribution.Values, (int)offset, count)));
        }
    }

    /// <summary>Takes a peer's chunk; throws <see cref="InvalidDataException"/> naming what is wrong with a malformed one.</summary>
    public void Accept(GradientChunk chunk)
    {
        if (chunk.Segment < 0 || chunk.Segment >= _layout.Members) throw Malformed(chunk, $"segment {chunk.Segment} is outside 0..{_layout.Members - 1}");
        if (chunk.ChunkIndex < 0 || chunk.ChunkIndex >= _layout.ChunksPerSegment) throw Malformed(chunk, $"chunk {chunk.ChunkIndex} is outside 0..{_layout.ChunksPerSegment - 1}");
        var (offset, count) = _layout.Chunk(chunk.Segment, chunk.ChunkIndex);
        if (chunk.Offset != offset || chunk.Data.Length != count * sizeof(float))
            throw Malformed(chunk, $"holds {chunk.Data.Length} bytes at element {chunk.Offset}; expected {count * sizeof(float)} at {offset}");
        switch (chunk.Phase)
        {
            case ReducePhase.ReduceScatter:
                if (chunk.Segment != _request.Rank) throw Malformed(chunk, $"a partial sum of segment {chunk.Segment} sent to rank {_request.Rank}");
                if (chunk.ShardBegin < 0 || chunk.ShardEnd <= chunk.ShardBegin || chunk.ShardEnd > _request.ShardCount)
                    throw Malformed(chunk, $"shard range [{chunk.ShardBegin}, {chunk.ShardEnd}) is not within 0..{_request.ShardCount}");
                // The parsed message owns its bytes, so they are kept as they came until the chunk's fold, which releases them.
                if (!_final[_request.Rank, chunk.ChunkIndex]) AddContribution(chunk.ChunkIndex, new PendingPart(chunk.ShardBegin, chunk.ShardEnd, chunk.Data.Memory));
                break;
            case ReducePhase.AllGather:
                if (chunk.ShardBegin != 0 || chunk.ShardEnd != _request.ShardCount)
                    throw Malformed(chunk, $"a finished segment must cover shards [0, {_request.ShardCount}), not [{chunk.ShardBegin}, {chunk.ShardEnd})");
                if (_final[chunk.Segment, chunk.ChunkIndex]) break;
                MemoryMarshal.Cast<byte, float>(chunk.Data.Span).CopyTo(Result.AsSpan((int)offset, count));
                RentedBytes.Release(chunk.Data.Memory);
                MarkFinal(chunk.Segment, chunk.ChunkIndex);
                break;
            default:
                throw Malformed(chunk, $"unknown phase {chunk.Phase}");
        }
    }

    private void AddContribution(int chunk, PendingPart contribution)
    {
        List<PendingPart> parts = _pending[chunk];
        if (parts.Any(p => p.ShardBegin < contribution.ShardEnd && contribution.ShardBegin < p.ShardEnd))
            throw new InvalidDataException($"{_request.Key}: shards [{contribution.ShardBegin}, {contribution.ShardEnd}) of chunk {chunk} arrived twice");
        parts.Add(contribution);
        if (parts.Sum(p => p.ShardEnd - p.ShardBegin) < _request.ShardCount) return;

        // Every shard is here: fold left to right in shard order, the single-process pipeline's order, straight into
        // the result.
        parts.Sort((a, b) => a.ShardBegin.CompareTo(b.ShardBegin));
        var (offset, count) = _layout.Chunk(_request.Rank, chunk);
        Span<float> sum = Result.AsSpan((int)offset, count);
        parts[0].Values.CopyTo(sum);
        for (int k = 1; k < parts.Count; k++) Fold.Add(sum, parts[k].Values);
        foreach (PendingPart part in parts) RentedBytes.Release(part.Bytes);
        parts.Clear();
        MarkFinal(_request.Rank, chunk);
    }

    /// <summary>Records that the chunk's range of <see cref="Result"/> holds its final values.</summary>
    private void MarkFinal(int segment, int chunk)
    {
        _final[segment, chunk] = true;
        _remaining--;
        if (segment == _request.Rank) _ownReduced[chunk].TrySetResult();
    }

    /// <summary>The left fold of shards [ShardBegin, ShardEnd) of one chunk, as little-endian float32 bytes.</summary>
    private readonly record struct PendingPart(int ShardBegin, int ShardEnd, ReadOnlyMemory<byte> Bytes)
    {
        public ReadOnlySpan<float> Values => MemoryMarshal.Cast<byte, float>(Bytes.Span);
    }

    private InvalidDataException Malformed(GradientChunk chunk, string problem) =>
        new($"{_request.Key}: gradient chunk from rank {chunk.SenderRank}: {problem}");
}
