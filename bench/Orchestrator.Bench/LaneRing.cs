using System.Buffers;
using Google.Protobuf;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport.Lanes;
using Orchestrator.Transport.Server;
using Orchestrator.Transport.Server.InPlace;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>
/// The plain ring all-reduce over gRPC push lanes: the same ring, chunking and fold as <see cref="RawTcpRing"/>, and
/// the same two threads per rank, but every chunk is a <c>PushGradients</c> message on the wire (HTTP/2, gRPC framing,
/// protobuf). The caller's thread sends each chunk on a <see cref="PushLane"/> to the right neighbour once it is
/// ready; the left neighbour's chunks arrive at an <see cref="InPlaceLaneServer"/>, whose thread receives each
/// message into a buffer and folds it into the result (reduce-scatter) or copies it there (all-gather). Not the
/// product's sum order: it shows what the lane I/O mode gives the ring's pattern.
/// </summary>
internal sealed class LaneRing : IBlockingAllReduce
{
    private readonly int _rank;
    private readonly int _world;
    private readonly int _chunkElements;
    private readonly object _gate = new();
    private readonly InPlaceLaneServer _server;
    private readonly ArrayBufferWriter<byte> _head = new(256);
    private PushLane? _right;
    private float[]? _values;
    private long _key = -1;
    private long _received;

    private LaneRing(int rank, int world, int chunkElements)
    {
        (_rank, _world, _chunkElements) = (rank, world, chunkElements);
        _server = new InPlaceLaneServer(new GrpcServerOptions
        {
            BearerToken = AllReduceBenchmark.Token, MaxReceiveMessageSize = AllReduceBenchmark.MaxMessageSize,
            InPlaceMethods = { RingPushes.InPlace(RingPushes.Method(Deliver)) },
        });
    }

    /// <summary>Starts the lane server, publishes its address through the rendezvous, and opens the lane to the right neighbour.</summary>
    public static async Task<LaneRing> ConnectAsync(AllReduceOptions options, CancellationToken cancellationToken)
    {
        var ring = new LaneRing(options.Rank, options.World, options.ChunkElements);
        IReadOnlyList<Uri> addresses = await FileRendezvous.ExchangeAsync(options.Rendezvous, options.Rank, options.World, ring._server.Address, cancellationToken);
        ring._right = PushLane.Connect(addresses[(options.Rank + 1) % options.World], new PushLaneOptions { BearerToken = AllReduceBenchmark.Token }, cancellationToken);
        return ring;
    }

    /// <summary>Replaces <paramref name="values"/> with the elementwise sum over the ring's ranks, and returns it.</summary>
    public float[] AllReduce(float[] values)
    {
        int steps = 2 * (_world - 1);
        var chunks = new int[steps + 1];   // chunks[t]: chunks in steps before t, so a chunk has one global index
        for (int t = 0; t < steps; t++) chunks[t + 1] = chunks[t] + ChunkCount(Segment(RingSchedule.Received(_rank, _world, t), values.Length));
        lock (_gate)
        {
            _values = values;
            _key++;
            _received = 0;
            Monitor.PulseAll(_gate);
        }
        _right!.Begin(WorkerMethods.PushGradients.FullName, CancellationToken.None);
        for (int t = 0; t < steps; t++)
        {
            var (start, length) = Segment(RingSchedule.Sent(_rank, _world, t), values.Length);
            for (int j = 0, offset = 0; offset < length; j++, offset += _chunkElements)
            {
                // What step t sends is what step t - 1 received: each chunk leaves once it has arrived (and been folded).
                if (t > 0) WaitFor(chunks[t - 1] + j + 1);
                Send(t, values, start + offset, Math.Min(_chunkElements, length - offset));
            }
        }
        _right.Finish(TimeSpan.FromSeconds(60));
        WaitFor(chunks[steps]);
        return values;
    }

    public void Dispose()
    {
        _right?.Dispose();
        _server.Dispose();
    }

    private void Send(int step, float[] values, int offset, int count)
    {
        var chunk = new GradientChunk
        {
            RunId = "bench", Buffer = "step", Step = _key, Phase = step < _world - 1 ? ReducePhase.ReduceScatter : ReducePhase.AllGather,
            Segment = RingSchedule.Sent(_rank, _world, step), Offset = offset, Data = UnsafeByteOperations.UnsafeWrap(FloatBytes.Of(values, offset, count)),
        };
        _head.ResetWrittenCount();
        ReadOnlyMemory<byte> data = GradientChunkMarshaller.SerializeAllButData(chunk, _head);
        _right!.Write(_head.WrittenSpan, data.Span);
    }

    private void WaitFor(long count)
    {
        lock (_gate)
            while (_received < count)
                if (!Monitor.Wait(_gate, TimeSpan.FromSeconds(60))) throw new TimeoutException($"rank {_rank}: {_received} of {count} chunks after 60 s");
    }

    /// <summary>Folds (reduce-scatter) or copies (all-gather) a chunk from the left, on the lane server's thread; returns its data's length.</summary>
    private int Deliver(ReadOnlySequence<byte> message)
    {
        GradientChunk header = GradientChunkMarshaller.ParseHeader(message, out ReadOnlySequence<byte> data);
        RingPushes.Apply(header.Phase, data, Exchange(header.Step).AsSpan((int)header.Offset, (int)(data.Length / sizeof(float))));
        Arrived();
        return (int)data.Length;
    }

    /// <summary>The all-reduce a chunk of exchange <paramref name="key"/> belongs to; waits until this rank has started it.</summary>
    private float[] Exchange(long key)
    {
        lock (_gate)
        {
            while (_key < key)
                if (!Monitor.Wait(_gate, TimeSpan.FromSeconds(60))) throw new TimeoutException($"rank {_rank}: exchange {key} not started after 60 s");
            return _key == key ? _values! : throw new InvalidOperationException($"rank {_rank}: a chunk of exchange {key} during {_key}");
        }
    }

    private void Arrived()
    {
        lock (_gate)
        {
            _received++;
            Monitor.PulseAll(_gate);
        }
    }

    private (int Start, int Length) Segment(int index, int floats) => RawSockets.Segment(index, floats, _world);

    private int ChunkCount((int Start, int Length) segment) => (segment.Length + _chunkElements - 1) / _chunkElements;
}
