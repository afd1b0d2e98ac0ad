using System.Buffers;
using System.Runtime.InteropServices;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport.Server.InPlace;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// One member's part of an exchange. Block b is summed along its order b + 1, ..., b: the shards of that order that one
/// member holds one after another form a visit; a visit takes the partial sum of the shards before it (unless it is
/// first), adds its own left to right and sends the partial to the next visit's member, or, as the last visit, holds
/// the block's final value and starts it around the ring of members (rank r hands on to r + 1), where each member
/// passes it on until the next one is the block's finalizer. With one shard per member, shard r on rank r, both
/// phases are a ring all-reduce. Partials are summed from the transport's buffer where they lie, into the result;
/// what leaves is queued per destination and sent from the result (or a shard's own buffer) without a copy.
/// </summary>
internal sealed class ReductionState
{
    /// <summary>How long abandoning waits for chunks still landing to arrive before cutting their connections.</summary>
    private static readonly TimeSpan LandingGrace = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly ExchangeRequest _request;
    private readonly BlockLayout _layout;
    private readonly Dictionary<int, float[]> _own;
    private readonly int[] _holder;
    private readonly Dictionary<int, OutgoingQueue> _outgoing;
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool[,] _final;
    private readonly HashSet<ResultLanding> _landings = [];
    private int _remaining;

    /// <param name="own">This member's shards and their buffers, which are only read.</param>
    /// <param name="result">Where the sum goes; a new array when null.</param>
    public ReductionState(ExchangeRequest request, BlockLayout layout, IReadOnlyList<(int Shard, float[] Values)> own, float[]? result = null)
    {
        (_request, _layout) = (request, layout);
        if (result is not null && result.LongLength != layout.Length) throw new ArgumentException($"{request.Key}: the result array holds {result.LongLength} floats, not {layout.Length}", nameof(result));
        // Not zeroed: every chunk of the result is written (summed or copied) before the exchange completes.
        Result = result ?? GC.AllocateUninitializedArray<float>(checked((int)layout.Length));
        _own = own.ToDictionary(s => s.Shard, s => s.Values);
        _holder = new int[request.ShardCount];
        foreach (ExchangeMember member in request.Ring)
            foreach (int shard in member.Shards) _holder[shard] = member.Rank;
        _outgoing = PlannedSends().ToDictionary(p => p.Key, p => new OutgoingQueue(p.Value));
        _final = new bool[request.ShardCount, layout.ChunksPerBlock];
        _remaining = request.ShardCount * layout.ChunksPerBlock;
    }

    public float[] Result { get; }

    /// <summary>Completes when every chunk of <see cref="Result"/> is final; fails with the first malformed chunk offered.</summary>
    public Task Completion => _completed.Task;

    /// <summary>The members this one sends to: the next visit's members and, around the ring, its right neighbour.</summary>
    public IReadOnlyCollection<int> Receivers => _outgoing.Keys;

    /// <summary>What this member sends to <paramref name="rank"/>, in order; ends when the exchange completes or fails.</summary>
    public OutgoingQueue OutgoingTo(int rank) => _outgoing[rank];

    private int Rank => _request.Rank;

    private int Right => (Rank + 1) % _request.Ring.Count;

    private int Left => (Rank + _request.Ring.Count - 1) % _request.Ring.Count;

