using System.Diagnostics;
using Google.Protobuf;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Sums the step's shard buffers across the ring so that every member ends with the same bits a single process gets
/// folding shards 0, 1, ..., S-1 left to right. Reduce-scatter then all-gather, directly between members: member r
/// reduces segment r, so each member sends (N−1)/N of the buffer in each phase, 2(N−1)/N in all, when it holds one
/// shard run starting at 0 or one shard (the usual one shard per worker per step). A shard later in the order than
/// another member's cannot be pre-added to its neighbours without changing the rounding, so each such extra shard
/// costs another (N−1)/N. Chunks stream and are reduced as they arrive, and each reduced chunk goes out at once.
/// </summary>
public sealed class ShardOrderedAllReduce(GradientMailbox mailbox, PeerClients peers)
{
    private const string BufferName = "step";

    /// <summary>Runs this member's part. Throws if a peer fails; the caller waits for the step to be placed again.</summary>
    public Task<ExchangeOutcome> RunAsync(ExchangeRequest request, IReadOnlyList<(int Shard, float[] Values)> shards, CancellationToken cancellationToken) =>
        RunAsync(request, shards, into: null, cancellationToken);

    /// <summary>
    /// Runs this member's part, writing the sum into <paramref name="into"/> (a new array when null). A caller that
    /// reduces the same size again and again passes one array each time: a fresh one costs the page faults of its
    /// first touch, which on 40 MB is a tenth of the exchange's CPU. Once this returns or throws, nothing more is
    /// written to the array, so the next attempt may reuse it.
    /// </summary>
    public async Task<ExchangeOutcome> RunAsync(ExchangeRequest request, IReadOnlyList<(int Shard, float[] Values)> shards, float[]? into,
        CancellationToken cancellationToken)
    {
        request.Validate();
        var clock = Stopwatch.StartNew();
        if (!shards.Select(s => s.Shard).Order().SequenceEqual(request.Self.Shards.Order()))
            throw new ArgumentException($"{request.Key}: computed shards [{string.Join(", ", shards.Select(s => s.Shard))}] are not this member's [{string.Join(", ", request.Self.Shards)}]");
        long length = shards[0].Values.LongLength;
        if (shards.Any(s => s.Values.LongLength != length)) throw new ArgumentException($"{request.Key}: shard buffers differ in length");
        // ReductionState checks its length.
        if (into is not null && shards.Any(s => ReferenceEquals(s.Values, into)))
            throw new ArgumentException($"{request.Key}: the sum's array must be none of the shard buffers, which are read while it is written");

        IReadOnlyList<ShardContribution> mine = ShardContribution.Group(shards);
        var layout = new SegmentLayout(length, request.Ring.Count, request.ChunkElements);
        var state = new ReductionState(request, layout, into);
        foreach (ShardContribution contribution in mine) state.AddOwnContribution(contribution);
        mailbox.Open(request.Key, state);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sends = request.Ring.Where(m => m.Rank != request.Rank)
                .Select(peer => SendAsync(request, layout, peer, mine, state, linked.Token)).ToList();
            try
            {
                await WhenAllOrFirstFault([state.Completion.WaitAsync(linked.Token), .. sends]);
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
    /// segments, which completes their exchange with the same bits.
    /// </summary>
    public async Task<long> ServeAsync(ExchangeRequest request, float[] reduced, CancellationToken cancellationToken)
    {
        request.Validate();
        var layout = new SegmentLayout(reduced.LongLength, request.Ring.Count, request.ChunkElements);
        var sends = request.Ring.Where(m => m.Rank != request.Rank).Select(async peer =>
        {
            using var call = peers.ForPushes(peer.Address).AsyncClientStreamingCall(WorkerMethods.PushGradients, new CallOptions(CancellationToken: cancellationToken));
            long bytes = 0;
            for (int segment = 0; segment < layout.Members; segment++)
                for (int chunk = 0; chunk < layout.ChunksPerSegment; chunk++)
                    bytes += await WriteAsync(call.RequestStream, request, layout, ReducePhase.AllGather, segment, chunk, reduced, 0, request.ShardCount);
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
            return bytes;
        }).ToList();
        return (await Task.WhenAll(sends)).Sum();
    }

    private async Task<long> SendAsync(ExchangeRequest request, SegmentLayout layout, ExchangeMember peer, IReadOnlyList<ShardContribution> mine,
        ReductionState state, CancellationToken cancellationToken)
    {
        using var call = peers.ForPushes(peer.Address).AsyncClientStreamingCall(WorkerMethods.PushGradients, new CallOptions(CancellationToken: cancellationToken));
        long bytes = 0;
        for (int chunk = 0; chunk < layout.ChunksPerSegment; chunk++)
            foreach (ShardContribution c in mine)
                bytes += await WriteAsync(call.RequestStream, request, layout, ReducePhase.ReduceScatter, peer.Rank, chunk, c.Values, c.ShardBegin, c.ShardEnd);
        for (int chunk = 0; chunk < layout.ChunksPerSegment; chunk++)
        {
            await state.OwnChunkReduced(chunk).WaitAsync(cancellationToken);
            bytes += await WriteAsync(call.RequestStream, request, layout, ReducePhase.AllGather, request.Rank, chunk, state.Result, 0, request.ShardCount);
        }
        await call.RequestStream.CompleteAsync();
        await call.ResponseAsync;
        return bytes;
    }

    private static async Task<long> WriteAsync(IClientStreamWriter<GradientChunk> stream, ExchangeRequest request, SegmentLayout layout,
        ReducePhase phase, int segment, int chunk, float[] source, int shardBegin, int shardEnd)
    {
        var (offset, count) = layout.Chunk(segment, chunk);
        // No copy: the message is serialized before the write completes, and nothing writes the source meanwhile
        // (inputs are read-only during the exchange; a result chunk is written once, before it is sent).
        ByteString data = UnsafeByteOperations.UnsafeWrap(FloatBytes.Of(source, (int)offset, count));
        await stream.WriteAsync(new GradientChunk
        {
            RunId = request.Key.RunId, Step = request.Key.Step, Attempt = request.Key.Attempt, Buffer = BufferName, Phase = phase,
            SenderRank = request.Rank, Segment = segment, ChunkIndex = chunk, Offset = offset, Data = data,
            ShardBegin = shardBegin, ShardEnd = shardEnd,
        });
        return data.Length;
    }

    /// <summary>Like Task.WhenAll, but surfaces the first failure at once instead of waiting for the rest.</summary>
    private static async Task WhenAllOrFirstFault(IReadOnlyList<Task> tasks)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            Task done = await Task.WhenAny(pending);
            await done;
            pending.Remove(done);
        }
    }
}
