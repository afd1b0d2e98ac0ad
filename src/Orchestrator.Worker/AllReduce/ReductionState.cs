using System.Buffers;
using System.Runtime.InteropServices;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// One member's view of an exchange: the contributions to its own segment waiting to be folded, and which chunks of
/// the result are final. A chunk is final when this member folded it from contributions covering every shard, or a
/// peer sent it finished. Peers' chunks are offered from the threads that receive them, while their bytes still lie in
/// the transport's buffers: a finished chunk is copied from there into the result, and a contribution that comes in its
/// turn in shard order is folded from there; only one that has to wait for an earlier shard is copied.
/// </summary>
internal sealed class ReductionState
{
    private readonly Lock _gate = new();
    private readonly ExchangeRequest _request;
    private readonly SegmentLayout _layout;
    private readonly ChunkFold[] _folds;
    private readonly TaskCompletionSource[] _ownReduced;
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool[,] _final;
    private int _remaining;

    /// <param name="result">Where the sum goes; a new array when null.</param>
    public ReductionState(ExchangeRequest request, SegmentLayout layout, float[]? result = null)
    {
        (_request, _layout) = (request, layout);
        if (result is not null && result.LongLength != layout.Length) throw new ArgumentException($"{request.Key}: the result array holds {result.LongLength} floats, not {layout.Length}", nameof(result));
        // Not zeroed: every chunk of the result is written once (folded or copied) before the exchange completes.
        Result = result ?? GC.AllocateUninitializedArray<float>(checked((int)layout.Length));
        _folds = [.. Enumerable.Range(0, layout.ChunksPerSegment).Select(_ => new ChunkFold())];
        _ownReduced = [.. Enumerable.Range(0, layout.ChunksPerSegment).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _final = new bool[layout.Members, layout.ChunksPerSegment];
        _remaining = layout.Members * layout.ChunksPerSegment;
        if (_remaining == 0) _completed.TrySetResult();
    }

    public float[] Result { get; }

    /// <summary>Bytes of peers' contributions copied because they came before an earlier shard's.</summary>
    internal long CopiedBytes { get; private set; }

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
    /// Ends the exchange for good: from when this returns, chunks still offered are ignored and nothing more is written
    /// to <see cref="Result"/>; an unfinished exchange fails as cancelled. Copies still waiting are given back.
    /// </summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _completed.TrySetCanceled();
            foreach (ChunkFold fold in _folds)
            {
                foreach (PendingPart part in fold.Waiting) RentedBytes.Release(part.Bytes);
                fold.Waiting.Clear();
                ReleaseHead(fold);
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
                AddContribution(chunk.ChunkIndex, new PendingPart(chunk.ShardBegin, chunk.ShardEnd, owned), data);
                return true;
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
    /// Adds a contribution to the chunk's fold. Its values are <paramref name="contribution"/>'s bytes when it has them
    /// (this state then owns and releases them), else <paramref name="arriving"/>, which is read now. The fold runs left
    /// to right in shard order, the single-process pipeline's order, straight into the result: a contribution that comes
    /// in its turn is folded where it lies, and only one that has to wait for an earlier shard is copied.
    /// </summary>
    private void AddContribution(int chunk, PendingPart contribution, ReadOnlySequence<byte> arriving)
    {
        ChunkFold fold = _folds[chunk];
        if (contribution.ShardBegin < fold.Next || fold.Waiting.Any(p => p.ShardBegin < contribution.ShardEnd && contribution.ShardBegin < p.ShardEnd))
            throw new InvalidDataException($"{_request.Key}: shards [{contribution.ShardBegin}, {contribution.ShardEnd}) of chunk {chunk} arrived twice");
        if (contribution.ShardBegin != fold.Next)
        {
            fold.Waiting.Add(contribution.Bytes.IsEmpty && !arriving.IsEmpty ? contribution with { Bytes = Copy(arriving) } : contribution);
            return;
        }

        var (offset, count) = _layout.Chunk(_request.Rank, chunk);
        Span<float> sum = Result.AsSpan((int)offset, count);
        FoldIn(fold, sum, contribution, arriving);
        while (fold.Waiting.FindIndex(p => p.ShardBegin == fold.Next) is var next and >= 0)
        {
            PendingPart turn = fold.Waiting[next];
            fold.Waiting.RemoveAt(next);
            FoldIn(fold, sum, turn, default);
        }
        if (fold.Next == _request.ShardCount)
        {
            // One contribution covered every shard: it is the sum.
            if (fold.Head is { } whole) whole.Values.CopyTo(sum);
            ReleaseHead(fold);
            MarkFinal(_request.Rank, chunk);
        }
    }

    /// <summary>Folds the next contribution in shard order into <paramref name="sum"/>, from its bytes or else from <paramref name="arriving"/>.</summary>
    private void FoldIn(ChunkFold fold, Span<float> sum, PendingPart part, ReadOnlySequence<byte> arriving)
    {
        bool arrivingOnly = part.Bytes.IsEmpty && !arriving.IsEmpty;
        if (fold.Next == 0 && !arrivingOnly)
        {
            // The fold's first operand stays where it lies until the second comes: summing both then writes the result
            // once, instead of copying the first into it.
            fold.Head = part;
            fold.Next = part.ShardEnd;
            return;
        }
        if (fold.Next == 0)
        {
            // An arriving first operand is summed with its second if that one waits already, else copied in.
            int second = fold.Waiting.FindIndex(p => p.ShardBegin == part.ShardEnd);
            if (second < 0)
            {
                arriving.CopyTo(MemoryMarshal.AsBytes(sum));
                CopiedBytes += arriving.Length;
                fold.Next = part.ShardEnd;
                return;
            }
            PendingPart waiting = fold.Waiting[second];
            fold.Waiting.RemoveAt(second);
            var firstRuns = new FloatRuns(arriving);
            while (firstRuns.TryNext(out int start, out ReadOnlySpan<float> run))
                Fold.Sum(sum.Slice(start, run.Length), run, waiting.Values.Slice(start, run.Length));
            RentedBytes.Release(waiting.Bytes);
            fold.Next = waiting.ShardEnd;
            return;
        }
        if (arrivingOnly)
        {
            var runs = new FloatRuns(arriving);
            while (runs.TryNext(out int start, out ReadOnlySpan<float> run)) Combine(fold, sum.Slice(start, run.Length), start, run);
        }
        else Combine(fold, sum, 0, part.Values);
        RentedBytes.Release(part.Bytes);
        ReleaseHead(fold);
        fold.Next = part.ShardEnd;
    }

    /// <summary>Elements [start, start + sum.Length) of the fold so far, plus the next contribution's <paramref name="values"/> there.</summary>
    private static void Combine(ChunkFold fold, Span<float> sum, int start, ReadOnlySpan<float> values)
    {
        if (fold.Head is { } head) Fold.Sum(sum, head.Values.Slice(start, sum.Length), values);
        else Fold.Add(sum, values);
    }

    private static void ReleaseHead(ChunkFold fold)
    {
        if (fold.Head is { } head) RentedBytes.Release(head.Bytes);
        fold.Head = null;
    }

    private ReadOnlyMemory<byte> Copy(ReadOnlySequence<byte> arriving)
    {
        CopiedBytes += arriving.Length;
        return RentedBytes.CopyOf(arriving);
    }

    /// <summary>Records that the chunk's range of <see cref="Result"/> holds its final values.</summary>
    private void MarkFinal(int segment, int chunk)
    {
        _final[segment, chunk] = true;
        if (segment == _request.Rank) _ownReduced[chunk].TrySetResult();
        if (--_remaining == 0) _completed.TrySetResult();
    }

    /// <summary>
    /// One chunk of this member's segment: shards [0, Next) are folded, into the result or, while only one
    /// contribution is in, as <see cref="Head"/> where it lies; contributions further on wait, copied if they were arriving.
    /// </summary>
    private sealed class ChunkFold
    {
        public int Next { get; set; }

        public PendingPart? Head { get; set; }

        public List<PendingPart> Waiting { get; } = [];
    }

    /// <summary>The left fold of shards [ShardBegin, ShardEnd) of one chunk, as little-endian float32 bytes (empty while they are only arriving).</summary>
    private readonly record struct PendingPart(int ShardBegin, int ShardEnd, ReadOnlyMemory<byte> Bytes)
    {
        public ReadOnlySpan<float> Values => MemoryMarshal.Cast<byte, float>(Bytes.Span);
    }

    private InvalidDataException Malformed(GradientChunk chunk, string problem) =>
        new($"{_request.Key}: gradient chunk from rank {chunk.SenderRank}: {problem}");
}
