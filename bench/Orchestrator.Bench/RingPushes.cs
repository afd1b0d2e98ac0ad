using System.Buffers;
using System.Runtime.InteropServices;
using Orchestrator.Protocol;
using Orchestrator.Protocol.V1;
using Orchestrator.Transport;
using Orchestrator.Transport.Server.InPlace;
using Orchestrator.Worker.AllReduce;

namespace Orchestrator.Bench;

/// <summary>
/// What both gRPC rings of the bench (<see cref="GrpcRing"/>, <see cref="LaneRing"/>) do alike with a chunk from the
/// left: <c>PushGradients</c> served in place, each message handed over as bytes where they lie, and a chunk folded
/// into (reduce-scatter) or copied over (all-gather) its range of the values.
/// </summary>
internal static class RingPushes
{
    /// <summary><c>PushGradients</c> whose request "deserializer" is <paramref name="deliver"/>, returning the data's length.</summary>
    public static Method<int, GradientReceipt> Method(Func<ReadOnlySequence<byte>, int> deliver)
    {
        Method<GradientChunk, GradientReceipt> wire = WorkerMethods.PushGradients;
        var delivered = new Marshaller<int>((_, _) => throw new NotSupportedException("the server only reads chunks"), message => deliver(message));
        return new Method<int, GradientReceipt>(wire.Type, wire.ServiceName, wire.Name, delivered, wire.ResponseMarshaller);
    }

    /// <summary>The method served in place, each call answering with the chunks and bytes it took.</summary>
    public static InPlaceClientStreamingMethod InPlace(Method<int, GradientReceipt> method) => InPlaceClientStreamingMethod.Create(method, () => new Receipt());

    /// <summary>Adds <paramref name="data"/> into <paramref name="target"/> (reduce-scatter) or copies it there (all-gather).</summary>
    public static void Apply(ReducePhase phase, ReadOnlySequence<byte> data, Span<float> target)
    {
        if (phase == ReducePhase.ReduceScatter)
        {
            var runs = new FloatRuns(data);
            while (runs.TryNext(out int start, out ReadOnlySpan<float> run)) Fold.Add(target.Slice(start, run.Length), run);
        }
        else data.CopyTo(MemoryMarshal.AsBytes(target));
    }

    private sealed class Receipt : InPlaceCall<int, GradientReceipt>
    {
        private readonly GradientReceipt _receipt = new();

        public override void OnMessage(int bytes)
        {
            _receipt.Chunks++;
            _receipt.Bytes += bytes;
        }

        public override GradientReceipt Complete() => _receipt;
    }
}
