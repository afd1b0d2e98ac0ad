using System.Diagnostics;
using Google.Protobuf;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using System.Buffers;
using Orchestrator.Transport.Lanes;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Sums the step's shard buffers across the members so that every member ends with the bits the single process gets
/// (<see cref="Distillation.Matching.ShardReduction"/>): the buffer is one block per shard, and block b is a left fold
/// over the shards in the cyclic order b + 1, ..., b. Partial sums of each block travel along that order from member
/// to member, then each finished block travels the ring of members (<see cref="ReductionState"/>). With one shard per
/// member, shard r on rank r, that is a ring all-reduce: each member sends (N−1)/N of the buffer in each phase,
/// 2(N−1)/N in all, to its right neighbour only. Other placements stay exact; a member's shards are summed before they
/// leave wherever they are consecutive in a block's order. Chunks stream and are summed as they arrive, and each summed
/// chunk goes out at once: a thread per receiver writes what the exchange queues for it on a push lane
/// (<see cref="PeerLanes"/>), blocking, so nothing but the socket stands between a chunk being summed and its bytes
/// leaving.
/// </summary>
public sealed class ShardOrderedAllReduce(GradientMailbox mailbox, PeerLanes lanes)
{
    private const string BufferName = "step";

    private readonly SendThreads _sendThreads = new();

    /// <summary>Runs this member's part. Throws if a peer fails; the caller waits for the step to be placed again.</summary>
    public Task<ExchangeOutcome> RunAsync(ExchangeRequest request, IReadOnlyList<(int Shard, float[] Values)> shards, CancellationToken cancellationToken) =>
        RunAsync(request, shards, into: null, cancellationToken);

