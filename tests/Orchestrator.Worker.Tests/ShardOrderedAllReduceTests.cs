using System.Buffers;
using System.Runtime.InteropServices;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Lanes;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Worker.Tests;

/// <summary>
/// The all-reduce between real workers' endpoints on loopback (pushes over push lanes to each member's lane server): every member ends with the bits of the single process's sum
/// (block b of the buffer folded over the shards in the cyclic order b + 1, ..., b), whatever the number of members,
/// the shard placement and the chunking.
/// </summary>
public sealed class ShardOrderedAllReduceTests : IAsyncLifetime
{
    private const string Token = "all-reduce-test-token";
    private static readonly Uri Unused = new("http://127.0.0.1:9");
    private readonly List<(GrpcServer Server, InPlaceLaneServer Lanes, GradientMailbox Mailbox)> _members = [];
    private readonly PeerLanes _lanes = new(new PushLaneOptions { BearerToken = Token });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (server, lanes, _) in _members)
        {
            lanes.Dispose();
            await server.DisposeAsync();
        }
        _lanes.Dispose();
    }

    [Theory]
    [InlineData(1, 1, 1000)]
    [InlineData(1, 3, 1000)]
    [InlineData(2, 2, 1001)]
    [InlineData(2, 5, 4099)]
    [InlineData(3, 3, 5000)]
    [InlineData(3, 7, 12_345)]
    [InlineData(4, 4, 70_001)]
    [InlineData(4, 9, 3)]   // most blocks are empty
    public async Task Every_member_gets_the_single_process_sum(int members, int shards, int length)
    {
        var random = new Random(members * 100 + shards);
        float[][] buffers = [.. Enumerable.Range(0, shards).Select(_ => Values(random, length))];
        float[] expected = CyclicFold(buffers);
        int[][] inputBits = [.. buffers.Select(Bits)];
        IReadOnlyList<ExchangeMember> ring = await RingAsync(members, Placement(random, members, shards));

        float[][] sums = await Task.WhenAll(ring.Select(m => RunAsync(ring, m, shards, buffers, chunkElements: 1024)));

        foreach (float[] sum in sums) Assert.Equal(Bits(expected), Bits(sum));
        // Chunks are sent and summed straight from the callers' buffers, never into them.
        for (int s = 0; s < shards; s++) Assert.Equal(inputBits[s], Bits(buffers[s]));
        // With three or more shards the order matters at this magnitude spread (two commute), so the test can fail.
        if (shards >= 3 && length > 100) Assert.NotEqual(Bits(expected), Bits(CyclicFold([.. buffers.Reverse()])));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_member_of_one_shard_may_reduce_its_own_buffer_in_place_with_the_same_bits(int members)
    {
        var random = new Random(40 + members);
        const int Length = 50_003;
        float[][] buffers = [.. Enumerable.Range(0, members).Select(_ => Values(random, Length))];
        float[] expected = CyclicFold(buffers);
        IReadOnlyList<ExchangeMember> ring = await RingAsync(members, [.. Enumerable.Range(0, members).Select(r => (IReadOnlyList<int>)[r])]);
        ExchangeOutcome[] outcomes = await Task.WhenAll(ring.Select(m => new ShardOrderedAllReduce(_members[m.Rank].Mailbox, _lanes)
            .RunAsync(new ExchangeRequest(new ExchangeKey("run", 0, 0), members, ring, m.Rank, 1024), [(m.Rank, buffers[m.Rank])], into: buffers[m.Rank], CancellationToken.None)));
        for (int r = 0; r < members; r++)
        {
            Assert.Same(buffers[r], outcomes[r].Sum);
            Assert.Equal(Bits(expected), Bits(buffers[r]));
        }
    }

    [Fact]
    public async Task With_several_shards_the_sum_may_not_be_written_over_one_of_them()
    {
        IReadOnlyList<ExchangeMember> ring = await RingAsync(1, [[0, 1]]);
        float[] first = new float[10], second = new float[10];
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new ShardOrderedAllReduce(_members[0].Mailbox, _lanes)
            .RunAsync(new ExchangeRequest(new ExchangeKey("run", 0, 0), 2, ring, 0, 1024), [(0, first), (1, second)], into: second, CancellationToken.None));
        Assert.Contains("several shards", error.Message);
    }

    [Fact]
    public void The_sum_matches_the_single_process_reduction()
    {
        // ShardReduction folds the same blocks in the same orders with libtorch's add_.
        var random = new Random(11);
        float[][] buffers = [.. Enumerable.Range(0, 5).Select(_ => Values(random, 1003))];
        static Torch.Tensor Part(float[] values) => Torch.torch.tensor(values, values.Length);
        var results = buffers.Select((b, shard) => new Distillation.Matching.ShardResult(0, shard, "ConvNet",
            Part(b[..500]), Part(b[500..1000]), Part(b[1000..]), new Dictionary<string, double>())).ToList();
        using var step = Distillation.Matching.ShardReduction.Sum(results);
        float[] single = [.. step.GeneratorGradient.data<float>(), .. step.DiscriminatorGradient.data<float>(), .. step.GeneratorStatisticsSum.data<float>()];
        Assert.Equal(Bits(CyclicFold(buffers)), Bits(single));
        foreach (var result in results) result.Dispose();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task With_one_shard_per_member_each_sends_to_its_right_neighbour_only_and_2_n_minus_1_over_n_of_the_buffer(int members)
    {
        var random = new Random(members);
        const int Length = 40_000;
        float[][] buffers = [.. Enumerable.Range(0, members).Select(_ => Values(random, Length))];
        IReadOnlyList<ExchangeMember> ring = await RingAsync(members, [.. Enumerable.Range(0, members).Select(r => (IReadOnlyList<int>)[r])]);
        foreach (ExchangeMember member in ring)
        {
            var request = new ExchangeRequest(new ExchangeKey("run", 0, 0), members, ring, member.Rank, 1000);
            var state = new ReductionState(request, new BlockLayout(Length, members, 1000), [(member.Rank, buffers[member.Rank])]);
            Assert.Equal([(member.Rank + 1) % members], state.Receivers);
        }

        ExchangeOutcome[] outcomes = await Task.WhenAll(ring.Select(m => new ShardOrderedAllReduce(_members[m.Rank].Mailbox, _lanes)
            .RunAsync(new ExchangeRequest(new ExchangeKey("run", 0, 0), members, ring, m.Rank, 1000), [(m.Rank, buffers[m.Rank])], CancellationToken.None)));

        long BlockLength(int block) => Distillation.Matching.ShardReduction.BlockStart(Length, members, block + 1) - Distillation.Matching.ShardReduction.BlockStart(Length, members, block);
        foreach (var (outcome, rank) in outcomes.Select((o, r) => (o, r)))
        {
            Assert.Equal(Bits(CyclicFold(buffers)), Bits(outcome.Sum));
            // Partials of the N − 1 blocks it does not finish, and the N − 1 finished blocks its right neighbour lacks:
            // (N − 1)/N of the buffer each way, give or take the blocks' rounding.
            long expected = Enumerable.Range(1, members - 1).Sum(k => BlockLength((rank - k + members) % members) + BlockLength((rank - k + 1 + members) % members));
            Assert.Equal(expected * sizeof(float), outcome.BytesSent);
            Assert.InRange(outcome.BytesSent, 2L * (members - 1) * Length * sizeof(float) / members - 8, 2L * (members - 1) * Length * sizeof(float) / members + 8);
        }
    }

    [Fact]
    public async Task A_member_that_applied_the_step_already_completes_it_for_the_others()
    {
        var random = new Random(7);
        float[][] buffers = [.. Enumerable.Range(0, 3).Select(_ => Values(random, 3000))];
        float[] expected = CyclicFold(buffers);
        IReadOnlyList<ExchangeMember> ring = await RingAsync(3, [[0], [1], [2]]);
        var key = new ExchangeKey("run", 4, 2);

        Task<float[]> first = RunAsync(ring, ring[0], 3, buffers, 1024, key);
        Task<float[]> second = RunAsync(ring, ring[1], 3, buffers, 1024, key);
        var serving = new ShardOrderedAllReduce(_members[2].Mailbox, _lanes);
        long sent = await serving.ServeAsync(new ExchangeRequest(key, 3, ring, 2, 1024), expected, CancellationToken.None);

        Assert.Equal(Bits(expected), Bits(await first));
        Assert.Equal(Bits(expected), Bits(await second));
        Assert.Equal(2L * expected.Length * sizeof(float), sent);
    }

    [Fact]
    public void Chunks_of_an_attempt_older_than_the_one_opened_are_dropped()
    {
        var mailbox = new GradientMailbox();
        var key = new ExchangeKey("run", 3, 2);
        var request = new ExchangeRequest(key, 2, [new ExchangeMember(0, "w0", Unused, [0]), new ExchangeMember(1, "w1", Unused, [1])], 0, 1024);
        var state = new ReductionState(request, new BlockLayout(8, 2, 1024), [(0, new float[8])]);
        mailbox.Open(key, state);
        float[] finished = [1, 2, 3, 4];
        GradientChunk Header(string run, long step, int attempt) => new()
        {
            RunId = run, Step = step, Attempt = attempt, Phase = ReducePhase.AllGather, SenderRank = 1, Segment = 1, Offset = 4, ShardBegin = 0, ShardEnd = 2,
        };
        var data = new ReadOnlySequence<byte>(MemoryMarshal.AsBytes(finished.AsSpan()).ToArray());

        Assert.False(mailbox.Deliver(Header("run", 3, 1), data));
        Assert.False(mailbox.Deliver(Header("run", 2, 9), data));
        Assert.True(mailbox.Deliver(Header("run", 3, 3), data));
        Assert.True(mailbox.Deliver(Header("other", 0, 0), data));
        Assert.Equal(2, mailbox.Dropped);
        Assert.NotEqual(finished, state.Result[4..]);   // nothing of the other attempts reached the open one
        Assert.True(mailbox.Deliver(Header("run", 3, 2), data));
        Assert.Equal(finished, state.Result[4..]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(4001)]
    public void Floats_cut_anywhere_by_segment_boundaries_come_back_whole_in_order(int seed)
    {
        var random = new Random(seed);
        float[] values = Values(random, 1000);
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        int[] cuts = seed < 5 ? [.. Enumerable.Range(1, bytes.Length / seed - 1).Select(k => k * seed)] : [.. Enumerable.Range(0, 50).Select(_ => random.Next(1, bytes.Length)).Distinct().Order()];
        var read = new List<float>();
        var runs = new FloatRuns(ByteSegments.Of(bytes, cuts));
        while (runs.TryNext(out int start, out ReadOnlySpan<float> run))
        {
            Assert.Equal(read.Count, start);
            read.AddRange(run.ToArray());
        }
        Assert.Equal(Bits(values), Bits([.. read]));
        Assert.Throws<InvalidDataException>(() =>
        {
            var cut = new FloatRuns(ByteSegments.Of(bytes[..^1], [5, 9]));
            while (cut.TryNext(out _, out _)) { }
        });
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 100)]
    [InlineData(2, 15)]
    [InlineData(3, 2)]   // blocks 0 and 2 are empty: final from the start, nothing travels for them
    public void A_member_visited_twice_per_block_fed_in_pieces_before_and_after_it_opens_sums_and_sends_what_the_orders_ask(int seed, int length)
    {
        // Rank 0 of 3 holds shards 0 and 3 of 4; ranks 1 and 2 hold shards 1 and 2. Block b's order is b + 1, ..., b:
        //   block 0: 1 2 [3 0]  rank 0 continues rank 2's partial with shards 3, 0 and finalizes the block;
        //   block 1: 2 [3 0] 1  continues rank 2's partial, hands positions [0, 3) to rank 1;
        //   block 2: [3 0] 1 2  starts the block with shards 3 + 0 and hands [0, 2) to rank 1;
        //   block 3: [0] 1 2 [3] starts it with shard 0 alone (from its own buffer), then finalizes rank 2's partial.
        // Finished blocks 1 (finalized by rank 1) and 2 (rank 2) come around the ring from the left (rank 2); rank 0
        // hands block 2 on to rank 1, not block 1 (rank 1 finalized it), and starts its own blocks 0 and 3.
        var random = new Random(seed);
        const int ChunkElements = 7;
        float[][] buffers = [.. Enumerable.Range(0, 4).Select(_ => Values(random, length))];
        float[] expected = CyclicFold(buffers);
        var key = new ExchangeKey("run", 1, 0);
        ExchangeMember[] ring = [new(0, "w0", Unused, [0, 3]), new(1, "w1", Unused, [1]), new(2, "w2", Unused, [2])];
        var request = new ExchangeRequest(key, 4, ring, 0, ChunkElements);
        var layout = new BlockLayout(length, 4, ChunkElements);
        var pushed = new List<(GradientChunk Header, float[] Data)>();
        var expectedToRight = new List<(ReducePhase, int Block, int Chunk, int Covered, float[] Values)>();
        for (int chunk = 0; chunk < layout.ChunksPerBlock; chunk++)
        {
            (int Offset, int Count) Range(int block) { var (o, c) = layout.Chunk(block, chunk); return ((int)o, c); }
            float[] Partial(int block, int covered) { var (o, c) = Range(block); return PartialFold(buffers, 4, block, covered)[o..(o + c)]; }
            void Push(ReducePhase phase, int block, int covered)
            {
                var (o, c) = Range(block);
                if (c > 0) pushed.Add((Header(phase, block, chunk, o, covered), phase == ReducePhase.AllGather ? expected[o..(o + c)] : Partial(block, covered)));
            }
            void Expect(ReducePhase phase, int block, int covered)
            {
                var (o, c) = Range(block);
                if (c > 0) expectedToRight.Add((phase, block, chunk, covered, phase == ReducePhase.AllGather ? expected[o..(o + c)] : Partial(block, covered)));
            }
            Push(ReducePhase.ReduceScatter, 0, 2);
            Push(ReducePhase.ReduceScatter, 1, 1);
            Push(ReducePhase.ReduceScatter, 3, 3);
            Push(ReducePhase.AllGather, 1, 4);
            Push(ReducePhase.AllGather, 2, 4);
            Expect(ReducePhase.ReduceScatter, 1, 3);
            Expect(ReducePhase.ReduceScatter, 2, 2);
            Expect(ReducePhase.ReduceScatter, 3, 1);
            Expect(ReducePhase.AllGather, 0, 4);
            Expect(ReducePhase.AllGather, 2, 4);
            Expect(ReducePhase.AllGather, 3, 4);
        }
        // In any order that can happen: the partials of blocks 0 and 1 (begun by the peers) half before the exchange
        // opens; block 3's (which needs rank 0's start) and the finished blocks (which need rank 0's partials) after.
        // What rank 0 queues is read as soon as it is queued, as its sender would.
        var early = pushed.Where(p => p.Header.Phase == ReducePhase.ReduceScatter && p.Header.Segment != 3).OrderBy(_ => random.Next()).ToList();
        var partials = early.Skip(early.Count / 2).Concat(pushed.Where(p => p.Header.Phase == ReducePhase.ReduceScatter && p.Header.Segment == 3)).OrderBy(_ => random.Next()).ToList();
        var finals = pushed.Where(p => p.Header.Phase == ReducePhase.AllGather).OrderBy(_ => random.Next()).ToList();
        var mailbox = new GradientMailbox();
        var state = new ReductionState(request, layout, [(0, buffers[0]), (3, buffers[3])]);
        var sent = new List<(ReducePhase, int Block, int Chunk, int Covered, float[] Values)>();
        void Drain()
        {
            while (state.OutgoingTo(1).TryRead(out OutgoingChunk? o)) sent.Add((o.Phase, o.Block, o.Chunk, o.Covered, o.Source[(int)o.Offset..(int)(o.Offset + o.Count)]));
        }
        void Deliver((GradientChunk Header, float[] Data) p)
        {
            byte[] bytes = MemoryMarshal.AsBytes(p.Data.AsSpan()).ToArray();
            Assert.True(mailbox.Deliver(p.Header, ByteSegments.Of(bytes, [.. Enumerable.Range(0, 3).Select(_ => random.Next(0, bytes.Length + 1)).Distinct().Order()])));
            Drain();
        }

        foreach (var p in early.Take(early.Count / 2)) Deliver(p);
        Assert.Equal([1], state.Receivers);
        mailbox.Open(key, state);
        state.Start();
        Drain();
        Assert.Equal(pushed.Count == 0, state.Completion.IsCompleted);
        foreach (var p in partials.Concat(finals)) Deliver(p);

        Assert.True(state.Completion.IsCompletedSuccessfully);
        Assert.Equal(Bits(expected), Bits(state.Result));
        Assert.True(state.OutgoingTo(1).IsCompleted);
        static string Render(IEnumerable<(ReducePhase Phase, int Block, int Chunk, int Covered, float[] Values)> chunks) =>
            string.Join("; ", chunks.OrderBy(c => (c.Phase, c.Block, c.Chunk)).Select(c => $"{c.Phase} {c.Block}.{c.Chunk} [0,{c.Covered}) {string.Join(",", Bits(c.Values))}"));
        Assert.Equal(Render(expectedToRight), Render(sent));

        GradientChunk Header(ReducePhase phase, int block, int chunk, long offset, int covered) => new()
        {
            RunId = key.RunId, Step = key.Step, Attempt = key.Attempt, Phase = phase, SenderRank = 2, Segment = block, ChunkIndex = chunk,
            Offset = offset, ShardBegin = 0, ShardEnd = covered,
        };
    }

    [Fact]
    public void A_partial_sum_from_the_wrong_member_or_out_of_turn_fails_the_exchange_naming_it()
    {
        ExchangeMember[] ring = [new(0, "w0", Unused, [0]), new(1, "w1", Unused, [1]), new(2, "w2", Unused, [2])];
        ReductionState Fresh() => new(new ExchangeRequest(new ExchangeKey("run", 0, 0), 3, ring, 0, 1024), new BlockLayout(9, 3, 1024), [(0, new float[9])]);
        var data = new ReadOnlySequence<byte>(new byte[12]);
        // Block 1's order is 2, 0, 1: rank 0 continues rank 2's partial of position [0, 1).
        ReductionState wrongSender = Fresh();
        wrongSender.Offer(new GradientChunk { RunId = "run", Phase = ReducePhase.ReduceScatter, SenderRank = 1, Segment = 1, Offset = 3, ShardBegin = 0, ShardEnd = 1 }, data);
        Assert.Contains("comes from rank 2", wrongSender.Completion.Exception!.InnerException!.Message);
        ReductionState notMine = Fresh();
        notMine.Offer(new GradientChunk { RunId = "run", Phase = ReducePhase.ReduceScatter, SenderRank = 0, Segment = 1, Offset = 3, ShardBegin = 0, ShardEnd = 2 }, data);
        Assert.Contains("is not this member's to continue", notMine.Completion.Exception!.InnerException!.Message);
        ReductionState notFromStart = Fresh();
        notFromStart.Offer(new GradientChunk { RunId = "run", Phase = ReducePhase.ReduceScatter, SenderRank = 2, Segment = 1, Offset = 3, ShardBegin = 1, ShardEnd = 1 }, data);
        Assert.Contains("must start at position 0", notFromStart.Completion.Exception!.InnerException!.Message);
    }

    [Fact]
    public void After_abandoning_an_exchange_a_late_chunk_writes_nothing_into_the_callers_array()
    {
        ExchangeMember[] ring = [new(0, "w0", Unused, [0]), new(1, "w1", Unused, [1])];
        float[] into = [7, 7, 7, 7, 7, 7, 7, 7];
        var state = new ReductionState(new ExchangeRequest(new ExchangeKey("run", 0, 0), 2, ring, 0, 1024), new BlockLayout(8, 2, 1024), [(0, new float[8])], into);
        state.Abandon();
        float[] finished = [1, 2, 3, 4];
        state.Offer(new GradientChunk { RunId = "run", Phase = ReducePhase.AllGather, SenderRank = 1, Segment = 1, Offset = 4, ShardBegin = 0, ShardEnd = 2 },
            new ReadOnlySequence<byte>(MemoryMarshal.AsBytes(finished.AsSpan()).ToArray()));
        Assert.Equal([7, 7, 7, 7, 7, 7, 7, 7], into);
        Assert.True(state.Completion.IsCanceled);
    }

    [Theory]
    [InlineData(2, 2, false)]
    [InlineData(3, 5, false)]
    [InlineData(4, 4, true)]
    public async Task Finished_blocks_received_straight_into_the_sum_give_the_same_bits(int members, int shards, bool inPlace)
    {
        // Chunks of 32 KiB: large enough for a lane server to land a finished block's chunk in the sum directly.
        var random = new Random(members * 10 + shards);
        float[][] buffers = [.. Enumerable.Range(0, shards).Select(_ => Values(random, 100_003))];
        float[] expected = CyclicFold(buffers);
        IReadOnlyList<ExchangeMember> ring = await RingAsync(members, inPlace ? [.. Enumerable.Range(0, shards).Select(s => (IReadOnlyList<int>)[s])] : Placement(random, members, shards));
        var request = (ExchangeMember m) => new ExchangeRequest(new ExchangeKey("run", 0, 0), shards, ring, m.Rank, 8192);

        float[][] sums = await Task.WhenAll(ring.Select(async m =>
        {
            var reduce = new ShardOrderedAllReduce(_members[m.Rank].Mailbox, _lanes);
            float[]? into = inPlace ? buffers[m.Shards[0]].ToArray() : null;
            var shardsOf = m.Shards.Select(s => (s, into ?? buffers[s])).ToList();
            return (await reduce.RunAsync(request(m), shardsOf, into, CancellationToken.None)).Sum;
        }));

        foreach (float[] sum in sums) Assert.Equal(Bits(expected), Bits(sum));
        Assert.All(_members, m => Assert.True(m.Mailbox.Landed > 0));
    }

    [Fact]
    public void A_finished_chunk_lands_in_the_result_and_counts_as_received_once_every_byte_is_there()
    {
        // Three members, one shard each, rank 0's view. Block 1 (order 2, 0, 1) is finalized by rank 1 and handed on by
        // rank 2 to rank 0, whose right neighbour (1) finalized it: rank 0 takes it and sends it nowhere.
        ExchangeMember[] ring = [new(0, "w0", Unused, [0]), new(1, "w1", Unused, [1]), new(2, "w2", Unused, [2])];
        var state = new ReductionState(new ExchangeRequest(new ExchangeKey("run", 0, 0), 3, ring, 0, 1024), new BlockLayout(12, 3, 1024), [(0, new float[12])]);
        float[] finished = [1.5f, -2, 3, 4.25f];
        byte[] bytes = MemoryMarshal.AsBytes(finished.AsSpan()).ToArray();
        GradientChunk Final(int sender) => new() { RunId = "run", Phase = ReducePhase.AllGather, SenderRank = sender, Segment = 1, Offset = 4, ShardBegin = 0, ShardEnd = 3 };

        // Partial sums come whole (they are folded), and so does anything the whole message should report.
        Assert.Null(state.Land(new GradientChunk { RunId = "run", Phase = ReducePhase.ReduceScatter, SenderRank = 2, Segment = 1, Offset = 4, ShardBegin = 0, ShardEnd = 1 },
            ReadOnlySequence<byte>.Empty, 16, () => { }));
        Assert.Null(state.Land(Final(2), ReadOnlySequence<byte>.Empty, 12, () => { }));
        MessageLanding landing = state.Land(Final(2), new ReadOnlySequence<byte>(bytes, 0, 3), 16, () => { })!;
        Assert.NotNull(landing);
        // One landing per chunk at a time: a second copy comes whole.
        Assert.Null(state.Land(Final(2), ReadOnlySequence<byte>.Empty, 16, () => { }));
        Assert.Equal(13, landing.Rest.Length);
        bytes.AsSpan(3).CopyTo(landing.Rest);
        Assert.Equal(finished, state.Result[4..8]);
        landing.Landed();

        Assert.Null(state.Land(Final(2), ReadOnlySequence<byte>.Empty, 16, () => { }));   // final now
        Assert.False(state.Completion.IsCompleted);
        // Its next member finalized it: nothing is handed on.
        Assert.False(state.OutgoingTo(1).TryRead(out _));
    }

    [Fact]
    public async Task Abandoning_waits_for_a_chunk_landing_and_cuts_its_connection_once_the_grace_is_over()
    {
        ExchangeMember[] ring = [new(0, "w0", Unused, [0]), new(1, "w1", Unused, [1])];
        float[] into = new float[8];
        var state = new ReductionState(new ExchangeRequest(new ExchangeKey("run", 0, 0), 2, ring, 0, 1024), new BlockLayout(8, 2, 1024), [(0, into)], into);
        MessageLanding? landing = null;
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The transport fails a landing once its connection is cut (on its own thread).
        landing = state.Land(new GradientChunk { RunId = "run", Phase = ReducePhase.AllGather, SenderRank = 1, Segment = 1, Offset = 4, ShardBegin = 0, ShardEnd = 2 },
            ReadOnlySequence<byte>.Empty, 16, () =>
            {
                aborted.TrySetResult();
                ThreadPool.QueueUserWorkItem(_ => landing!.Failed(new IOException("the connection was cut")));
            });
        Assert.NotNull(landing);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Run(state.Abandon).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(aborted.Task.IsCompleted);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"abandoned after {clock.Elapsed}, before the grace was over");
        Assert.True(state.Completion.IsCanceled);
        // A landing that arrives after all writes nothing: the exchange is over.
        Assert.Null(state.Land(new GradientChunk { RunId = "run", Phase = ReducePhase.AllGather, SenderRank = 1, Segment = 1, Offset = 4, ShardBegin = 0, ShardEnd = 2 },
            ReadOnlySequence<byte>.Empty, 16, () => { }));
    }

    [Fact]
    public async Task Exchanges_one_after_another_push_on_one_call_per_peer_kept_open_between_them()
    {
        IReadOnlyList<ExchangeMember> ring = await RingAsync(2, [[0], [1]]);
        var random = new Random(17);
        for (int step = 0; step < 3; step++)
        {
            float[][] buffers = [Values(random, 5000), Values(random, 5000)];
            var key = new ExchangeKey("run", step, 0);
            float[][] sums = await Task.WhenAll(ring.Select(m => RunAsync(ring, m, 2, buffers, chunkElements: 1024, key)));
            Assert.All(sums, sum => Assert.Equal(Bits(CyclicFold(buffers)), Bits(sum)));
        }
        // Each member pushed to the other on one pooled lane, whose call is still open for the next step.
        foreach (ExchangeMember member in ring)
        {
            PushLane lane = _lanes.Take(member.PushAddress, CancellationToken.None);
            Assert.True(lane.InCall);
            _lanes.Return(member.PushAddress, lane, clean: true);
        }
    }

    [Fact]
    public void A_sender_is_done_with_its_last_planned_chunk_before_the_exchange_completes()
    {
        // Two members, one shard each: rank 0 starts block 1 (order 0, 1) and finishes block 0 (order 1, 0), so it sends
        // rank 1 two chunks, the second as soon as rank 1's partial of block 0 arrives; block 1's final is still to come.
        ExchangeMember[] ring = [new(0, "w0", Unused, [0]), new(1, "w1", Unused, [1])];
        var state = new ReductionState(new ExchangeRequest(new ExchangeKey("run", 0, 0), 2, ring, 0, 1024), new BlockLayout(8, 2, 1024), [(0, new float[8])]);
        OutgoingQueue toRight = state.OutgoingTo(1);
        state.Start();
        Assert.False(toRight.IsCompleted);
        state.Offer(new GradientChunk { RunId = "run", Phase = ReducePhase.ReduceScatter, SenderRank = 1, Segment = 0, Offset = 0, ShardBegin = 0, ShardEnd = 1 },
            new ReadOnlySequence<byte>(new byte[16]));

        Assert.True(toRight.IsCompleted);
        Assert.False(state.Completion.IsCompleted);
        Assert.Equal([ReducePhase.ReduceScatter, ReducePhase.AllGather], toRight.Take(CancellationToken.None).Select(c => c.Phase));
    }

    [Fact]
    public async Task A_send_that_fails_fails_the_exchange_without_waiting_for_the_peers_chunks()
    {
        IReadOnlyList<ExchangeMember> ring = await RingAsync(1, [[0]]);
        // The second member's lane server is a closed port: rank 0's first push cannot connect, and nothing will ever
        // arrive from rank 1, so only the send's failure can end the exchange.
        ExchangeMember[] broken = [ring[0], new ExchangeMember(1, "w1", Unused, [1], Unused)];
        var reduce = new ShardOrderedAllReduce(_members[0].Mailbox, _lanes);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            reduce.RunAsync(new ExchangeRequest(new ExchangeKey("run", 0, 0), 2, broken, 0, 1024), [(0, new float[100])], CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_malformed_chunk_fails_the_exchange_with_a_message_naming_the_problem()
    {
        IReadOnlyList<ExchangeMember> ring = await RingAsync(2, [[0], [1]]);
        var key = new ExchangeKey("run", 0, 0);
        using (var lane = PushLane.Connect(ring[0].PushAddress, new PushLaneOptions { BearerToken = Token }, CancellationToken.None))
        {
            lane.Begin(Protocol.WorkerMethods.PushGradients.FullName, CancellationToken.None);
            byte[] message = Google.Protobuf.MessageExtensions.ToByteArray(new GradientChunk
            {
                RunId = "run", Step = 0, Attempt = 0, Phase = ReducePhase.ReduceScatter, SenderRank = 1, Segment = 0, ChunkIndex = 0,
                Offset = 0, Data = Google.Protobuf.ByteString.CopyFrom(new byte[12]), ShardBegin = 0, ShardEnd = 1,
            });
            lane.Write(message, []);
            lane.Finish(TimeSpan.FromSeconds(30));
        }
        var reduce = new ShardOrderedAllReduce(_members[0].Mailbox, _lanes);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            reduce.RunAsync(new ExchangeRequest(key, 2, ring, 0, 1024), [(0, new float[100])], CancellationToken.None));
        Assert.Contains("holds 12 bytes at element 0; expected 200 at 0", error.Message);
    }

    [Fact]
    public async Task Pushing_gradients_without_the_token_is_refused_as_unauthenticated()
    {
        IReadOnlyList<ExchangeMember> ring = await RingAsync(1, [[0]]);
        using var channel = new GrpcChannel(ring[0].Address);
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(Protocol.WorkerMethods.PushGradients);
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        // The lane server too.
        using var lane = PushLane.Connect(ring[0].PushAddress, new PushLaneOptions(), CancellationToken.None);
        lane.Begin(Protocol.WorkerMethods.PushGradients.FullName, CancellationToken.None);
        Assert.Equal(StatusCode.Unauthenticated, Assert.Throws<RpcException>(() => lane.Finish(TimeSpan.FromSeconds(30))).StatusCode);
    }

    private async Task<float[]> RunAsync(IReadOnlyList<ExchangeMember> ring, ExchangeMember self, int shards, float[][] buffers, int chunkElements, ExchangeKey? key = null)
    {
        var reduce = new ShardOrderedAllReduce(_members[self.Rank].Mailbox, _lanes);
        var request = new ExchangeRequest(key ?? new ExchangeKey("run", 0, 0), shards, ring, self.Rank, chunkElements);
        ExchangeOutcome outcome = await reduce.RunAsync(request, [.. self.Shards.Select(s => (s, buffers[s]))], CancellationToken.None);
        return outcome.Sum;
    }

    private async Task<IReadOnlyList<ExchangeMember>> RingAsync(int members, IReadOnlyList<IReadOnlyList<int>> placement)
    {
        var ring = new List<ExchangeMember>();
        for (int rank = 0; rank < members; rank++)
        {
            var mailbox = new GradientMailbox();
            var endpoint = new WorkerEndpoint(new WorkerOptions { WorkerId = $"w{rank}" }, mailbox, new RunReplicas(new WorkerOptions(), Distillation.Progress.IProgressReporter.Silent));
            var options = new GrpcServerOptions { BearerToken = Token, MaxReceiveMessageSize = 64 * 1024 * 1024, InPlaceMethods = { endpoint.InPlacePushGradients() } };
            var server = new GrpcServer(options, endpoint.Definition());
            await server.StartAsync();
            var lanes = new InPlaceLaneServer(options);
            _members.Add((server, lanes, mailbox));
            ring.Add(new ExchangeMember(rank, $"w{rank}", server.Address, placement[rank], lanes.Address));
        }
        return ring;
    }

    /// <summary>Every member gets at least one shard; the rest go to random members, so shard runs are not contiguous.</summary>
    private static IReadOnlyList<IReadOnlyList<int>> Placement(Random random, int members, int shards)
    {
        var owner = Enumerable.Range(0, shards).Select(s => s < members ? s : random.Next(members)).OrderBy(_ => random.Next()).ToArray();
        var placement = Enumerable.Range(0, members).Select(m => (IReadOnlyList<int>)[.. Enumerable.Range(0, shards).Where(s => owner[s] == m)]).ToList();
        // Ranks follow each member's first shard, as the coordinator orders the ring.
        return [.. placement.OrderBy(p => p[0])];
    }

    private static float[] Values(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 7))))];

    /// <summary>The single process's sum, written out: block b (one per buffer) folded over buffers b + 1, ..., b.</summary>
    private static float[] CyclicFold(float[][] buffers)
    {
        var sum = new float[buffers[0].Length];
        for (int block = 0; block < buffers.Length; block++)
        {
            float[] partial = PartialFold(buffers, buffers.Length, block, buffers.Length);
            long start = (long)sum.Length * block / buffers.Length, end = (long)sum.Length * (block + 1) / buffers.Length;
            Array.Copy(partial, start, sum, start, end - start);
        }
        return sum;
    }

    /// <summary>The left fold of the first <paramref name="covered"/> buffers of block <paramref name="block"/>'s order, over the whole length.</summary>
    private static float[] PartialFold(float[][] buffers, int shards, int block, int covered)
    {
        float[] sum = (float[])buffers[(block + 1) % shards].Clone();
        for (int position = 1; position < covered; position++)
        {
            float[] next = buffers[(block + 1 + position) % shards];
            for (int i = 0; i < sum.Length; i++) sum[i] += next[i];
        }
        return sum;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
