using System.Buffers;
using System.Runtime.InteropServices;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// One member's view of an exchange: the contributions to its own segment waiting to be folded, and which chunks of
/// the result are final. A chunk is final when this member folded it from contributions covering every shard, or a
/// peer sent it finished. Peers' chunks are offered from the threads that receive them, while their bytes still lie in
/// the transport's buffers: a finished chunk is copied from there into the result, and the contribution that completes
/// a fold is read from there as it is folded; only a contribution that has to wait for others is copied.
/// </summary>
internal sealed class ReductionState
{
    private readonly Lock _gate = new();
    private readonly ExchangeRequest _request;
    private readonly SegmentLayout _layout;
    private readonly List<PendingPart>[] _pending;
    private readonly TaskCompletionSource[] _ownReduced;
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        if (_remaining == 0) _completed.TrySetResult();
    }

    public float[] Result { get; }

    /// <summary>Completes when every chunk of <see cref="Result"/> is final; fails with the first malformed chunk offered.</summary>
    public Task Completion => _completed.Task;

    public Task OwnChunkReduced(int chunk) => _ownReduced[chunk].Task;

    public void AddOwnContribution(ShardContribution contribution)
    {
        lock (_gate)
        {
            for (int chunk = 0; chunk < _layout.ChunksPerSegment; chunk++)
            {
                var (offset, count) = _layout.Chunk(_request.Rank, chunk);
                AddContribution(chunk, new PendingPart(contribution.ShardBegin, contribution.ShardEnd, FloatBytes.Of(contribution.Values, (int)offset, count)), default);
            }
        }
    }

    /// <summary>
    /// Takes a peer's chunk: its fields from <paramref name="header"/>, its data from <paramref name="data"/>, read only
    /// during the call. <paramref name="owned"/>, when given, is the same bytes in a <see cref="RentedBytes"/> array that
    /// this state may keep instead of copying, and releases. A malformed chunk fails <see cref="Completion"/> with an
    /// <see cref="InvalidDataException"/> naming the problem; chunks after completion or failure are ignored.
    /// </summary>
    public void Offer(GradientChunk header, ReadOnlySequence<byte> data, ReadOnlyMemory<byte> owned = default)
    {
        bool kept = false;
        lock (_gate)
        {
            try
            {
                if (!_completed.Task.IsCompleted) kept = Accept(header, data, owned);
            }
            catch (Exception e)
            {
                _completed.TrySetException(e);
            }
        }
        if (!kept) RentedBytes.Release(owned);
    }

    /// <summary>Whether <paramref name="owned"/> was kept (it is then released by the fold).</summary>
    private bool Accept(GradientChunk chunk, ReadOnlySequence<byte> data, ReadOnlyMemory<byte> owned)
    {
        if (chunk.Segment < 0 || chunk.Segment >= _layout.Members) throw Malformed(chunk, $"segment {chunk.Segment} is outside 0..{_layout.Members - 1}");
        if (chunk.ChunkIndex < 0 || chunk.ChunkIndex >= _layout.ChunksPerSegment) throw Malformed(chunk, $"chunk {chunk.ChunkIndex} is outside 0..{_layout.ChunksPerSegment - 1}");
        var (offset, count) = _layout.Chunk(chunk.Segment, chunk.ChunkIndex);
        if (chunk.Offset != offset || data.Length != count * sizeof(float))
            throw Malformed(chunk, $"holds {data.Length} bytes at element {chunk.Offset}; expected {count * sizeof(float)} at {offset}");
        switch (chunk.Phase)
        {
            case ReducePhase.ReduceScatter:
                if (chunk.Segment != _request.Rank) throw Malformed(chunk, $"a partial sum of segment {chunk.Segment} sent to rank {_request.Rank}");
                if (chunk.ShardBegin < 0 || chunk.ShardEnd <= chunk.ShardBegin || chunk.ShardEnd > _request.ShardCount)
                    throw Malformed(chunk, $"shard range [{chunk.ShardBegin}, {chunk.ShardEnd}) is not within 0..{_request.ShardCount}");
                if (_final[_request.Rank, chunk.ChunkIndex]) return false;
                return AddContribution(chunk.ChunkIndex, new PendingPart(chunk.ShardBegin, chunk.ShardEnd, owned), data);
            case ReducePhase.AllGather:
                if (chunk.ShardBegin != 0 || chunk.ShardEnd != _request.ShardCount)
                    throw Malformed(chunk, $"a finished segment must cover shards [0, {_request.ShardCount}), not [{chunk.ShardBegin}, {chunk.ShardEnd})");
                if (_final[chunk.Segment, chunk.ChunkIndex]) return false;
                data.CopyTo(MemoryMarshal.AsBytes(Result.AsSpan((int)offset, count)));
                MarkFinal(chunk.Segment, chunk.ChunkIndex);
                return false;
            default:
                throw Malformed(chunk, $"unknown phase {chunk.Phase}");
        }
    }

    /// <summary>
    /// Adds a contribution to the chunk's fold. Its values are <paramref name="contribution"/>'s bytes when it has them,
    /// else <paramref name="arriving"/>, which is read now and copied only if the fold has to wait for other shards.
    /// Whether the contribution's own bytes were kept.
    /// </summary>
    private bool AddContribution(int chunk, PendingPart contribution, ReadOnlySequence<byte> arriving)
    {
        List<PendingPart> parts = _pending[chunk];
        if (parts.Any(p => p.ShardBegin < contribution.ShardEnd && contribution.ShardBegin < p.ShardEnd))
            throw new InvalidDataException($"{_request.Key}: shards [{contribution.ShardBegin}, {contribution.ShardEnd}) of chunk {chunk} arrived twice");
        bool readsArriving = contribution.Bytes.IsEmpty && !arriving.IsEmpty;
        if (parts.Sum(p => p.ShardEnd - p.ShardBegin) + contribution.ShardEnd - contribution.ShardBegin < _request.ShardCount)
        {
            parts.Add(readsArriving ? contribution with { Bytes = RentedBytes.CopyOf(arriving) } : contribution);
            return true;
        }

        // Every shard is here: fold left to right in shard order, the single-process pipeline's order, straight into
        // the result, reading the arriving contribution where it lies.
        parts.Add(contribution);
        parts.Sort((a, b) => a.ShardBegin.CompareTo(b.ShardBegin));
        var (offset, count) = _layout.Chunk(_request.Rank, chunk);
        Span<float> sum = Result.AsSpan((int)offset, count);
        if (readsArriving)
        {
            int arrivingIndex = parts.IndexOf(contribution);
            var runs = new FloatRuns(arriving);
            while (runs.TryNext(out int start, out ReadOnlySpan<float> run))
                FoldRange(sum.Slice(start, run.Length), parts, start, arrivingIndex, run);
        }
        else FoldRange(sum, parts, 0, -1, default);
        foreach (PendingPart part in parts) RentedBytes.Release(part.Bytes);
        parts.Clear();
        MarkFinal(_request.Rank, chunk);
        return true;
    }

    /// <summary>Elements [start, start + sum.Length) of the fold of <paramref name="parts"/>, the one at <paramref name="runIndex"/> read from <paramref name="run"/>.</summary>
    private static void FoldRange(Span<float> sum, List<PendingPart> parts, int start, int runIndex, ReadOnlySpan<float> run)
    {
        if (parts.Count == 1)
        {
            Values(parts, 0, start, sum.Length, runIndex, run).CopyTo(sum);
            return;
        }
        Fold.Sum(sum, Values(parts, 0, start, sum.Length, runIndex, run), Values(parts, 1, start, sum.Length, runIndex, run));
        for (int k = 2; k < parts.Count; k++) Fold.Add(sum, Values(parts, k, start, sum.Length, runIndex, run));
    }

    private static ReadOnlySpan<float> Values(List<PendingPart> parts, int k, int start, int length, int runIndex, ReadOnlySpan<float> run) =>
        k == runIndex ? run : parts[k].Values.Slice(start, length);

    /// <summary>Records that the chunk's range of <see cref="Result"/> holds its final values.</summary>
    private void MarkFinal(int segment, int chunk)
    {
        _final[segment, chunk] = true;
        if (segment == _request.Rank) _ownReduced[chunk].TrySetResult();
        if (--_remaining == 0) _completed.TrySetResult();
    }

    /// <summary>The left fold of shards [ShardBegin, ShardEnd) of one chunk, as little-endian float32 bytes (empty while they are only arriving).</summary>
    private readonly record struct PendingPart(int ShardBegin, int ShardEnd, ReadOnlyMemory<byte> Bytes)
    {
        public ReadOnlySpan<float> Values => MemoryMarshal.Cast<byte, float>(Bytes.Span);
    }

    private InvalidDataException Malformed(GradientChunk chunk, string problem) =>
        new($"{_request.Key}: gradient chunk from rank {chunk.SenderRank}: {problem}");
}
