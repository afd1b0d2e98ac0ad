using System.Net;
using System.Net.Sockets;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>
/// The all-reduce without gRPC: the same ring (reduce-scatter then all-gather, chunked, each chunk sent on as soon as
/// it is folded) and the same fold, over one plain TCP connection to each neighbour, blocking I/O on two threads, and
/// the all-gather received straight into the result, as Gloo does. Not a transport of the product: beside Gloo it
/// shows what this runtime can reach on the machine, and beside ours what the HTTP/2 and gRPC layers cost.
/// </summary>
internal sealed class RawTcpRing : IBlockingAllReduce
{
    private readonly Socket _right;
    private readonly Socket _left;
    private readonly int _rank;
    private readonly int _world;
    private readonly int _chunkElements;
    private readonly object _gate = new();
    private long _received;

    private RawTcpRing(Socket right, Socket left, int rank, int world, int chunkElements) =>
        (_right, _left, _rank, _world, _chunkElements) = (right, left, rank, world, chunkElements);

    /// <summary>Listens, publishes the address through the rendezvous, then connects to the right neighbour and accepts the left one.</summary>
    public static async Task<RawTcpRing> ConnectAsync(AllReduceOptions options, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var address = new Uri($"tcp://{listener.LocalEndPoint}");
        IReadOnlyList<Uri> addresses = await FileRendezvous.ExchangeAsync(options.Rendezvous, options.Rank, options.World, address, cancellationToken);
        Uri next = addresses[(options.Rank + 1) % options.World];
        Task<Socket> accepted = listener.AcceptAsync(cancellationToken).AsTask();
        var right = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await right.ConnectAsync(next.Host, next.Port, cancellationToken);
        Socket left = await accepted;
        left.NoDelay = true;
        return new RawTcpRing(right, left, options.Rank, options.World, options.ChunkElements);
    }

    /// <summary>Replaces <paramref name="values"/> with the elementwise sum over the ring's ranks, and returns it.</summary>
    public float[] AllReduce(float[] values)
    {
        int steps = 2 * (_world - 1);
        var chunks = new int[steps + 1];   // chunks[t]: chunks in steps before t, so a chunk has one global index
        for (int t = 0; t < steps; t++) chunks[t + 1] = chunks[t] + ChunkCount(ReceivedSegment(t, values.Length));
        lock (_gate) _received = 0;
        Task receiving = Task.Factory.StartNew(() => Receive(values, chunks), TaskCreationOptions.LongRunning);
        try
        {
            for (int t = 0; t < steps; t++)
            {
                var (start, length) = SentSegment(t, values.Length);
                for (int j = 0, offset = 0; offset < length; j++, offset += _chunkElements)
                {
                    // What step t sends is what step t - 1 received: each chunk leaves once it has arrived (and been folded).
                    if (t > 0) WaitFor(chunks[t - 1] + j + 1);
                    Send(values.AsSpan(start + offset, Math.Min(_chunkElements, length - offset)));
                }
            }
        }
        finally
        {
            receiving.GetAwaiter().GetResult();
        }
        return values;
    }

    public void Dispose()
    {
        _right.Dispose();
        _left.Dispose();
    }

    private void Receive(float[] values, int[] chunks)
    {
        var scratch = new float[_chunkElements];
        for (int t = 0; t < 2 * (_world - 1); t++)
        {
            var (start, length) = ReceivedSegment(t, values.Length);
            for (int offset = 0; offset < length; offset += _chunkElements)
            {
                Span<float> target = values.AsSpan(start + offset, Math.Min(_chunkElements, length - offset));
                if (t < _world - 1)
                {
                    Span<float> arrived = scratch.AsSpan(0, target.Length);
                    ReceiveExactly(arrived);
                    Fold.Add(target, arrived);
                }
                else ReceiveExactly(target);
                lock (_gate)
                {
                    _received++;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    private void WaitFor(long count)
    {
        lock (_gate)
            while (_received < count) Monitor.Wait(_gate);
    }

    private void Send(ReadOnlySpan<float> values) => RawSockets.SendAll(_right, values);

    private void ReceiveExactly(Span<float> values) => RawSockets.ReceiveExactly(_left, values, $"rank {_rank}, left neighbour");

    private (int Start, int Length) SentSegment(int t, int floats) => Segment(RingSchedule.Sent(_rank, _world, t), floats);

    private (int Start, int Length) ReceivedSegment(int t, int floats) => Segment(RingSchedule.Received(_rank, _world, t), floats);

    private (int Start, int Length) Segment(int index, int floats) => RawSockets.Segment(index, floats, _world);

    private int ChunkCount((int Start, int Length) segment) => (segment.Length + _chunkElements - 1) / _chunkElements;
}
