using System.Buffers;
using Google.Protobuf;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Server;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>
/// The plain ring all-reduce (reduce-scatter then all-gather around the ring, in place, as Gloo does) over our gRPC
/// transport: the worker's HTTP/2 client, Kestrel with the in-place read loop. A received chunk is folded on the read
/// loop and forwarded to the right neighbour from there, on one stream per ring step. Not the product's all-reduce
/// (its sum order is the ring's, not shard order): it shows what the transport gives the ring's pattern.
/// </summary>
internal sealed class GrpcRing : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly int _rank;
    private readonly int _world;
    private readonly int _chunkElements;
    private readonly GrpcServer _server;
    private readonly List<(GradientChunk Header, byte[] Data)> _early = [];
    private GrpcChannel? _right;
    private Exchange? _current;

    private GrpcRing(int rank, int world, int chunkElements)
    {
        (_rank, _world, _chunkElements) = (rank, world, chunkElements);
        Method<int, GradientReceipt> method = RingPushes.Method(Deliver);
        _server = new GrpcServer(new GrpcServerOptions
        {
            BearerToken = AllReduceBenchmark.Token, MaxReceiveMessageSize = AllReduceBenchmark.MaxMessageSize,
            InPlaceMethods = { RingPushes.InPlace(method) },
        }, new ServiceDefinitionBuilder().AddMethod(method, (IAsyncStreamReader<int> _, ServerCallContext _) => Task.FromResult(new GradientReceipt())).Build());
    }

    public static async Task<GrpcRing> ConnectAsync(AllReduceOptions options, CancellationToken cancellationToken)
    {
        var ring = new GrpcRing(options.Rank, options.World, options.ChunkElements);
        await ring._server.StartAsync(cancellationToken);
        IReadOnlyList<Uri> addresses = await FileRendezvous.ExchangeAsync(options.Rendezvous, options.Rank, options.World, ring._server.Address, cancellationToken);
        // The worker's direct HTTP/2 client, asking to be served in place.
        ring._right = new GrpcChannel(addresses[(options.Rank + 1) % options.World], new GrpcChannelOptions
        {
            BearerToken = AllReduceBenchmark.Token, MaxReceiveMessageSize = AllReduceBenchmark.MaxMessageSize, DirectHttp2 = true, AskInPlace = true,
        });
        return ring;
    }

    /// <summary>Replaces <paramref name="values"/> with the elementwise sum over the ring's ranks; returns it and the bytes sent.</summary>
    public async Task<(float[] Sum, long BytesSent)> AllReduceAsync(long key, float[] values, CancellationToken cancellationToken)
    {
        int steps = 2 * (_world - 1);
        if (steps == 0) return (values, 0);
        var exchange = new Exchange(this, key, values, steps, cancellationToken);
        List<(GradientChunk, byte[])> early;
        lock (_gate)
        {
            _current = exchange;
            early = [.. _early.Where(e => e.Header.Step == key)];
            _early.RemoveAll(e => e.Header.Step <= key);
        }
        // Step 0 sends this rank's own segment, which depends on nothing.
        var (start, length) = RawSockets.Segment(_rank, values.Length, _world);
        for (int offset = 0; offset < length; offset += _chunkElements) exchange.Send(0, start + offset, Math.Min(_chunkElements, length - offset));
        foreach (var (header, data) in early) lock (_gate) exchange.Receive(header, new ReadOnlySequence<byte>(data));
        try
        {
            await exchange.Finished.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"rank {_rank}: exchange {key} is unfinished after 60 s: {exchange.Describe()}");
        }
        long sent = await exchange.CloseAsync();
        lock (_gate) _current = null;
        return (values, sent);
    }

    public async ValueTask DisposeAsync()
    {
        _right?.Dispose();
        await _server.DisposeAsync();
    }

    private int Deliver(ReadOnlySequence<byte> message)
    {
        GradientChunk header = GradientChunkMarshaller.ParseHeader(message, out ReadOnlySequence<byte> data);
        lock (_gate)
        {
            if (_current is { } exchange && exchange.Key == header.Step) exchange.Receive(header, data);
            else _early.Add((header, data.ToArray()));
        }
        return (int)data.Length;
    }

    /// <summary>One all-reduce: the streams to the right neighbour, one per step, and what has arrived.</summary>
    private sealed class Exchange
    {
        private readonly GrpcRing _ring;
        private readonly float[] _values;
        private readonly int _steps;
        private readonly CancellationToken _cancellationToken;
        private readonly AsyncClientStreamingCall<GradientChunk, GradientReceipt>?[] _calls;
        private readonly Task[] _tails;
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _bytes;
        private int _received;
        private readonly int _expected;

        public Exchange(GrpcRing ring, long key, float[] values, int steps, CancellationToken cancellationToken)
        {
            (_ring, Key, _values, _steps, _cancellationToken) = (ring, key, values, steps, cancellationToken);
            _calls = new AsyncClientStreamingCall<GradientChunk, GradientReceipt>?[steps];
            _tails = [.. Enumerable.Repeat(Task.CompletedTask, steps)];
            // Done once every step's chunks are in: then every chunk to forward has been handed to its stream too.
            for (int step = 0; step < steps; step++)
            {
                var (_, length) = RawSockets.Segment(RingSchedule.Received(ring._rank, ring._world, step), values.Length, ring._world);
                _expected += (length + ring._chunkElements - 1) / ring._chunkElements;
            }
            if (_expected == 0) _finished.TrySetResult();
        }

        public long Key { get; }

        public Task Finished => _finished.Task;

        /// <summary>Folds (reduce-scatter) or copies (all-gather) a chunk from the left, then hands it on.</summary>
        public void Receive(GradientChunk header, ReadOnlySequence<byte> data)
        {
            int step = RingSchedule.ReceivingStep(_ring._rank, _ring._world, header.Phase == ReducePhase.ReduceScatter, header.Segment);
            int count = (int)(data.Length / sizeof(float));
            RingPushes.Apply(header.Phase, data, _values.AsSpan((int)header.Offset, count));
            if (step + 1 < _steps) Send(step + 1, (int)header.Offset, count);
            if (++_received == _expected) _finished.TrySetResult();
        }

        /// <summary>Sends elements [offset, offset + count) as step <paramref name="step"/>'s next chunk; writes on a stream stay in order.</summary>
        public void Send(int step, int offset, int count)
        {
            var call = _calls[step] ??= _ring._right!.CreateCallInvoker().AsyncClientStreamingCall(WorkerMethods.PushGradients, new CallOptions(CancellationToken: _cancellationToken));
            int world = _ring._world;
            var chunk = new GradientChunk
            {
                Step = Key, Phase = step < world - 1 ? ReducePhase.ReduceScatter : ReducePhase.AllGather,
                Segment = RingSchedule.Sent(_ring._rank, world, step),
                Offset = offset, Data = UnsafeByteOperations.UnsafeWrap(FloatBytes.Of(_values, offset, count)), RunId = "bench", Buffer = "step",
            };
            // Step 0 sends from the caller, the other steps from the read loop.
            Interlocked.Add(ref _bytes, count * sizeof(float));
            Task tail = _tails[step];
            _tails[step] = tail.IsCompletedSuccessfully ? call.RequestStream.WriteAsync(chunk) : After(tail, call, chunk);
        }

        public string Describe()
        {
            lock (_ring._gate)
                return $"{_received} of {_expected} chunks in; streams: "
                    + string.Join(", ", _tails.Select((t, step) => $"step {step} {(_calls[step] is null ? "unopened" : t.Status.ToString())}"))
                    + $"; {_ring._early.Count} early chunks held (steps {string.Join(",", _ring._early.Select(e => e.Header.Step).Distinct())})";
        }

        public async Task<long> CloseAsync()
        {
            for (int step = 0; step < _steps; step++)
            {
                await _tails[step];
                if (_calls[step] is { } call)
                {
                    await call.RequestStream.CompleteAsync();
                    await call.ResponseAsync;
                    call.Dispose();
                }
            }
            return _bytes;
        }

        private static async Task After(Task previous, AsyncClientStreamingCall<GradientChunk, GradientReceipt> call, GradientChunk chunk)
        {
            await previous;
            await call.RequestStream.WriteAsync(chunk);
        }
    }
}
