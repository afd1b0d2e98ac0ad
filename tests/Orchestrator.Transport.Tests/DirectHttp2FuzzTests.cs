using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Transport.Client;
using Orchestrator.Transport.Http2;

namespace Orchestrator.Transport.Tests;

/// <summary>
/// The direct HTTP/2 client against a raw server that answers a call with a valid response whose bytes were then
/// mutated (flipped, cut, inserted) before it closes the connection: every call ends, in a response or an
/// RpcException, and never hangs or throws anything else.
/// </summary>
public sealed class DirectHttp2FuzzTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task the_valid_answer_gives_the_message_and_mutated_answers_end_every_call()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        byte[] valid = ValidAnswer();
        var random = new Random(7341);
        int failed = 0;
        for (int round = 0; round < 150; round++)
        {
            byte[] answer = round == 0 ? valid : Mutate(valid, random);
            Task serve = ServeOnceAsync(listener, answer);
            using var channel = new GrpcChannel(address, new GrpcChannelOptions { DirectHttp2 = true });
            using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestMethods.Unary, "ping"u8.ToArray());
            try
            {
                byte[] response = await call.ResponseAsync.WaitAsync(HangGuard);
                if (round == 0) Assert.Equal("pong"u8.ToArray(), response);
            }
            catch (RpcException)
            {
                Assert.NotEqual(0, round);
                failed++;
            }
            await serve.WaitAsync(HangGuard);
        }
        Assert.True(failed > 50, $"only {failed} of 149 mutated answers failed the call");
    }

    /// <summary>SETTINGS, response HEADERS, one DATA frame with the gRPC message "pong", and trailers with status 0.</summary>
    private static byte[] ValidAnswer()
    {
        var output = new ArrayBufferWriter<byte>();
        Frame(output, Http2FrameType.Settings, 0, 0, []);
        var headers = new ArrayBufferWriter<byte>();
        HPackEncoder.Encode([(":status", "200"), ("content-type", "application/grpc")], headers);
        Frame(output, Http2FrameType.Headers, Http2Frame.EndHeaders, 1, headers.WrittenSpan);
        Frame(output, Http2FrameType.Data, 0, 1, [0, 0, 0, 0, 4, .. "pong"u8]);
        var trailers = new ArrayBufferWriter<byte>();
        HPackEncoder.Encode([("grpc-status", "0")], trailers);
        Frame(output, Http2FrameType.Headers, Http2Frame.EndHeaders | Http2Frame.EndStream, 1, trailers.WrittenSpan);
        return output.WrittenSpan.ToArray();
    }

    private static void Frame(ArrayBufferWriter<byte> output, Http2FrameType type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        new Http2Frame(payload.Length, type, flags, stream).Write(output.GetSpan(Http2Frame.HeaderLength));
        output.Advance(Http2Frame.HeaderLength);
        output.Write(payload);
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = new List<byte>(valid);
        for (int k = random.Next(1, 4); k > 0; k--)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(3))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveRange(at, random.Next(1, bytes.Count - at + 1)); break;
                default: bytes.Insert(at, (byte)random.Next(256)); break;
            }
            if (bytes.Count == 0) break;
        }
        return [.. bytes];
    }

    /// <summary>Accepts one connection, reads the client's preface, settings and request, answers, then closes.</summary>
    private static async Task ServeOnceAsync(TcpListener listener, byte[] answer)
    {
        using Socket client = await listener.AcceptSocketAsync();
        byte[] buffer = new byte[64 * 1024];
        int received = 0;
        // The request is complete once a frame with END_STREAM on stream 1 has arrived; enough for an answer.
        while (!HasEndOfRequest(buffer.AsSpan(0, received)))
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(received));
            if (n == 0) return;
            received += n;
        }
        await client.SendAsync(answer);
        client.Shutdown(SocketShutdown.Both);
    }

    private static bool HasEndOfRequest(ReadOnlySpan<byte> received)
    {
        int preface = Http2Frame.ClientPreface.Length;
        if (received.Length < preface) return false;
        for (ReadOnlySpan<byte> rest = received[preface..]; rest.Length >= Http2Frame.HeaderLength;)
        {
            Http2Frame frame = Http2Frame.Read(rest);
            if (rest.Length < Http2Frame.HeaderLength + frame.Length) return false;
            if (frame.StreamId == 1 && frame.Has(Http2Frame.EndStream)) return true;
            rest = rest[(Http2Frame.HeaderLength + frame.Length)..];
        }
        return false;
    }
}