    /// <summary>
    /// Starts every block whose order begins with this member's shards; empty chunks are final at once. A chunk already
    /// final (a member that applied the step sent it before this one opened) is left as it is.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            for (int block = 0; block < _request.ShardCount; block++)
                for (int chunk = 0; chunk < _layout.ChunksPerBlock && !_completed.Task.IsCompleted; chunk++)
                {
                    if (_final[block, chunk]) continue;
                    if (_layout.Chunk(block, chunk).Count == 0) MarkFinal(block, chunk, finalizedHere: false);
                    else if (HolderAt(block, 0) == Rank) Visit(block, chunk, 0, default);
                }
        }
    }

    /// <summary>
    /// Ends the exchange for good: from when this returns, chunks still offered are ignored and nothing more is written
    /// to <see cref="Result"/>; an unfinished exchange fails as cancelled. A chunk still landing in the result
    /// (<see cref="Land"/>) is waited for: a peer in the middle of a message ends it in moments, and one that stalls
    /// there has its connection cut after <see cref="LandingGrace"/>. Never call it from a connection's thread.
    /// </summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _completed.TrySetCanceled();
            foreach (OutgoingQueue queue in _outgoing.Values) queue.Complete();
            long graceEnds = Environment.TickCount64 + (long)LandingGrace.TotalMilliseconds;
            for (long left; _landings.Count > 0 && (left = graceEnds - Environment.TickCount64) > 0;) Monitor.Wait(_gate, (int)left);
            foreach (ResultLanding landing in _landings) landing.Abort();
            while (_landings.Count > 0) Monitor.Wait(_gate);
        }
    }

    /// <summary>
    /// Where a finished block's chunk from a peer goes, from the fields before its data (<paramref name="chunk"/>) and
    /// the data's first bytes (<paramref name="dataHead"/>, copied at once): the rest of it lands straight in
    /// <see cref="Result"/>, saving the copy from the transport's buffer. Null when it should come whole instead (the
    /// exchange is over, the chunk is a partial sum to fold, it is final or landing already, or something is wrong with
    /// it, which the whole message then reports).
    /// </summary>
    public MessageLanding? Land(GradientChunk chunk, ReadOnlySequence<byte> dataHead, int dataLength, Action abortConnection)
    {
        lock (_gate)
        {
            if (_completed.Task.IsCompleted || chunk.Phase != ReducePhase.AllGather || chunk.ShardEnd != _request.ShardCount) return null;
            try
            {
                Check(chunk, dataLength);
            }
            catch (InvalidDataException)
            {
                return null;
            }
            if (_final[chunk.Segment, chunk.ChunkIndex] || _landings.Any(l => l.Chunk.Segment == chunk.Segment && l.Chunk.ChunkIndex == chunk.ChunkIndex)) return null;
            var landing = new ResultLanding(this, chunk, (int)dataHead.Length, abortConnection);
            dataHead.CopyTo(ResultBytes(chunk));
            _landings.Add(landing);
            return landing;
        }
    }

    /// <summary>
    /// Takes a peer's chunk: its fields from <paramref name="header"/>, its data from <paramref name="data"/>, read only
    /// during the call. <paramref name="owned"/>, when given, is the same bytes in a <see cref="RentedBytes"/> array,
    /// released here. A malformed chunk fails <see cref="Completion"/> with an <see cref="InvalidDataException"/>
    /// naming the problem; chunks after completion or failure are ignored.
    /// </summary>
    public void Offer(GradientChunk header, ReadOnlySequence<byte> data, ReadOnlyMemory<byte> owned = default)
    {
        lock (_gate)
        {
            try
            {
                if (!_completed.Task.IsCompleted) Accept(header, data);
            }
            catch (Exception e)
            {
                FailLocked(e);
            }
        }
        RentedBytes.Release(owned);
    }

    private void Accept(GradientChunk chunk, ReadOnlySequence<byte> data)
    {
        Check(chunk, data.Length);
        int shards = _request.ShardCount;
        switch (chunk.Phase)
        {
            case ReducePhase.ReduceScatter:
                int position = chunk.ShardEnd;
                if (position < 1 || position >= shards) throw Malformed(chunk, $"a partial sum of positions [0, {position}) is not within 1..{shards - 1}");
                if (HolderAt(chunk.Segment, position) != Rank || HolderAt(chunk.Segment, position - 1) == Rank)
                    throw Malformed(chunk, $"a partial sum of block {chunk.Segment} up to position {position} is not this member's to continue");
                if (chunk.SenderRank != HolderAt(chunk.Segment, position - 1))
                    throw Malformed(chunk, $"the partial sum of block {chunk.Segment} up to position {position} comes from rank {HolderAt(chunk.Segment, position - 1)}");
                if (_final[chunk.Segment, chunk.ChunkIndex]) return;
                Visit(chunk.Segment, chunk.ChunkIndex, position, data);
                return;
            case ReducePhase.AllGather:
                if (chunk.ShardEnd != shards) throw Malformed(chunk, $"a finished block must cover positions [0, {shards}), not [0, {chunk.ShardEnd})");
                if (_final[chunk.Segment, chunk.ChunkIndex]) return;
                data.CopyTo(ResultBytes(chunk));
                Gathered(chunk);
                return;
            default:
                throw Malformed(chunk, $"unknown phase {chunk.Phase}");
        }
    }

    /// <summary>That a peer's chunk names a chunk of the layout, with its data's length, from the start of its block's order.</summary>
    private void Check(GradientChunk chunk, long dataLength)
    {
        int shards = _request.ShardCount;
        if (chunk.Segment < 0 || chunk.Segment >= shards) throw Malformed(chunk, $"block {chunk.Segment} is outside 0..{shards - 1}");
        if (chunk.ChunkIndex < 0 || chunk.ChunkIndex >= _layout.ChunksPerBlock) throw Malformed(chunk, $"chunk {chunk.ChunkIndex} is outside 0..{_layout.ChunksPerBlock - 1}");
        var (offset, count) = _layout.Chunk(chunk.Segment, chunk.ChunkIndex);
        if (chunk.Offset != offset || dataLength != count * sizeof(float))
            throw Malformed(chunk, $"holds {dataLength} bytes at element {chunk.Offset}; expected {count * sizeof(float)} at {offset}");
        if (chunk.ShardBegin != 0) throw Malformed(chunk, $"a sum must start at position 0 of its block's order, not {chunk.ShardBegin}");
    }

    /// <summary>
    /// A finished block's chunk is in <see cref="Result"/>: handed on around the ring, from the left until the next
    /// member is the one that finalized it, and final here. Queued before it counts as final: the last final chunk
    /// closes the queues.
    /// </summary>
    private void Gathered(GradientChunk chunk)
    {
        if (chunk.SenderRank == Left && Right != Finalizer(chunk.Segment)) Send(Right, ReducePhase.AllGather, chunk.Segment, chunk.ChunkIndex, _request.ShardCount, Result);
        MarkFinal(chunk.Segment, chunk.ChunkIndex, finalizedHere: false);
    }

    /// <summary>A landing ended: its chunk is in the result (<paramref name="landed"/>), or its message was cut short.</summary>
    private void LandingEnded(ResultLanding landing, bool landed)
    {
        lock (_gate)
        {
            _landings.Remove(landing);
            Monitor.PulseAll(_gate);
            if (!landed || _completed.Task.IsCompleted || _final[landing.Chunk.Segment, landing.Chunk.ChunkIndex]) return;
            try
            {
                Gathered(landing.Chunk);
            }
            catch (Exception e)
            {
                FailLocked(e);
            }
        }
    }

    private Span<byte> ResultBytes(GradientChunk chunk)
    {
        var (offset, count) = _layout.Chunk(chunk.Segment, chunk.ChunkIndex);
        return MemoryMarshal.AsBytes(Result.AsSpan((int)offset, count));
    }

    /// <summary>
    /// This member's visit to the chunk at <paramref name="position"/> of its block's order: the partial before it
    /// (<paramref name="arriving"/>, empty at position 0) plus its own shards from there on, then sent on or final.
    /// </summary>
    private void Visit(int block, int chunk, int position, ReadOnlySequence<byte> arriving)
    {
        var (offset, count) = _layout.Chunk(block, chunk);
        int end = position;
        while (end < _request.ShardCount && HolderAt(block, end) == Rank) end++;
        Span<float> sum = Result.AsSpan((int)offset, count);
        ReadOnlySpan<float> Own(int p) => _own[_layout.ShardAt(block, p)].AsSpan((int)offset, count);
        if (position > 0)
        {
            var runs = new FloatRuns(arriving);
            while (runs.TryNext(out int start, out ReadOnlySpan<float> run)) Fold.Sum(sum.Slice(start, run.Length), run, Own(position).Slice(start, run.Length));
        }
        else if (end == 1 && end < _request.ShardCount)
        {
            // A partial of one shard leaves from that shard's own buffer.
            Send(HolderAt(block, end), ReducePhase.ReduceScatter, block, chunk, end, _own[_layout.ShardAt(block, 0)]);
            return;
        }
        else Own(0).CopyTo(sum);
        for (int p = position + 1; p < end; p++) Fold.Add(sum, Own(p));
        if (end < _request.ShardCount) Send(HolderAt(block, end), ReducePhase.ReduceScatter, block, chunk, end, Result);
        else MarkFinal(block, chunk, finalizedHere: true);
    }

    /// <summary>Records that the chunk's range of <see cref="Result"/> holds its final values; one finalized here starts around the ring.</summary>
    private void MarkFinal(int block, int chunk, bool finalizedHere)
    {
        _final[block, chunk] = true;
        if (finalizedHere && _request.Ring.Count > 1) Send(Right, ReducePhase.AllGather, block, chunk, _request.ShardCount, Result);
        if (--_remaining > 0) return;
        _completed.TrySetResult();
        foreach (OutgoingQueue queue in _outgoing.Values) queue.Complete();
    }

    private void Send(int rank, ReducePhase phase, int block, int chunk, int covered, float[] source)
    {
        var (offset, count) = _layout.Chunk(block, chunk);
        if (!_outgoing.TryGetValue(rank, out OutgoingQueue? queue))
            throw new InvalidOperationException($"{_request.Key}: rank {Rank} planned no sends to rank {rank}");
        queue.Add(new OutgoingChunk(phase, block, chunk, covered, source, offset, count));
    }

    /// <summary>Fails the exchange (a send to a peer broke): <see cref="Completion"/> throws <paramref name="e"/> unless it already ended.</summary>
    public void Fail(Exception e)
    {
        lock (_gate) FailLocked(e);
    }

    private void FailLocked(Exception e)
    {
        _completed.TrySetException(e);
        foreach (OutgoingQueue queue in _outgoing.Values) queue.Complete(e);
    }

    private int HolderAt(int block, int position) => _holder[_layout.ShardAt(block, position)];

    /// <summary>The member that ends block <paramref name="block"/>'s order (it holds shard <paramref name="block"/>).</summary>
    private int Finalizer(int block) => HolderAt(block, _request.ShardCount - 1);

    /// <summary>
    /// How many chunks this member sends to each member it sends to, when every chunk takes its planned path: to the
    /// next visit's member after each visit that does not end its block's order, and, around the ring, to its right
    /// neighbour for each final chunk it starts or hands on. Chunks that come final from a member that applied the step
    /// take none of these paths, so fewer may be sent; never more.
    /// </summary>
    private Dictionary<int, int> PlannedSends()
    {
        var planned = new SortedDictionary<int, int>();
        void Plan(int rank) => planned[rank] = planned.GetValueOrDefault(rank) + 1;
        for (int block = 0; block < _request.ShardCount; block++)
            for (int chunk = 0; chunk < _layout.ChunksPerBlock; chunk++)
            {
                if (_layout.Chunk(block, chunk).Count == 0) continue;
                for (int p = 1; p < _request.ShardCount; p++)
                    if (HolderAt(block, p - 1) == Rank && HolderAt(block, p) != Rank) Plan(HolderAt(block, p));
                // The finalizer starts the block around the ring, and each member hands it on until the next one is the finalizer.
                if (_request.Ring.Count > 1 && (Finalizer(block) == Rank || Right != Finalizer(block))) Plan(Right);
            }
        return new Dictionary<int, int>(planned);
    }

    private InvalidDataException Malformed(GradientChunk chunk, string problem) =>
        new($"{_request.Key}: gradient chunk from rank {chunk.SenderRank}: {problem}");

    /// <summary>A finished block's chunk from a peer, received straight into the result after the data its head held.</summary>
    private sealed class ResultLanding(ReductionState state, GradientChunk chunk, int headBytes, Action abortConnection) : MessageLanding
    {
        public GradientChunk Chunk { get; } = chunk;

        public override Span<byte> Rest => state.ResultBytes(Chunk)[headBytes..];

        public override void Landed() => state.LandingEnded(this, landed: true);

        public override void Failed(Exception reason) => state.LandingEnded(this, landed: false);

        public void Abort() => abortConnection();
    }
}

/// <summary>A chunk to send: <paramref name="Count"/> values of <paramref name="Source"/> from <paramref name="Offset"/>, covering positions [0, <paramref name="Covered"/>) of its block's order.</summary>
internal sealed record OutgoingChunk(ReducePhase Phase, int Block, int Chunk, int Covered, float[] Source, long Offset, int Count);