    /// <summary>
    /// Runs this member's part, writing the sum into <paramref name="into"/> (a new array when null). A caller that
    /// reduces the same size again and again passes one array each time: a fresh one costs the page faults of its
    /// first touch, which on 40 MB is a tenth of the exchange's CPU. A member of one shard may pass that shard's own
    /// buffer, which is then reduced in place (as Gloo does): each range of it is read before the sum overwrites it, and
    /// half the memory traffic goes. Once this returns or throws, nothing more is written to the array, so the next
    /// attempt may reuse it (a buffer reduced in place holds a partial sum after a failure).
    /// </summary>
    public async Task<ExchangeOutcome> RunAsync(ExchangeRequest request, IReadOnlyList<(int Shard, float[] Values)> shards, float[]? into,
        CancellationToken cancellationToken)
    {
        request.Validate();
        var clock = Stopwatch.StartNew();
        if (!shards.Select(s => s.Shard).Order().SequenceEqual(request.Self.Shards.Order()))
            throw new ArgumentException($"{request.Key}: computed shards [{string.Join(", ", shards.Select(s => s.Shard))}] are not this member's [{string.Join(", ", request.Self.Shards)}]");
        if (shards.Count == 0) throw new ArgumentException($"{request.Key}: a member computes at least one shard");
        long length = shards[0].Values.LongLength;
        if (shards.Any(s => s.Values.LongLength != length)) throw new ArgumentException($"{request.Key}: shard buffers differ in length");
        // ReductionState checks its length.
        if (into is not null && shards.Count > 1 && shards.Any(s => ReferenceEquals(s.Values, into)))
            throw new ArgumentException($"{request.Key}: with several shards the sum's array must be none of their buffers, which are read while it is written");

        var state = new ReductionState(request, new BlockLayout(length, request.ShardCount, request.ChunkElements), shards, into);
        mailbox.Open(request.Key, state);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sends = state.Receivers.Select(rank => _sendThreads.Run(written => Send(request, request.Ring[rank], state, written, linked.Token))).ToList();
            state.Start();
            try
            {
                // One wake-up on the success path: a failed send fails the completion too, and by the time every chunk
                // is final the sends have (nearly always) written their last byte.
                await state.Completion.WaitAsync(linked.Token);
                await Task.WhenAll(sends).WaitAsync(linked.Token);
            }
            catch
            {
                await linked.CancelAsync();
                throw;
            }
            return new ExchangeOutcome(state.Result, sends.Sum(s => s.Result), clock.Elapsed, request.Ring.Count);
        }
        finally
        {
            mailbox.Close(request.Key);
            // A chunk a receiving thread is still offering must not land in the sum after this returns: the caller may
            // reuse the array for its next attempt.
            state.Abandon();
        }
    }

    /// <summary>
    /// For a member that already applied this step: sends the whole reduced buffer to every other member as finished
    /// blocks, which completes their exchange with the same bits.
    /// </summary>
    public async Task<long> ServeAsync(ExchangeRequest request, float[] reduced, CancellationToken cancellationToken)
    {
        request.Validate();
        var layout = new BlockLayout(reduced.LongLength, request.ShardCount, request.ChunkElements);
        IEnumerable<OutgoingChunk> Finals()
        {
            for (int block = 0; block < layout.Shards; block++)
                for (int chunk = 0; chunk < layout.ChunksPerBlock; chunk++)
                {
                    var (offset, count) = layout.Chunk(block, chunk);
                    if (count > 0) yield return new OutgoingChunk(ReducePhase.AllGather, block, chunk, layout.Shards, reduced, offset, count);
                }
        }
        var sends = request.Ring.Where(m => m.Rank != request.Rank)
            .Select(peer => _sendThreads.Run(written => Push(request, peer, Finals(), written, cancellationToken))).ToList();
        return (await Task.WhenAll(sends)).Sum();
    }

    /// <summary>Sends what the exchange queues for <paramref name="peer"/>, in order, on one call, as it is queued.</summary>
    private void Send(ExchangeRequest request, ExchangeMember peer, ReductionState state, TaskCompletionSource<long> written, CancellationToken cancellationToken)
    {
        try
        {
            Push(request, peer, state.OutgoingTo(peer.Rank).Take(cancellationToken), written, cancellationToken);
        }
        catch (Exception e)
        {
            state.Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Pushes <paramref name="chunks"/> to <paramref name="peer"/> on a pooled lane, whose <c>PushGradients</c> call
    /// stays open from exchange to exchange: chunks are routed by their key, not their call, so a step spends no request
    /// headers, end of stream or answer per peer. <paramref name="written"/> gets the payload bytes once every chunk has
    /// left: the exchange is then done on this side, and what the peer made of them is its own exchange's outcome.
    /// Cancellation resets the call (the lane stays usable); a failed lane is closed instead of pooled.
    /// </summary>
    private void Push(ExchangeRequest request, ExchangeMember peer, IEnumerable<OutgoingChunk> chunks, TaskCompletionSource<long> written,
        CancellationToken cancellationToken)
    {
        PushLane lane = lanes.Take(peer.PushAddress, cancellationToken);
        bool clean = false;
        try
        {
            if (!lane.InCall) lane.Begin(WorkerMethods.PushGradients.FullName, CancellationToken.None);
            var head = new ArrayBufferWriter<byte>(256);
            long bytes = 0;
            using (cancellationToken.Register(lane.CancelCall))
                foreach (OutgoingChunk chunk in chunks)
                {
                    // No copy: the bytes leave before this returns, and nothing writes the source meanwhile (shard buffers
                    // are read-only during the exchange; a range of the result is written again only after the member this
                    // sends to has passed it on, so after these bytes left).
                    var message = new GradientChunk
                    {
                        RunId = request.Key.RunId, Step = request.Key.Step, Attempt = request.Key.Attempt, Buffer = BufferName, Phase = chunk.Phase,
                        SenderRank = request.Rank, Segment = chunk.Block, ChunkIndex = chunk.Chunk, Offset = chunk.Offset,
                        Data = UnsafeByteOperations.UnsafeWrap(FloatBytes.Of(chunk.Source, (int)chunk.Offset, chunk.Count)), ShardBegin = 0, ShardEnd = chunk.Covered,
                    };
                    head.ResetWrittenCount();
                    ReadOnlyMemory<byte> data = GradientChunkMarshaller.SerializeAllButData(message, head);
                    lane.Write(head.WrittenSpan, data.Span);
                    bytes += data.Length;
                }
            written.SetResult(bytes);
            clean = true;
        }
        finally
        {
            lanes.Return(peer.PushAddress, lane, clean);
        }
    }
}
