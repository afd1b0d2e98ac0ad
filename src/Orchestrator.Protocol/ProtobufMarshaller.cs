using System.Buffers;
using Google.Protobuf;
using Orchestrator.Transport;

namespace Orchestrator.Protocol;

public static class ProtobufMarshaller
{
    /// <summary>Writes messages straight into the frame buffer and parses them from the received sequence, without intermediate arrays.</summary>
    public static Marshaller<T> Create<T>() where T : IMessage<T>, new()
    {
        MessageParser<T> parser = new T().Descriptor.Parser as MessageParser<T>
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no typed parser");
        return new Marshaller<T>(Serialize, payload => parser.ParseFrom(payload));
    }

    private static void Serialize<T>(T message, IBufferWriter<byte> output) where T : IMessage<T>
    {
        // Asking for the whole size first lets the frame buffer grow once, not double its way up copying as protobuf
        // asks for more (a gradient chunk is a megabyte).
        output.GetSpan(message.CalculateSize());
        message.WriteTo(output);
    }
}
